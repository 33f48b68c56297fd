"""Instructions per userinfo request, bearer against DPoP, in one app worker under callgrind (issue 20): the
repeatable half of bench/dpop.sh (whose CPU figures a shared machine blurs).

    bench/dpop-profile.sh              (starts nothing but the profiled worker: it uses the stack
                                        `deploy/dev/stack env` describes, for tokens, nonce and database)

Gets a bearer and a DPoP-bound access token for the public demo client through the stack (as bench/dpop.sh), then
starts one more app pool of 1 worker x 1 thread on a private socket under callgrind (the stack's config and
database) and sends it GET /api/oauth/userinfo straight over FastCGI (bench/fcgi_client.py: no nginx, no TLS):
BENCH_PROFILE_REQUESTS (200) with `Authorization: Bearer`, then as many with `Authorization: DPoP` and a fresh
proof each (ES256, the resource nonce, precomputed). Counters are zeroed before and dumped after each mode. Prints
instructions per request of each mode, what DPoP adds, the part of it spent in the proof's ECDSA verification
(BoringSSL's ECDSA_do_verify, inclusive) and the database statements per request (the server's counters); the
annotated profiles are kept under <stack dir>/dpop-profile/.
"""
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dpop_userinfo as bench  # noqa: E402
import fcgi_client  # noqa: E402
from joserfc.jwk import ECKey  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_PROFILE_REQUESTS", "200"))
OUT = bench.STACK / "dpop-profile"
SOCKET = OUT / "profile.sock"
DB_SOCKET = os.environ["CW_MARIADB_SOCKET"]
# Functions whose inclusive cost is reported for the DPoP mode: the proof's ECDSA verification (BoringSSL) and the
# rest of the proof's checks (Domain), by their symbol names in callgrind_annotate's output.
WATCHED = {
    "ECDSA_do_verify": "CCryptoBoringSSL_ECDSA_do_verify",
    "DPoPProof.verify (all checks)":
        "$s6Domain9DPoPProofV6verify_6method3uri11accessToken5nonce3now4keyss6ResultOyA2C7FailureOGSS_S3SSgAC9NonceRuleO20FoundationEssentials4DateVAA0B9PKeyCacheCSgtFZ",
}


# "1,234 (5.6%)  file:function [object]" (callgrind_annotate 3.19).
FUNCTION_LINE = re.compile(r"^\s*([\d,]+)\s+(?:\([^)]*\)\s+)?\S*?:(\S+)")


def statements():
    """Questions, Com_select, Com_insert of the stack's MariaDB so far."""
    out = subprocess.run(
        ["mariadb", "--no-defaults", f"--socket={DB_SOCKET}", "-uroot", "-N", "-s", "-e",
         "SHOW GLOBAL STATUS WHERE Variable_name IN ('Questions', 'Com_select', 'Com_insert')"],
        capture_output=True, text=True, check=True).stdout.split()
    values = dict(zip(out[0::2], map(int, out[1::2])))
    return values["Questions"], values["Com_select"], values["Com_insert"]


def send(headers_list, expect=200):
    for headers in headers_list:
        status, out = fcgi_client.request(str(SOCKET), "GET", "/api/oauth/userinfo", headers, b"")
        if status != expect:
            sys.exit(f"userinfo answered {status}: {out[:400]!r}")


def callgrind(worker, *args):
    subprocess.run(["callgrind_control", *args, str(worker)], check=True, capture_output=True)


def dumped(label):
    """The newest dump: (total instructions, its annotated inclusive profile)."""
    time.sleep(0.5)
    dump = max(OUT.glob("callgrind.out.*"), key=lambda p: p.stat().st_mtime)
    total = next(int(line.split()[1]) for line in dump.read_text(errors="replace").splitlines() if line.startswith("summary:"))
    annotated = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=99.9", str(dump)],
                               capture_output=True, text=True).stdout
    dump.rename(OUT / f"{label}.callgrind")
    (OUT / f"{label}.txt").write_text(annotated)
    return total, annotated


def inclusive(annotated, name):
    """The inclusive instruction count of the function `name` in callgrind_annotate's output, or 0."""
    for line in annotated.splitlines():
        match = FUNCTION_LINE.match(line)
        if match and match.group(2) == name:
            return int(match.group(1).replace(",", ""))
    return 0


def main():
    OUT.mkdir(exist_ok=True)
    for old in OUT.glob("callgrind.out.*"):
        old.unlink()
    http = bench.signed_in()
    key = ECKey.generate_key("P-256")
    bearer = bench.access_token(http)
    bound = bench.access_token(http, key)
    url = bench.APP + "/api/oauth/userinfo"
    nonce = http.get(url, timeout=10, headers={
        "Authorization": f"DPoP {bound}", "DPoP": bench.proof(key, "GET", url, token=bound)}).headers.get("DPoP-Nonce")

    # valgrind 3.19 cannot read Swift 6's DWARF 5: a copy without debug info (the symbol table stays).
    profiled = OUT / "catalystwells-nodebug"
    subprocess.run(["objcopy", "--strip-debug", os.environ["CW_BIN"], str(profiled)], check=True)
    SOCKET.unlink(missing_ok=True)
    log = open(OUT / "valgrind.log", "w")
    supervisor = subprocess.Popen(
        ["valgrind", "--tool=callgrind", "--trace-children=yes", f"--callgrind-out-file={OUT}/callgrind.out.%p",
         str(profiled), "serve", "--site", "app", "--config", os.environ["CW_CONFIG"], "--socket", str(SOCKET),
         "--workers", "1", "--threads", "1", "--max-requests", "0"], stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(180):
            try:
                if SOCKET.exists() and fcgi_client.request(str(SOCKET), "GET", "/livez", [], b"")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(1)
        else:
            sys.exit(f"the profiled worker did not answer (see {OUT}/valgrind.log)")
        worker = subprocess.run(["pgrep", "-P", str(supervisor.pid)], capture_output=True, text=True).stdout.split()[0]
        modes = {
            "bearer": lambda n: [[f"Authorization: Bearer {bearer}"]] * n,
            "dpop": lambda n: [[f"Authorization: DPoP {bound}", "DPoP: " + bench.proof(key, "GET", url, nonce=nonce, token=bound)]
                               for _ in range(n)],
        }
        results = {}
        for mode, make in modes.items():
            send(make(5))
            batch = make(REQUESTS)
            callgrind(worker, "-z")
            before = statements()
            send(batch)
            after = statements()
            callgrind(worker, "-d", mode)
            total, annotated = dumped(mode)
            # The statement counters include our own SHOW STATUS (one question).
            per = [(a - b - (1 if i == 0 else 0)) / REQUESTS for i, (a, b) in enumerate(zip(after, before))]
            results[mode] = (total / REQUESTS, per, annotated)
    finally:
        supervisor.terminate()
        supervisor.wait(timeout=60)
    print(f"userinfo, one app worker x 1 thread under callgrind, {REQUESTS} requests per mode over FastCGI (no nginx, no TLS)")
    for mode, (instructions, per, _) in results.items():
        print(f"  {mode:6}  {instructions:10.0f} instructions/request  statements/request {per[0]:.2f} "
              f"(SELECT {per[1]:.2f}, INSERT {per[2]:.2f})")
    bearer_i, dpop_i = results["bearer"][0], results["dpop"][0]
    extra = dpop_i - bearer_i
    print(f"  DPoP adds {extra:.0f} instructions/request ({extra / bearer_i * 100:+.1f} % of bearer)")
    annotated = results["dpop"][2]
    for label, name in WATCHED.items():
        cost = inclusive(annotated, name) / REQUESTS
        if cost:
            print(f"    {label:28} {cost:10.0f} /request ({cost / extra * 100:.0f} % of what DPoP adds)")
    print(f"  annotated profiles: {OUT}/bearer.txt, {OUT}/dpop.txt")


if __name__ == "__main__":
    main()

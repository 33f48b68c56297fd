"""Driver of bench/sign_in_cost.sh: the wall time and the app pool's CPU of one sign-in by password, passkey, badge
and (when the stack's demo upstream provider answers) federation, against a running stack.

Run by the shell script with the stack's Python (<repo>/.run/venv: requests, cryptography) and these arguments:
    app_url ca_file socket app_pid nginx_pid db_pid demo.json n warmup idp_url|- federated_slug
It creates a school of its own with SQL (`bench-sign-in-school`: a teacher, a student and a class), so no demo
account's passkeys, badges or passwords change, and removes it at the end (audit log rows stay: the log is
append-only). The federated sign-in, the only exception, uses demo student 0, as bench/federation.sh does (the
demo provider knows only demo emails): it links that student to the provider, as `make dev` users do by hand.
"""
import base64
import hashlib
import html
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urljoin

import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

(app_url, ca_file, db_socket, app_pid, nginx_pid, db_pid, demo_path, n, warmup, idp_url, slug) = sys.argv[1:12]
n, warmup = int(n), int(warmup)
app_pid, nginx_pid, db_pid = int(app_pid), int(nginx_pid), int(db_pid)
demo = json.load(open(demo_path))
PASSWORD = demo["password"]
CLK_TCK = os.sysconf("SC_CLK_TCK")

original = socket.getaddrinfo
socket.getaddrinfo = lambda host, *a, **k: original("127.0.0.1" if str(host).endswith(".localhost") else host, *a, **k)

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
PDF_LINK = re.compile(r'id="cards-pdf"[^>]*href="data:application/pdf;base64,([^"]+)"')
BADGE_LINK = re.compile(r"^https://[^/]+/login/badge#([A-Za-z0-9_-]{43})$")
SCHOOL_SOURCED_ID = "bench-sign-in-school"
TEACHER, STUDENT = "bench-signin-teacher", "bench-signin-student"


def fail(what, answer=None):
    detail = ""
    if answer is not None:
        hint = (" (nginx's login limit: start the stack with CW_NGINX_LOGIN_BURST raised, or lower BENCH_SIGNIN_N)"
                if answer.status_code == 429 else "")
        detail = f" answered {answer.status_code}{hint}: {answer.text[:300]!r}"
    sys.exit(f"bench: error: {what}{detail}")


def sql(statement):
    out = subprocess.run(["mariadb", "--no-defaults", f"--socket={db_socket}", "-uroot", "-N", "-B", "catalyst_main"],
                         input=statement, capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        fail(f"SQL failed: {out.stderr.strip()}")
    return [line.split("\t") for line in out.stdout.splitlines()]


SETUP = f"""
INSERT INTO schools (sourced_id, name, created_at, updated_at) VALUES ('{SCHOOL_SOURCED_ID}', 'Sign-in Bench School', NOW(6), NOW(6));
SET @s = LAST_INSERT_ID();
SET @hash = (SELECT password_hash FROM users WHERE username = 'student01');
INSERT INTO users (school_id, sourced_id, role, given_name, family_name, email, username, grade_level, password_hash,
                   created_at, updated_at) VALUES
  (@s, 'bench-si-teacher', 'teacher', 'Bench', 'Teacher', NULL, '{TEACHER}', NULL, @hash, NOW(6), NOW(6)),
  (@s, 'bench-si-student', 'student', 'Bench', 'Student', NULL, '{STUDENT}', '5', @hash, NOW(6), NOW(6));
INSERT INTO terms (school_id, sourced_id, title, kind, start_date, end_date)
VALUES (@s, 'bench-si-term', 'Year', 'schoolYear', '2026-09-01', '2027-06-30');
INSERT INTO courses (school_id, sourced_id, title) VALUES (@s, 'bench-si-course', 'Benchmarks');
INSERT INTO classes (school_id, sourced_id, title, course_id, term_id)
SELECT @s, 'bench-si-class', 'Bench 5A', co.id, t.id FROM courses co JOIN terms t ON t.school_id = co.school_id
WHERE co.school_id = @s AND co.sourced_id = 'bench-si-course' AND t.sourced_id = 'bench-si-term';
INSERT INTO enrollments (class_id, user_id, role, sourced_id, active)
SELECT c.id, u.id, IF(u.role = 'teacher', 'teacher', 'student'), CONCAT('bench-si-enr-', u.sourced_id), TRUE
FROM classes c JOIN users u ON u.school_id = c.school_id WHERE c.school_id = @s;
SELECT 'school', @s UNION ALL SELECT 'class', id FROM classes WHERE school_id = @s
UNION ALL SELECT username, id FROM users WHERE school_id = @s;
"""

# Everything that points at the school with ON DELETE RESTRICT, children first; users' own rows (sessions,
# passkeys, badges, …) cascade.
CLEANUP = f"""
SET @s = (SELECT id FROM schools WHERE sourced_id = '{SCHOOL_SOURCED_ID}');
DELETE e FROM enrollments e JOIN classes c ON c.id = e.class_id WHERE c.school_id = @s;
DELETE FROM classes WHERE school_id = @s;
DELETE FROM courses WHERE school_id = @s;
DELETE FROM terms WHERE school_id = @s;
DELETE FROM school_app_requests WHERE school_id = @s;
DELETE FROM school_app_policies WHERE school_id = @s;
DELETE FROM school_password_policies WHERE school_id = @s;
DELETE FROM roster_imports WHERE school_id = @s;
DELETE FROM users WHERE school_id = @s;
DELETE FROM schools WHERE id = @s;
"""


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def session():
    s = requests.Session()
    s.trust_env = False
    s.verify = ca_file
    return s


def csrf_of(answer, what):
    if answer.status_code != 200:
        fail(what, answer)
    found = CSRF.search(answer.text)
    if not found:
        fail(f"{what}: no csrf field in the page")
    return html.unescape(found.group(1))


def signed_in(answer):
    return answer.status_code == 303 and "__Host-cw_session=" in answer.headers.get("Set-Cookie", "")


def password_sign_in(s, identifier):
    """GET /login, then POST /login (timed); returns the POST's milliseconds."""
    token = csrf_of(s.get(f"{app_url}/login", timeout=30), "GET /login")
    began = time.perf_counter()
    answer = s.post(f"{app_url}/login", data={"csrf": token, "identifier": identifier, "password": PASSWORD},
                    allow_redirects=False, timeout=60)
    elapsed = (time.perf_counter() - began) * 1000
    if not signed_in(answer):
        fail(f"POST /login as {identifier}", answer)
    return elapsed


# ----------------------------------------------------------------------------- a software authenticator (ES256)

def cbor_head(major, value):
    if value < 24:
        return bytes([major << 5 | value])
    for size, info in ((1, 24), (2, 25), (4, 26), (8, 27)):
        if value < 1 << (8 * size):
            return bytes([major << 5 | info]) + value.to_bytes(size, "big")
    raise ValueError(value)


def cbor(item):
    """The few CBOR types a COSE key and an attestation object need (definite lengths, as CTAP2 writes them)."""
    if isinstance(item, bool):
        raise TypeError("no booleans needed")
    if isinstance(item, int):
        return cbor_head(0, item) if item >= 0 else cbor_head(1, -1 - item)
    if isinstance(item, bytes):
        return cbor_head(2, len(item)) + item
    if isinstance(item, str):
        raw = item.encode()
        return cbor_head(3, len(raw)) + raw
    if isinstance(item, dict):
        return cbor_head(5, len(item)) + b"".join(cbor(k) + cbor(v) for k, v in item.items())
    raise TypeError(type(item))


class Authenticator:
    UP, UV, AT = 0x01, 0x04, 0x40

    def __init__(self, rp_id, origin):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = secrets.token_bytes(32)
        self.rp_hash = hashlib.sha256(rp_id.encode()).digest()
        self.origin = origin
        self.count = 0
        self.user_handle = b""

    def client_data(self, kind, challenge):
        return json.dumps({"type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": False},
                          separators=(",", ":")).encode()

    def create(self, options):
        """navigator.credentials.create: (attestationObject, clientDataJSON) with fmt "none"."""
        self.user_handle = unb64url(options["user"]["id"])
        numbers = self.key.public_key().public_numbers()
        cose_key = cbor({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})
        auth_data = (self.rp_hash + bytes([self.UP | self.UV | self.AT]) + self.count.to_bytes(4, "big") + bytes(16)
                     + len(self.credential_id).to_bytes(2, "big") + self.credential_id + cose_key)
        attestation = cbor({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return attestation, self.client_data("webauthn.create", options["challenge"])

    def get(self, options):
        """navigator.credentials.get: the form fields of /login/passkey, with the next signature counter."""
        self.count += 1
        auth_data = self.rp_hash + bytes([self.UP | self.UV]) + self.count.to_bytes(4, "big")
        client_data = self.client_data("webauthn.get", options["challenge"])
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {"credentialId": b64url(self.credential_id), "authenticatorData": b64url(auth_data),
                "clientDataJSON": b64url(client_data), "signature": b64url(signature), "userHandle": b64url(self.user_handle)}


def register_passkey(authenticator):
    s = session()
    password_sign_in(s, STUDENT)
    token = csrf_of(s.get(f"{app_url}/account/passkeys", timeout=30), "GET /account/passkeys")
    options = s.post(f"{app_url}/account/passkeys/options", data={"csrf": token}, timeout=30)
    if options.status_code != 200:
        fail("POST /account/passkeys/options", options)
    attestation, client_data = authenticator.create(options.json())
    answer = s.post(f"{app_url}/account/passkeys/register", allow_redirects=False, timeout=30,
                    data={"csrf": token, "name": "Bench authenticator", "attestationObject": b64url(attestation),
                          "clientDataJSON": b64url(client_data)})
    if answer.status_code != 303 or "added=1" not in answer.headers.get("Location", ""):
        fail("POST /account/passkeys/register", answer)


def passkey_sign_in(s, authenticator):
    """What the sign-in page's script does: options, the authenticator, then POST /login/passkey (timed)."""
    token = csrf_of(s.get(f"{app_url}/login", timeout=30), "GET /login")
    options = s.post(f"{app_url}/login/passkey/options", data={"csrf": token}, timeout=30)
    if options.status_code != 200:
        fail("POST /login/passkey/options", options)
    fields = authenticator.get(options.json())
    fields["csrf"] = token
    began = time.perf_counter()
    answer = s.post(f"{app_url}/login/passkey", data=fields, allow_redirects=False, timeout=60)
    elapsed = (time.perf_counter() - began) * 1000
    if not signed_in(answer):
        fail("POST /login/passkey", answer)
    return elapsed


# ----------------------------------------------------------------------------- a badge, read from its printed card

def make_badge(class_id, student_id):
    """The teacher makes a new badge for the student; its secret is read back from the card PDF's QR code, as a
    camera would read it (poppler's pdftoppm renders the page, zbar's zbarimg decodes the code)."""
    s = session()
    password_sign_in(s, TEACHER)
    path = f"/teacher/classes/{class_id}/students/{student_id}"
    token = csrf_of(s.get(f"{app_url}{path}/password", timeout=30), f"GET {path}/password")
    answer = s.post(f"{app_url}{path}/badge", data={"csrf": token, "action": "rotate"}, timeout=30)
    if answer.status_code != 200:
        fail(f"POST {path}/badge", answer)
    found = PDF_LINK.search(answer.text)
    if not found:
        fail("the badge answer has no PDF of the card")
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "card.pdf"
        pdf.write_bytes(base64.b64decode(html.unescape(found.group(1))))
        subprocess.run(["pdftoppm", "-png", "-r", "200", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(Path(folder) / "page")],
                       check=True, timeout=60)
        out = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(Path(folder) / "page.png")],
                             capture_output=True, text=True, timeout=60)
    links = [line.strip() for line in out.stdout.splitlines() if BADGE_LINK.match(line.strip())]
    if len(links) != 1:
        fail(f"expected one badge link in the card's QR codes, zbarimg read {out.stdout!r} {out.stderr.strip()!r}")
    return BADGE_LINK.match(links[0]).group(1)


def badge_sign_in(s, secret):
    """What /login/badge's script does: the page (form token), then POST the secret from the fragment (timed)."""
    token = csrf_of(s.get(f"{app_url}/login/badge", timeout=30), "GET /login/badge")
    began = time.perf_counter()
    answer = s.post(f"{app_url}/login/badge", data={"csrf": token, "secret": secret}, allow_redirects=False, timeout=60)
    elapsed = (time.perf_counter() - began) * 1000
    if not signed_in(answer):
        fail("POST /login/badge", answer)
    return elapsed


# ----------------------------------------------------------------------------- federated (demo upstream provider)

FED_FORM = re.compile(r'<form id="upstream-signin" method="post" action="([^"]+)"')


def federated_sign_in(s, me):
    """bench/federation.sh's flow: start, the provider's form, then our callback (timed)."""
    start = s.get(f"{app_url}/login/upstream/{slug}", allow_redirects=False, timeout=30)
    if start.status_code != 303:
        fail(f"/login/upstream/{slug}", start)
    page = s.get(start.headers["Location"], timeout=30)
    if page.status_code != 200 or not FED_FORM.search(page.text):
        fail("the provider's authorize page", page)
    action = urljoin(start.headers["Location"], html.unescape(FED_FORM.search(page.text).group(1)))
    back = s.post(action, data={"username": me["email"], "password": PASSWORD, "action": "sign-in"}, allow_redirects=False, timeout=30)
    if back.status_code != 302:
        fail("the provider's sign-in form", back)
    began = time.perf_counter()
    answer = s.get(back.headers["Location"], allow_redirects=False, timeout=60)
    elapsed = (time.perf_counter() - began) * 1000
    if not signed_in(answer):
        fail("the upstream callback", answer)
    return elapsed


# ----------------------------------------------------------------------------- measuring

def proc_ticks(pid, with_reaped=True):
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    # After the command: state is fields[0], utime fields[11], stime [12], cutime [13], cstime [14].
    return int(fields[11]) + int(fields[12]) + ((int(fields[13]) + int(fields[14])) if with_reaped else 0)


def children(pid):
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                pass
    return found


def tree_ticks(pid):
    """The supervisor (with its reaped workers) and its live workers."""
    return proc_ticks(pid) + sum(proc_ticks(child, with_reaped=False) for child in children(pid))


def run_ns(pid):
    """Nanoseconds on a CPU of the live threads of `pid` (/proc/<pid>/task/<tid>/schedstat, first field)."""
    total = 0
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return 0
    for task in tasks:
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (OSError, IndexError, ValueError):
            pass
    return total


def cpu_snapshot():
    return {"app": tree_ticks(app_pid), "nginx": tree_ticks(nginx_pid), "db": proc_ticks(db_pid, with_reaped=False),
            "app_ns": run_ns(app_pid) + sum(run_ns(child) for child in children(app_pid))}


def measure(name, one):
    for _ in range(warmup):
        one()
    times = []
    before, began = cpu_snapshot(), time.perf_counter()
    for _ in range(n):
        times.append(one())
    after, wall = cpu_snapshot(), time.perf_counter() - began
    cpu = {part: (after[part] - before[part]) / CLK_TCK / n for part in ("app", "nginx", "db")}
    cpu["app_ns"] = (after["app_ns"] - before["app_ns"]) / 1e9 / n
    return {"name": name, "times": times, "cpu": cpu, "wall": wall}


def p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def main():
    sql(CLEANUP)  # leftovers of a run killed before its cleanup
    ids = {name: int(value) for name, value in sql(SETUP)}
    results = []
    try:
        results.append(measure("password (argon2id)", lambda: password_sign_in(session(), STUDENT)))

        rp_id = app_url.split("://", 1)[1].split("/", 1)[0].split(":", 1)[0]
        authenticator = Authenticator(rp_id, app_url.rstrip("/"))
        register_passkey(authenticator)
        results.append(measure("passkey (ES256, UV)", lambda: passkey_sign_in(session(), authenticator)))

        secret = make_badge(ids["class"], ids[STUDENT])
        results.append(measure("badge (QR secret)", lambda: badge_sign_in(session(), secret)))

        if idp_url != "-":
            me = demo["students"][0]
            results.append(measure(f"federated ({slug})", lambda: federated_sign_in(session(), me)))
        hashed = sql(f"SELECT password_hash FROM users WHERE username = '{STUDENT}'")[0][0]
        argon2 = re.match(r"^\$argon2id\$v=\d+\$([^$]+)\$", hashed)
    finally:
        sql(CLEANUP)

    reference = results[0]
    ref_median, ref_cpu = statistics.median(reference["times"]), reference["cpu"]["app"]
    print(f"Sign-in cost per method against {app_url}: {n} sign-ins each after {warmup} warm-ups, one at a time,")
    print(f"each with a fresh cookie jar; CPU from /proc (utime+stime, {CLK_TCK} ticks/s) over the measured batch.")
    print()
    ref_ns = reference["cpu"]["app_ns"]
    print(f"  {'':<26} {'sign-in request':^24}   {'CPU per sign-in (ms)':^46}")
    print(f"  {'method':<26} {'median ms':>9} {'p95 ms':>7} {'x pwd':>6}   {'app':>7} {'x pwd':>6} {'app sched':>9} {'x pwd':>6}"
          f" {'nginx':>6} {'MariaDB':>7}")
    for r in results:
        median, app, app_ns = statistics.median(r["times"]), r["cpu"]["app"], r["cpu"]["app_ns"]
        print(f"  {r['name']:<26} {median:9.1f} {p95(r['times']):7.1f} {median / ref_median:6.2f}"
              f"   {app * 1000:7.1f} {(app / ref_cpu) if ref_cpu else float('nan'):6.2f}"
              f" {app_ns * 1000:9.2f} {(app_ns / ref_ns) if ref_ns else float('nan'):6.2f}"
              f" {r['cpu']['nginx'] * 1000:6.1f} {r['cpu']['db'] * 1000:7.1f}")
    print()
    print("  median/p95: the sign-in request alone (POST /login, POST /login/passkey, POST /login/badge, the upstream")
    print("  callback GET), as the client times it. CPU per sign-in: the app pool (supervisor and workers) over the")
    print("  whole flow a browser goes through, i.e. also the page that carries the form token (GET /login or")
    print("  /login/badge) and, for a passkey, POST /login/passkey/options; for federation the callback's outbound")
    print("  token request is included, the provider's own work is not. The tick is 1/CLK_TCK s: figures below a few")
    print("  ticks in total (CPU per sign-in x N) are coarse; raise BENCH_SIGNIN_N for those. \"app sched\": the same")
    print("  from the scheduler's nanosecond clock (/proc/<pid>/task/*/schedstat) of the live threads, finer but blind")
    print("  to a worker that exits during the batch.")
    print(f"  The password hash verified: argon2id {argon2.group(1) if argon2 else '?'} (copied from student01, i.e. what")
    print("  the stack's [accounts] argon2_memory_kib made when it seeded the demo; a test stack uses 19456 KiB, a dev or")
    print("  production one the default 65536 KiB).")


main()

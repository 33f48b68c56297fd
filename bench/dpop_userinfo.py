"""CPU per userinfo request with a DPoP-bound token against a bearer token, on one running stack (issue 20).

    bench/dpop.sh                      (starts nothing: it measures the stack `deploy/dev/stack env` describes)

Signs in a demo student, gets two access tokens for the public demo client (one plain, one DPoP-bound with an
ES256 key: the token endpoint's nonce round trip included), then sends GET /api/oauth/userinfo in alternated
rounds: `Authorization: Bearer` versus `Authorization: DPoP` with a fresh proof per request (precomputed with
joserfc before the round, so the client's signing is not timed). For each round it reads the CPU time (utime +
stime, /proc) of the stack's app pool (supervisor and workers), nginx and MariaDB before and after, and prints
CPU per request; the best round of each mode is compared (other load on a shared machine only adds CPU), per
component and in total, as (DPoP − bearer) / bearer.
A worker that reaches `max_requests` during a round is replaced: its CPU then moves to its parent's cutime and
cstime when the supervisor reaps it, so each component is counted as its parent's own and reaped children's time
plus that of the children alive at the moment of reading (listed anew at every reading).
A benchmark, not a test: it never fails on a target.

Settings (environment): BENCH_REQUESTS per round (2000), BENCH_ROUNDS (3), BENCH_THREADS (8), BENCH_STUDENT
(student04).
"""
import base64
import hashlib
import html
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
from joserfc import jwt
from joserfc.jwk import ECKey

STACK = Path(os.environ["CW_STACK_DIR"])
APP = os.environ["CW_APP_URL"]
CA = os.environ["CW_CA_FILE"]
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "2000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
THREADS = int(os.environ.get("BENCH_THREADS", "8"))
STUDENT = os.environ.get("BENCH_STUDENT", "student04")
REDIRECT = "http://127.0.0.1:8765/callback"
CSRF = re.compile(r'<input type="hidden" name="csrf" value="([^"]+)">')
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
TICKS = os.sysconf("SC_CLK_TCK")

# This system does not resolve *.localhost (browsers do it themselves): send those names to loopback.
_getaddrinfo = socket.getaddrinfo
socket.getaddrinfo = lambda host, *a, **k: _getaddrinfo("127.0.0.1" if str(host).endswith(".localhost") else host, *a, **k)


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def session():
    s = requests.Session()
    s.trust_env = False
    s.verify = CA
    return s


def proof(key, method, url, nonce=None, token=None):
    claims = {"jti": secrets.token_urlsafe(12), "htm": method, "htu": url, "iat": int(time.time())}
    if nonce:
        claims["nonce"] = nonce
    if token:
        claims["ath"] = b64(hashlib.sha256(token.encode()).digest())
    return jwt.encode({"typ": "dpop+jwt", "alg": "ES256", "jwk": key.as_dict(private=False)}, claims, key, algorithms=["ES256"])


def access_token(http, key=None):
    """One authorization code flow for demo-public (PKCE S256); with `key`, DPoP-bound."""
    verifier = secrets.token_urlsafe(48)
    query = {"response_type": "code", "client_id": "demo-public", "redirect_uri": REDIRECT, "scope": "openid profile.read",
             "state": secrets.token_urlsafe(8), "code_challenge": b64(hashlib.sha256(verifier.encode()).digest()),
             "code_challenge_method": "S256"}
    answer = http.get(APP + "/authsso?" + urlencode(query), allow_redirects=False, timeout=10)
    if answer.status_code == 200 and 'id="consent-form"' in answer.text:
        form = answer.text.split('id="consent-form"', 1)[1].split("</form>", 1)[0]
        fields = {name: html.unescape(value) for name, value in HIDDEN.findall(form)}
        answer = http.post(APP + "/authsso", data=dict(fields, decision="approve"), allow_redirects=False, timeout=10)
    assert answer.status_code == 303, answer.text[:300]
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "client_id": "demo-public",
            "code_verifier": verifier}
    token_url = APP + "/api/oauth/token"
    headers = {}
    if key:
        first = http.post(token_url, data=form, headers={"DPoP": proof(key, "POST", token_url)}, timeout=10)
        assert first.status_code == 400 and first.json()["error"] == "use_dpop_nonce", first.text
        headers = {"DPoP": proof(key, "POST", token_url, nonce=first.headers["DPoP-Nonce"])}
    answer = http.post(token_url, data=form, headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text[:300]
    body = answer.json()
    assert body["token_type"] == ("DPoP" if key else "Bearer"), body
    return body["access_token"]


def parents():
    """By component: the pid of the app pool's supervisor, nginx's master and MariaDB."""
    found = {}
    for name, pidfile in (("app", STACK / "run" / "app.pid"), ("nginx", STACK / "nginx" / "nginx.pid"),
                          ("mariadb", STACK / "mariadb" / "mysqld.pid")):
        if pidfile.is_file():
            found[name] = int(pidfile.read_text().split()[0])
    return found


def stat_ticks(pid, children_too=False):
    """utime + stime of `pid` (all its threads); with `children_too`, plus cutime + cstime (its reaped children)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0
    ticks = int(fields[11]) + int(fields[12])
    if children_too:
        ticks += int(fields[13]) + int(fields[14])
    return ticks


def cpu_seconds(parent):
    """CPU of a component: its parent, every child reaped so far and every child alive now (a recycled worker's
    time is in one of the two, never both: the kernel adds it to the parent's cutime/cstime when it is reaped)."""
    children = subprocess.run(["pgrep", "-P", str(parent)], capture_output=True, text=True).stdout.split()
    return (stat_ticks(parent, children_too=True) + sum(stat_ticks(int(pid)) for pid in children)) / TICKS


def run(headers_list):
    """Sends one GET per entry of `headers_list` over THREADS keep-alive sessions; returns (seconds, statuses)."""
    url = APP + "/api/oauth/userinfo"
    statuses = {}
    lock = threading.Lock()
    chunks = [headers_list[i::THREADS] for i in range(THREADS)]

    def work(chunk):
        http = session()
        seen = {}
        for headers in chunk:
            status = http.get(url, headers=headers, timeout=30).status_code
            seen[status] = seen.get(status, 0) + 1
        with lock:
            for status, n in seen.items():
                statuses[status] = statuses.get(status, 0) + n

    threads = [threading.Thread(target=work, args=(chunk,)) for chunk in chunks]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.monotonic() - start, statuses


def signed_in():
    """A session signed in as the demo student BENCH_STUDENT."""
    demo = json.loads((STACK / "demo.json").read_text())
    student = next(p for p in demo["students"] if p["username"] == STUDENT)
    http = session()
    page = http.get(APP + "/login", timeout=10).text
    signed = http.post(APP + "/login", allow_redirects=False, timeout=10,
                       data={"csrf": CSRF.search(page).group(1), "identifier": student["username"], "password": student["password"]})
    assert signed.status_code == 303, f"sign-in: {signed.status_code}"
    return http


def main():
    http = signed_in()
    key = ECKey.generate_key("P-256")
    bearer = access_token(http)
    bound = access_token(http, key)
    url = APP + "/api/oauth/userinfo"
    processes = parents()
    best = {}
    print(f"userinfo, {REQUESTS} requests per round, {THREADS} client threads, {ROUNDS} rounds; server CPU = app pool + nginx + MariaDB")
    for round_number in range(ROUNDS):
        for mode in ("bearer", "dpop"):
            if mode == "bearer":
                headers = [{"Authorization": f"Bearer {bearer}"}] * REQUESTS
            else:
                # The resource's nonce (RFC 9449 §9, on by default): learned once per round, as a client keeps the
                # newest one; it lives 2–4 minutes, longer than a round. None when resources do not ask.
                nonce = http.get(url, timeout=10, headers={
                    "Authorization": f"DPoP {bound}", "DPoP": proof(key, "GET", url, token=bound)}).headers.get("DPoP-Nonce")
                headers = [{"Authorization": f"DPoP {bound}", "DPoP": proof(key, "GET", url, nonce=nonce, token=bound)}
                           for _ in range(REQUESTS)]
            before = {name: cpu_seconds(group) for name, group in processes.items()}
            seconds, statuses = run(headers)
            used = {name: (cpu_seconds(group) - before[name]) / REQUESTS * 1e6 for name, group in processes.items()}
            per_request = sum(used.values())
            parts = ", ".join(f"{name} {value:.0f}" for name, value in used.items())
            print(f"  round {round_number + 1} {mode:6}  {REQUESTS / seconds:7.0f} req/s  server CPU {per_request:6.0f} µs/request "
                  f"({parts})  statuses {statuses}")
            if statuses.get(200) == REQUESTS and per_request < best.get(mode, (float("inf"), {}))[0]:
                best[mode] = (per_request, used)
    if "bearer" in best and "dpop" in best:
        (bearer_total, bearer_parts), (dpop_total, dpop_parts) = best["bearer"], best["dpop"]
        for name in bearer_parts:
            extra = (dpop_parts[name] - bearer_parts[name]) / bearer_parts[name] * 100 if bearer_parts[name] else float("nan")
            print(f"  {name:8} bearer {bearer_parts[name]:5.0f} µs, DPoP {dpop_parts[name]:5.0f} µs: "
                  f"{dpop_parts[name] - bearer_parts[name]:+5.0f} µs ({extra:+.1f} % of its bearer figure)")
        extra = (dpop_total - bearer_total) / bearer_total * 100
        print(f"best: bearer {bearer_total:.0f} µs, DPoP {dpop_total:.0f} µs per request: DPoP adds {extra:+.1f} % CPU "
              f"(target < 15 %)")
    else:
        print("no complete round in one of the modes", file=sys.stderr)


if __name__ == "__main__":
    main()

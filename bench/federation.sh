#!/usr/bin/env bash
# Federated sign-in benchmark: complete sign-ins through an upstream OpenID provider against a running stack,
# timed at our callback, next to the password sign-in's time.
#
#   bench/federation.sh          (against `make dev`'s stack; or set CW_STACK_DIR/CW_HTTPS_PORT/... as for
#                                 deploy/dev/stack, e.g. the test stack)
#
# Uses the stack's demo upstream provider (deploy/dev/upstream-idp, started and registered as "Demo Workspace" by
# `deploy/dev/stack up`) and demo students. Each sign-in is what a browser does, with a fresh cookie jar and
# keep-alive connections (python3 requests from <repo>/.run/venv): GET /login/upstream/<slug> (303 to the provider),
# the provider's sign-in form (GET, POST: 302 back to us), then GET /login/upstream/callback?code&state, timed.
# During the callback our side exchanges the code at the provider's token endpoint (TLS, client_secret_basic),
# fetches discovery/JWKS when its cache is cold, verifies the ID token, finds the link and creates the session. The
# provider times its own token endpoint (from request to response, the `X-Token-Endpoint-Ms` it also sends) and
# reports it per code (GET /_control/timings?code=): the figure reported is
#
#     callback time on our side - the provider's token endpoint time
#
# i.e. what our side adds (nginx, FastCGI, the outbound TLS request's overhead, the checks, the database), with
# median and p95 over BENCH_FED_N sign-ins after BENCH_FED_WARMUP unmeasured ones (the first links the account and
# fills the key cache), and the same for POST /login with the demo password (argon2id; one per sign-in). Password
# sign-ins are POSTs and count against nginx's per-address login limit (30/min, burst 30 on a dev stack): keep
# BENCH_FED_PASSWORD_N under the burst, or start the stack with CW_NGINX_LOGIN_BURST raised.
# A benchmark, not a test: it fails only when a sign-in does not work.
#
# Settings (environment):
#   BENCH_FED_N            federated sign-ins measured               (default 50)
#   BENCH_FED_WARMUP       federated sign-ins before measuring       (default 3)
#   BENCH_FED_PASSWORD_N   password sign-ins measured                (default 20)
#   BENCH_FED_SLUG         the provider's slug                       (default demo-workspace)
#   BENCH_STUDENT          which demo student (index in demo.json students) (default 0)
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_DIR
readonly N="${BENCH_FED_N:-50}" WARMUP="${BENCH_FED_WARMUP:-3}" PASSWORD_N="${BENCH_FED_PASSWORD_N:-20}"
readonly SLUG="${BENCH_FED_SLUG:-demo-workspace}" STUDENT_INDEX="${BENCH_STUDENT:-0}"

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ "$N" =~ ^[1-9][0-9]{0,4}$ ]] || die "BENCH_FED_N '$N' is not a count"
[[ "$WARMUP" =~ ^[0-9]{1,3}$ ]] || die "BENCH_FED_WARMUP '$WARMUP' is not a count"
[[ "$PASSWORD_N" =~ ^[0-9]{1,4}$ ]] || die "BENCH_FED_PASSWORD_N '$PASSWORD_N' is not a count"
[[ "$SLUG" =~ ^[a-z0-9-]{1,40}$ ]] || die "BENCH_FED_SLUG '$SLUG' is not a slug"
[[ "$STUDENT_INDEX" =~ ^[0-9]{1,4}$ ]] || die "BENCH_STUDENT '$STUDENT_INDEX' is not an index"

eval "$("$REPO_DIR/deploy/dev/stack" env)"
PYTHON="$CW_VENV/bin/python"
[[ -x "$PYTHON" ]] || die "$PYTHON missing: start the stack first (deploy/dev/stack up creates it)"
[[ -s "$CW_DEMO_JSON" ]] || die "$CW_DEMO_JSON missing: start the stack first (deploy/dev/stack up)"
curl -sS -o /dev/null --max-time 5 --cacert "$CW_CA_FILE" $CW_CURL_RESOLVE "$CW_APP_URL/healthz" ||
    die "$CW_APP_URL does not answer: start the stack first (make dev)"
curl -sS -o /dev/null --max-time 5 --cacert "$CW_CA_FILE" "$CW_IDP_URL/_control/health" ||
    die "the demo upstream provider at $CW_IDP_URL does not answer (deploy/dev/stack status)"

RESULTS="$CW_STACK_DIR/results-federation-$(date -u +%Y%m%dT%H%M%SZ).txt"
say "$N federated sign-ins through '$SLUG' (+$WARMUP warm-up) and $PASSWORD_N password sign-ins against $CW_APP_URL"
"$PYTHON" - "$CW_APP_URL" "$CW_CA_FILE" "$CW_IDP_URL" "$CW_DEMO_JSON" "$SLUG" "$STUDENT_INDEX" "$N" "$WARMUP" "$PASSWORD_N" <<'PY' |
import html, json, re, socket, statistics, sys, time
from urllib.parse import parse_qs, urljoin, urlsplit

import requests

app_url, ca_file, idp_url, demo_path, slug, index, n, warmup, password_n = sys.argv[1:]
index, n, warmup, password_n = int(index), int(n), int(warmup), int(password_n)
original = socket.getaddrinfo
socket.getaddrinfo = lambda host, *a, **k: original("127.0.0.1" if str(host).endswith(".localhost") else host, *a, **k)
demo = json.load(open(demo_path))
me = demo["students"][index]
FORM = re.compile(r'<form id="upstream-signin" method="post" action="([^"]+)"')
CSRF = re.compile(r'<input type="hidden" name="csrf" value="([^"]+)">')


def session():
    s = requests.Session()
    s.trust_env = False
    s.verify = ca_file
    return s


def fail(what, answer):
    hint = " (nginx's login limit: raise CW_NGINX_LOGIN_BURST or lower BENCH_FED_PASSWORD_N)" if answer.status_code == 429 else ""
    sys.exit(f"bench: error: {what} answered {answer.status_code}{hint}: {answer.text[:300]}")


def federated():
    """One sign-in; returns (callback ms, provider's token endpoint ms)."""
    s = session()
    start = s.get(f"{app_url}/login/upstream/{slug}", allow_redirects=False, timeout=30)
    if start.status_code != 303:
        fail(f"/login/upstream/{slug}", start)
    page = s.get(start.headers["Location"], timeout=30)
    if page.status_code != 200:
        fail("the provider's authorize page", page)
    action = urljoin(start.headers["Location"], html.unescape(FORM.search(page.text).group(1)))
    back = s.post(action, data={"username": me["email"], "password": demo["password"], "action": "sign-in"},
                  allow_redirects=False, timeout=30)
    if back.status_code != 302:
        fail("the provider's sign-in form", back)
    callback = back.headers["Location"]
    began = time.perf_counter()
    answer = s.get(callback, allow_redirects=False, timeout=30)
    elapsed = (time.perf_counter() - began) * 1000
    if answer.status_code != 303 or "__Host-cw_session=" not in answer.headers.get("Set-Cookie", ""):
        fail("the callback", answer)
    code = parse_qs(urlsplit(callback).query)["code"][0]
    timing = session().get(f"{idp_url}/_control/timings", params={"code": code}, timeout=10)
    if timing.status_code != 200:
        fail("the provider's timings", timing)
    return elapsed, timing.json()["token_endpoint_ms"]


def password():
    s = session()
    page = s.get(f"{app_url}/login", timeout=30)
    csrf = CSRF.search(page.text).group(1)
    began = time.perf_counter()
    answer = s.post(f"{app_url}/login", data={"csrf": csrf, "identifier": me["email"], "password": demo["password"]},
                    allow_redirects=False, timeout=30)
    elapsed = (time.perf_counter() - began) * 1000
    if answer.status_code != 303:
        fail("POST /login", answer)
    return elapsed


def p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def line(label, values):
    return f"  {label:<44} median {statistics.median(values):8.1f} ms   p95 {p95(values):8.1f} ms   (n={len(values)})"


for _ in range(warmup):
    federated()
runs = [federated() for _ in range(n)]
ours = [callback - token for callback, token in runs]
passwords = [password() for _ in range(password_n)]
print(f"Federated sign-in through '{slug}' as {me['email']} ({app_url}, provider {idp_url})")
print(line("callback on our side minus token endpoint", ours))
print(line("callback as the browser sees it", [c for c, _ in runs]))
print(line("the provider's token endpoint", [t for _, t in runs]))
if passwords:
    print(line("password sign-in (POST /login, argon2id)", passwords))
PY
    tee "$RESULTS"
say "results: $RESULTS"

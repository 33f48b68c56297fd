#!/usr/bin/env bash
# Sign-in cost benchmark (issue 16): the CPU and wall time of one sign-in by password (argon2id), passkey, badge
# and, when the stack's demo upstream provider answers, federation, against a running stack.
#
#   bench/sign_in_cost.sh        (against `make dev`'s stack; or set CW_STACK_DIR/CW_HTTPS_PORT/... as for
#                                 deploy/dev/stack, e.g. the test stack)
#
# bench/sign_in_cost.py (run with <repo>/.run/venv's Python: requests, cryptography) creates a school of its own with
# SQL on the stack's MariaDB (`bench-sign-in-school`: a teacher, a student, a class; the passwords are the demo
# password) and removes it at the end, so demo accounts keep their passwords, passkeys and badges. Then, one
# sign-in at a time, each with a fresh cookie jar as a new browser has:
#   password   GET /login, POST /login as the bench student;
#   passkey    a software authenticator (a P-256 key made for the run) registered on /account/passkeys with a
#              hand-built attestation object (fmt "none", flags UP|UV|AT); each sign-in is GET /login,
#              POST /login/passkey/options, then POST /login/passkey with an assertion signed over a counter that
#              grows by one;
#   badge      the teacher makes a new badge for the student (POST …/students/{id}/badge, action=rotate) and its
#              secret is read back from the card PDF's QR code with pdftoppm and zbarimg, as tests/e2e/test_badges.py
#              does; each sign-in is GET /login/badge, then POST /login/badge;
#   federated  bench/federation.sh's flow through the demo provider as demo student 0 (skipped when the provider
#              does not answer, or with BENCH_SIGNIN_FEDERATED=0).
# Reported per method: median and p95 of the sign-in request's wall time, and the CPU seconds the app pool's
# processes (the supervisor, its reaped workers and its live workers: utime+stime in /proc/<pid>/stat, ticks of
# `getconf CLK_TCK`) spent per sign-in over the measured batch, with both as ratios to the password sign-in; nginx's
# and MariaDB's CPU per sign-in beside them. Run it on an otherwise idle stack: any other request to the pool
# counts. A benchmark, not a test: it fails only when a sign-in does not work.
#
# Every POST under /login counts against nginx's per-address login limit (30/min; burst 30 on a dev stack unless
# CW_NGINX_LOGIN_BURST raises it): a run needs about 4 x (N + WARMUP) + 6 of them, checked before it starts.
#
# Settings (environment):
#   BENCH_SIGNIN_N          sign-ins measured per method        (default 40)
#   BENCH_SIGNIN_WARMUP     sign-ins before measuring           (default 3)
#   BENCH_SIGNIN_FEDERATED  auto (if the provider answers), 0 or 1   (default auto)
#   BENCH_FED_SLUG          the provider's slug                 (default demo-workspace)
# Needs: mariadb client, pdftoppm (poppler-utils), zbarimg (zbar-tools); the stack's venv (deploy/dev/stack up).
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_DIR
readonly N="${BENCH_SIGNIN_N:-40}" WARMUP="${BENCH_SIGNIN_WARMUP:-3}" FEDERATED="${BENCH_SIGNIN_FEDERATED:-auto}"
readonly SLUG="${BENCH_FED_SLUG:-demo-workspace}"

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ "$N" =~ ^[1-9][0-9]{0,3}$ ]] || die "BENCH_SIGNIN_N '$N' is not a count"
[[ "$WARMUP" =~ ^[0-9]{1,2}$ ]] || die "BENCH_SIGNIN_WARMUP '$WARMUP' is not a count"
[[ "$FEDERATED" =~ ^(auto|0|1)$ ]] || die "BENCH_SIGNIN_FEDERATED must be auto, 0 or 1"
[[ "$SLUG" =~ ^[a-z0-9-]{1,40}$ ]] || die "BENCH_FED_SLUG '$SLUG' is not a slug"
for tool in mariadb pdftoppm zbarimg; do
    command -v "$tool" >/dev/null || die "$tool is missing (Debian packages mariadb-client, poppler-utils, zbar-tools)"
done

eval "$("$REPO_DIR/deploy/dev/stack" env)"
PYTHON="$CW_VENV/bin/python"
[[ -x "$PYTHON" ]] || die "$PYTHON missing: start the stack first (deploy/dev/stack up creates it)"
"$PYTHON" -c 'import cryptography, requests' 2>/dev/null || die "$PYTHON lacks requests or cryptography"
[[ -s "$CW_DEMO_JSON" ]] || die "$CW_DEMO_JSON missing: start the stack first (deploy/dev/stack up)"
# shellcheck disable=SC2086
curl -sS -o /dev/null --max-time 5 --cacert "$CW_CA_FILE" $CW_CURL_RESOLVE "$CW_APP_URL/healthz" ||
    die "$CW_APP_URL does not answer: start the stack first (make dev)"

APP_PID="$(pid_of "$CW_STACK_DIR/run/app.pid" catalystwells)" || die "no app pool running (pid file $CW_STACK_DIR/run/app.pid)"
NGINX_PID="$(pid_of "$CW_STACK_DIR/nginx/nginx.pid" nginx)" || die "no nginx running for $CW_STACK_DIR"
DB_PID="$(pid_of "$CW_STACK_DIR/mariadb/mysqld.pid" mariadbd)" || die "no MariaDB running for $CW_STACK_DIR"

IDP="-"
if [[ "$FEDERATED" != 0 ]]; then
    if curl -sS -o /dev/null --max-time 5 --cacert "$CW_CA_FILE" "$CW_IDP_URL/_control/health" 2>/dev/null; then
        IDP="$CW_IDP_URL"
    elif [[ "$FEDERATED" == 1 ]]; then
        die "the demo upstream provider at $CW_IDP_URL does not answer (deploy/dev/stack status)"
    else
        warn "no demo upstream provider at $CW_IDP_URL: no federated sign-ins"
    fi
fi

# nginx's login burst: every POST under /login (4 methods x (N + warm-ups), the teacher's and the student's
# set-up sign-ins and the passkey registration's) must fit, or a 429 ends the run half-way.
burst="$(sed -n 's/.*limit_req zone=catalystwells_login burst=\([0-9]*\).*/\1/p' "$CW_STACK_DIR/nginx/catalystwells-site.conf" | head -n1)"
methods=$([[ "$IDP" == - ]] && echo 3 || echo 4)
needed=$(((methods + 1) * (N + WARMUP) + 6))
if [[ -n "$burst" ]] && ((needed > burst)); then
    die "a run needs about $needed POSTs under /login, nginx's login burst is $burst: restart the stack with CW_NGINX_LOGIN_BURST=$((needed + 50)) (or lower BENCH_SIGNIN_N)"
fi

RESULTS="$CW_STACK_DIR/results-sign-in-cost-$(date -u +%Y%m%dT%H%M%SZ).txt"
: >"$RESULTS"
bin="$(readlink -f "/proc/$APP_PID/exe" 2>/dev/null || echo "$CW_BIN")"
out "Sign-in cost — $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
outf '  machine   %s cores (%s), Linux %s, load average %s' "$(nproc)" \
    "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" "$(uname -r)" "$(cut -d' ' -f1-3 /proc/loadavg)"
outf '  ours      %s, commit %s; app pool pid %s (%s workers)' "${bin#"$REPO_DIR"/}" \
    "$(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)" "$APP_PID" "$(children "$APP_PID" | wc -l)"
out ""
say "$N sign-ins per method (+$WARMUP warm-up) against $CW_APP_URL"
"$PYTHON" "$REPO_DIR/bench/sign_in_cost.py" "$CW_APP_URL" "$CW_CA_FILE" "$CW_MARIADB_SOCKET" "$APP_PID" "$NGINX_PID" "$DB_PID" \
    "$CW_DEMO_JSON" "$N" "$WARMUP" "$IDP" "$SLUG" | tee -a "$RESULTS"
say "results: $RESULTS"

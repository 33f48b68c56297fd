#!/usr/bin/env bash
# Profile of the OAuth and API hot paths that a shared, noisy machine cannot blur: instructions per request of
# one app worker (valgrind --tool=callgrind, which counts instructions, not time: the same binary and inputs give
# the same count whatever else runs) and MariaDB statements per request (the server's Com_* and Questions
# counters around N requests), for /livez, /healthz, introspection, userinfo, client_credentials, the code
# exchange (GET /authsso + POST /api/oauth/token) and the education API's grades.
#
#   bench/profile.sh            (BENCH_PROFILE_REQUESTS=200 by default)
#
# Starts a private dev stack like bench/oauth.sh (its own directory, ports BENCH_PROFILE_HTTPS_PORT/_HTTP_PORT,
# default 28743/28383), runs the authorization code flow once as a demo parent (openid profile.read
# profile.email parent.children.read parent.grades.read), then starts one more app pool of 1 worker x 1 thread on
# its own socket under callgrind and sends it the requests straight over FastCGI (bench/fcgi_client.py: no nginx,
# no TLS), zeroing the counters before and dumping them after each path. The annotated profiles (the functions
# that cost the most, inclusive) are kept under the stack directory's profile/ folder; the report prints
# instructions per request and statements per request for each path.
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_DIR
BENCH_DIR="$(realpath -m "${BENCH_DIR:-$REPO_DIR/.run/bench}")"
STACK_DIR="$(realpath -m "${BENCH_PROFILE_DIR:-$BENCH_DIR/profile}")"
readonly BENCH_DIR STACK_DIR
readonly SETTINGS_PREFIX=BENCH_PROFILE
readonly STUDENT_INDEX=0
readonly SCOPE="openid profile.read profile.email parent.children.read parent.grades.read"
readonly NGINX_WORKERS=1
readonly HTTPS_PORT="${BENCH_PROFILE_HTTPS_PORT:-28743}"
readonly HTTP_PORT="${BENCH_PROFILE_HTTP_PORT:-28383}"
readonly BUILD="${BENCH_BUILD:-auto}"
readonly BIN="${CW_BIN:-$REPO_DIR/.build/release/catalystwells}"
readonly NGINX_RATE="1000000r/s" NGINX_BURST="1000000"
readonly PACKAGES=(wrk curl procps iproute2 valgrind)
readonly REQUESTS="${BENCH_PROFILE_REQUESTS:-200}"
export CATALYSTWELLS_API_RATE_LIMIT_PER_MINUTE=1000000 CATALYSTWELLS_API_RATE_LIMIT_BURST=1000000

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DURATION=1s WARMUP=1s CONNS=1 WRK_THREADS=1 ROUNDS=1
stack_paths
readonly FLOW_JSON="$WRK_DIR/flow.json" PROFILE_DIR="$STACK_DIR/profile"
PROFILED_PID=""

stop_profiled() {
    [[ -n "$PROFILED_PID" ]] || return 0
    kill -TERM "$PROFILED_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$PROFILED_PID" 2>/dev/null || break; sleep 0.1; done
    PROFILED_PID=""
}

main() {
    check_stack_settings
    [[ "$REQUESTS" =~ ^[1-9][0-9]{0,4}$ ]] || die "BENCH_PROFILE_REQUESTS '$REQUESTS' is not a count"
    open_stack_bench
    trap 'stop_profiled; cleanup' EXIT
    mkdir -p "$PROFILE_DIR"
    rm -f "$PROFILE_DIR"/callgrind.out.*

    local parent_email parent_id child password client_id secret redirect_uri verifier
    parent_email="$(demo_field "d['parents'][0]['email']")"
    parent_id="$(demo_field "d['parents'][0]['id']")"
    child="$(demo_field "d['parents'][0]['children'][0]")"
    password="$(demo_field "d['password']")"
    client_id="$(demo_field "d['oauth_clients']['confidential']['client_id']")"
    secret="$(demo_field "d['oauth_clients']['confidential']['client_secret']")"
    redirect_uri="$(demo_field "d['oauth_clients']['confidential']['redirect_uri']")"
    db_root -e "DELETE FROM oauth_consents WHERE user_id = $parent_id; DELETE FROM sessions WHERE user_id = $parent_id;
        DELETE FROM sign_in_throttle" || die "could not clear the bench rows"
    verifier="$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(48))')"
    code_flow "$parent_email" "$password" "$client_id" "$secret" "$redirect_uri" "$verifier" || die "the code flow failed"
    local session access authorize_path basic
    session="$(json_field "$FLOW_JSON" "d['session']")"
    access="$(json_field "$FLOW_JSON" "d['access_token']")"
    authorize_path="$(json_field "$FLOW_JSON" "d['authorize_path']")"
    basic="$(json_field "$FLOW_JSON" "d['basic']")"

    # valgrind 3.19 cannot read the DWARF 5 that Swift 6 emits: profile a copy without debug info (the symbol
    # table stays, so functions keep their names).
    local profiled="$PROFILE_DIR/catalystwells-nodebug"
    objcopy --strip-debug "$BIN" "$profiled" || die "objcopy --strip-debug $BIN failed"
    local socket="$STACK_DIR/run/profile.sock"
    rm -f "$socket"
    say "starting 1 app worker x 1 thread under callgrind on $socket"
    CATALYSTWELLS_CONFIG="$CONF" valgrind --tool=callgrind --trace-children=yes \
        --callgrind-out-file="$PROFILE_DIR/callgrind.out.%p" \
        "$profiled" serve --site app --config "$CONF" --socket "$socket" --workers 1 --threads 1 --max-requests 0 \
        >"$PROFILE_DIR/valgrind.log" 2>&1 &
    PROFILED_PID=$!
    local waited=0
    until [[ -S "$socket" ]] && "$PYTHON" "$REPO_DIR/bench/fcgi_client.py" "$socket" GET /livez 1 >/dev/null 2>&1; do
        ((waited++ < 120)) || die "the profiled worker did not answer (see $PROFILE_DIR/valgrind.log)"
        sleep 1
    done
    # The supervisor runs under valgrind as PROFILED_PID; --trace-children puts its worker under callgrind too.
    local worker
    worker="$(pgrep -P "$PROFILED_PID" | head -n1 || true)"
    [[ -n "$worker" ]] || die "no worker process under valgrind"

    local client=("$PYTHON" "$REPO_DIR/bench/fcgi_client.py" "$socket")
    local cc_body="grant_type=client_credentials&scope=school.read"
    declare -A METHOD=([livez]=GET [healthz]=GET [introspect]=POST [userinfo]=GET [client_credentials]=POST [authorize]=GET [grades]=GET)
    declare -A URI=([livez]=/livez [healthz]=/healthz [introspect]=/api/oauth/introspect [userinfo]=/api/oauth/userinfo
        [client_credentials]=/api/oauth/token [authorize]="$authorize_path" [grades]="/api/v1/students/$child/grades")
    declare -A ARGS=([livez]="" [healthz]="" [introspect]="--header|Authorization: Basic $basic|--body|token=$access"
        [userinfo]="--header|Authorization: Bearer $access" [client_credentials]="--header|Authorization: Basic $basic|--body|$cc_body"
        [authorize]="--header|Cookie: __Host-cw_session=$session|--expect|303" [grades]="--header|Authorization: Bearer $access")
    local -a extra
    local path q0 q1 before after
    out "Profile — $(date -u '+%Y-%m-%d %H:%M:%S UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg), commit $(git -C "$REPO_DIR" rev-parse --short HEAD)$(
        [[ -z "$(git -C "$REPO_DIR" status --porcelain -- Sources)" ]] || echo ' + uncommitted changes')"
    out "  one app worker x 1 thread under callgrind, $REQUESTS requests per path over FastCGI (no nginx, no TLS)"
    outf '  %-20s %14s %10s %8s %8s' path "instr/request" statements SELECT writes
    for path in livez healthz introspect userinfo client_credentials authorize exchange grades; do
        if [[ "$path" == exchange ]]; then
            profile_exchange "$worker" "$socket" "$session" "$authorize_path" "$basic" "$redirect_uri" "$verifier"
            continue
        fi
        IFS='|' read -r -a extra <<<"${ARGS[$path]}"
        "${client[@]}" "${METHOD[$path]}" "${URI[$path]}" 5 "${extra[@]}" >/dev/null || die "$path: unexpected answers"
        callgrind_control -z "$worker" >/dev/null
        before="$(db_statements)"
        "${client[@]}" "${METHOD[$path]}" "${URI[$path]}" "$REQUESTS" "${extra[@]}" >/dev/null || die "$path: unexpected answers"
        after="$(db_statements)"
        callgrind_control -d "$path" "$worker" >/dev/null
        report_path "$path" "$before" "$after" "$REQUESTS"
    done
    stop_profiled
    out "  annotated profiles (inclusive, top functions): $PROFILE_DIR/*.txt"
}

# profile_exchange WORKER SOCKET SESSION AUTHORIZE_PATH BASIC REDIRECT_URI VERIFIER: REQUESTS code exchanges
# (GET /authsso for a code, then POST /api/oauth/token with it); counts both requests of each exchange.
profile_exchange() {
    local worker="$1" socket="$2" before after
    callgrind_control -z "$worker" >/dev/null
    before="$(db_statements)"
    "$PYTHON" - "$socket" "$3" "$4" "$5" "$6" "$7" "$REQUESTS" "$REPO_DIR/bench" <<'PY' || die "exchange: unexpected answers"
import sys, urllib.parse as up
sys.path.insert(0, sys.argv[8])
import fcgi_client
socket_path, session, path, basic, redirect_uri, verifier, count = sys.argv[1:8]
for _ in range(int(count)):
    status, out = fcgi_client.request(socket_path, "GET", path, ["Cookie: __Host-cw_session=" + session], b"")
    head = out.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    location = next(line.split(":", 1)[1].strip() for line in head.split("\r\n") if line.lower().startswith("location:"))
    code = up.parse_qs(up.urlsplit(location).query)["code"][0]
    body = up.urlencode({"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, "code_verifier": verifier})
    status, out = fcgi_client.request(socket_path, "POST", "/api/oauth/token", ["Authorization: Basic " + basic], body.encode())
    if status != 200 or b'"id_token"' not in out:
        sys.exit("exchange answered %d: %s" % (status, out[:300]))
PY
    after="$(db_statements)"
    callgrind_control -d exchange "$worker" >/dev/null
    report_path exchange "$before" "$after" "$REQUESTS"
}

# report_path PATH STATEMENTS_BEFORE STATEMENTS_AFTER COUNT: one report line from the newest dump.
report_path() {
    local path="$1" count="$4" dump instructions
    sleep 0.5
    dump="$(ls -t "$PROFILE_DIR"/callgrind.out.* | head -n1)"
    instructions="$(awk '/^summary:/ { print $2 }' "$dump")"
    callgrind_annotate --inclusive=yes "$dump" 2>/dev/null | head -n 60 >"$PROFILE_DIR/$path.txt" || true
    mv "$dump" "$PROFILE_DIR/$path.callgrind"
    local -a b a
    read -r -a b <<<"$2"
    read -r -a a <<<"$3"
    outf '  %-20s %14s %10s %8s %8s' "$path" "$(awk -v i="${instructions:-0}" -v n="$count" 'BEGIN { printf "%.0f", i / n }')" \
        "$(awk -v d=$((a[0] - b[0] - 1)) -v n="$count" 'BEGIN { printf "%.2f", d / n }')" \
        "$(awk -v d=$((a[1] - b[1])) -v n="$count" 'BEGIN { printf "%.2f", d / n }')" \
        "$(awk -v d=$((a[2] + a[3] + a[4] - b[2] - b[3] - b[4])) -v n="$count" 'BEGIN { printf "%.2f", d / n }')"
}

main "$@"

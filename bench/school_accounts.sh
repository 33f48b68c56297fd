#!/usr/bin/env bash
# School accounts benchmark: sign-in and the student grades page, through the dev stack's TLS nginx with the
# demo school loaded.
#
#   bench/school_accounts.sh       (or BENCH_ONLY=school_accounts bench/run.sh, or make bench)
#
# Starts a private dev stack with the project's own script (deploy/dev/stack up: MariaDB, nginx with the dev CA,
# both pools, the demo school) with nginx's rate limits raised so that they cannot cap the figures, and measures
# with wrk over HTTPS on loopback:
#   sign-in      the argon2id parameters (from the config and from the stored hash), the cost of one hash
#                (crypto_pwhash_str_verify of the stored hash, in-process through libsodium, when python3 can
#                load it), POST /login one at a time (latency per sign-in ~ the hash) and with several
#                connections (sign-ins/s, p50, p99, app CPU per completed sign-in); every answer must be 303
#   grades page  GET /student as a signed-in demo student, and /healthz (one primary-key SELECT) the same way in
#                the same run: req/s, p50, p99, the ratio student/healthz against the target (>= 0.5), CPU per
#                request of the app, nginx and MariaDB, and MariaDB statements per request
# and the resident memory (now and peak) of the app pool's supervisor and workers after start, after the
# sign-ins and after the page runs. A benchmark, not a test: it never fails on a target; it exits non-zero only
# when the stack cannot be set up.
#
# Everything it starts is private and lives under BENCH_ACCOUNTS_DIR (the stack's state directory); it is
# stopped on exit (deploy/dev/stack down). The data, secrets, certificates and config are kept between runs;
# the config is written once (development: argon2id m=65536 KiB, t=2): edit its [accounts] section to try other
# parameters, or delete the directory to start from nothing. Each run first removes the bench student's
# sessions and the sign-in throttle rows, so runs start alike.
#
# Settings (environment):
#   DURATION                   wrk duration per run                          (default 10s; 3s with BENCH_QUICK=1)
#   BENCH_QUICK=1              quick mode: 3 s runs, sign-ins at 8 connections only, one round, fewer hash samples
#   BENCH_CONNS                connections for /student and /healthz          (default 32)
#   BENCH_ROUNDS               /healthz + /student pairs, alternated; the best run of each route is compared
#                              (other load on a shared machine only lowers figures)  (default 3; 1 when quick)
#   BENCH_SIGNIN_CONNS         connections for concurrent sign-ins            (default "8 32"; "8" when quick)
#   BENCH_HASH_SAMPLES         in-process hash verifications                  (default 20; 5 when quick; 0 = skip)
#   BENCH_WRK_THREADS          wrk -t for the concurrent runs                 (default 2)
#   BENCH_WARMUP               warm-up per route before measuring             (default 2s; 1s when quick)
#   BENCH_STUDENT              which demo student signs in (index in demo.json students) (default 0)
#   BENCH_NGINX_WORKERS        nginx worker_processes                         (default 1)
#   BENCH_ACCOUNTS_HTTPS_PORT  the stack's TLS port                           (default 28443)
#   BENCH_ACCOUNTS_HTTP_PORT   the stack's plain-HTTP port                    (default 28083)
#   BENCH_BUILD                auto (build when sources are newer than the binary), 0 never, 1 always (default auto)
#   BENCH_DIR                  bench state directory                          (default <repo>/.run/bench)
#   BENCH_ACCOUNTS_DIR         this benchmark's stack directory               (default BENCH_DIR/accounts)
#   CW_BIN                     catalystwells binary                           (default <repo>/.build/release/catalystwells)
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_DIR
readonly STACK="$REPO_DIR/deploy/dev/stack"
BENCH_DIR="$(realpath -m "${BENCH_DIR:-$REPO_DIR/.run/bench}")"
ACC_DIR="$(realpath -m "${BENCH_ACCOUNTS_DIR:-$BENCH_DIR/accounts}")"
readonly BENCH_DIR ACC_DIR

readonly QUICK="${BENCH_QUICK:-0}"
if [[ "$QUICK" == 1 ]]; then
    DURATION="${DURATION:-3s}"
    SIGNIN_CONNS="${BENCH_SIGNIN_CONNS:-8}"
    ROUNDS="${BENCH_ROUNDS:-1}"
    HASH_SAMPLES="${BENCH_HASH_SAMPLES:-5}"
    WARMUP="${BENCH_WARMUP:-1s}"
else
    DURATION="${DURATION:-10s}"
    SIGNIN_CONNS="${BENCH_SIGNIN_CONNS:-8 32}"
    ROUNDS="${BENCH_ROUNDS:-3}"
    HASH_SAMPLES="${BENCH_HASH_SAMPLES:-20}"
    WARMUP="${BENCH_WARMUP:-2s}"
fi
readonly DURATION SIGNIN_CONNS ROUNDS HASH_SAMPLES WARMUP
readonly CONNS="${BENCH_CONNS:-32}"
readonly WRK_THREADS="${BENCH_WRK_THREADS:-2}"
readonly STUDENT_INDEX="${BENCH_STUDENT:-0}"
readonly NGINX_WORKERS="${BENCH_NGINX_WORKERS:-1}"
readonly HTTPS_PORT="${BENCH_ACCOUNTS_HTTPS_PORT:-28443}"
readonly HTTP_PORT="${BENCH_ACCOUNTS_HTTP_PORT:-28083}"
readonly BUILD="${BENCH_BUILD:-auto}"
readonly BIN="${CW_BIN:-$REPO_DIR/.build/release/catalystwells}"

# nginx limits for the bench stack: high enough never to answer 429 here (render-nginx checks the syntax).
readonly NGINX_RATE="1000000r/s"
readonly NGINX_BURST="1000000"

readonly APP_HOST="app.localhost"
readonly BASE_URL="https://$APP_HOST:$HTTPS_PORT"
readonly MAIN_DB=catalyst_main
readonly PACKAGES=(wrk curl procps iproute2)

readonly CONF="$ACC_DIR/catalystwells.conf"
readonly CA_FILE="$ACC_DIR/tls/ca.pem"
readonly DEMO_JSON="$ACC_DIR/demo.json"
readonly DB_SOCKET="$ACC_DIR/mariadb/mysqld.sock"
readonly APP_PIDFILE="$ACC_DIR/run/app.pid"
readonly NGINX_PIDFILE="$ACC_DIR/nginx/nginx.pid"
readonly DB_PIDFILE="$ACC_DIR/mariadb/mysqld.pid"
readonly LOG_DIR="$ACC_DIR/logs"
readonly STACK_LOG="$LOG_DIR/bench-stack.log"
# Raw wrk output and the generated Lua scripts (these hold a session cookie: private).
readonly WRK_DIR="$ACC_DIR/wrk"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
readonly STAMP
readonly RESULTS="$ACC_DIR/results-$STAMP.txt"

STACK_STARTED=0
APP_PID=""
NGINX_PID=""
DB_PID=""
CLK_TCK=100
PYTHON=""

# ----------------------------------------------------------------------------- helpers

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

check_settings() {
    local name value
    [[ "$ACC_DIR" =~ ^/[A-Za-z0-9._/+-]+$ ]] ||
        die "BENCH_ACCOUNTS_DIR '$ACC_DIR' may only contain letters, digits and ._/+-"
    for name in DURATION WARMUP; do
        [[ "${!name}" =~ ^[1-9][0-9]*[sm]?$ ]] || die "$name '${!name}' is not a duration like 10s"
    done
    for value in $CONNS $SIGNIN_CONNS; do
        [[ "$value" =~ ^[1-9][0-9]{0,3}$ ]] || die "BENCH_CONNS/BENCH_SIGNIN_CONNS: '$value' is not a count"
    done
    [[ -n "${CONNS// /}" ]] || die "BENCH_CONNS is empty"
    [[ "$WRK_THREADS" =~ ^[1-9][0-9]?$ ]] || die "BENCH_WRK_THREADS '$WRK_THREADS' is not a count"
    [[ "$HASH_SAMPLES" =~ ^[0-9]{1,4}$ ]] || die "BENCH_HASH_SAMPLES '$HASH_SAMPLES' is not a count"
    [[ "$ROUNDS" =~ ^[1-9][0-9]?$ ]] || die "BENCH_ROUNDS '$ROUNDS' is not 1-99"
    [[ "$STUDENT_INDEX" =~ ^[0-9]{1,4}$ ]] || die "BENCH_STUDENT '$STUDENT_INDEX' is not an index"
    [[ "$NGINX_WORKERS" =~ ^([1-9][0-9]?|auto)$ ]] || die "BENCH_NGINX_WORKERS must be 1-99 or auto"
    [[ "$BUILD" =~ ^(auto|0|1)$ ]] || die "BENCH_BUILD must be auto, 0 or 1"
    for name in HTTPS_PORT HTTP_PORT; do
        value="${!name}"
        [[ "$value" =~ ^[0-9]{1,5}$ ]] && ((10#$value >= 1024 && 10#$value <= 65535)) ||
            die "BENCH_ACCOUNTS_$name '$value' must be 1024-65535"
    done
    [[ "$HTTPS_PORT" != "$HTTP_PORT" ]] || die "BENCH_ACCOUNTS_HTTPS_PORT and BENCH_ACCOUNTS_HTTP_PORT must differ"
}

ensure_packages() {
    local missing=() package
    for package in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$package")
    done
    # python3 reads demo.json and times the hash; any python3 on PATH will do.
    command -v python3 >/dev/null || missing+=(python3)
    if ((${#missing[@]})); then
        [[ "$(id -u)" == 0 ]] || die "missing Debian packages: ${missing[*]} (run as root or install them first)"
        say "installing Debian packages: ${missing[*]}"
        apt-get -o DPkg::Lock::Timeout=300 update >&2
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends \
            "${missing[@]}" >&2
    fi
    PYTHON="$(command -v python3)"
}

port_free() { [[ -z "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]]; }

# pid_of FILE WORD: the pid in FILE if it is alive and its command line mentions WORD.
pid_of() {
    local pid
    [[ -s "$1" ]] || return 1
    pid="$(tr -dc '0-9' <"$1")"
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2" ||
        return 1
    echo "$pid"
}

# children PID: the pids of PID's child processes, one a line.
children() { pgrep -P "$1" 2>/dev/null | sort -n || true; }

# rss_pair PID: "VmRSS/RssAnon/VmHWM" in MB (RssAnon: the private heap and stacks, not shared library pages;
# VmHWM: the peak VmRSS since the process started).
rss_pair() {
    awk '/^VmRSS:/ { r = $2 } /^RssAnon:/ { a = $2 } /^VmHWM:/ { h = $2 }
        END { printf "%.1f/%.1f/%.1f", r / 1024, a / 1024, h / 1024 }' "/proc/$1/status" 2>/dev/null
}

db_root() { mariadb --no-defaults --socket="$DB_SOCKET" -uroot "$MAIN_DB" "$@"; }

# ----------------------------------------------------------------------------- CPU accounting (as in foundation.sh)

ticks() { stat_sum "$1" 11 12; }
reaped_ticks() { stat_sum "$1" 13 14; }

# tree_ticks PID: PID, its live children, and its reaped children (recycled workers).
tree_ticks() {
    local total child
    [[ -n "$1" ]] || {
        echo 0
        return
    }
    total=$(($(ticks "$1") + $(reaped_ticks "$1")))
    for child in $(children "$1"); do total=$((total + $(ticks "$child"))); done
    echo "$total"
}

# shell_children_ms: CPU milliseconds of this shell's waited-for children (wrk), from `times`; must run in the
# main shell. Sets CHILDREN_MS.
CHILDREN_MS=0
shell_children_ms() {
    times >"$WRK_DIR/times"
    CHILDREN_MS="$(awk 'NR == 2 {
        total = 0
        for (i = 1; i <= NF; i++) { split($i, ms, "m"); sub("s", "", ms[2]); total += ms[1] * 60000 + ms[2] * 1000 }
        printf "%d", total }' "$WRK_DIR/times")"
}

# db_statements: "questions selects updates inserts deletes" of the bench MariaDB so far ("" if unreadable).
db_statements() {
    db_root -N -s -e "SHOW GLOBAL STATUS WHERE Variable_name IN
        ('Questions', 'Com_select', 'Com_update', 'Com_insert', 'Com_delete')" 2>/dev/null |
        awk '{ v[$1] = $2 } END { if (NR) printf "%d %d %d %d %d", v["Questions"], v["Com_select"],
            v["Com_update"], v["Com_insert"], v["Com_delete"] }' || true
}

# ----------------------------------------------------------------------------- build and stack

# stack up|down: deploy/dev/stack for this benchmark's instance; its output goes to STACK_LOG.
stack() {
    local env=(CW_STACK_DIR="$ACC_DIR" CW_HTTPS_PORT="$HTTPS_PORT" CW_HTTP_PORT="$HTTP_PORT" CW_SKIP_BUILD=1
        CW_BUILD_CONFIG=release CW_ENVIRONMENT=development CW_LISTEN=loopback CW_NGINX_WORKERS="$NGINX_WORKERS"
        CW_NGINX_LOGIN_RATE="$NGINX_RATE" CW_NGINX_LOGIN_BURST="$NGINX_BURST"
        CW_NGINX_GENERAL_RATE="$NGINX_RATE" CW_NGINX_GENERAL_BURST="$NGINX_BURST")
    [[ -z "${CW_BIN:-}" ]] || env+=(CW_BIN="$BIN")
    echo "--- $(date -u +%FT%TZ) stack $1" >>"$STACK_LOG"
    env "${env[@]}" "$STACK" "$1" >>"$STACK_LOG" 2>&1 </dev/null
}

cleanup() {
    local status=$?
    set +e
    trap - EXIT INT TERM
    if [[ "$STACK_STARTED" == 1 ]]; then
        say "stopping the bench stack (deploy/dev/stack down)"
        stack down || {
            show_tail "$STACK_LOG" 10
            warn "deploy/dev/stack down failed; see $STACK_LOG"
        }
    fi
    exit "$status"
}

start_stack() {
    # Leftovers of an earlier run killed before its trap ran: `down` stops only what this directory's pid
    # files name.
    STACK_STARTED=1
    stack down || warn "deploy/dev/stack down (leftovers) failed; see $STACK_LOG"
    local port
    for port in "$HTTPS_PORT" "$HTTP_PORT"; do
        port_free "$port" || die "127.0.0.1:$port is already in use (set BENCH_ACCOUNTS_HTTPS_PORT / _HTTP_PORT)"
    done
    if [[ -s "$CONF" ]] && ! grep -qx "app_url = $BASE_URL" "$CONF"; then
        warn "$CONF was written for another port (app_url is not $BASE_URL); delete it to have it regenerated"
    fi
    say "starting the bench stack in $ACC_DIR (deploy/dev/stack up; log $STACK_LOG)"
    stack up || {
        show_tail "$STACK_LOG" 30
        die "deploy/dev/stack up failed (log: $STACK_LOG)"
    }
    APP_PID="$(pid_of "$APP_PIDFILE" catalystwells)" || die "the app pool is not running after stack up"
    NGINX_PID="$(pid_of "$NGINX_PIDFILE" nginx)" || die "nginx is not running after stack up"
    DB_PID="$(pid_of "$DB_PIDFILE" mariadbd)" || die "MariaDB is not running after stack up"
    [[ -s "$DEMO_JSON" ]] || die "the stack wrote no $DEMO_JSON"
}

# ----------------------------------------------------------------------------- HTTP

CURL=()
curl_setup() { CURL=(curl -sS --max-time 60 --cacert "$CA_FILE" --resolve "$APP_HOST:$HTTPS_PORT:127.0.0.1"); }

# demo_field EXPR: a value from demo.json (EXPR indexes the parsed document `d`).
demo_field() {
    "$PYTHON" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2], {"d": d}))' \
        "$DEMO_JSON" "$1"
}

FORM_COOKIE=""
FORM_CSRF=""
# form_token: GET /login gives a form cookie and the csrf field derived from it; both stay valid for every post.
form_token() {
    local headers="$WRK_DIR/login.headers" body="$WRK_DIR/login.body" code
    code="$("${CURL[@]}" -D "$headers" -o "$body" -w '%{http_code}' "$BASE_URL/login" || true)"
    [[ "$code" == 200 ]] || die "GET $BASE_URL/login answered '$code', not 200"
    FORM_COOKIE="$(tr -d '\r' <"$headers" | sed -n 's/^[Ss]et-[Cc]ookie: __Host-cw_form=\([^;]*\);.*/\1/p' | head -n1)"
    FORM_CSRF="$(grep -o 'name="csrf" value="[^"]*"' "$body" | head -n1 | sed 's/.*value="//; s/"$//')"
    [[ "$FORM_COOKIE" =~ ^[A-Za-z0-9_-]+$ ]] || die "GET /login set no usable __Host-cw_form cookie"
    [[ "$FORM_CSRF" =~ ^[A-Za-z0-9_-]+$ ]] || die "GET /login has no csrf field"
}

# sign_in_once: one POST /login as the bench student; sets SESSION (the __Host-cw_session cookie).
SESSION=""
sign_in_once() {
    local headers="$WRK_DIR/signin.headers" code location
    code="$("${CURL[@]}" -D "$headers" -o /dev/null -w '%{http_code}' -H "Cookie: __Host-cw_form=$FORM_COOKIE" \
        --data-binary "$SIGNIN_BODY" -H 'Content-Type: application/x-www-form-urlencoded' "$BASE_URL/login" || true)"
    location="$(tr -d '\r' <"$headers" | sed -n 's/^[Ll]ocation: //p' | head -n1)"
    [[ "$code" == 303 && "$location" == /student ]] ||
        die "sign-in as $STUDENT_EMAIL answered '$code' (Location '$location'), not 303 to /student"
    SESSION="$(tr -d '\r' <"$headers" | sed -n 's/^[Ss]et-[Cc]ookie: __Host-cw_session=\([^;]*\);.*/\1/p' | head -n1)"
    [[ "$SESSION" =~ ^[A-Za-z0-9_-]+$ ]] || die "the sign-in set no usable __Host-cw_session cookie"
}

# check_page PATH COOKIE MARKER: one GET must answer 200 and contain MARKER; prints the size.
check_page() {
    local path="$1" cookie="$2" marker="$3" body="$WRK_DIR/check.body" code
    local args=()
    [[ -z "$cookie" ]] || args=(-H "Cookie: $cookie")
    code="$("${CURL[@]}" "${args[@]}" -o "$body" -w '%{http_code}' "$BASE_URL$path" || true)"
    [[ "$code" == 200 ]] || die "GET $path answered '$code', not 200"
    grep -qF -- "$marker" "$body" || die "GET $path: the answer does not contain '$marker'"
    stat -c %s "$body"
}

# write_lua FILE METHOD COOKIE [BODY]: a wrk script that connects to 127.0.0.1 while the URL host (TLS SNI and
# Host header) stays app.localhost — nginx picks the server by both and refuses unknown names — and counts the
# answers by status (printed as "cw-status CODE COUNT" when the run ends).
write_lua() {
    local file="$1" method="$2" cookie="$3" body="${4:-}"
    {
        echo '-- Generated by bench/school_accounts.sh.'
        echo 'local lookup = wrk.lookup'
        echo 'wrk.resolve = function(host, service) wrk.addrs = lookup("127.0.0.1", service) end'
        echo "wrk.method = \"$method\""
        [[ -z "$cookie" ]] || echo "wrk.headers[\"Cookie\"] = \"$cookie\""
        if [[ -n "$body" ]]; then
            echo "wrk.body = \"$body\""
            echo 'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"'
        fi
        cat <<'LUA'
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for code, n in pairs(thread:get("statuses") or {}) do total[code] = (total[code] or 0) + n end
  end
  for code, n in pairs(total) do io.write(string.format("cw-status %d %d\n", code, n)) end
end
LUA
    } >"$file"
}

# ----------------------------------------------------------------------------- wrk

# parse_wrk FILE EXPECTED: "req/s p50_ms p99_ms errors requests mean_ms kb_per_request expected_count other_statuses"
parse_wrk() {
    awk -v want="$2" '
        function ms(v) {
            if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 }
            if (v ~ /ms$/) { sub(/ms$/, "", v); return v + 0 }
            if (v ~ /m$/)  { sub(/m$/, "", v);  return v * 60000 }
            if (v ~ /s$/)  { sub(/s$/, "", v);  return v * 1000 }
            return v + 0
        }
        function kb(v) {
            if (v ~ /KB$/) { sub(/KB$/, "", v); return v + 0 }
            if (v ~ /MB$/) { sub(/MB$/, "", v); return v * 1024 }
            if (v ~ /GB$/) { sub(/GB$/, "", v); return v * 1048576 }
            if (v ~ /B$/)  { sub(/B$/, "", v);  return v / 1024 }
            return v + 0
        }
        /^ *Latency +[0-9.]/ && mean == "" { mean = ms($2) }
        /^ *50%/ { p50 = ms($2) }
        /^ *99%/ { p99 = ms($2) }
        /requests in/ { requests = $1; bytes = $NF == "read" ? kb($(NF - 1)) : 0 }
        /Requests\/sec:/ { rps = $2 }
        /Non-2xx or 3xx responses:/ { errors += $NF }
        /Socket errors:/ { gsub(/,/, ""); errors += $4 + $6 + $8 + $10 }
        /^cw-status / { if ($2 == want) good += $3; else { others = others sep $2 "x" $3; sep = "," } }
        END {
            printf "%.1f %.2f %.2f %d %d %.2f %.1f %d %s\n", rps, p50, p99, errors, requests, mean,
                (requests > 0) ? bytes / requests : 0, good, (others == "") ? "-" : others
        }
    ' "$1"
}

# measure KEY PATH CONNS THREADS LUA EXPECTED [TIMEOUT [COUNT_SQL]]: one wrk run. Stores in R[KEY]:
#   rps p50 p99 errors requests mean kb/req good others app_us ngx_us db_us app_cores ngx_cores db_cores
#   wrk_cores other_cores busy_cores statements/req selects/req writes/req served
# Cores busy are taken over the wrk run. With COUNT_SQL (a SELECT COUNT(*) of what each request leaves behind),
# the requests still in flight when wrk stops are waited for and the per-request figures divide by what the
# server completed (that count, "served"): for slow requests such as sign-ins, wrk's count misses up to one
# request per connection whose CPU the server still spends. Without it, "served" is wrk's count.
declare -A R
measure() {
    local key="$1" path="$2" conns="$3" threads="$4" lua="$5" want="$6" timeout="${7:-}" count_sql="${8:-}"
    local file="$WRK_DIR/$STAMP-${key//[|\/]/_}.txt"
    local app0 app1 nginx0 nginx1 db0 db1 wrk0 wrk1 machine0 machine1 stmt0 stmt1 count0=0 count1=0 polls=0 args=()
    [[ -z "$timeout" ]] || args=(--timeout "$timeout")
    if [[ -n "$count_sql" ]]; then
        count0="$(db_root -N -s -e "$count_sql" 2>/dev/null)" && [[ "$count0" =~ ^[0-9]+$ ]] || count_sql=""
    fi
    app0="$(tree_ticks "$APP_PID")"
    nginx0="$(tree_ticks "$NGINX_PID")"
    db0="$(ticks "$DB_PID")"
    stmt0="$(db_statements)"
    machine0="$(machine_ticks)"
    shell_children_ms
    wrk0=$CHILDREN_MS
    timeout $(($(seconds_of "$DURATION") + 60)) \
        wrk -t"$threads" -c"$conns" -d"$DURATION" "${args[@]}" --latency -s "$lua" "$BASE_URL$path" >"$file" 2>&1 ||
        warn "wrk exited with an error for $key (output: $file)"
    shell_children_ms
    wrk1=$CHILDREN_MS
    machine1="$(machine_ticks)"
    local app_w nginx_w db_w
    app_w="$(tree_ticks "$APP_PID")"
    nginx_w="$(tree_ticks "$NGINX_PID")"
    db_w="$(ticks "$DB_PID")"
    if [[ -n "$count_sql" ]]; then
        local previous=-1 deadline=$((SECONDS + 30))
        count1="$(db_root -N -s -e "$count_sql" 2>/dev/null || echo 0)"
        polls=1
        while [[ "$count1" != "$previous" ]] && ((SECONDS < deadline)); do
            previous="$count1"
            sleep 0.5
            count1="$(db_root -N -s -e "$count_sql" 2>/dev/null || echo 0)"
            polls=$((polls + 1))
        done
    fi
    app1="$(tree_ticks "$APP_PID")"
    nginx1="$(tree_ticks "$NGINX_PID")"
    db1="$(ticks "$DB_PID")"
    stmt1="$(db_statements)"
    local parsed served
    parsed="$(parse_wrk "$file" "$want")"
    local -a p s0 s1
    read -r -a p <<<"$parsed"
    served="${p[4]}"
    [[ -z "$count_sql" ]] || served=$((count1 - count0))
    read -r -a s0 <<<"${stmt0:-0 0 0 0 0}"
    read -r -a s1 <<<"${stmt1:-0 0 0 0 0}"
    R[$key]="$parsed $(awk -v n="$served" -v hz="$CLK_TCK" \
        -v app=$((app1 - app0)) -v ngx=$((nginx1 - nginx0)) -v db=$((db1 - db0)) -v wrkms=$((wrk1 - wrk0)) \
        -v app_w=$((app_w - app0)) -v ngx_w=$((nginx_w - nginx0)) -v db_w=$((db_w - db0)) \
        -v busy=$((${machine1% *} - ${machine0% *})) -v total=$((${machine1#* } - ${machine0#* })) -v cores="$(nproc)" \
        -v have="${stmt0:+${stmt1:+1}}" -v q=$((s1[0] - s0[0] - 1 - polls)) -v sel=$((s1[1] - s0[1] - polls)) \
        -v wr=$((s1[2] + s1[3] + s1[4] - s0[2] - s0[3] - s0[4])) '
        BEGIN {
            per = (n > 0) ? 1e6 / hz / n : 0
            wrkticks = wrkms * hz / 1000
            other = busy - app_w - ngx_w - db_w - wrkticks; if (other < 0) other = 0
            scale = (total > 0) ? cores / total : 0
            printf "%.0f %.0f %.0f %.2f %.2f %.2f %.2f %.2f %.2f", app * per, ngx * per, db * per,
                app_w * scale, ngx_w * scale, db_w * scale, wrkticks * scale, other * scale, busy * scale
            if (have && n > 0) printf " %.2f %.2f %.2f", q / n, sel / n, wr / n; else printf " - - -"
            printf " %d", n
        }')"
    printf '    %-26s c=%-3s %8s req/s  p50 %8s ms  p99 %8s ms  %s x %s  errors %s\n' "$key" "$conns" \
        "${p[0]}" "${p[1]}" "${p[2]}" "${p[7]}" "$want" "${p[3]}" >&2
}

warm_up() {
    local path="$1" lua="$2"
    wrk -t"$WRK_THREADS" -c"$CONNS" -d"$WARMUP" -s "$lua" "$BASE_URL$path" >/dev/null 2>&1 || true
}

# ----------------------------------------------------------------------------- hash

# hash_cost HASH PASSWORD SAMPLES: "median_ms min_ms max_ms" of crypto_pwhash_str_verify in this process
# (libsodium through ctypes, the library the product links), or nothing when that is not possible.
hash_cost() {
    CW_BENCH_HASH="$1" CW_BENCH_PASSWORD="$2" "$PYTHON" - "$3" <<'PY' 2>/dev/null || true
import ctypes, ctypes.util, os, sys, time
name = ctypes.util.find_library("sodium")
if not name:
    sys.exit(1)
sodium = ctypes.CDLL(name)
if sodium.sodium_init() < 0:
    sys.exit(1)
verify = sodium.crypto_pwhash_str_verify
verify.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulonglong]
encoded = os.environ["CW_BENCH_HASH"].encode()
password = os.environ["CW_BENCH_PASSWORD"].encode()
if verify(encoded, password, len(password)) != 0:
    sys.exit(1)
times = []
for _ in range(int(sys.argv[1])):
    start = time.perf_counter()
    verify(encoded, password, len(password))
    times.append((time.perf_counter() - start) * 1000)
times.sort()
print("%.1f %.1f %.1f" % (times[len(times) // 2], times[0], times[-1]))
PY
}

# config_value SECTION KEY DEFAULT: a value of the stack's config, or DEFAULT (the schema's default).
config_value() {
    awk -v section="[$1]" -v key="$2" -v fallback="$3" '
        /^[[:space:]]*\[/ { here = ($1 == section) }
        here && $1 == key && $2 == "=" { value = $3 }
        END { print (value == "") ? fallback : value }
    ' "$CONF"
}

# ----------------------------------------------------------------------------- report

machine_facts() {
    out "CatalystWells school accounts benchmark — $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    outf '  machine   %s cores (%s), %s MB RAM, Linux %s, load average %s' "$(nproc)" \
        "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" \
        "$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 }' /proc/meminfo)" "$(uname -r)" "$(cut -d' ' -f1-3 /proc/loadavg)"
    outf '  software  %s; %s; %s; %s' "$(nginx -v 2>&1 | sed 's/^nginx version: //')" \
        "$(mariadbd --version | awk '{ print "mariadbd " $3 }')" "$(wrk -v 2>&1 | head -n1 | awk '{ print "wrk " $2 }')" \
        "libsodium $(dpkg-query -W -f='${Version}' libsodium23 2>/dev/null || echo '?')"
    local commit dirty="" stale=""
    commit="$(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    [[ -z "$(git -C "$REPO_DIR" status --porcelain -- Sources Package.swift 2>/dev/null)" ]] || dirty=" + uncommitted changes in Sources"
    [[ -z "$(find "$REPO_DIR/Sources" "$REPO_DIR/Package.swift" -newer "$BIN" -print -quit 2>/dev/null)" ]] ||
        stale=" (older than some Sources: stale)"
    outf '  ours      %s (built %s%s), commit %s%s' "${BIN#"$REPO_DIR"/}" "$(date -u -r "$BIN" '+%Y-%m-%d %H:%M UTC')" \
        "$stale" "$commit" "$dirty"
    outf '  stack     %s: %s; app pool %s workers x %s threads, max_requests %s; nginx worker_processes %s,' \
        "${ACC_DIR#"$REPO_DIR"/}" "$BASE_URL" "$(config_value pool.app workers 2)" "$(config_value pool.app threads 4)" \
        "$(config_value pool.app max_requests 10000)" "$NGINX_WORKERS"
    outf '            TLS (wrk: HTTP/1.1 keep-alive), access log on, login and general limits %s burst %s' "$NGINX_RATE" "$NGINX_BURST"
    outf '  settings  wrk -d%s --latency (warm-up %s per route); pages: -t%s -c%s, %s round(s); sign-ins: -t1 -c1, then -t%s -c%s' \
        "$DURATION" "$WARMUP" "$WRK_THREADS" "${CONNS// //}" "$ROUNDS" "$WRK_THREADS" "${SIGNIN_CONNS// //}"
    local busy
    busy="$(top -b -n2 -d1 -w 200 | awk '/^top -/ { frame++ } frame == 2 && $1 ~ /^[0-9]+$/ && $9 + 0 >= 5 {
        printf "%s%s %s%%", sep, $12, $9; sep = ", " }')"
    outf '  processes using >= 5%% CPU just before the run (top, 1 s): %s' "${busy:-none}"
    out ""
}

# memory_line LABEL: the app pool supervisor's and each worker's resident memory.
memory_line() {
    local child list=""
    for child in $(children "$APP_PID"); do list+=" $child=$(rss_pair "$child")"; done
    outf '  %-28s supervisor %s=%s; workers:%s' "$1" "$APP_PID" "$(rss_pair "$APP_PID")" "$list"
}

# cpu_line KEY UNIT: CPU per request and cores busy for a stored run.
cpu_line() {
    local -a r
    [[ -n "${R[$1]:-}" ]] || return 0
    read -r -a r <<<"${R[$1]}"
    outf '      CPU per %s: app %s µs, nginx %s µs, MariaDB %s µs; cores busy: app %s nginx %s db %s wrk %s other %s = %s of %s' \
        "$2" "${r[9]}" "${r[10]}" "${r[11]}" "${r[12]}" "${r[13]}" "${r[14]}" "${r[15]}" "${r[16]}" "${r[17]}" "$(nproc)"
    [[ "${r[18]}" == - ]] ||
        outf '      MariaDB statements per %s: %s (SELECT %s, writes %s)' "$2" "${r[18]}" "${r[19]}" "${r[20]}"
    [[ "${r[8]}" == - ]] || outf '      unexpected answers (status x count): %s' "${r[8]}"
}

# ----------------------------------------------------------------------------- main

STUDENT_EMAIL=""
SIGNIN_BODY=""

main() {
    check_settings
    mkdir -p "$ACC_DIR"
    exec 9>"$ACC_DIR/bench.lock"
    flock -n 9 || die "another bench run holds $ACC_DIR/bench.lock"
    trap cleanup EXIT
    trap 'exit 130' INT TERM

    ensure_packages
    CLK_TCK="$(getconf CLK_TCK)"
    mkdir -p "$LOG_DIR" "$WRK_DIR"
    chmod 700 "$WRK_DIR"
    build_ours
    start_stack
    curl_setup
    : >"$RESULTS"
    machine_facts

    # The bench student, and a clean slate: no sessions of theirs, no throttle rows (runs start alike).
    local student_id password
    STUDENT_EMAIL="$(demo_field "d['students'][$STUDENT_INDEX]['email']")" ||
        die "demo.json has no students[$STUDENT_INDEX]"
    student_id="$(demo_field "d['students'][$STUDENT_INDEX]['id']")"
    password="$(demo_field "d['password']")"
    [[ "$student_id" =~ ^[0-9]+$ ]] || die "demo.json: students[$STUDENT_INDEX] has no numeric id"
    db_root -e "DELETE FROM sessions WHERE user_id = $student_id; DELETE FROM sign_in_throttle" 2>/dev/null ||
        warn "could not clear the bench student's sessions and the throttle rows (no root access to $DB_SOCKET)"

    out "Resident memory of the app pool, pid=VmRSS/RssAnon/VmHWM in MB (RssAnon = private memory, VmHWM = peak RSS):"
    memory_line "idle after start"

    say "checking sign-in and pages"
    form_token
    SIGNIN_BODY="$("$PYTHON" -c 'import sys, urllib.parse as u
print(u.urlencode({"csrf": sys.argv[1], "identifier": sys.argv[2], "password": sys.argv[3]}))' \
        "$FORM_CSRF" "$STUDENT_EMAIL" "$password")"
    [[ "$SIGNIN_BODY" =~ ^[A-Za-z0-9_.%=\&+-]+$ ]] || die "unexpected characters in the sign-in form body"
    # The first sign-in also re-hashes the password if the config's parameters changed since it was stored.
    sign_in_once
    local student_bytes healthz_bytes
    student_bytes="$(check_page /student "__Host-cw_session=$SESSION" 'id="signed-in-as"')"
    healthz_bytes="$(check_page /healthz "" '"status":"ok"')"

    # The hash's parameters: as configured, and as stored (what a sign-in verifies).
    local memory ops stored=""
    memory="$(config_value accounts argon2_memory_kib 65536)"
    ops="$(config_value accounts argon2_ops 2)"
    local hash=""
    hash="$(db_root -N -s -r -e "SELECT password_hash FROM users WHERE id = $student_id" 2>/dev/null || true)"
    [[ "$hash" =~ ^(\$argon2id\$v=[0-9]+\$m=[0-9]+,t=[0-9]+,p=[0-9]+)\$ ]] && stored="${BASH_REMATCH[1]}"
    local label="argon2id m=$memory t=$ops p=1"
    if [[ "$stored" =~ m=([0-9]+),t=([0-9]+),p=([0-9]+) ]]; then
        label="argon2id m=${BASH_REMATCH[1]} t=${BASH_REMATCH[2]} p=${BASH_REMATCH[3]}"
    fi

    # ------------------------------------------------------------------- sign-in
    say "sign-in: $label"
    local lua_signin="$WRK_DIR/signin.lua" lua_student="$WRK_DIR/student.lua" lua_healthz="$WRK_DIR/healthz.lua"
    write_lua "$lua_signin" POST "__Host-cw_form=$FORM_COOKIE" "$SIGNIN_BODY"
    local cost=""
    ((HASH_SAMPLES == 0)) || [[ -z "$hash" ]] || cost="$(hash_cost "$hash" "$password" "$HASH_SAMPLES")"
    # Every successful sign-in leaves one session row: the server-side count of completed sign-ins.
    local sessions_sql="SELECT COUNT(*) FROM sessions WHERE user_id = $student_id"
    measure "signin|1" /login 1 1 "$lua_signin" 303 30s "$sessions_sql"
    local conns
    for conns in $SIGNIN_CONNS; do
        measure "signin|$conns" /login "$conns" "$WRK_THREADS" "$lua_signin" 303 30s "$sessions_sql"
    done
    memory_line "after the sign-ins"

    # ------------------------------------------------------------------- grades page
    say "grades page: /student and /healthz at ${CONNS// //} connections"
    sign_in_once
    write_lua "$lua_student" GET "__Host-cw_session=$SESSION"
    write_lua "$lua_healthz" GET ""
    warm_up /healthz "$lua_healthz"
    warm_up /student "$lua_student"
    local round route
    for ((round = 1; round <= ROUNDS; round++)); do
        for conns in $CONNS; do
            for route in healthz student; do
                measure "$route|$conns|$round" "/$route" "$conns" "$WRK_THREADS" "$WRK_DIR/$route.lua" 200
            done
        done
    done
    sleep 2
    memory_line "after the page runs"
    out "  (a worker serves max_requests requests, jittered, then is replaced: pids that changed are young workers)"

    # ------------------------------------------------------------------- report
    local -a r s h
    out ""
    out "Sign-in (POST /login as $STUDENT_EMAIL, each answer must be 303; the hash dominates)"
    outf '  hash          %s  (config: argon2_memory_kib %s, argon2_ops %s; stored: %s)' "$label" "$memory" "$ops" \
        "${stored:-unreadable}"
    if [[ -n "$cost" ]]; then
        read -r -a r <<<"$cost"
        outf '  cost per hash %s ms median (min %s, max %s) over %s crypto_pwhash_str_verify calls in-process, one thread' \
            "${r[0]}" "${r[1]}" "${r[2]}" "$HASH_SAMPLES"
        outf '                ceiling from that: %s sign-ins/s on %s cores' \
            "$(awk -v ms="${r[0]}" -v c="$(nproc)" 'BEGIN { printf "%.1f", (ms > 0) ? c * 1000 / ms : 0 }')" "$(nproc)"
    else
        out "  cost per hash (in-process) not measured (BENCH_HASH_SAMPLES=0, or libsodium/the stored hash unavailable)"
    fi
    read -r -a s <<<"${R[signin|1]}"
    outf '  sequential    %s ms per sign-in (mean over %s), p50 %s, p99 %s; app CPU %s ms per sign-in (%s completed)' \
        "${s[5]}" "${s[7]}" "${s[1]}" "${s[2]}" "$(awk -v us="${s[9]}" 'BEGIN { printf "%.1f", us / 1000 }')" "${s[21]}"
    cpu_line "signin|1" sign-in
    for conns in $SIGNIN_CONNS; do
        read -r -a r <<<"${R[signin|$conns]}"
        outf '  c=%-11s %s sign-ins/s, p50 %s ms, p99 %s ms (%s x 303, errors %s); app CPU %s ms per sign-in (%s completed)' \
            "$conns" "${r[0]}" "${r[1]}" "${r[2]}" "${r[7]}" "${r[3]}" \
            "$(awk -v us="${r[9]}" 'BEGIN { printf "%.1f", us / 1000 }')" "${r[21]}"
        cpu_line "signin|$conns" sign-in
    done
    local conns_list=""
    for conns in $SIGNIN_CONNS; do
        read -r -a r <<<"${R[signin|$conns]}"
        conns_list+="${conns_list:+, }${r[0]} sign-ins/s at $conns connections"
    done
    out ""
    outf '  %s: %s ms per sign-in (sequential), %s' "$label" "${s[5]}" "${conns_list:-no concurrent run}"

    out ""
    outf 'Grades page (GET /student as the demo student, %s KB a page; /healthz %s bytes), through nginx, same run' \
        "$(awk -v b="$student_bytes" 'BEGIN { printf "%.1f", b / 1024 }')" "$healthz_bytes"
    outf '  %5s %-9s %5s | %9s %8s %8s | %-26s | %s' round route conns "req/s" "p50 ms" "p99 ms" answers \
        "other processes (cores)"
    declare -A BEST
    for conns in $CONNS; do
        for ((round = 1; round <= ROUNDS; round++)); do
            for route in healthz student; do
                read -r -a r <<<"${R[$route|$conns|$round]}"
                outf '  %5s %-9s %5s | %9s %8s %8s | %-26s | %s' "$round" "/$route" "$conns" "${r[0]}" "${r[1]}" \
                    "${r[2]}" "${r[7]} x 200, errors ${r[3]}" "${r[16]}"
                read -r -a s <<<"${R[${BEST[$route|$conns]:-none}]:-0}"
                awk -v a="${r[0]}" -v b="${s[0]}" 'BEGIN { exit !(a > b) }' && BEST[$route|$conns]="$route|$conns|$round"
            done
        done
        for route in healthz student; do
            BEST[$route|$conns]="${BEST[$route|$conns]:-$route|$conns|1}"
            outf '  /%s at %s connections, best run (round %s):' "$route" "$conns" "${BEST[$route|$conns]##*|}"
            cpu_line "${BEST[$route|$conns]}" request
        done
    done

    out ""
    out "Against the targets (informational; a benchmark never fails):"
    for conns in $CONNS; do
        read -r -a s <<<"${R[${BEST[student|$conns]}]}"
        read -r -a h <<<"${R[${BEST[healthz|$conns]}]}"
        local ratio per_round=""
        ratio="$(awk -v a="${s[0]}" -v b="${h[0]}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')"
        for ((round = 1; round <= ROUNDS; round++)); do
            per_round+=" $(awk -v a="${R[student|$conns|$round]%% *}" -v b="${R[healthz|$conns|$round]%% *}" \
                'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')"
        done
        outf '  grades page at %s connections: %s req/s, p99 %s ms = %s of /healthz (%s req/s) (target >= 0.5: %s)' \
            "$conns" "${s[0]}" "${s[2]}" "$ratio" "${h[0]}" \
            "$(awk -v m="$ratio" 'BEGIN { print (m != "-" && m >= 0.5) ? "met" : "not met" }')"
        outf '      best runs compared; the ratio within each round:%s' "$per_round"
    done
    out ""
    out "Raw wrk output: $WRK_DIR/$STAMP-*; stack logs: $LOG_DIR; this report: $RESULTS"
}

main "$@"

#!/usr/bin/env bash
# Foundation benchmark: catalystwells against a minimal C libfcgi responder, both behind the same nginx.
#
#   bench/foundation.sh            (or bench/run.sh, or make bench)
#
# wrk on loopback through nginx, for 2 and 4 pool workers and 8/32/64 connections, against
#   /livez    no database
#   /healthz  one prepared primary-key SELECT (SELECT MAX(version) FROM schema_migrations)
# and the same matrix against bench/reference/cw_ref_responder.c (same workers, same threads, same nginx).
# Prints req/s, p50, p99, our figure as a ratio of the C one, CPU per request of the app, nginx and MariaDB,
# and the resident memory of every worker. A benchmark, not a test: it never fails on a target; it exits
# non-zero only when the stack cannot be set up.
#
# Everything it starts is private and under BENCH_DIR: a MariaDB (own datadir, unix socket only), an nginx
# (loopback ports), the two pools. All of it is stopped on exit. The MariaDB datadir, the password and the
# compiled reference are kept between runs; delete BENCH_DIR to start from nothing.
#
# Settings (environment):
#   DURATION             wrk duration per run                      (default 10s; 3s with BENCH_QUICK=1)
#   BENCH_QUICK=1        quick mode: 3 s runs, 32 connections only
#   BENCH_WORKERS        pool worker counts                        (default "2 4")
#   BENCH_CONNS          wrk connection counts                     (default "8 32 64"; "32" when quick)
#   BENCH_THREADS        threads per worker, both pools            (default 4)
#   BENCH_ROUTES         routes                                    (default "/livez /healthz")
#   BENCH_NGINX_WORKERS  nginx worker_processes                    (default 1)
#   BENCH_WRK_THREADS    wrk -t                                    (default 2)
#   BENCH_WARMUP         warm-up per pool and route before measuring (default 2s; 1s when quick)
#   BENCH_MAX_REQUESTS   --max-requests for our pool (0 = never recycle; default: the configured default)
#   BENCH_PORT           first of three loopback ports: ours, C reference, nginx alone (default 28080)
#   BENCH_BUILD          auto (build when sources are newer than the binary), 0 never, 1 always (default auto)
#   BENCH_TOP=1          also save `top -b -n1` taken mid-run of every measurement under BENCH_DIR/logs
#   BENCH_DIR            state directory                           (default <repo>/.run/bench)
#   CW_BIN               catalystwells binary                      (default <repo>/.build/release/catalystwells)
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_DIR
readonly SRC_DIR="$REPO_DIR/bench"
BENCH_DIR="$(realpath -m "${BENCH_DIR:-$REPO_DIR/.run/bench}")"
readonly BENCH_DIR

readonly QUICK="${BENCH_QUICK:-0}"
if [[ "$QUICK" == 1 ]]; then
    DURATION="${DURATION:-3s}"
    CONNS="${BENCH_CONNS:-32}"
    WARMUP="${BENCH_WARMUP:-1s}"
else
    DURATION="${DURATION:-10s}"
    CONNS="${BENCH_CONNS:-8 32 64}"
    WARMUP="${BENCH_WARMUP:-2s}"
fi
readonly DURATION CONNS WARMUP
readonly WORKERS_LIST="${BENCH_WORKERS:-2 4}"
readonly THREADS="${BENCH_THREADS:-4}"
readonly ROUTES="${BENCH_ROUTES:-/livez /healthz}"
readonly NGINX_WORKERS="${BENCH_NGINX_WORKERS:-1}"
readonly WRK_THREADS="${BENCH_WRK_THREADS:-2}"
readonly MAX_REQUESTS="${BENCH_MAX_REQUESTS:-}"
readonly PORT_OURS="${BENCH_PORT:-28080}"
readonly BUILD="${BENCH_BUILD:-auto}"
readonly TOP="${BENCH_TOP:-0}"
readonly BIN="${CW_BIN:-$REPO_DIR/.build/release/catalystwells}"

readonly PACKAGES=(wrk nginx mariadb-server mariadb-client libfcgi-dev libmariadb-dev gcc pkg-config curl procps iproute2)
readonly MAIN_DB=catalyst_main
readonly DEVELOPERS_DB=catalyst_developers
readonly DB_USER=cw_bench

readonly LOG_DIR="$BENCH_DIR/logs"
readonly RUN_DIR="$BENCH_DIR/run"
readonly WRK_DIR="$BENCH_DIR/wrk"
readonly SOCKET_DIR="$BENCH_DIR/sockets"
readonly MARIADB_DIR="$BENCH_DIR/mariadb"
readonly DATADIR="$MARIADB_DIR/data"
readonly DB_SOCKET="$MARIADB_DIR/mysqld.sock"
readonly NGINX_DIR="$BENCH_DIR/nginx"
readonly PASSWORD_FILE="$BENCH_DIR/secrets/db.password"
readonly CONF="$BENCH_DIR/catalystwells.conf"
readonly OURS_SOCKET="$SOCKET_DIR/app.sock"
readonly REF_SOCKET="$SOCKET_DIR/ref.sock"
readonly REF_BIN="$BENCH_DIR/bin/cw_ref_responder"
readonly REF_SRC="$SRC_DIR/reference/cw_ref_responder.c"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
readonly STAMP
readonly RESULTS="$BENCH_DIR/results-$STAMP.txt"

MARIADB_PID=""
NGINX_PID=""
OURS_PID=""
REF_PID=""
PORT_REF=0
PORT_NGINX=0
CLK_TCK=100

# ----------------------------------------------------------------------------- helpers

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

check_settings() {
    local name value
    [[ "$BENCH_DIR" =~ ^/[A-Za-z0-9._/+-]+$ ]] || die "BENCH_DIR '$BENCH_DIR' may only contain letters, digits and ._/+-"
    for name in DURATION WARMUP; do
        [[ "${!name}" =~ ^[1-9][0-9]*[sm]?$ ]] || die "$name '${!name}' is not a duration like 10s"
    done
    for value in $WORKERS_LIST; do [[ "$value" =~ ^[1-9][0-9]?$ ]] || die "BENCH_WORKERS: '$value' is not 1-64"; done
    for value in $CONNS; do [[ "$value" =~ ^[1-9][0-9]{0,3}$ ]] || die "BENCH_CONNS: '$value' is not a count"; done
    for value in $ROUTES; do [[ "$value" =~ ^/[a-z]+$ ]] || die "BENCH_ROUTES: '$value' is not a path like /livez"; done
    [[ "$THREADS" =~ ^[1-9][0-9]{0,2}$ ]] || die "BENCH_THREADS '$THREADS' is not a count"
    [[ "$NGINX_WORKERS" =~ ^([1-9][0-9]?|auto)$ ]] || die "BENCH_NGINX_WORKERS must be 1-99 or auto"
    [[ "$WRK_THREADS" =~ ^[1-9][0-9]?$ ]] || die "BENCH_WRK_THREADS '$WRK_THREADS' is not a count"
    [[ -z "$MAX_REQUESTS" || "$MAX_REQUESTS" =~ ^[0-9]+$ ]] || die "BENCH_MAX_REQUESTS must be a number"
    if ! [[ "$PORT_OURS" =~ ^[0-9]+$ ]] || ((PORT_OURS < 1024 || PORT_OURS > 65533)); then
        die "BENCH_PORT must be 1024-65533"
    fi
    [[ "$BUILD" =~ ^(auto|0|1)$ ]] || die "BENCH_BUILD must be auto, 0 or 1"
    PORT_REF=$((PORT_OURS + 1))
    PORT_NGINX=$((PORT_OURS + 2))
    local path
    for path in "$DB_SOCKET" "$OURS_SOCKET" "$REF_SOCKET"; do
        ((${#path} <= 107)) || die "unix socket path longer than 107 bytes: $path (choose a shorter BENCH_DIR)"
    done
}

ensure_packages() {
    local missing=() package
    for package in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$package")
    done
    ((${#missing[@]})) || return 0
    [[ "$(id -u)" == 0 ]] || die "missing Debian packages: ${missing[*]} (run as root or install them first)"
    say "installing Debian packages: ${missing[*]}"
    apt-get -o DPkg::Lock::Timeout=300 update >&2
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends \
        "${missing[@]}" >&2
}

# pid_matches PID WORD: PID is alive and its command line mentions WORD.
pid_matches() {
    [[ -n "$1" ]] && kill -0 "$1" 2>/dev/null && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$2"
}

# stop_pid PID NAME SECONDS: SIGTERM, then SIGKILL after SECONDS.
stop_pid() {
    local pid="$1" name="$2" deadline=$((SECONDS + $3))
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do
        if ((SECONDS >= deadline)); then
            warn "$name ($pid) did not stop in $3 s; killing it"
            kill -KILL "$pid" 2>/dev/null || true
            break
        fi
        sleep 0.1
    done
    wait "$pid" 2>/dev/null || true
}

# Leftovers of an earlier run that was killed before its trap ran: only processes whose command line
# names this BENCH_DIR, found through the pid files this script writes.
stop_stale() {
    local file pid
    for file in "$RUN_DIR"/*.pid "$NGINX_DIR/nginx.pid" "$MARIADB_DIR/mysqld.pid"; do
        [[ -s "$file" ]] || continue
        pid="$(tr -dc '0-9' <"$file")"
        if pid_matches "$pid" "$BENCH_DIR"; then
            warn "stopping a leftover process of an earlier bench run: $pid ($file)"
            stop_pid "$pid" "leftover $pid" 30
        fi
        rm -f "$file"
    done
}

cleanup() {
    local status=$?
    set +e
    trap - EXIT INT TERM
    [[ -n "$OURS_PID$REF_PID$NGINX_PID$MARIADB_PID" ]] && say "stopping everything the bench started"
    stop_pid "$OURS_PID" "catalystwells pool" 40
    stop_pid "$REF_PID" "C reference" 10
    stop_pid "$NGINX_PID" "nginx" 10
    stop_pid "$MARIADB_PID" "mariadbd" 60
    rm -f "$RUN_DIR"/*.pid
    exit "$status"
}

port_free() { [[ -z "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]]; }

# children PID: the pids of PID's child processes, one a line.
children() { pgrep -P "$1" 2>/dev/null | sort -n || true; }

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# rss_pair PID: "VmRSS/RssAnon" in MB (RssAnon: the private heap and stacks, not shared library pages).
rss_pair() { awk '/^VmRSS:/ { r = $2 } /^RssAnon:/ { a = $2 } END { printf "%.1f/%.1f", r / 1024, a / 1024 }' "/proc/$1/status" 2>/dev/null; }

mb() { awk -v kb="$1" 'BEGIN { printf "%.1f", kb / 1024 }'; }

# ----------------------------------------------------------------------------- CPU accounting

# ticks PID: user + system CPU ticks of PID itself.
ticks() { stat_sum "$1" 11 12; }

# reaped_ticks PID: CPU ticks of PID's children it has already waited for (recycled workers).
reaped_ticks() { stat_sum "$1" 13 14; }

# tree_ticks PID: PID, its live children, and its reaped children.
tree_ticks() {
    local total child
    total=$(($(ticks "$1") + $(reaped_ticks "$1")))
    for child in $(children "$1"); do total=$((total + $(ticks "$child"))); done
    echo "$total"
}

# shell_children_ms: CPU milliseconds of this shell's waited-for children (wrk), from `times`. Must run in
# the main shell, not in $(...): a subshell starts with zeroed child times. Sets CHILDREN_MS.
CHILDREN_MS=0
shell_children_ms() {
    times >"$RUN_DIR/times"
    CHILDREN_MS="$(awk 'NR == 2 {
        total = 0
        for (i = 1; i <= NF; i++) { split($i, ms, "m"); sub("s", "", ms[2]); total += ms[1] * 60000 + ms[2] * 1000 }
        printf "%d", total }' "$RUN_DIR/times")"
}

# ----------------------------------------------------------------------------- build

build_reference() {
    if [[ -x "$REF_BIN" && "$REF_BIN" -nt "$REF_SRC" ]]; then return 0; fi
    say "compiling the C reference responder"
    local flags
    flags="$(pkg-config --cflags --libs fcgi libmariadb 2>/dev/null)" || flags="-I/usr/include/mariadb -lfcgi -lmariadb"
    # shellcheck disable=SC2086
    gcc -O2 -Wall -pthread -o "$REF_BIN" "$REF_SRC" $flags 2>"$LOG_DIR/ref-build.log" || {
        show_tail "$LOG_DIR/ref-build.log"
        die "compiling $REF_SRC failed"
    }
}

# ----------------------------------------------------------------------------- MariaDB

db_root() { mariadb --no-defaults --socket="$DB_SOCKET" -uroot "$@"; }

start_mariadb() {
    if [[ ! -d "$DATADIR/mysql" ]]; then
        say "initialising a private MariaDB datadir in $DATADIR"
        rm -rf "$DATADIR"
        mkdir -p "$DATADIR"
        mariadb-install-db --no-defaults --datadir="$DATADIR" --user=root --auth-root-authentication-method=socket \
            --skip-test-db >"$LOG_DIR/mariadb-install.log" 2>&1 || {
            show_tail "$LOG_DIR/mariadb-install.log"
            die "mariadb-install-db failed"
        }
    fi
    say "starting MariaDB on $DB_SOCKET"
    mariadbd --no-defaults --datadir="$DATADIR" --socket="$DB_SOCKET" --skip-networking --user=root \
        --pid-file="$MARIADB_DIR/mysqld.pid" --log-error="$LOG_DIR/mariadb.err" \
        --innodb-buffer-pool-size=128M --max-connections=500 \
        --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci >/dev/null 2>&1 &
    MARIADB_PID=$!
    echo "$MARIADB_PID" >"$RUN_DIR/mariadb.pid"
    local deadline=$((SECONDS + 60))
    until db_root -e 'SELECT 1' >/dev/null 2>&1; do
        kill -0 "$MARIADB_PID" 2>/dev/null || {
            show_tail "$LOG_DIR/mariadb.err"
            die "mariadbd exited during start-up"
        }
        ((SECONDS < deadline)) || {
            show_tail "$LOG_DIR/mariadb.err"
            die "mariadbd did not answer within 60 s"
        }
        sleep 0.3
    done
}

setup_database() {
    if [[ ! -s "$PASSWORD_FILE" ]]; then
        (umask 077 && od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$PASSWORD_FILE" && echo >>"$PASSWORD_FILE")
    fi
    local password
    password="$(head -n1 "$PASSWORD_FILE")"
    db_root <<SQL
CREATE DATABASE IF NOT EXISTS $MAIN_DB CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS $DEVELOPERS_DB CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$password';
ALTER USER '$DB_USER'@'localhost' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON $MAIN_DB.* TO '$DB_USER'@'localhost';
GRANT ALL PRIVILEGES ON $DEVELOPERS_DB.* TO '$DB_USER'@'localhost';
SQL
    local key
    for key in oauth.key credentials.key developers.key cron.secret; do
        [[ -s "$BENCH_DIR/secrets/$key" ]] || (umask 077 && openssl rand -hex 32 >"$BENCH_DIR/secrets/$key")
    done
    cat >"$CONF" <<CONF
# Written by bench/foundation.sh; one account plays the app, developers and migrator roles.
[general]
environment = development
log_level = warning
schema_directory = $REPO_DIR/schema
[pool.app]
socket = $OURS_SOCKET
socket_mode = 0666
socket_group =
[database]
socket = $DB_SOCKET
main_database = $MAIN_DB
developers_database = $DEVELOPERS_DB
[database.app]
user = $DB_USER
password_file = $PASSWORD_FILE
[database.developers]
user = $DB_USER
password_file = $PASSWORD_FILE
[database.migrator]
user = $DB_USER
password_file = $PASSWORD_FILE
[oauth]
key_file = $BENCH_DIR/secrets/oauth.key
[credentials]
key_file = $BENCH_DIR/secrets/credentials.key
[portal]
key_file = $BENCH_DIR/secrets/developers.key
[cron]
secret_file = $BENCH_DIR/secrets/cron.secret
CONF
    "$BIN" migrate --config "$CONF" --schema "$REPO_DIR/schema" >"$LOG_DIR/migrate.log" 2>&1 || {
        show_tail "$LOG_DIR/migrate.log"
        die "catalystwells migrate failed"
    }
    local version
    version="$(db_root -N -e "SELECT MAX(version) FROM $MAIN_DB.schema_migrations")"
    [[ "$version" =~ ^[0-9]+$ ]] || die "schema_migrations is empty after migrate"
    say "database ready: $MAIN_DB at schema version $version"
}

# ----------------------------------------------------------------------------- nginx

start_nginx() {
    mkdir -p "$NGINX_DIR/tmp"
    sed -e "s|@NGINX_WORKERS@|$NGINX_WORKERS|g" -e "s|@NGINX_DIR@|$NGINX_DIR|g" -e "s|@LOG_DIR@|$LOG_DIR|g" \
        -e "s|@PORT_OURS@|$PORT_OURS|g" -e "s|@PORT_REF@|$PORT_REF|g" -e "s|@PORT_NGINX@|$PORT_NGINX|g" \
        -e "s|@OURS_SOCKET@|$OURS_SOCKET|g" -e "s|@REF_SOCKET@|$REF_SOCKET|g" \
        "$SRC_DIR/nginx.conf.template" >"$NGINX_DIR/nginx.conf"
    local nginx_cmd=(nginx -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" -e "$LOG_DIR/nginx-error.log")
    "${nginx_cmd[@]}" -t >"$LOG_DIR/nginx-test.log" 2>&1 || {
        show_tail "$LOG_DIR/nginx-test.log"
        die "nginx -t rejected $NGINX_DIR/nginx.conf"
    }
    say "starting nginx on 127.0.0.1:$PORT_OURS (ours), :$PORT_REF (C reference), :$PORT_NGINX (nginx alone)"
    "${nginx_cmd[@]}" -g 'daemon off;' >>"$LOG_DIR/nginx-stdout.log" 2>&1 &
    NGINX_PID=$!
    echo "$NGINX_PID" >"$RUN_DIR/nginx.pid"
    local deadline=$((SECONDS + 10))
    until curl -fsS -o /dev/null "http://127.0.0.1:$PORT_NGINX/"; do
        kill -0 "$NGINX_PID" 2>/dev/null || {
            show_tail "$LOG_DIR/nginx-error.log"
            die "nginx exited during start-up"
        }
        ((SECONDS < deadline)) || die "nginx did not answer on :$PORT_NGINX within 10 s"
        sleep 0.2
    done
}

# ----------------------------------------------------------------------------- pools

# wait_pool PID SOCKET WORKERS NAME: the socket exists and the supervisor has all its workers.
wait_pool() {
    local pid="$1" socket="$2" want="$3" name="$4" log="$5" deadline=$((SECONDS + 20))
    while true; do
        kill -0 "$pid" 2>/dev/null || {
            show_tail "$log"
            die "$name exited during start-up"
        }
        if [[ -S "$socket" ]] && (($(children "$pid" | wc -l) >= want)); then break; fi
        ((SECONDS < deadline)) || {
            show_tail "$log"
            die "$name did not start $want workers on $socket within 20 s"
        }
        sleep 0.1
    done
    sleep 1 # let the workers finish initialising before their idle memory is read
}

start_ours() {
    local workers="$1" args
    args=(serve --site app --config "$CONF" --socket "$OURS_SOCKET" --workers "$workers" --threads "$THREADS"
        --pid-file "$RUN_DIR/ours-supervisor.pid")
    [[ -z "$MAX_REQUESTS" ]] || args+=(--max-requests "$MAX_REQUESTS")
    echo "--- $(date -u +%FT%TZ) serve --workers $workers" >>"$LOG_DIR/ours.log"
    "$BIN" "${args[@]}" >>"$LOG_DIR/ours.log" 2>&1 &
    OURS_PID=$!
    echo "$OURS_PID" >"$RUN_DIR/ours.pid"
    wait_pool "$OURS_PID" "$OURS_SOCKET" "$workers" "catalystwells serve" "$LOG_DIR/ours.log"
}

start_ref() {
    local workers="$1"
    echo "--- $(date -u +%FT%TZ) --workers $workers" >>"$LOG_DIR/ref.log"
    "$REF_BIN" --socket "$REF_SOCKET" --workers "$workers" --threads "$THREADS" --db-socket "$DB_SOCKET" \
        --db-user "$DB_USER" --db-password-file "$PASSWORD_FILE" --db-name "$MAIN_DB" >>"$LOG_DIR/ref.log" 2>&1 &
    REF_PID=$!
    echo "$REF_PID" >"$RUN_DIR/ref.pid"
    wait_pool "$REF_PID" "$REF_SOCKET" "$workers" "C reference" "$LOG_DIR/ref.log"
}

stop_pools() {
    stop_pid "$OURS_PID" "catalystwells pool" 40
    stop_pid "$REF_PID" "C reference" 10
    OURS_PID=""
    REF_PID=""
    rm -f "$RUN_DIR/ours.pid" "$RUN_DIR/ref.pid"
}

# memory_line LABEL PID: the supervisor's and each worker's resident memory; sets MAX_WORKER_KB.
MAX_WORKER_KB=0
WORKER_PIDS=""
memory_line() {
    local label="$1" pid="$2" child kb list=""
    MAX_WORKER_KB=0
    WORKER_PIDS="$(children "$pid" | tr '\n' ' ')"
    for child in $WORKER_PIDS; do
        kb="$(rss_kb "$child")"
        ((kb > MAX_WORKER_KB)) && MAX_WORKER_KB=$kb
        list+=" $child=$(rss_pair "$child")"
    done
    outf '  %-34s supervisor %s=%s; workers:%s' "$label" "$pid" "$(rss_pair "$pid")" "$list"
}

# check_endpoint NAME PORT PATH [quiet]: one request must answer 200; reports status, headers and body.
check_endpoint() {
    local name="$1" port="$2" path="$3" quiet="${4:-}" code deadline=$((SECONDS + 10))
    while true; do
        code="$(curl -sS -D "$RUN_DIR/headers" -o "$RUN_DIR/body" -w '%{http_code}' "http://127.0.0.1:$port$path" 2>/dev/null || true)"
        [[ "$code" == 200 ]] && break
        ((SECONDS < deadline)) || {
            show_tail "$LOG_DIR/nginx-error.log" 10
            show_tail "$LOG_DIR/ours.log" 10
            show_tail "$LOG_DIR/ref.log" 10
            die "$name $path answered '$code' instead of 200: $(head -c 300 "$RUN_DIR/body" 2>/dev/null)"
        }
        sleep 0.3
    done
    [[ -z "$quiet" ]] || return 0
    local headers
    headers="$(tr -d '\r' <"$RUN_DIR/headers" | awk -F': ' 'NR > 1 && NF > 1 && $1 !~ /^(Date|Server|Connection|X-Request-ID)$/ { printf "%s%s: %s", sep, $1, $2; sep = "; " }')"
    outf '  %-5s %-8s 200  %s  [%s]' "$name" "$path" "$(head -c 200 "$RUN_DIR/body")" "$headers"
}

# ----------------------------------------------------------------------------- wrk

# parse_wrk FILE: "req/s p50_ms p99_ms errors requests"
parse_wrk() {
    awk '
        function ms(v) {
            if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 }
            if (v ~ /ms$/) { sub(/ms$/, "", v); return v + 0 }
            if (v ~ /m$/)  { sub(/m$/, "", v);  return v * 60000 }
            if (v ~ /s$/)  { sub(/s$/, "", v);  return v * 1000 }
            return v + 0
        }
        /^ *50%/ { p50 = ms($2) }
        /^ *99%/ { p99 = ms($2) }
        /requests in/ { requests = $1 }
        /Requests\/sec:/ { rps = $2 }
        /Non-2xx or 3xx responses:/ { errors += $NF }
        /Socket errors:/ { gsub(/,/, ""); errors += $4 + $6 + $8 + $10 }
        END { printf "%.0f %.2f %.2f %d %d\n", rps, p50, p99, errors, requests }
    ' "$1"
}

# measure KEY PORT PATH CONNS APP_PID: one wrk run; stores "rps p50 p99 errors app_us nginx_us db_us cores..." in R[KEY].
declare -A R
measure() {
    local key="$1" port="$2" path="$3" conns="$4" app_pid="$5"
    local file="$WRK_DIR/$STAMP-${key//[|\/]/_}.txt"
    local app0=0 app1=0 nginx0 nginx1 db0 db1 wrk0 wrk1 machine0 machine1 topper=""
    [[ -n "$app_pid" ]] && app0="$(tree_ticks "$app_pid")"
    nginx0="$(tree_ticks "$NGINX_PID")"
    db0="$(ticks "$MARIADB_PID")"
    machine0="$(machine_ticks)"
    shell_children_ms
    wrk0=$CHILDREN_MS
    if [[ "$TOP" == 1 ]]; then
        (sleep "$(($(seconds_of "$DURATION") / 2))" && top -b -n1 -w 200 | head -n 25 >"$LOG_DIR/top-$STAMP-${key//[|\/]/_}.txt") &
        topper=$!
    fi
    timeout $(($(seconds_of "$DURATION") + 30)) \
        wrk -t"$WRK_THREADS" -c"$conns" -d"$DURATION" --latency "http://127.0.0.1:$port$path" >"$file" 2>&1 || true
    shell_children_ms
    wrk1=$CHILDREN_MS
    machine1="$(machine_ticks)"
    [[ -n "$app_pid" ]] && app1="$(tree_ticks "$app_pid")"
    nginx1="$(tree_ticks "$NGINX_PID")"
    db1="$(ticks "$MARIADB_PID")"
    [[ -z "$topper" ]] || wait "$topper" 2>/dev/null || true
    local rps p50 p99 errors requests
    read -r rps p50 p99 errors requests < <(parse_wrk "$file")
    R[$key]="$(awk -v rps="$rps" -v p50="$p50" -v p99="$p99" -v err="$errors" -v n="$requests" -v hz="$CLK_TCK" \
        -v app=$((app1 - app0)) -v ngx=$((nginx1 - nginx0)) -v db=$((db1 - db0)) -v wrkms=$((wrk1 - wrk0)) \
        -v busy=$((${machine1% *} - ${machine0% *})) -v total=$((${machine1#* } - ${machine0#* })) -v cores="$(nproc)" '
        BEGIN {
            per = (n > 0) ? 1e6 / hz / n : 0
            wrkticks = wrkms * hz / 1000
            other = busy - app - ngx - db - wrkticks; if (other < 0) other = 0
            # cores busy = ticks / (total ticks / cores)
            scale = (total > 0) ? cores / total : 0
            printf "%s %s %s %s %.0f %.0f %.0f %.2f %.2f %.2f %.2f %.2f %.2f", rps, p50, p99, err,
                app * per, ngx * per, db * per, app * scale, ngx * scale, db * scale, wrkticks * scale, other * scale, busy * scale
        }')"
    printf '    %-6s %-8s c=%-3s %8s req/s  p50 %6s ms  p99 %7s ms  errors %s\n' "${key%%|*}" "$path" "$conns" \
        "$rps" "$p50" "$p99" "$errors" >&2
}

warm_up() {
    local port="$1" path
    for path in $ROUTES; do
        wrk -t"$WRK_THREADS" -c32 -d"$WARMUP" "http://127.0.0.1:$port$path" >/dev/null 2>&1 || true
    done
}

# ----------------------------------------------------------------------------- report

machine_facts() {
    out "CatalystWells foundation benchmark — $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    outf '  machine   %s cores (%s), %s MB RAM, Linux %s, load average %s' "$(nproc)" \
        "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" \
        "$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 }' /proc/meminfo)" "$(uname -r)" "$(cut -d' ' -f1-3 /proc/loadavg)"
    outf '  software  %s; %s; %s; %s' "$(nginx -v 2>&1 | sed 's/^nginx version: //')" \
        "$(mariadbd --version | awk '{ print "mariadbd " $3 }')" "$(wrk -v 2>&1 | head -n1 | awk '{ print "wrk " $2 }')" \
        "$(gcc --version | head -n1)"
    local commit dirty=""
    commit="$(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    [[ -z "$(git -C "$REPO_DIR" status --porcelain -- Sources Package.swift 2>/dev/null)" ]] || dirty=" + uncommitted changes in Sources"
    outf '  ours      %s (built %s), commit %s%s' "${BIN#"$REPO_DIR"/}" "$(date -u -r "$BIN" '+%Y-%m-%d %H:%M UTC')" "$commit" "$dirty"
    outf '  settings  wrk -t%s -d%s --latency (warm-up %s per pool and route); %s threads per worker; nginx worker_processes %s' \
        "$WRK_THREADS" "$DURATION" "$WARMUP" "$THREADS" "$NGINX_WORKERS"
    outf '            our max_requests: %s; nginx access_log off; no fastcgi_keep_conn' \
        "${MAX_REQUESTS:-pool default from the config (10000 unless changed)}"
    local busy
    busy="$(top -b -n2 -d1 -w 200 | awk '/^top -/ { frame++ } frame == 2 && $1 ~ /^[0-9]+$/ && $9 + 0 >= 5 {
        printf "%s%s %s%%", sep, $12, $9; sep = ", " }')"
    outf '  processes using >= 5%% CPU just before the run (top, 1 s): %s' "${busy:-none}"
    out ""
}

print_tables() {
    local route workers conns o c ratio note
    out ""
    out "Throughput and latency (req/s; p50/p99 in ms; ratio = ours / C reference req/s; target >= 0.80)"
    outf '%-8s %7s %5s | %9s %7s %7s | %9s %7s %7s | %5s' route workers conns "ours r/s" p50 p99 "C r/s" p50 p99 ratio
    for route in $ROUTES; do
        for workers in $WORKERS_LIST; do
            for conns in $CONNS; do
                read -r -a o <<<"${R[ours|$route|$workers|$conns]}"
                read -r -a c <<<"${R[ref|$route|$workers|$conns]}"
                ratio="$(awk -v a="${o[0]}" -v b="${c[0]}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')"
                note=""
                ((o[3] > 0)) && note+=" ours: ${o[3]} errors"
                ((c[3] > 0)) && note+=" C: ${c[3]} errors"
                outf '%-8s %7s %5s | %9s %7s %7s | %9s %7s %7s | %5s%s' "$route" "$workers" "$conns" \
                    "${o[0]}" "${o[1]}" "${o[2]}" "${c[0]}" "${c[1]}" "${c[2]}" "$ratio" "$note"
            done
        done
    done
    out ""
    out "CPU per request in µs (app = supervisor + workers incl. recycled ones), and CPU cores busy during the run"
    outf '%-8s %7s %5s | %-20s | %-20s | %-33s | %-33s' route workers conns "ours: app ngx db" "C: app ngx db" \
        "ours cores: app ngx db wrk other" "C cores: app ngx db wrk other"
    for route in $ROUTES; do
        for workers in $WORKERS_LIST; do
            for conns in $CONNS; do
                read -r -a o <<<"${R[ours|$route|$workers|$conns]}"
                read -r -a c <<<"${R[ref|$route|$workers|$conns]}"
                outf '%-8s %7s %5s | %6s %6s %6s | %6s %6s %6s | %5s %5s %5s %5s %5s | %5s %5s %5s %5s %5s' \
                    "$route" "$workers" "$conns" "${o[4]}" "${o[5]}" "${o[6]}" "${c[4]}" "${c[5]}" "${c[6]}" \
                    "${o[7]}" "${o[8]}" "${o[9]}" "${o[10]}" "${o[11]}" "${c[7]}" "${c[8]}" "${c[9]}" "${c[10]}" "${c[11]}"
            done
        done
    done
    out ""
    out "nginx alone (return 200 with the /livez body), the ceiling of this nginx here"
    for conns in $CONNS; do
        read -r -a o <<<"${R[nginx|/|0|$conns]}"
        outf '  c=%-3s %9s req/s  p50 %s ms  p99 %s ms  nginx %s µs/request%s' "$conns" "${o[0]}" "${o[1]}" "${o[2]}" \
            "${o[5]}" "$( ((o[3] > 0)) && echo "  ${o[3]} errors")"
    done
}

print_summary() {
    local route workers conns o c min
    out ""
    out "Against the targets (informational; a benchmark never fails):"
    for route in $ROUTES; do
        min="$(for workers in $WORKERS_LIST; do for conns in $CONNS; do
            read -r -a o <<<"${R[ours|$route|$workers|$conns]}"
            read -r -a c <<<"${R[ref|$route|$workers|$conns]}"
            awk -v a="${o[0]}" -v b="${c[0]}" 'BEGIN { if (b > 0) printf "%.2f\n", a / b }'
        done; done | sort -n | head -n1)"
        outf '  %-8s ratio to C: lowest %s over the matrix (target >= 0.80: %s)' "$route" "${min:--}" \
            "$(awk -v m="${min:-0}" 'BEGIN { print (m >= 0.8) ? "met" : "not met" }')"
        # For bench/run.sh's table: "foundation ROUTE lowest-ratio ours-req/s C-req/s" (req/s at the first worker
        # count and connection count of the matrix).
        read -r -a o <<<"${R[ours|$route|${WORKERS_LIST%% *}|${CONNS%% *}]}"
        read -r -a c <<<"${R[ref|$route|${WORKERS_LIST%% *}|${CONNS%% *}]}"
        [[ -z "${BENCH_SUMMARY:-}" ]] || printf 'foundation %s %s %s %s\n' "${route#/}" "${min:--}" "${o[0]}" "${c[0]}" >>"$BENCH_SUMMARY"
    done
    [[ -z "${BENCH_SUMMARY:-}" ]] || printf 'foundation rss %s %s\n' "$(mb "$IDLE_MAX_START")" "$(mb "$IDLE_MAX_AFTER")" >>"$BENCH_SUMMARY"
    outf '  idle RSS per worker: largest %s MB after start, %s MB after load (target < 30 MB: %s)' \
        "$(mb "$IDLE_MAX_START")" "$(mb "$IDLE_MAX_AFTER")" \
        "$( ((IDLE_MAX_START < 30 * 1024 && IDLE_MAX_AFTER < 30 * 1024)) && echo met || echo "not met")"
    out ""
    out "Raw wrk output: $WRK_DIR/$STAMP-*; logs: $LOG_DIR; this report: $RESULTS"
}

# ----------------------------------------------------------------------------- main

IDLE_MAX_START=0
IDLE_MAX_AFTER=0

main() {
    check_settings
    mkdir -p "$BENCH_DIR" "$LOG_DIR" "$RUN_DIR" "$WRK_DIR" "$SOCKET_DIR" "$MARIADB_DIR" "$NGINX_DIR" \
        "$BENCH_DIR/bin" "$BENCH_DIR/secrets"
    # nginx's workers (nobody) must reach the sockets; the password stays private.
    chmod 755 "$BENCH_DIR" "$SOCKET_DIR"
    chmod 700 "$BENCH_DIR/secrets"
    exec 9>"$BENCH_DIR/.lock"
    flock -n 9 || die "another bench run holds $BENCH_DIR/.lock"
    trap cleanup EXIT
    trap 'exit 130' INT TERM

    ensure_packages
    CLK_TCK="$(getconf CLK_TCK)"
    stop_stale
    local port
    for port in "$PORT_OURS" "$PORT_REF" "$PORT_NGINX"; do
        port_free "$port" || die "127.0.0.1:$port is already in use (set BENCH_PORT)"
    done
    build_ours
    build_reference
    : >"$RESULTS"
    machine_facts

    start_mariadb
    setup_database
    start_nginx

    local workers route conns kb
    out "Resident memory, pid=VmRSS/RssAnon in MB (RssAnon = private memory; the rest is shared library pages):"
    for workers in $WORKERS_LIST; do
        say "pools with $workers workers x $THREADS threads"
        start_ours "$workers"
        start_ref "$workers"
        memory_line "ours $workers workers, idle after start" "$OURS_PID"
        ((MAX_WORKER_KB > IDLE_MAX_START)) && IDLE_MAX_START=$MAX_WORKER_KB
        local start_pids="$WORKER_PIDS"
        memory_line "C    $workers workers, idle after start" "$REF_PID"
        if [[ "$workers" == "${WORKERS_LIST%% *}" ]]; then
            out ""
            out "Responses (checked before measuring; Date/Server/Connection/X-Request-ID headers not shown):"
            for route in $ROUTES; do
                check_endpoint ours "$PORT_OURS" "$route"
                check_endpoint C "$PORT_REF" "$route"
            done
            out ""
        else
            for route in $ROUTES; do
                check_endpoint ours "$PORT_OURS" "$route" quiet
                check_endpoint C "$PORT_REF" "$route" quiet
            done
        fi
        say "warming up"
        warm_up "$PORT_OURS"
        warm_up "$PORT_REF"
        for route in $ROUTES; do
            for conns in $CONNS; do
                measure "ours|$route|$workers|$conns" "$PORT_OURS" "$route" "$conns" "$OURS_PID"
                measure "ref|$route|$workers|$conns" "$PORT_REF" "$route" "$conns" "$REF_PID"
            done
        done
        sleep 2
        memory_line "ours $workers workers, idle after load" "$OURS_PID"
        ((MAX_WORKER_KB > IDLE_MAX_AFTER)) && IDLE_MAX_AFTER=$MAX_WORKER_KB
        [[ "$WORKER_PIDS" == "$start_pids" ]] ||
            out "    (our workers were replaced during the runs: max_requests recycling; these are young workers)"
        memory_line "C    $workers workers, idle after load" "$REF_PID"
        stop_pools
    done

    say "nginx alone"
    for conns in $CONNS; do
        measure "nginx|/|0|$conns" "$PORT_NGINX" "/" "$conns" ""
    done

    print_tables
    print_summary
}

main "$@"

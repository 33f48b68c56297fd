#!/usr/bin/env bash
# Helpers shared by the benchmarks (sourced, not run): messages, report lines, durations, /proc CPU figures
# and building the binary. The sourcing script sets RESULTS, REPO_DIR, LOG_DIR, BIN and BUILD (and CW_BIN when given).
# The second part serves the benchmarks that run a private dev stack (deploy/dev/stack) and wrk through its TLS
# nginx: see "dev-stack benchmarks" below for what those scripts set.

build_ours() {
    local newer=""
    if [[ -x "$BIN" && "$BUILD" != 1 ]]; then
        [[ "$BUILD" == 0 ]] && return 0
        newer="$(find "$REPO_DIR/Sources" "$REPO_DIR/Package.swift" -newer "$BIN" -print -quit 2>/dev/null)"
        [[ -z "$newer" ]] && return 0
        say "sources changed since $BIN was built ($newer): building"
    elif [[ ! -x "$BIN" && "$BUILD" == 0 ]]; then
        die "$BIN does not exist and BENCH_BUILD=0"
    fi
    [[ -z "${CW_BIN:-}" ]] || die "CW_BIN=$BIN is missing or out of date; build it or set BENCH_BUILD=0"
    say "swift build -c release --product catalystwells (a few minutes when cold)"
    (cd "$REPO_DIR" && swift build -c release --product catalystwells) >"$LOG_DIR/swift-build.log" 2>&1 || {
        show_tail "$LOG_DIR/swift-build.log" 40
        die "swift build failed"
    }
    [[ -x "$BIN" ]] || die "the build did not produce $BIN"
}

die() {
    printf 'bench: error: %s\n' "$*" >&2
    exit 1
}

# The run settings the dev-stack wrk benchmarks share, as read-only globals: QUICK (BENCH_QUICK=1: 3 s runs,
# one round, 1 s warm-up), DURATION, ROUNDS (BENCH_ROUNDS), WARMUP (BENCH_WARMUP), CONNS (BENCH_CONNS,
# default 32) and WRK_THREADS (BENCH_WRK_THREADS, default 2).
wrk_settings() {
    declare -gr QUICK="${BENCH_QUICK:-0}"
    if [[ "$QUICK" == 1 ]]; then
        declare -gr DURATION="${DURATION:-3s}" ROUNDS="${BENCH_ROUNDS:-1}" WARMUP="${BENCH_WARMUP:-1s}"
    else
        declare -gr DURATION="${DURATION:-10s}" ROUNDS="${BENCH_ROUNDS:-3}" WARMUP="${BENCH_WARMUP:-2s}"
    fi
    declare -gr CONNS="${BENCH_CONNS:-32}" WRK_THREADS="${BENCH_WRK_THREADS:-2}"
}

# machine_ticks: "busy total" from /proc/stat.
machine_ticks() {
    local label user nice system idle iowait irq softirq steal rest
    read -r label user nice system idle iowait irq softirq steal rest </proc/stat
    echo "$((user + nice + system + irq + softirq + steal)) $((user + nice + system + idle + iowait + irq + softirq + steal))"
}

# Report lines: printed and appended to the results file.
out() { printf '%s\n' "$*" | tee -a "$RESULTS"; }

outf() {
    local line
    # shellcheck disable=SC2059
    printf -v line "$@"
    out "$line"
}

say() { printf '==> %s\n' "$*" >&2; }

# seconds_of 10s|2m|5 -> whole seconds
seconds_of() {
    local value="$1"
    case "$value" in
        *m) echo $((${value%m} * 60)) ;;
        *s) echo "${value%s}" ;;
        *) echo "$value" ;;
    esac
}

show_tail() {
    [[ -s "$1" ]] || return 0
    printf -- '--- last lines of %s\n' "$1" >&2
    tail -n "${2:-20}" "$1" >&2
    printf -- '---\n' >&2
}

# stat_sum PID I J: fields I + J of /proc/PID/stat, counted after the command name (0 if PID is gone).
stat_sum() {
    local line fields
    read -r line 2>/dev/null <"/proc/$1/stat" || {
        echo 0
        return
    }
    read -r -a fields <<<"${line##*) }"
    echo $((fields[$2] + fields[$3]))
}

warn() { printf 'bench: warning: %s\n' "$*" >&2; }

# ============================================================================= dev-stack benchmarks
# Used by school_accounts.sh and oauth.sh. Before calling stack_paths the sourcing script sets STACK_DIR (its
# private stack directory), SETTINGS_PREFIX (its environment prefix for messages, e.g. BENCH_OAUTH), HTTPS_PORT,
# HTTP_PORT, NGINX_WORKERS, NGINX_RATE, NGINX_BURST, DURATION, WARMUP, CONNS, WRK_THREADS, ROUNDS,
# STUDENT_INDEX, PACKAGES, BIN, BUILD and REPO_DIR.

# stack_paths: the constants and state of the dev-stack helpers, and the files of the stack in STACK_DIR they
# read (call it once, before any other of them).
stack_paths() {
    readonly STACK="$REPO_DIR/deploy/dev/stack" APP_HOST="app.localhost" MAIN_DB=catalyst_main
    STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
    readonly STAMP
    STACK_STARTED=0
    APP_PID=""
    NGINX_PID=""
    DB_PID=""
    CLK_TCK=100
    PYTHON=""
    CHILDREN_MS=0
    CURL=()
    declare -gA R=() WRK_FILE=()
    BASE_URL="https://$APP_HOST:$HTTPS_PORT"
    CONF="$STACK_DIR/catalystwells.conf"
    CA_FILE="$STACK_DIR/tls/ca.pem"
    DEMO_JSON="$STACK_DIR/demo.json"
    DB_SOCKET="$STACK_DIR/mariadb/mysqld.sock"
    APP_PIDFILE="$STACK_DIR/run/app.pid"
    NGINX_PIDFILE="$STACK_DIR/nginx/nginx.pid"
    DB_PIDFILE="$STACK_DIR/mariadb/mysqld.pid"
    LOG_DIR="$STACK_DIR/logs"
    STACK_LOG="$LOG_DIR/bench-stack.log"
    # Raw wrk output and the generated Lua scripts (these may hold a session cookie or a token: private).
    WRK_DIR="$STACK_DIR/wrk"
    RESULTS="$STACK_DIR/results-$STAMP.txt"
    readonly BASE_URL CONF CA_FILE DEMO_JSON DB_SOCKET APP_PIDFILE NGINX_PIDFILE DB_PIDFILE LOG_DIR STACK_LOG WRK_DIR RESULTS
}

# check_stack_settings: the settings every dev-stack benchmark shares.
check_stack_settings() {
    local name value
    [[ "$STACK_DIR" =~ ^/[A-Za-z0-9._/+-]+$ ]] ||
        die "${SETTINGS_PREFIX}_DIR '$STACK_DIR' may only contain letters, digits and ._/+-"
    for name in DURATION WARMUP; do
        [[ "${!name}" =~ ^[1-9][0-9]*[sm]?$ ]] || die "$name '${!name}' is not a duration like 10s"
    done
    for value in $CONNS; do
        [[ "$value" =~ ^[1-9][0-9]{0,3}$ ]] || die "BENCH_CONNS: '$value' is not a count"
    done
    [[ -n "${CONNS// /}" ]] || die "BENCH_CONNS is empty"
    [[ "$WRK_THREADS" =~ ^[1-9][0-9]?$ ]] || die "BENCH_WRK_THREADS '$WRK_THREADS' is not a count"
    [[ "$ROUNDS" =~ ^[1-9][0-9]?$ ]] || die "BENCH_ROUNDS '$ROUNDS' is not 1-99"
    [[ "$STUDENT_INDEX" =~ ^[0-9]{1,4}$ ]] || die "BENCH_STUDENT '$STUDENT_INDEX' is not an index"
    [[ "$NGINX_WORKERS" =~ ^([1-9][0-9]?|auto)$ ]] || die "BENCH_NGINX_WORKERS must be 1-99 or auto"
    [[ "$BUILD" =~ ^(auto|0|1)$ ]] || die "BENCH_BUILD must be auto, 0 or 1"
    for name in HTTPS_PORT HTTP_PORT; do
        value="${!name}"
        [[ "$value" =~ ^[0-9]{1,5}$ ]] && ((10#$value >= 1024 && 10#$value <= 65535)) ||
            die "${SETTINGS_PREFIX}_$name '$value' must be 1024-65535"
    done
    [[ "$HTTPS_PORT" != "$HTTP_PORT" ]] || die "${SETTINGS_PREFIX}_HTTPS_PORT and ${SETTINGS_PREFIX}_HTTP_PORT must differ"
}

ensure_packages() {
    local missing=() package
    for package in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$package")
    done
    # python3 reads demo.json (and drives sign-in flows); any python3 on PATH will do.
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
shell_children_ms() {
    times >"$WRK_DIR/times"
    CHILDREN_MS="$(awk 'NR == 2 {
        total = 0
        for (i = 1; i <= NF; i++) { split($i, ms, "m"); sub("s", "", ms[2]); total += ms[1] * 60000 + ms[2] * 1000 }
        printf "%d", total }' "$WRK_DIR/times")"
}

# db_statements: "questions selects updates inserts deletes" of the bench MariaDB so far ("" if unreadable);
# inserts count INSERT … SELECT too.
db_statements() {
    db_root -N -s -e "SHOW GLOBAL STATUS WHERE Variable_name IN
        ('Questions', 'Com_select', 'Com_update', 'Com_insert', 'Com_insert_select', 'Com_delete')" 2>/dev/null |
        awk '{ v[$1] = $2 } END { if (NR) printf "%d %d %d %d %d", v["Questions"], v["Com_select"],
            v["Com_update"], v["Com_insert"] + v["Com_insert_select"], v["Com_delete"] }' || true
}

# ----------------------------------------------------------------------------- stack

# stack up|down: deploy/dev/stack for this benchmark's instance; its output goes to STACK_LOG. Every nginx rate
# limit (login, token, general) is raised to NGINX_RATE / NGINX_BURST so that none can cap the figures.
stack() {
    local env=(CW_STACK_DIR="$STACK_DIR" CW_HTTPS_PORT="$HTTPS_PORT" CW_HTTP_PORT="$HTTP_PORT" CW_SKIP_BUILD=1
        CW_BUILD_CONFIG=release CW_ENVIRONMENT=development CW_LISTEN=loopback CW_NGINX_WORKERS="$NGINX_WORKERS"
        CW_NGINX_LOGIN_RATE="$NGINX_RATE" CW_NGINX_LOGIN_BURST="$NGINX_BURST"
        CW_NGINX_TOKEN_RATE="$NGINX_RATE" CW_NGINX_TOKEN_BURST="$NGINX_BURST"
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
        port_free "$port" || die "127.0.0.1:$port is already in use (set ${SETTINGS_PREFIX}_HTTPS_PORT / _HTTP_PORT)"
    done
    if [[ -s "$CONF" ]] && ! grep -qx "app_url = $BASE_URL" "$CONF"; then
        warn "$CONF was written for another port (app_url is not $BASE_URL); delete it to have it regenerated"
    fi
    say "starting the bench stack in $STACK_DIR (deploy/dev/stack up; log $STACK_LOG)"
    stack up || {
        show_tail "$STACK_LOG" 30
        die "deploy/dev/stack up failed (log: $STACK_LOG)"
    }
    APP_PID="$(pid_of "$APP_PIDFILE" catalystwells)" || die "the app pool is not running after stack up"
    NGINX_PID="$(pid_of "$NGINX_PIDFILE" nginx)" || die "nginx is not running after stack up"
    DB_PID="$(pid_of "$DB_PIDFILE" mariadbd)" || die "MariaDB is not running after stack up"
    [[ -s "$DEMO_JSON" ]] || die "the stack wrote no $DEMO_JSON"
}

# open_stack_bench: the lock, the exit trap, packages, the binary, the stack and an empty results file.
open_stack_bench() {
    mkdir -p "$STACK_DIR"
    exec 9>"$STACK_DIR/bench.lock"
    flock -n 9 || die "another bench run holds $STACK_DIR/bench.lock"
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
}

# ----------------------------------------------------------------------------- HTTP

curl_setup() { CURL=(curl -sS --max-time 60 --cacert "$CA_FILE" --resolve "$APP_HOST:$HTTPS_PORT:127.0.0.1"); }

# json_field FILE EXPR: a value from a JSON file (EXPR indexes the parsed document `d`).
json_field() {
    "$PYTHON" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2], {"d": d}))' "$1" "$2"
}

# demo_field EXPR: a value from demo.json.
demo_field() { json_field "$DEMO_JSON" "$1"; }

# check_page PATH MARKER [CURL ARGS...]: one request must answer 200 and contain MARKER; prints the size.
check_page() {
    local path="$1" marker="$2" body="$WRK_DIR/check.body" code
    shift 2
    code="$("${CURL[@]}" "$@" -o "$body" -w '%{http_code}' "$BASE_URL$path" || true)"
    [[ "$code" == 200 ]] || die "$path answered '$code', not 200"
    grep -qF -- "$marker" "$body" || die "$path: the answer does not contain '$marker'"
    stat -c %s "$body"
}

# write_lua FILE METHOD COOKIE [BODY [HEADER...]]: a wrk script that connects to 127.0.0.1 while the URL host
# (TLS SNI and Host header) stays app.localhost — nginx picks the server by both and refuses unknown names — and
# counts the answers by status (printed as "cw-status CODE COUNT" when the run ends) and, when a script adds to
# it, the table `counts` (printed as "cw-count NAME COUNT"). A HEADER is "Name: value"; values must not hold
# quotes or backslashes.
write_lua() {
    local file="$1" method="$2" cookie="$3" body="${4:-}" header
    shift $(($# < 4 ? $# : 4))
    {
        echo "-- Generated by bench/${0##*/}."
        echo 'local lookup = wrk.lookup'
        echo 'wrk.resolve = function(host, service) wrk.addrs = lookup("127.0.0.1", service) end'
        echo "wrk.method = \"$method\""
        [[ -z "$cookie" ]] || echo "wrk.headers[\"Cookie\"] = \"$cookie\""
        for header in "$@"; do echo "wrk.headers[\"${header%%: *}\"] = \"${header#*: }\""; done
        if [[ -n "$body" ]]; then
            echo "wrk.body = \"$body\""
            echo 'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"'
        fi
        cat <<'LUA'
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {}; counts = {} end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
local function sum(name)
  local total = {}
  for _, thread in ipairs(threads) do
    for key, n in pairs(thread:get(name) or {}) do total[key] = (total[key] or 0) + n end
  end
  return total
end
function done(summary, latency, requests)
  for code, n in pairs(sum("statuses")) do io.write(string.format("cw-status %d %d\n", code, n)) end
  for name, n in pairs(sum("counts")) do io.write(string.format("cw-count %s %d\n", name, n)) end
end
LUA
    } >"$file"
}

# ----------------------------------------------------------------------------- OAuth

# code_flow EMAIL PASSWORD CLIENT_ID SECRET REDIRECT_URI VERIFIER: the authorization code flow once, as a
# browser and the client's back end would run it, with the standard library only: GET /login, POST /login,
# GET /authsso (PKCE S256), the consent form's POST with decision=approve when the page shows, the code exchange
# (client_secret_basic), and GET /authsso once more, which must now answer 303 with a code straight away.
# Uses SCOPE, and FLOW_JSON (the caller's). Writes FLOW_JSON: the session cookie, the access token, the authorization path, whether consent was asked.
code_flow() {
    CW_BENCH_PASSWORD="$2" CW_BENCH_SECRET="$4" "$PYTHON" - "$APP_HOST" "$HTTPS_PORT" "$CA_FILE" "$1" "$3" "$5" \
        "$SCOPE" "$6" >"$FLOW_JSON" <<'PY'
import base64, hashlib, html.parser, http.client, json, os, re, socket, ssl, sys
import urllib.parse as up

host, port, ca, email, client_id, redirect_uri, scope, verifier = sys.argv[1:9]
port = int(port)
context = ssl.create_default_context(cafile=ca)


class Connection(http.client.HTTPSConnection):
    """Connects to 127.0.0.1 while SNI and Host stay the site's name, as wrk does."""

    def connect(self):
        raw = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        self.sock = context.wrap_socket(raw, server_hostname=self.host)


def fail(message):
    sys.exit("code flow: " + message)


def call(method, path, headers=None, form=None):
    headers = dict(headers or {})
    body = None
    if form is not None:
        body = up.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection = Connection(host, port, timeout=30, context=context)
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    text = response.read().decode("utf-8", "replace")
    connection.close()
    return response.status, response.headers, text


def cookie(headers, name):
    for value in headers.get_all("Set-Cookie") or []:
        match = re.match(re.escape(name) + r"=([^;]*)", value)
        if match:
            return match.group(1)
    fail("no %s cookie was set" % name)


class ConsentForm(html.parser.HTMLParser):
    """The fields of the form that posts to /authsso."""

    def __init__(self):
        super().__init__()
        self.inside = False
        self.fields = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("action", "").split("?")[0] == "/authsso"
        elif tag == "input" and self.inside and attrs.get("type") == "hidden" and attrs.get("name"):
            self.fields.append((attrs["name"], attrs.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def code_of(status, headers, what):
    location = headers.get("Location") or ""
    query = up.parse_qs(up.urlsplit(location).query)
    if status != 303 or not location.startswith(redirect_uri + "?") or "code" not in query:
        fail("%s answered %d (Location %r), not 303 to the redirect URI with a code" % (what, status, location))
    if query.get("state") != ["bench"]:
        fail("%s did not return the state untouched" % what)
    return query["code"][0]


# Sign in.
status, headers, page = call("GET", "/login")
match = re.search(r'name="csrf" value="([^"]*)"', page)
if status != 200 or not match:
    fail("GET /login answered %d without a csrf field" % status)
form_cookie = cookie(headers, "__Host-cw_form")
status, headers, _ = call(
    "POST", "/login", {"Cookie": "__Host-cw_form=" + form_cookie},
    {"csrf": match.group(1), "identifier": email, "password": os.environ["CW_BENCH_PASSWORD"]})
if status != 303:
    fail("POST /login as %s answered %d, not 303" % (email, status))
session = cookie(headers, "__Host-cw_session")
signed_in = {"Cookie": "__Host-cw_session=" + session}

# Authorize, with PKCE S256.
challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
authorize_path = "/authsso?" + up.urlencode({
    "response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri, "scope": scope,
    "state": "bench", "nonce": "bench", "code_challenge": challenge, "code_challenge_method": "S256",
}, quote_via=up.quote)
status, headers, page = call("GET", authorize_path, signed_in)
consent = "remembered"
if status == 200:
    parser = ConsentForm()
    parser.feed(page)
    if not any(name == "csrf" for name, _ in parser.fields):
        fail("GET /authsso answered 200 without a consent form")
    consent = "asked and approved"
    status, headers, _ = call("POST", "/authsso", signed_in, parser.fields + [("decision", "approve")])
    what = "the consent POST"
else:
    what = "GET /authsso"
code = code_of(status, headers, what)

# Exchange the code.
basic = base64.b64encode(("%s:%s" % (up.quote(client_id, safe=""), up.quote(os.environ["CW_BENCH_SECRET"], safe=""))).encode()).decode()
status, headers, text = call(
    "POST", "/api/oauth/token", {"Authorization": "Basic " + basic},
    {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, "code_verifier": verifier})
try:
    tokens = json.loads(text)
except ValueError:
    tokens = {}
if status != 200 or "access_token" not in tokens:
    fail("the code exchange answered %d: %s" % (status, text[:300]))
if "id_token" not in tokens:
    fail("the code exchange gave no ID token for scope %r" % scope)

# The consent is now remembered: the same request answers 303 with a code straight away.
code_of(*call("GET", authorize_path, signed_in)[:2], "GET /authsso (consent remembered)")

json.dump({
    "session": session, "access_token": tokens["access_token"], "scope": tokens.get("scope", ""),
    "authorize_path": authorize_path, "consent": consent, "basic": basic,
}, sys.stdout)
PY
}

# ----------------------------------------------------------------------------- wrk

# parse_wrk FILE EXPECTED: "req/s p50_ms p99_ms errors requests mean_ms kb_per_request expected_count other_statuses"
# (EXPECTED: one status or several separated by commas, e.g. 200,303).
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
        /^cw-status / { if (index("," want ",", "," $2 ",")) good += $3; else { others = others sep $2 "x" $3; sep = "," } }
        END {
            printf "%.1f %.2f %.2f %d %d %.2f %.1f %d %s\n", rps, p50, p99, errors, requests, mean,
                (requests > 0) ? bytes / requests : 0, good, (others == "") ? "-" : others
        }
    ' "$1"
}

# answers FILE: the answers of a wrk run by status, e.g. "200 x 5120, 303 x 5121", from its cw-status lines.
answers() {
    awk '/^cw-status / { list = list sep $2 " x " $3; sep = ", " } END { print (list == "") ? "none" : list }' \
        <(grep '^cw-status ' "$1" | sort -n -k2)
}

# measure KEY PATH CONNS THREADS LUA EXPECTED [TIMEOUT [COUNT_SQL]]: one wrk run. Stores in R[KEY]:
#   rps p50 p99 errors requests mean kb/req good others app_us ngx_us db_us app_cores ngx_cores db_cores
#   wrk_cores other_cores busy_cores statements/req selects/req writes/req served
# and the raw output's path in WRK_FILE[KEY]. Cores busy are taken over the wrk run. With COUNT_SQL (a SELECT
# COUNT(*) of what each request, or each unit of work, leaves behind), the requests still in flight when wrk
# stops are waited for and the per-request figures divide by what the server completed (that count, "served"):
# for slow requests such as sign-ins, wrk's count misses up to one request per connection whose CPU the server
# still spends. Without it, "served" is wrk's count.
measure() {
    local key="$1" path="$2" conns="$3" threads="$4" lua="$5" want="$6" timeout="${7:-}" count_sql="${8:-}"
    local file="$WRK_DIR/$STAMP-${key//[|\/]/_}.txt"
    local app0 app1 nginx0 nginx1 db0 db1 wrk0 wrk1 machine0 machine1 stmt0 stmt1 count0=0 count1=0 polls=0 args=()
    WRK_FILE[$key]="$file"
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

# warm_up PATH LUA: an unmeasured wrk run at CONNS connections.
warm_up() {
    local path="$1" lua="$2"
    wrk -t"$WRK_THREADS" -c"$CONNS" -d"$WARMUP" -s "$lua" "$BASE_URL$path" >/dev/null 2>&1 || true
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

# machine_facts TITLE SETTINGS: the report's header (SETTINGS: the benchmark's own settings line).
machine_facts() {
    out "$1 — $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
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
        "${STACK_DIR#"$REPO_DIR"/}" "$BASE_URL" "$(config_value pool.app workers 2)" "$(config_value pool.app threads 4)" \
        "$(config_value pool.app max_requests 10000)" "$NGINX_WORKERS"
    outf '            TLS (wrk: HTTP/1.1 keep-alive), access log on, login, token and general limits %s burst %s' \
        "$NGINX_RATE" "$NGINX_BURST"
    out "  settings  $2"
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

# idle_rss_mb: the largest VmRSS in MB of the app pool's workers now.
idle_rss_mb() {
    local child largest=0 rss
    for child in $(children "$APP_PID"); do
        rss="$(awk '/^VmRSS:/ { print $2 }' "/proc/$child/status" 2>/dev/null || echo 0)"
        ((rss > largest)) && largest="$rss"
    done
    awk -v k="$largest" 'BEGIN { printf "%.1f", k / 1024 }'
}

# cpu_line KEY UNIT: CPU per request (or per UNIT) and cores busy for a stored run.
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

# best_run ROUTE CONNS: the key of ROUTE's run with the most req/s over the ROUNDS rounds (other load on a shared
# machine only lowers figures).
best_run() {
    local round best="$1|$2|1"
    local -a r s
    for ((round = 2; round <= ROUNDS; round++)); do
        read -r -a r <<<"${R[$1|$2|$round]:-0}"
        read -r -a s <<<"${R[$best]:-0}"
        awk -v a="${r[0]}" -v b="${s[0]}" 'BEGIN { exit !(a > b) }' && best="$1|$2|$round"
    done
    echo "$best"
}

# ratio A B: A / B with two decimals, or "-".
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

# verdict VALUE TARGET: "met" when VALUE >= TARGET, else "not met".
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v != "-" && v >= t) ? "met" : "not met" }'; }

# round_ratios ROUTE REFERENCE CONNS: " r1 r2 …", ROUTE's req/s over REFERENCE's within each round.
round_ratios() {
    local round list=""
    for ((round = 1; round <= ROUNDS; round++)); do
        list+=" $(ratio "${R[$1|$3|$round]%% *}" "${R[$2|$3|$round]%% *}")"
    done
    echo "$list"
}

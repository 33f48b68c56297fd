#!/usr/bin/env bash
# Soak: SOAK_MINUTES of mixed load at 64 connections through the dev stack's TLS nginx, with worker recycling on,
# watching what a long run would show: 5xx answers, resident memory growing, file descriptors or MariaDB
# connections leaking, latency drifting.
#
#   bench/soak.sh                     (or make soak)
#   SOAK_MINUTES=2 bench/soak.sh      a short run for trying (warm-up 30 s)
#
# Starts a private dev stack (deploy/dev/stack up, as the other dev-stack benchmarks do) with every nginx rate limit
# and the app's per-app API limit raised so that neither is what is measured, and with the pools' max_requests set
# low (SOAK_MAX_REQUESTS, SOAK_PORTAL_MAX_REQUESTS) so that workers recycle many times during the run. Creates
# SOAK_DEVELOPERS developer accounts (SQL, the demo password's hash), signs in 8 demo students and 8 demo parents and
# authorizes demo-confidential for each with offline_access (bench/soak_setup.py), then runs, in windows of
# SOAK_WINDOW seconds back to back, nine wrk processes at once (one thread each; connections add up to 64):
#   app sign-in      2  GET /login, POST /login with its csrf field and form cookie, cycling through all 100 demo
#                       students and parents (so no one person's throttle counts); SOAK_SIGNIN_DELAY_MS between
#                       requests (argon2id is 64 MiB and tens of ms: paced, so hashing is not all the soak measures)
#   portal sign-in   2  the same on the developers site, cycling through the soak's developers
#   code exchange    6  GET /authsso (consent remembered: 303 with a code, PKCE S256), then POST /api/oauth/token
#   refresh          6  POST /api/oauth/token grant_type=refresh_token, each answer's new refresh token used next
#                       (carried from window to window; 18 families); a family lost when a window ends mid-request
#                       is replaced by a new authorization and exchange ("refills", about 6 a window)
#   introspection    8  POST /api/oauth/introspect of the people's access tokens (client_secret_basic)
#   userinfo         8  GET /api/oauth/userinfo with them
#   education API   14  GET /api/v1/me, /students/{id}/classes|grades|attendance, /parents/me/children
#   app pages       12  /student, /parent, /parent/children/{id}, /account/apps with the people's sessions
#   portal pages     6  /apps, /account, /docs, /apps/new, /account/sessions, /support with the developers' sessions
# Halfway through each window it samples the workers of both pools (resident memory, sum and max; open file
# descriptors), the supervisors, and MariaDB's Threads_connected. At the end it prints the totals per kind, the
# answers by status, every window's figures, and the verdicts:
#   - no 5xx and no request that timed out (wrk --timeout 10s);
#   - resident memory of all workers (sum): the median of the last third of the samples after the warm-up
#     (SOAK_WARMUP seconds: 120 by default, 30 with SOAK_MINUTES < 5) less than 5 % above the median of the first
#     third (workers of a recycling pool are young at one sample and old at the next: one sample says little);
#   - file descriptors of the workers and MariaDB connections flat: the median of the last third of the samples
#     after warm-up at most max(4, 10 %) above the median of the first third;
#   - p99 stable: per kind, the median p99 of the last third of the windows at most 2 x that of the first third
#     (the machine is shared: one slow window is noise, a trend is not).
# Exits 1 when a target is missed or the run could not be set up. Unexpected answers that are not 5xx (a broken
# chain, 4xx) are listed and fail the run when they exceed 1 % of a kind.
#
# Settings (environment):
#   SOAK_MINUTES              duration                                            (default 10)
#   SOAK_WINDOW               seconds per window (one sample each)                (default 10)
#   SOAK_WARMUP               seconds not counted for the memory and trend figures (default 120; 30 when minutes < 5)
#   SOAK_MAX_REQUESTS         pool.app.max_requests during the soak               (default 3000)
#   SOAK_PORTAL_MAX_REQUESTS  pool.developers.max_requests                        (default 1000)
#   SOAK_SIGNIN_DELAY_MS      pause before each sign-in request, per connection   (default 300)
#   SOAK_DEVELOPERS           developer accounts created and signed in            (default 4)
#   SOAK_HTTPS_PORT, SOAK_HTTP_PORT   the stack's ports                            (default 28743, 28383)
#   SOAK_DIR                  the stack's directory                               (default BENCH_DIR/soak)
#   BENCH_DIR, BENCH_BUILD, BENCH_NGINX_WORKERS, CW_BIN   as in bench/oauth.sh
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_DIR
BENCH_DIR="$(realpath -m "${BENCH_DIR:-$REPO_DIR/.run/bench}")"
STACK_DIR="$(realpath -m "${SOAK_DIR:-$BENCH_DIR/soak}")"
readonly BENCH_DIR STACK_DIR
readonly SETTINGS_PREFIX=SOAK

readonly MINUTES="${SOAK_MINUTES:-10}"
readonly WINDOW="${SOAK_WINDOW:-10}"
readonly MAX_REQUESTS="${SOAK_MAX_REQUESTS:-3000}"
readonly PORTAL_MAX_REQUESTS="${SOAK_PORTAL_MAX_REQUESTS:-1000}"
readonly SIGNIN_DELAY_MS="${SOAK_SIGNIN_DELAY_MS:-300}"
readonly DEVELOPERS="${SOAK_DEVELOPERS:-4}"
readonly HTTPS_PORT="${SOAK_HTTPS_PORT:-28743}"
readonly HTTP_PORT="${SOAK_HTTP_PORT:-28383}"
readonly NGINX_WORKERS="${BENCH_NGINX_WORKERS:-1}"
readonly BUILD="${BENCH_BUILD:-auto}"
readonly BIN="${CW_BIN:-$REPO_DIR/.build/release/catalystwells}"
readonly NGINX_RATE="1000000r/s"
readonly NGINX_BURST="1000000"
readonly PACKAGES=(wrk curl procps iproute2)
readonly STUDENT_INDEX=0
# Read by check_stack_settings; the soak's own durations are SOAK_MINUTES and SOAK_WINDOW.
readonly DURATION="${WINDOW}s" WARMUP=1s CONNS=64 WRK_THREADS=1 ROUNDS=1

# kind:connections:site:expected statuses
readonly KINDS=(app_signin:2:app:200,303 portal_signin:2:developers:200,303 exchange:6:app:200,303
    refresh:6:app:200,303 introspect:8:app:200 userinfo:8:app:200 api:14:app:200 app_pages:12:app:200
    portal_pages:6:developers:200)
declare -A LABEL=([app_signin]="app sign-in" [portal_signin]="portal sign-in" [exchange]="code exchange"
    [refresh]="refresh" [introspect]="introspection" [userinfo]="userinfo" [api]="education API"
    [app_pages]="app pages" [portal_pages]="portal pages")

# The API's per-app bucket at its maximum and the recycling knob, through the pools' environment.
export CATALYSTWELLS_API_RATE_LIMIT_PER_MINUTE=1000000 CATALYSTWELLS_API_RATE_LIMIT_BURST=1000000
export CATALYSTWELLS_POOL_APP_MAX_REQUESTS="$MAX_REQUESTS"
export CATALYSTWELLS_POOL_DEVELOPERS_MAX_REQUESTS="$PORTAL_MAX_REQUESTS"

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
stack_paths
readonly DEV_URL="https://developers.localhost:$HTTPS_PORT"
readonly DATA_LUA="$WRK_DIR/soak-data.lua" REFRESH_STATE="$WRK_DIR/soak-refresh-state.lua"
readonly WINDOWS_TSV="$WRK_DIR/soak-windows.tsv" SAMPLES_TSV="$WRK_DIR/soak-samples.tsv"
DEV_PID=""

check_settings() {
    check_stack_settings
    [[ "$MINUTES" =~ ^[1-9][0-9]{0,3}$ ]] || die "SOAK_MINUTES '$MINUTES' is not a number of minutes"
    [[ "$WINDOW" =~ ^[1-9][0-9]{0,2}$ ]] && ((WINDOW >= 4)) || die "SOAK_WINDOW '$WINDOW' must be 4-999 seconds"
    local name
    for name in MAX_REQUESTS PORTAL_MAX_REQUESTS SIGNIN_DELAY_MS DEVELOPERS; do
        [[ "${!name}" =~ ^[0-9]{1,9}$ ]] || die "SOAK_$name '${!name}' is not a count"
    done
    ((DEVELOPERS >= 1)) || die "SOAK_DEVELOPERS must be at least 1"
    WARMUP_SECONDS="${SOAK_WARMUP:-$((MINUTES < 5 ? 30 : 120))}"
    [[ "$WARMUP_SECONDS" =~ ^[0-9]{1,5}$ ]] && ((WARMUP_SECONDS < MINUTES * 60)) ||
        die "SOAK_WARMUP '$WARMUP_SECONDS' must be seconds shorter than the run"
    readonly WARMUP_SECONDS
}

# ----------------------------------------------------------------------------- wrk scripts

# write_kind_lua KIND FILE CONNS: the kind's wrk script. Each reads the set-up's data (soak_setup.py), connects to 127.0.0.1
# while the URL's host stays the TLS name and Host, counts the answers by status ("cw-status CODE COUNT") and the
# kind's own events ("cw-count NAME COUNT").
write_kind_lua() {
    local kind="$1" file="$2"
    {
        echo "-- Generated by bench/soak.sh ($kind)."
        echo "local data = dofile(\"$DATA_LUA\")"
        echo "local state_file = \"$REFRESH_STATE\""
        echo "local delay_ms = $SIGNIN_DELAY_MS"
        cat <<'LUA'
local lookup = wrk.lookup
wrk.resolve = function(host, service) wrk.addrs = lookup("127.0.0.1", service) end
local threads = {}
function setup(thread) table.insert(threads, thread) end
statuses = {}
counts = {}
local function count(name) counts[name] = (counts[name] or 0) + 1 end
local function seen(status) statuses[status] = (statuses[status] or 0) + 1 end
local function header(headers, name) return headers[name] or headers[string.lower(name)] end
local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
local form = "application/x-www-form-urlencoded"
-- Each run starts its rotations at a different place.
math.randomseed(os.time())
local positions = {}
local function next_of(list)
  positions[list] = ((positions[list] or math.random(#list)) % #list) + 1
  return list[positions[list]]
end
local function sum(name)
  local total = {}
  for _, thread in ipairs(threads) do
    for key, n in pairs(thread:get(name) or {}) do total[key] = (total[key] or 0) + n end
  end
  return total
end
local save_state = nil
function done(summary, latency, requests)
  for code, n in pairs(sum("statuses")) do io.write(string.format("cw-status %d %d\n", code, n)) end
  for name, n in pairs(sum("counts")) do io.write(string.format("cw-count %s %d\n", name, n)) end
  if save_state then save_state() end
end
local token_headers = function()
  return { Authorization = "Basic " .. data.basic, ["Content-Type"] = form }
end
local exchange_body = "grant_type=authorization_code&redirect_uri=" .. data.redirect .. "&code_verifier=" .. data.verifier .. "&code="
-- The chained code exchange: a code received on any connection of the thread is exchanged by its next request.
local codes = {}
local function authorize_or_exchange()
  local code = table.remove(codes, 1)
  if code then return wrk.format("POST", "/api/oauth/token", token_headers(), exchange_body .. code) end
  local session = next_of(data.sessions)
  return wrk.format("GET", session.path, { Cookie = session.cookie })
end
local function take_code(headers)
  local code = (header(headers, "Location") or ""):match("[?&]code=([^&]+)")
  if code then table.insert(codes, code) else count("redirect-without-code") end
end
LUA
        case "$kind" in
            app_signin | portal_signin)
                if [[ "$kind" == app_signin ]]; then
                    echo 'local form_cookie, name_field = "__Host%-cw_form", "identifier"'
                    echo 'local function next_person() return next_of(data.users), data.password end'
                else
                    echo 'local form_cookie, name_field = "__Host%-cwd_form", "email"'
                    echo 'local function next_person() local d = next_of(data.developers); return d.email, d.password end'
                fi
                cat <<'LUA'
-- GET /login, then POST /login with the page's csrf field and form cookie; paced (argon2id).
local queue = {}
function delay() return delay_ms end
function request()
  local step = table.remove(queue, 1)
  if step then return step end
  return wrk.format("GET", "/login", {})
end
function response(status, headers, body)
  seen(status)
  if status == 200 then
    local csrf = body:match('name="csrf" value="([^"]+)"')
    local cookie = (header(headers, "Set-Cookie") or ""):match("(" .. form_cookie .. "=[^;]+)")
    if csrf and cookie then
      local name, password = next_person()
      table.insert(queue, wrk.format("POST", "/login", { Cookie = cookie, ["Content-Type"] = form },
        "csrf=" .. urlencode(csrf) .. "&" .. name_field .. "=" .. urlencode(name) .. "&password=" .. urlencode(password)))
    else
      count("form-without-csrf-or-cookie")
    end
  elseif status == 303 then
    if (header(headers, "Location") or ""):find("/login", 1, true) then count("sent-back-to-login") else count("signed-in") end
  end
end
LUA
                ;;
            exchange)
                cat <<'LUA'
request = authorize_or_exchange
function response(status, headers, body)
  seen(status)
  if status == 303 then take_code(headers)
  elseif status == 200 then
    if body:find('"access_token"', 1, true) then count("exchanges") else count("200-without-access-token") end
  end
end
LUA
                ;;
            refresh)
                cat <<'LUA'
-- The refresh tokens: carried over from the last window, or the set-up's at the first (no state file yet).
tokens = {}
local ok, carried = pcall(dofile, state_file)
for _, token in ipairs((ok and type(carried) == "table") and carried or data.refresh) do table.insert(tokens, token) end
-- Families: the tokens waiting plus the requests in flight. The requests in flight when a window ends are lost
-- (their new tokens are never read), so there are three families per connection: a window passes on two thirds.
local in_flight = 0
local families = 3 * @@CONNS@@
function request()
  local before = in_flight
  in_flight = in_flight + 1
  if #codes > 0 then return authorize_or_exchange() end
  if #tokens > 0 and #tokens + before >= families then
    return wrk.format("POST", "/api/oauth/token", token_headers(),
      "grant_type=refresh_token&refresh_token=" .. table.remove(tokens, 1))
  end
  -- Too few families: start a new one (an authorization and a code exchange).
  count("refills")
  return authorize_or_exchange()
end
function response(status, headers, body)
  seen(status)
  in_flight = in_flight - 1
  if status == 303 then take_code(headers)
  elseif status == 200 then
    local token = body:match('"refresh_token"%s*:%s*"([^"]+)"')
    if token then table.insert(tokens, token); count("new-refresh-tokens") else count("200-without-refresh-token") end
  end
end
save_state = function()
  local file = assert(io.open(state_file, "w"))
  file:write("return {\n")
  for _, thread in ipairs(threads) do
    for _, token in ipairs(thread:get("tokens") or {}) do file:write(string.format("%q,\n", token)) end
  end
  file:write("}\n")
  file:close()
end
LUA
                ;;
            introspect)
                cat <<'LUA'
function request()
  return wrk.format("POST", "/api/oauth/introspect", token_headers(), "token=" .. next_of(data.access))
end
function response(status, headers, body)
  seen(status)
  if status == 200 then
    if body:find('"active":true', 1, true) then count("active") else count("inactive") end
  end
end
LUA
                ;;
            userinfo)
                cat <<'LUA'
function request()
  return wrk.format("GET", "/api/oauth/userinfo", { Authorization = "Bearer " .. next_of(data.access) })
end
function response(status, headers, body) seen(status) end
LUA
                ;;
            api)
                cat <<'LUA'
function request()
  local call = next_of(data.api)
  return wrk.format("GET", call.path, { Authorization = "Bearer " .. call.token })
end
function response(status, headers, body) seen(status) end
LUA
                ;;
            app_pages | portal_pages)
                echo "local pages = data.$kind"
                cat <<'LUA'
function request()
  local page = next_of(pages)
  return wrk.format("GET", page.path, { Cookie = page.cookie })
end
function response(status, headers, body) seen(status) end
LUA
                ;;
            *) die "unknown kind $kind" ;;
        esac
    } | sed "s/@@CONNS@@/$3/" >"$file"
}

# ----------------------------------------------------------------------------- sampling

# pool_workers: the worker pids of both pools, one a line.
pool_workers() {
    children "$APP_PID"
    children "$DEV_PID"
}

# sample WINDOW SECONDS: one line of SAMPLES_TSV: window, seconds since the start, workers, RSS sum and max of the
# workers (MB), RSS of the two supervisors (MB), open fds of the workers (sum), of the supervisors, MariaDB
# Threads_connected, MariaDB RSS (MB).
sample() {
    local pid rss fds sum=0 max=0 count=0 fd_sum=0 sup_rss sup_fds threads db_rss
    for pid in $(pool_workers); do
        rss="$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)" || continue
        [[ -n "$rss" ]] || continue
        fds="$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)"
        sum=$((sum + rss))
        ((rss > max)) && max=$rss
        fd_sum=$((fd_sum + fds))
        count=$((count + 1))
    done
    sup_rss="$(awk '/^VmRSS:/ { s += $2 } END { print s + 0 }' "/proc/$APP_PID/status" "/proc/$DEV_PID/status" 2>/dev/null)"
    sup_fds="$(find "/proc/$APP_PID/fd" "/proc/$DEV_PID/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)"
    threads="$(db_root -N -s -e "SHOW GLOBAL STATUS LIKE 'Threads_connected'" 2>/dev/null | awk '{ print $2 }')"
    db_rss="$(awk '/^VmRSS:/ { print $2 }' "/proc/$DB_PID/status" 2>/dev/null)"
    printf '%s\t%s\t%s\t%.1f\t%.1f\t%.1f\t%s\t%s\t%s\t%.1f\n' "$1" "$2" "$count" "$(awk -v k="$sum" 'BEGIN { print k / 1024 }')" \
        "$(awk -v k="$max" 'BEGIN { print k / 1024 }')" "$(awk -v k="${sup_rss:-0}" 'BEGIN { print k / 1024 }')" \
        "$fd_sum" "$sup_fds" "${threads:-0}" "$(awk -v k="${db_rss:-0}" 'BEGIN { print k / 1024 }')" >>"$SAMPLES_TSV"
}

# record_window WINDOW SECONDS KIND FILE EXPECTED: one line of WINDOWS_TSV from a wrk output: window, seconds, kind,
# requests, p50 ms, p99 ms, 5xx, timeouts, other socket errors, unexpected answers (not 5xx), statuses, counts.
record_window() {
    awk -v w="$1" -v t="$2" -v kind="$3" -v want="$5" '
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
        /Socket errors:/ { gsub(/,/, ""); errors += $4 + $6 + $8; timeouts += $10 }
        /^cw-status / {
            statuses = statuses sep $2 "x" $3; sep = ","
            if ($2 >= 500) fivexx += $3
            else if (!index("," want ",", "," $2 ",")) unexpected += $3
        }
        /^cw-count / { counts = counts csep $2 "=" $3; csep = "," }
        END {
            printf "%s\t%s\t%s\t%d\t%.2f\t%.2f\t%d\t%d\t%d\t%d\t%s\t%s\n", w, t, kind, requests, p50, p99, fivexx,
                timeouts, errors, unexpected, (statuses == "") ? "-" : statuses, (counts == "") ? "-" : counts
        }' "$4" >>"$WINDOWS_TSV"
}

# ----------------------------------------------------------------------------- set-up

create_developers() {
    local i values="" hash
    hash="$(db_root -N -s -e "SELECT password_hash FROM users WHERE username = 'student01'")"
    [[ "$hash" == \$argon2id\$* ]] || die "no argon2id hash for student01 in the soak stack"
    : >"$WRK_DIR/soak-developers.txt"
    for ((i = 1; i <= DEVELOPERS; i++)); do
        values+="${values:+,}('soak-dev-$i@soak.example.org', 'Soak Developer $i', '$hash', 'active', NOW(6), NOW(6), NOW(6))"
        echo "soak-dev-$i@soak.example.org $(demo_field "d['password']")" >>"$WRK_DIR/soak-developers.txt"
    done
    mariadb --no-defaults --socket="$DB_SOCKET" -uroot catalyst_developers -e "
        DELETE FROM developer_sessions WHERE developer_id IN (SELECT id FROM developers WHERE email LIKE 'soak-dev-%');
        INSERT INTO developers (email, name, password_hash, state, terms_accepted_at, created_at, updated_at)
        VALUES $values ON DUPLICATE KEY UPDATE password_hash = VALUES(password_hash), state = 'active',
            totp_enabled_at = NULL, totp_secret_sealed = NULL" || die "could not create the soak's developer accounts"
}

# ----------------------------------------------------------------------------- report helpers

# median_of FILE COLUMN FROM TO: the median of COLUMN over the rows whose 2nd column (seconds) is in [FROM, TO).
median_of() {
    awk -F'\t' -v c="$2" -v from="$3" -v to="$4" '$2 >= from && $2 < to { print $c }' "$1" | sort -g |
        awk '{ v[++n] = $1 } END { if (!n) print "-"; else printf "%.1f\n", (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }'
}

# spread_of FILE COLUMN FROM: "min / median / max" of COLUMN over the rows from FROM seconds on.
spread_of() {
    awk -F'\t' -v c="$2" -v from="$3" '$2 >= from { print $c }' "$1" | sort -g |
        awk '{ v[++n] = $1 } END { if (!n) print "-"; else printf "%.1f / %.1f / %.1f", v[1],
            (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2, v[n] }'
}

# ----------------------------------------------------------------------------- main

main() {
    check_settings
    open_stack_bench
    DEV_PID="$(pid_of "$STACK_DIR/run/developers.pid" catalystwells)" || die "the developers pool is not running"
    local total=$((MINUTES * 60)) windows=$(((MINUTES * 60 + WINDOW - 1) / WINDOW))
    machine_facts "CatalystWells soak" "$(printf '%s min in %s windows of %s s, 64 connections (%s), warm-up %s s; max_requests for the soak (environment, over the stack line above): app %s, developers %s; sign-in pause %s ms' \
        "$MINUTES" "$windows" "$WINDOW" "$(for k in "${KINDS[@]}"; do IFS=: read -r n c _ <<<"$k"; printf '%s %s, ' "$n" "$c"; done | sed 's/, $//')" \
        "$WARMUP_SECONDS" "$MAX_REQUESTS" "$PORTAL_MAX_REQUESTS" "$SIGNIN_DELAY_MS")"

    say "creating $DEVELOPERS developer accounts; clearing the sign-in throttle"
    db_root -e "DELETE FROM sign_in_throttle" || die "could not clear the sign-in throttle"
    create_developers
    say "signing in the soak's people and authorizing demo-confidential (bench/soak_setup.py)"
    "$PYTHON" "$REPO_DIR/bench/soak_setup.py" "$HTTPS_PORT" "$CA_FILE" "$DEMO_JSON" "$WRK_DIR/soak-developers.txt" \
        "$DATA_LUA" >"$WRK_DIR/soak-setup.json" || die "the soak's set-up failed (see above)"
    out "  set-up: $(cat "$WRK_DIR/soak-setup.json")"
    rm -f "$REFRESH_STATE"
    : >"$WINDOWS_TSV"
    : >"$SAMPLES_TSV"

    local entry kind conns site want
    for entry in "${KINDS[@]}"; do
        IFS=: read -r kind conns site want <<<"$entry"
        write_kind_lua "$kind" "$WRK_DIR/soak-$kind.lua" "$conns"
    done

    local app_log_start dev_log_start
    app_log_start="$(stat -c %s "$LOG_DIR/app.log")"
    dev_log_start="$(stat -c %s "$LOG_DIR/developers.log")"
    memory_line "before the soak"
    say "soak: $windows windows of $WINDOW s (results: $RESULTS)"
    local w start=$SECONDS elapsed url pids file
    for ((w = 1; w <= windows; w++)); do
        elapsed=$((SECONDS - start))
        pids=()
        for entry in "${KINDS[@]}"; do
            IFS=: read -r kind conns site want <<<"$entry"
            url="$BASE_URL"
            [[ "$site" == developers ]] && url="$DEV_URL"
            file="$WRK_DIR/soak-$w-$kind.txt"
            timeout $((WINDOW + 30)) wrk -t1 -c"$conns" -d"${WINDOW}s" --timeout 10s --latency \
                -s "$WRK_DIR/soak-$kind.lua" "$url/" >"$file" 2>&1 &
            pids+=("$!")
        done
        sleep $((WINDOW / 2))
        sample "$w" "$elapsed"
        for pid in "${pids[@]}"; do wait "$pid" || warn "a wrk of window $w exited with an error"; done
        for entry in "${KINDS[@]}"; do
            IFS=: read -r kind conns site want <<<"$entry"
            record_window "$w" "$elapsed" "$kind" "$WRK_DIR/soak-$w-$kind.txt" "$want"
        done
        awk -F'\t' -v w="$w" -v n="$windows" -v t="$elapsed" '$1 == w { r += $4; x += $7; o += $8 }
            END { printf "==> window %d/%d (t=%ds): %d requests, 5xx %d, timeouts %d\n", w, n, t, r, x, o }' \
            "$WINDOWS_TSV" >&2
        ((SECONDS - start < total)) || break
    done
    sleep 2
    memory_line "after the soak"
    report "$app_log_start" "$dev_log_start"
}

# report APP_LOG_START DEV_LOG_START: the figures and the verdicts; exits 1 when a target is missed.
report() {
    local failed=0 warm_end last_t kind entry conns site want
    last_t="$(awk -F'\t' 'END { print $2 }' "$SAMPLES_TSV")"
    warm_end="$WARMUP_SECONDS"

    out ""
    out "Totals per kind (all windows):"
    outf '  %-15s %5s %10s %8s  %-34s %s' kind conns requests "req/s" "answers (status x count)" "events"
    for entry in "${KINDS[@]}"; do
        IFS=: read -r kind conns site want <<<"$entry"
        awk -F'\t' -v kind="$kind" -v label="${LABEL[$kind]}" -v conns="$conns" -v seconds="$((last_t + WINDOW))" '
            $3 == kind {
                requests += $4; windows++
                n = split($11, s, ","); for (i = 1; i <= n; i++) { split(s[i], p, "x"); if (p[1] != "-") st[p[1]] += p[2] }
                n = split($12, c, ","); for (i = 1; i <= n; i++) { split(c[i], p, "="); if (p[1] != "-") ev[p[1]] += p[2] }
            }
            END {
                line = ""; sep = ""; for (k in st) { line = line sep k " x " st[k]; sep = ", " }
                events = ""; sep = ""; for (k in ev) { events = events sep k " " ev[k]; sep = ", " }
                printf "  %-15s %5s %10d %8.1f  %-34s %s\n", label, conns, requests, requests / seconds, line, events
            }' "$WINDOWS_TSV" | tee -a "$RESULTS"
    done
    local requests fivexx timeouts errors
    read -r requests fivexx timeouts errors < <(awk -F'\t' '{ r += $4; x += $7; t += $8; e += $9 } END { print r + 0, x + 0, t + 0, e + 0 }' "$WINDOWS_TSV")
    outf '  all kinds: %d requests in %s s (%.0f req/s); 5xx: %d; timed out: %d; other socket errors: %d' "$requests" \
        "$((last_t + WINDOW))" "$(awk -v r="$requests" -v t="$((last_t + WINDOW))" 'BEGIN { print r / t }')" "$fivexx" "$timeouts" "$errors"

    local recycled_app recycled_dev
    recycled_app="$(tail -c +"$(($1 + 1))" "$LOG_DIR/app.log" | grep -c 'reached max_requests' || true)"
    recycled_dev="$(tail -c +"$(($2 + 1))" "$LOG_DIR/developers.log" | grep -c 'reached max_requests' || true)"
    outf '  workers recycled (max_requests reached): app pool %s, developers pool %s' "$recycled_app" "$recycled_dev"

    out ""
    out "Per window: p50/p99 in ms per kind; samples halfway through the window (RSS in MB)"
    local header="  win     t"
    for entry in "${KINDS[@]}"; do header+="$(printf ' %13s' "${entry%%:*}" | cut -c1-14)"; done
    out "$header  | workers  rss-sum rss-max  sup-rss  fds sup-fds db-conn db-rss"
    local w
    for ((w = 1; w <= $(awk -F'\t' 'END { print $1 }' "$SAMPLES_TSV"); w++)); do
        local line
        line="$(awk -F'\t' -v w="$w" '$1 == w { printf "  %3d %5d", $1, $2; exit }' "$WINDOWS_TSV")"
        for entry in "${KINDS[@]}"; do
            line+="$(awk -F'\t' -v w="$w" -v kind="${entry%%:*}" '$1 == w && $3 == kind { printf " %6.1f/%6.1f", $5, $6 }' "$WINDOWS_TSV")"
        done
        line+="$(awk -F'\t' -v w="$w" -v warm="$warm_end" '$1 == w { printf "  | %7d %8.1f %7.1f %8.1f %4d %7d %7d %6.1f%s", $3, $4, $5, $6, $7, $8, $9, $10, ($2 < warm) ? "  (warm-up)" : "" }' "$SAMPLES_TSV")"
        out "$line"
    done

    # Thirds of the samples after warm-up.
    local span first_to last_from
    span=$((last_t - warm_end))
    ((span > 0)) || span=1
    first_to=$((warm_end + span / 3 + 1))
    last_from=$((last_t - span / 3))

    out ""
    out "Verdicts (after the warm-up of ${warm_end} s; first third = t < ${first_to} s, last third = t >= ${last_from} s):"
    if ((fivexx == 0 && timeouts == 0)); then
        outf '  5xx and timeouts: none in %d requests: met' "$requests"
    else
        outf '  5xx and timeouts: %d 5xx, %d timed out: NOT MET' "$fivexx" "$timeouts"
        failed=1
    fi

    # Workers of a recycling pool are young (small) at one sample and old at the next, and a worker that hashed a
    # password holds argon2id's 64 MiB: the thirds' medians, not single samples, are compared.
    local base final growth
    base="$(median_of "$SAMPLES_TSV" 4 "$warm_end" "$first_to")"
    final="$(median_of "$SAMPLES_TSV" 4 "$last_from" 999999)"
    growth="$(awk -v a="$base" -v b="$final" 'BEGIN { if (a > 0) printf "%+.1f", (b / a - 1) * 100; else print "-" }')"
    if awk -v g="$growth" 'BEGIN { exit !(g != "-" && g + 0 < 5) }'; then
        outf '  workers'"'"' resident memory (sum): median %s MB in the first third, %s MB in the last: %s %% (target < 5 %%): met' "$base" "$final" "$growth"
    else
        outf '  workers'"'"' resident memory (sum): median %s MB in the first third, %s MB in the last: %s %% (target < 5 %%): NOT MET' "$base" "$final" "$growth"
        failed=1
    fi
    outf '    (max of one worker: %s -> %s MB; supervisors %s -> %s MB; MariaDB %s -> %s MB)' \
        "$(median_of "$SAMPLES_TSV" 5 "$warm_end" "$first_to")" "$(median_of "$SAMPLES_TSV" 5 "$last_from" 999999)" \
        "$(median_of "$SAMPLES_TSV" 6 "$warm_end" "$first_to")" "$(median_of "$SAMPLES_TSV" 6 "$last_from" 999999)" \
        "$(median_of "$SAMPLES_TSV" 10 "$warm_end" "$first_to")" "$(median_of "$SAMPLES_TSV" 10 "$last_from" 999999)"

    local column name a b
    for column in 7:"workers' open file descriptors" 8:"supervisors' open file descriptors" 9:"MariaDB connections (Threads_connected)"; do
        name="${column#*:}"
        a="$(median_of "$SAMPLES_TSV" "${column%%:*}" "$warm_end" "$first_to")"
        b="$(median_of "$SAMPLES_TSV" "${column%%:*}" "$last_from" 999999)"
        if awk -v a="$a" -v b="$b" 'BEGIN { tol = a * 0.1; if (tol < 4) tol = 4; exit !(b <= a + tol) }'; then
            outf '  %s: median %s in the first third, %s in the last (range %s): flat, met' "$name" "$a" "$b" \
                "$(awk -F'\t' -v c="${column%%:*}" -v from="$warm_end" '$2 >= from { if (min == "" || $c < min) min = $c; if ($c > max) max = $c } END { print min "-" max }' "$SAMPLES_TSV")"
        else
            outf '  %s: median %s in the first third, %s in the last: growing, NOT MET' "$name" "$a" "$b"
            failed=1
        fi
    done

    out "  p99 per kind (ms): median of the first third -> of the last third; spread over the windows after warm-up (min / median / max):"
    for entry in "${KINDS[@]}"; do
        IFS=: read -r kind conns site want <<<"$entry"
        awk -F'\t' -v kind="$kind" '$3 == kind' "$WINDOWS_TSV" >"$WRK_DIR/soak-kind.tsv"
        a="$(median_of "$WRK_DIR/soak-kind.tsv" 6 "$warm_end" "$first_to")"
        b="$(median_of "$WRK_DIR/soak-kind.tsv" 6 "$last_from" 999999)"
        local spread verdict="stable"
        spread="$(spread_of "$WRK_DIR/soak-kind.tsv" 6 "$warm_end")"
        if ! awk -v a="$a" -v b="$b" 'BEGIN { exit !(a != "-" && b != "-" && b <= 2 * a) }'; then
            verdict="DRIFTING, NOT MET"
            failed=1
        fi
        outf '    %-15s %8s -> %8s   spread %-24s %s' "${LABEL[$kind]}" "$a" "$b" "$spread" "$verdict"
    done

    local unexpected
    unexpected="$(awk -F'\t' '{ u[$3] += $10; r[$3] += $4 } END { for (k in u) if (u[k] > 0) printf "%s%s %d of %d", (s++ ? ", " : ""), k, u[k], r[k] }' "$WINDOWS_TSV")"
    if [[ -n "$unexpected" ]]; then
        outf '  unexpected answers (not 5xx): %s' "$unexpected"
        if awk -F'\t' '{ u[$3] += $10; r[$3] += $4 } END { for (k in u) if (r[k] > 0 && u[k] > r[k] / 100) bad = 1; exit !bad }' "$WINDOWS_TSV"; then
            out "    more than 1 % of a kind: the load is not what it should be: NOT MET"
            failed=1
        fi
    else
        out "  unexpected answers (not 5xx): none"
    fi
    outf '  load average at the end: %s' "$(cut -d' ' -f1-3 /proc/loadavg)"
    out ""
    if ((failed)); then out "SOAK: FAILED (a target was missed)"; else out "SOAK: PASSED"; fi
    out "Raw wrk output: $WRK_DIR/soak-*; windows: $WINDOWS_TSV; samples: $SAMPLES_TSV; this report: $RESULTS"
    exit "$failed"
}

main "$@"

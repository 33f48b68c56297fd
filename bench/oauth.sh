#!/usr/bin/env bash
# OAuth benchmark: the provider's endpoints through the dev stack's TLS nginx, with the demo school and the demo
# OAuth clients loaded.
#
#   bench/oauth.sh       (or BENCH_ONLY=oauth bench/run.sh, or make bench)
#
# Starts a private dev stack with the project's own script (deploy/dev/stack up: MariaDB, nginx with the dev CA,
# both pools, the demo school and clients) with nginx's rate limits (login, token, general) raised so that they
# cannot cap the figures, runs the authorization code flow once as a demo student (python3, standard library:
# sign-in, /authsso with PKCE S256, the consent form when it shows, the code exchange), and measures with wrk over
# HTTPS on loopback, at BENCH_CONNS connections, the best of BENCH_ROUNDS alternated rounds:
#   /healthz            the foundation's one-SELECT route, the reference of the same run
#   client_credentials  POST /api/oauth/token, grant_type=client_credentials, scope=school.read, as
#                       demo-confidential (client_secret_basic): each request stores a new grant and token
#   introspection       POST /api/oauth/introspect of the student's access token (client_secret_basic)
#   userinfo            GET /api/oauth/userinfo with the student's access token (Authorization: Bearer)
#   code exchange       GET /authsso as the signed-in student (consent remembered: a 303 with a fresh code), then
#                       POST /api/oauth/token with that code (demo-confidential, PKCE S256 with one fixed verifier,
#                       the same scopes, so each exchange also signs an RS256 ID token); chained in wrk's Lua
#                       (a code received on any connection is exchanged by the next request the thread sends)
# printing req/s, p50, p99, the answers by status (200 / 303 expected), CPU per request (per token issued, per
# exchange completed) of the app, nginx and MariaDB, MariaDB statements per request, the ratios against the
# targets (introspection and userinfo >= 0.7 of /healthz; client_credentials >= 10 x the Authlib reference's
# 400-540 req/s with p99 < 25 ms), and the resident memory of the app pool after start and after the runs.
# A benchmark, not a test: it never fails on a target; it exits non-zero only when the stack cannot be set up.
#
# Everything it starts is private and lives under BENCH_OAUTH_DIR (the stack's state directory); it is stopped on
# exit (deploy/dev/stack down). The data, secrets, certificates and config are kept between runs. Each run first
# removes the demo clients' grants, tokens and codes, the bench student's consents and sessions and the sign-in
# throttle rows, so runs start alike (and the first authorization shows the consent page again).
#
# Settings (environment):
#   DURATION               wrk duration per run                          (default 10s; 3s with BENCH_QUICK=1)
#   BENCH_QUICK=1          quick mode: 3 s runs, one round
#   BENCH_CONNS            connections                                   (default 32)
#   BENCH_ROUNDS           rounds of the five runs, alternated; the best run of each is compared
#                          (other load on a shared machine only lowers figures)  (default 3; 1 when quick)
#   BENCH_WRK_THREADS      wrk -t                                        (default 2)
#   BENCH_WARMUP           warm-up per run kind before measuring         (default 2s; 1s when quick)
#   BENCH_STUDENT          which demo student signs in (index in demo.json students) (default 0)
#   BENCH_OAUTH_SCOPE      scopes of the student's token and of the code exchange (default "openid profile.read
#                          profile.email"; must include openid for userinfo)
#   BENCH_NGINX_WORKERS    nginx worker_processes                        (default 1)
#   BENCH_OAUTH_HTTPS_PORT the stack's TLS port                          (default 28543)
#   BENCH_OAUTH_HTTP_PORT  the stack's plain-HTTP port                   (default 28183)
#   BENCH_BUILD            auto (build when sources are newer than the binary), 0 never, 1 always (default auto)
#   BENCH_DIR              bench state directory                         (default <repo>/.run/bench)
#   BENCH_OAUTH_DIR        this benchmark's stack directory              (default BENCH_DIR/oauth)
#   CW_BIN                 catalystwells binary                          (default <repo>/.build/release/catalystwells)
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_DIR
BENCH_DIR="$(realpath -m "${BENCH_DIR:-$REPO_DIR/.run/bench}")"
STACK_DIR="$(realpath -m "${BENCH_OAUTH_DIR:-$BENCH_DIR/oauth}")"
readonly BENCH_DIR STACK_DIR
readonly SETTINGS_PREFIX=BENCH_OAUTH

readonly STUDENT_INDEX="${BENCH_STUDENT:-0}"
readonly SCOPE="${BENCH_OAUTH_SCOPE:-openid profile.read profile.email}"
readonly NGINX_WORKERS="${BENCH_NGINX_WORKERS:-1}"
readonly HTTPS_PORT="${BENCH_OAUTH_HTTPS_PORT:-28543}"
readonly HTTP_PORT="${BENCH_OAUTH_HTTP_PORT:-28183}"
readonly BUILD="${BENCH_BUILD:-auto}"
readonly BIN="${CW_BIN:-$REPO_DIR/.build/release/catalystwells}"

# nginx limits for the bench stack: high enough never to answer 429 here (render-nginx checks the syntax).
readonly NGINX_RATE="1000000r/s"
readonly NGINX_BURST="1000000"
readonly PACKAGES=(wrk curl procps iproute2)

# The reference: Python Authlib 1.9 + Flask + gunicorn (4 workers x 4 threads) with MariaDB behind the same
# nginx, measured on this machine at 32 connections: client_credentials 400-540 req/s.
readonly AUTHLIB_CC_LOW=400 AUTHLIB_CC_HIGH=540
readonly ROUTES=(healthz client_credentials introspect userinfo exchange)

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
wrk_settings
stack_paths
readonly FLOW_JSON="$WRK_DIR/flow.json"

check_settings() {
    check_stack_settings
    [[ "$SCOPE" =~ ^[a-z._]+( [a-z._]+)*$ ]] || die "BENCH_OAUTH_SCOPE '$SCOPE' is not a list of scope names"
    [[ " $SCOPE " == *" openid "* ]] || die "BENCH_OAUTH_SCOPE must include openid (userinfo needs it)"
}

# write_exchange_lua FILE SESSION BASIC REDIRECT_URI VERIFIER: the chained code exchange. Every connection sends
# the next request its thread has: a POST /api/oauth/token for the oldest code received and not yet exchanged
# (on any of the thread's connections), else a GET of the URL's /authsso path. Counts the exchanges (200 with an
# access token) and the answers that break the chain.
write_exchange_lua() {
    local file="$1" redirect
    redirect="$("$PYTHON" -c 'import sys, urllib.parse as u; print(u.quote(sys.argv[1], safe=""))' "$4")"
    write_lua "$file" GET "__Host-cw_session=$2"
    cat >>"$file" <<LUA
local token_authorization = "Basic $3"
local token_body = "grant_type=authorization_code&redirect_uri=$redirect&code_verifier=$5&code="
LUA
    cat >>"$file" <<'LUA'
function init(args)
  statuses = {}; counts = {}; codes = {}
  authorize_headers = {}
  for name, value in pairs(wrk.headers) do authorize_headers[name] = value end
  token_headers = { Host = wrk.headers["Host"], Authorization = token_authorization,
                    ["Content-Type"] = "application/x-www-form-urlencoded" }
end
function request()
  local code = table.remove(codes, 1)
  if code then return wrk.format("POST", "/api/oauth/token", token_headers, token_body .. code) end
  return wrk.format("GET", wrk.path, authorize_headers)
end
local function count(name) counts[name] = (counts[name] or 0) + 1 end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 303 then
    local code = (headers["Location"] or headers["location"] or ""):match("[?&]code=([^&]+)")
    if code then table.insert(codes, code) else count("redirect-without-code") end
  elseif status == 200 then
    if body:find('"access_token"', 1, true) then count("exchanges") else count("200-without-access-token") end
  end
end
LUA
}

# check_json PATH MARKER [CURL ARGS...]: like check_page, for JSON answers whose spacing is not fixed: MARKER is
# matched with the spaces after ':' and ',' removed.
check_json() {
    local path="$1" marker="$2" body="$WRK_DIR/check.body" code
    shift 2
    code="$("${CURL[@]}" "$@" -o "$body" -w '%{http_code}' "$BASE_URL$path" || true)"
    [[ "$code" == 200 ]] || die "$path answered '$code', not 200: $(head -c 300 "$body" 2>/dev/null)"
    tr -d ' \n' <"$body" | grep -qF -- "$marker" || die "$path: the answer does not contain '$marker'"
    stat -c %s "$body"
}

# ----------------------------------------------------------------------------- main

main() {
    check_settings
    open_stack_bench
    machine_facts "CatalystWells OAuth benchmark" "$(printf 'wrk -t%s -c%s -d%s --latency (warm-up %s per run kind), %s round(s) of %s' \
        "$WRK_THREADS" "${CONNS// //}" "$DURATION" "$WARMUP" "$ROUNDS" "${ROUTES[*]}")"

    # The bench student and client, and a clean slate (runs start alike).
    local student_email student_id password client_id secret redirect_uri client_pk
    student_email="$(demo_field "d['students'][$STUDENT_INDEX]['email']")" ||
        die "demo.json has no students[$STUDENT_INDEX]"
    student_id="$(demo_field "d['students'][$STUDENT_INDEX]['id']")"
    password="$(demo_field "d['password']")"
    [[ "$student_id" =~ ^[0-9]+$ ]] || die "demo.json: students[$STUDENT_INDEX] has no numeric id"
    client_id="$(demo_field "d['oauth_clients']['confidential']['client_id']")" ||
        die "demo.json has no oauth_clients.confidential (a stack older than the OAuth provider?)"
    secret="$(demo_field "d['oauth_clients']['confidential']['client_secret']")"
    redirect_uri="$(demo_field "d['oauth_clients']['confidential']['redirect_uri']")"
    [[ "$client_id" =~ ^[A-Za-z0-9._-]+$ ]] || die "demo.json: unexpected client_id '$client_id'"
    client_pk="$(db_root -N -s -e "SELECT id FROM oauth_clients WHERE client_id = '$client_id'" 2>/dev/null || true)"
    [[ "$client_pk" =~ ^[0-9]+$ ]] || die "no oauth_clients row for $client_id (no root access to $DB_SOCKET?)"
    say "clearing the demo clients' grants, tokens and codes, the bench student's consents and sessions"
    db_root -e "DELETE FROM oauth_codes WHERE client_pk IN (SELECT id FROM oauth_clients WHERE client_id LIKE 'demo-%');
        DELETE FROM oauth_grants WHERE client_pk IN (SELECT id FROM oauth_clients WHERE client_id LIKE 'demo-%');
        DELETE FROM oauth_consents WHERE user_id = $student_id;
        DELETE FROM sessions WHERE user_id = $student_id; DELETE FROM sign_in_throttle" ||
        die "could not clear the OAuth rows of the bench stack"

    out "Resident memory of the app pool, pid=VmRSS/RssAnon/VmHWM in MB (RssAnon = private memory, VmHWM = peak RSS):"
    memory_line "idle after start"
    IDLE_RSS="$(idle_rss_mb)"

    # ------------------------------------------------------------------- the code flow, once
    say "authorization code flow as $student_email ($client_id, scope '$SCOPE')"
    local verifier
    verifier="$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(48))')"
    code_flow "$student_email" "$password" "$client_id" "$secret" "$redirect_uri" "$verifier" ||
        die "the authorization code flow failed (see above)"
    local session access authorize_path consent basic
    session="$(json_field "$FLOW_JSON" "d['session']")"
    access="$(json_field "$FLOW_JSON" "d['access_token']")"
    authorize_path="$(json_field "$FLOW_JSON" "d['authorize_path']")"
    consent="$(json_field "$FLOW_JSON" "d['consent']")"
    basic="$(json_field "$FLOW_JSON" "d['basic']")"
    [[ "$session" =~ ^[A-Za-z0-9_-]+$ && "$access" =~ ^[A-Za-z0-9_-]+$ && "$basic" =~ ^[A-Za-z0-9+/=]+$ ]] ||
        die "unexpected characters in the session cookie, the access token or the client credentials"
    [[ "$authorize_path" =~ ^/authsso\?[A-Za-z0-9_.%=\&~-]+$ ]] || die "unexpected characters in the /authsso path"

    # ------------------------------------------------------------------- each request once
    say "checking each request once"
    local cc_body="grant_type=client_credentials&scope=school.read"
    declare -A BYTES
    BYTES[healthz]="$(check_json /healthz '"status":"ok"')"
    BYTES[client_credentials]="$(check_json /api/oauth/token '"scope":"school.read"' \
        -H "Authorization: Basic $basic" --data-binary "$cc_body")"
    BYTES[introspect]="$(check_json /api/oauth/introspect '"active":true' \
        -H "Authorization: Basic $basic" --data-binary "token=$access")"
    BYTES[userinfo]="$(check_json /api/oauth/userinfo '"sub":' -H "Authorization: Bearer $access")"

    write_lua "$WRK_DIR/healthz.lua" GET ""
    write_lua "$WRK_DIR/client_credentials.lua" POST "" "$cc_body" "Authorization: Basic $basic"
    write_lua "$WRK_DIR/introspect.lua" POST "" "token=$access" "Authorization: Basic $basic"
    write_lua "$WRK_DIR/userinfo.lua" GET "" "" "Authorization: Bearer $access"
    write_exchange_lua "$WRK_DIR/exchange.lua" "$session" "$basic" "$redirect_uri" "$verifier"

    declare -A PATHS=([healthz]=/healthz [client_credentials]=/api/oauth/token [introspect]=/api/oauth/introspect
        [userinfo]=/api/oauth/userinfo [exchange]="$authorize_path")
    # What a client_credentials request and an exchange leave behind: a token in one of the client's app grants
    # (grants without a user, shared by the client's tokens), a grant of the student's (index-only counts).
    declare -A COUNT_SQL=(
        [client_credentials]="SELECT COUNT(*) FROM oauth_tokens WHERE grant_id IN (SELECT id FROM oauth_grants WHERE user_id IS NULL AND client_pk = $client_pk)"
        [exchange]="SELECT COUNT(*) FROM oauth_grants WHERE user_id = $student_id AND client_pk = $client_pk")
    declare -A WANT=([healthz]=200 [client_credentials]=200 [introspect]=200 [userinfo]=200 [exchange]=200,303)

    # ------------------------------------------------------------------- runs
    local route round conns
    say "runs at ${CONNS// //} connections: ${ROUTES[*]}, $ROUNDS round(s)"
    for route in "${ROUTES[@]}"; do warm_up "${PATHS[$route]}" "$WRK_DIR/$route.lua"; done
    for ((round = 1; round <= ROUNDS; round++)); do
        for conns in $CONNS; do
            for route in "${ROUTES[@]}"; do
                measure "$route|$conns|$round" "${PATHS[$route]}" "$conns" "$WRK_THREADS" "$WRK_DIR/$route.lua" \
                    "${WANT[$route]}" "" "${COUNT_SQL[$route]:-}"
            done
        done
    done
    sleep 2
    memory_line "after the runs"
    out "  (a worker serves max_requests requests, jittered, then is replaced: pids that changed are young workers)"

    # ------------------------------------------------------------------- report
    declare -A LABEL=([healthz]="/healthz" [client_credentials]="client_credentials" [introspect]="introspection"
        [userinfo]="userinfo" [exchange]="code exchange")
    declare -A UNIT=([healthz]=request [client_credentials]="token issued" [introspect]=request [userinfo]=request
        [exchange]="exchange (GET /authsso + POST /api/oauth/token)")
    local -a r
    local errors
    out ""
    outf 'OAuth endpoints through nginx, same run (as %s, %s; the consent was %s in the set-up flow)' \
        "$student_email" "$client_id" "$consent"
    outf '  the student'"'"'s token: scope "%s"; answers: /healthz %s B, token %s B, introspection %s B, userinfo %s B' \
        "$(json_field "$FLOW_JSON" "d['scope']")" "${BYTES[healthz]}" "${BYTES[client_credentials]}" \
        "${BYTES[introspect]}" "${BYTES[userinfo]}"
    outf '  %5s %-19s %5s | %9s %8s %8s | %-30s | %s' round run conns "req/s" "p50 ms" "p99 ms" "answers (status x count)" \
        "other processes (cores)"
    for conns in $CONNS; do
        for ((round = 1; round <= ROUNDS; round++)); do
            for route in "${ROUTES[@]}"; do
                read -r -a r <<<"${R[$route|$conns|$round]}"
                errors=""
                ((r[3] == 0)) || errors=", errors ${r[3]}"
                outf '  %5s %-19s %5s | %9s %8s %8s | %-30s | %s' "$round" "${LABEL[$route]}" "$conns" "${r[0]}" \
                    "${r[1]}" "${r[2]}" "$(answers "${WRK_FILE[$route|$conns|$round]}")$errors" "${r[16]}"
            done
        done
    done

    declare -A BEST EXCHANGES
    local key count
    out ""
    for conns in $CONNS; do
        for route in "${ROUTES[@]}"; do
            BEST[$route|$conns]="$(best_run "$route" "$conns")"
            key="${BEST[$route|$conns]}"
            read -r -a r <<<"${R[$key]}"
            if [[ "$route" == exchange ]]; then
                count="$(awk '$1 == "cw-count" && $2 == "exchanges" { print $3 }' "${WRK_FILE[$key]}")"
                EXCHANGES[$conns]="$(awk -v rps="${r[0]}" -v n="${r[4]}" -v x="${count:-0}" \
                    'BEGIN { printf "%.1f", (n > 0) ? rps * x / n : 0 }')"
                outf '  %s at %s connections, best run (round %s): %s exchanges/s (%s requests/s; p50 %s ms, p99 %s ms per request)' \
                    "${LABEL[$route]}" "$conns" "${key##*|}" "${EXCHANGES[$conns]}" "${r[0]}" "${r[1]}" "${r[2]}"
                outf '      chain breaks: %s' "$(awk '$1 == "cw-count" && $2 != "exchanges" { printf "%s%s x %s", sep, $2, $3; sep = ", " }
                    END { if (sep == "") print "none" }' "${WRK_FILE[$key]}")"
            else
                outf '  %s at %s connections, best run (round %s): %s req/s, p50 %s ms, p99 %s ms' \
                    "${LABEL[$route]}" "$conns" "${key##*|}" "${r[0]}" "${r[1]}" "${r[2]}"
            fi
            cpu_line "$key" "${UNIT[$route]}"
        done
    done

    out ""
    out "Against the targets (informational; a benchmark never fails):"
    local -a h c
    local share low high
    for conns in $CONNS; do
        read -r -a h <<<"${R[${BEST[healthz|$conns]}]}"
        for route in introspect userinfo; do
            read -r -a r <<<"${R[${BEST[$route|$conns]}]}"
            share="$(ratio "${r[0]}" "${h[0]}")"
            outf '  %-14s at %s connections: %s req/s, p99 %s ms = %s of /healthz (%s req/s) (target >= 0.7: %s); per round:%s' \
                "${LABEL[$route]}" "$conns" "${r[0]}" "${r[2]}" "$share" "${h[0]}" "$(verdict "$share" 0.7)" \
                "$(round_ratios "$route" healthz "$conns")"
        done
        read -r -a c <<<"${R[${BEST[client_credentials|$conns]}]}"
        low="$(ratio "${c[0]}" "$AUTHLIB_CC_HIGH")"
        high="$(ratio "${c[0]}" "$AUTHLIB_CC_LOW")"
        outf '  %-14s at %s connections: %s req/s = %s-%s x the Authlib reference (%s-%s req/s); target >= 10 x: %s against %s req/s, %s against %s req/s' \
            "client_credentials" "$conns" "${c[0]}" "$low" "$high" "$AUTHLIB_CC_LOW" "$AUTHLIB_CC_HIGH" \
            "$(verdict "$high" 10)" "$AUTHLIB_CC_LOW" "$(verdict "$low" 10)" "$AUTHLIB_CC_HIGH"
        outf '  %-14s   p99 %s ms (target < 25 ms: %s); %s of /healthz' "" "${c[2]}" \
            "$(awk -v p="${c[2]}" 'BEGIN { print (p < 25) ? "met" : "not met" }')" "$(ratio "${c[0]}" "${h[0]}")"
        outf '  %-14s at %s connections: %s exchanges/s (GET /authsso + POST /api/oauth/token, with an RS256 ID token); no target' \
            "${LABEL[exchange]}" "$conns" "${EXCHANGES[$conns]}"
    done
    if [[ -n "${BENCH_SUMMARY:-}" ]]; then
        # For bench/run.sh's table: "oauth ROUTE req/s p99 statements/request writes/request", the best runs at the
        # first connection count (exchanges/s for the code exchange).
        conns="${CONNS%% *}"
        for route in "${ROUTES[@]}"; do
            read -r -a r <<<"${R[${BEST[$route|$conns]}]}"
            printf 'oauth %s %s %s %s %s\n' "$route" "$([[ "$route" == exchange ]] && echo "${EXCHANGES[$conns]}" || echo "${r[0]}")" \
                "${r[2]}" "${r[18]}" "${r[20]}" >>"$BENCH_SUMMARY"
        done
        printf 'oauth rss %s\n' "$IDLE_RSS" >>"$BENCH_SUMMARY"
    fi
    out ""
    out "Raw wrk output: $WRK_DIR/$STAMP-*; stack logs: $LOG_DIR; this report: $RESULTS"
}

main "$@"

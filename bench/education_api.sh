#!/usr/bin/env bash
# Education API benchmark: GET /api/v1/students/{id}/grades with a parent's access token, through the dev stack's
# TLS nginx, with the data-access log on (each call's entry written before it is answered), against the foundation's
# one-SELECT route /healthz measured in the same run.
#
#   bench/education_api.sh       (or BENCH_ONLY=education_api bench/run.sh, or make bench)
#
# Starts a private dev stack (deploy/dev/stack up: MariaDB, nginx with the dev CA, both pools, the demo school and
# clients) with nginx's rate limits raised and the app's per-app API rate limit raised through the environment
# (CATALYSTWELLS_API_RATE_LIMIT_*), so neither caps the figures; runs the authorization code flow once as the
# first demo parent (two children) for scope "openid parent.children.read parent.grades.read"; checks the grades
# answer once; then measures with wrk at BENCH_CONNS connections, the best of BENCH_ROUNDS alternated rounds:
#   /healthz   the foundation's one-SELECT route (reference)
#   grades     GET /api/v1/students/{first child}/grades, Authorization: Bearer (token lookup with the user, the
#              relationship, the published grades; one data-access log entry per call, one INSERT)
# printing req/s, p50, p99, answers by status, CPU and MariaDB statements per request, the ratio to /healthz
# (target >= 0.5), and the access-log rows the run left (one per call).
# CW_BIN may name an older binary whose workers buffered the log: the waits before counting cover its flush.
# A benchmark, not a test: it never fails on a target; it exits non-zero only when the stack cannot be set up.
#
# Settings (environment): DURATION, BENCH_QUICK, BENCH_CONNS, BENCH_ROUNDS, BENCH_WRK_THREADS, BENCH_WARMUP,
# BENCH_NGINX_WORKERS, BENCH_BUILD, BENCH_DIR, CW_BIN as in bench/oauth.sh, and
#   BENCH_PARENT               which demo parent signs in (index in demo.json parents)   (default 0)
#   BENCH_EDU_HTTPS_PORT       the stack's TLS port                                        (default 28643)
#   BENCH_EDU_HTTP_PORT        the stack's plain-HTTP port                                 (default 28283)
#   BENCH_EDU_DIR              this benchmark's stack directory                            (default BENCH_DIR/education_api)
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_DIR
BENCH_DIR="$(realpath -m "${BENCH_DIR:-$REPO_DIR/.run/bench}")"
STACK_DIR="$(realpath -m "${BENCH_EDU_DIR:-$BENCH_DIR/education_api}")"
readonly BENCH_DIR STACK_DIR
readonly SETTINGS_PREFIX=BENCH_EDU

readonly STUDENT_INDEX=0
readonly PARENT_INDEX="${BENCH_PARENT:-0}"
readonly SCOPE="openid parent.children.read parent.grades.read"
readonly NGINX_WORKERS="${BENCH_NGINX_WORKERS:-1}"
readonly HTTPS_PORT="${BENCH_EDU_HTTPS_PORT:-28643}"
readonly HTTP_PORT="${BENCH_EDU_HTTP_PORT:-28283}"
readonly BUILD="${BENCH_BUILD:-auto}"
readonly BIN="${CW_BIN:-$REPO_DIR/.build/release/catalystwells}"
readonly NGINX_RATE="1000000r/s"
readonly NGINX_BURST="1000000"
readonly PACKAGES=(wrk curl procps iproute2)
readonly ROUTES=(healthz grades)
# The per-app bucket at its configurable maximum, so the benchmark measures the API, not the limiter's 429s.
export CATALYSTWELLS_API_RATE_LIMIT_PER_MINUTE=1000000 CATALYSTWELLS_API_RATE_LIMIT_BURST=1000000

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
wrk_settings
stack_paths
readonly FLOW_JSON="$WRK_DIR/flow.json"

main() {
    check_stack_settings
    [[ "$PARENT_INDEX" =~ ^[0-9]+$ ]] || die "BENCH_PARENT '$PARENT_INDEX' is not an index"
    open_stack_bench
    machine_facts "CatalystWells education API benchmark" "$(printf 'wrk -t%s -c%s -d%s --latency (warm-up %s per run kind), %s round(s) of %s' \
        "$WRK_THREADS" "${CONNS// //}" "$DURATION" "$WARMUP" "$ROUNDS" "${ROUTES[*]}")"

    local parent_email parent_id child password client_id secret redirect_uri
    parent_email="$(demo_field "d['parents'][$PARENT_INDEX]['email']")" || die "demo.json has no parents[$PARENT_INDEX]"
    parent_id="$(demo_field "d['parents'][$PARENT_INDEX]['id']")"
    child="$(demo_field "d['parents'][$PARENT_INDEX]['children'][0]")"
    password="$(demo_field "d['password']")"
    client_id="$(demo_field "d['oauth_clients']['confidential']['client_id']")"
    secret="$(demo_field "d['oauth_clients']['confidential']['client_secret']")"
    redirect_uri="$(demo_field "d['oauth_clients']['confidential']['redirect_uri']")"
    [[ "$parent_id" =~ ^[0-9]+$ && "$child" =~ ^[0-9]+$ ]] || die "demo.json: parents[$PARENT_INDEX] has no numeric id or child"
    [[ "$client_id" =~ ^[A-Za-z0-9._-]+$ ]] || die "demo.json: unexpected client_id '$client_id'"
    say "clearing the bench parent's consents, sessions and earlier access-log rows"
    db_root -e "DELETE FROM oauth_consents WHERE user_id = $parent_id; DELETE FROM sessions WHERE user_id = $parent_id;
        DELETE FROM sign_in_throttle; DELETE FROM data_access_log WHERE actor_user_id = $parent_id" ||
        die "could not clear the bench rows"

    say "authorization code flow as $parent_email ($client_id, scope '$SCOPE')"
    local verifier access
    verifier="$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(48))')"
    code_flow "$parent_email" "$password" "$client_id" "$secret" "$redirect_uri" "$verifier" ||
        die "the authorization code flow failed (see above)"
    access="$(json_field "$FLOW_JSON" "d['access_token']")"
    [[ "$access" =~ ^[A-Za-z0-9_-]+$ ]] || die "unexpected characters in the access token"

    say "checking each request once"
    local grades_path="/api/v1/students/$child/grades" body="$WRK_DIR/check.body" code
    code="$("${CURL[@]}" -o "$body" -w '%{http_code}' -H "Authorization: Bearer $access" "$BASE_URL$grades_path" || true)"
    [[ "$code" == 200 ]] && grep -q '"assessment_id"' "$body" ||
        die "$grades_path answered '$code' without grades: $(head -c 300 "$body")"
    local grade_bytes
    grade_bytes="$(stat -c %s "$body")"
    "${CURL[@]}" -o /dev/null "$BASE_URL/healthz" || die "/healthz does not answer"

    write_lua "$WRK_DIR/healthz.lua" GET ""
    write_lua "$WRK_DIR/grades.lua" GET "" "" "Authorization: Bearer $access"
    declare -A PATHS=([healthz]=/healthz [grades]="$grades_path")
    local route round
    say "runs at $CONNS connections: ${ROUTES[*]}, $ROUNDS round(s)"
    for route in "${ROUTES[@]}"; do warm_up "${PATHS[$route]}" "$WRK_DIR/$route.lua"; done
    sleep 4  # an older binary's buffered warm-up entries are written before the count below
    local logged_before logged_after
    logged_before="$(db_root -N -s -e "SELECT COUNT(*) FROM data_access_log WHERE actor_user_id = $parent_id")"
    for ((round = 1; round <= ROUNDS; round++)); do
        for route in "${ROUTES[@]}"; do
            measure "$route|$CONNS|$round" "${PATHS[$route]}" "$CONNS" "$WRK_THREADS" "$WRK_DIR/$route.lua" 200
        done
    done
    sleep 4  # an older binary's buffers are written within access_log_flush_seconds (2) and a housekeeping tick
    logged_after="$(db_root -N -s -e "SELECT COUNT(*) FROM data_access_log WHERE actor_user_id = $parent_id")"

    local -a r h
    local served=0
    out ""
    outf 'Education API through nginx, same run (parent %s, %s; grades answer %s B)' "$parent_email" "$client_id" "$grade_bytes"
    outf '  %5s %-9s | %9s %8s %8s | %s' round run "req/s" "p50 ms" "p99 ms" "answers (status x count)"
    for ((round = 1; round <= ROUNDS; round++)); do
        for route in "${ROUTES[@]}"; do
            read -r -a r <<<"${R[$route|$CONNS|$round]}"
            outf '  %5s %-9s | %9s %8s %8s | %s' "$round" "$route" "${r[0]}" "${r[1]}" "${r[2]}" "$(answers "${WRK_FILE[$route|$CONNS|$round]}")"
            [[ "$route" != grades ]] || served=$((served + r[4]))
        done
    done
    declare -A BEST
    out ""
    for route in "${ROUTES[@]}"; do
        BEST[$route]="$(best_run "$route" "$CONNS")"
        read -r -a r <<<"${R[${BEST[$route]}]}"
        outf '  %s at %s connections, best run (round %s): %s req/s, p50 %s ms, p99 %s ms' \
            "$route" "$CONNS" "${BEST[$route]##*|}" "${r[0]}" "${r[1]}" "${r[2]}"
        cpu_line "${BEST[$route]}" request
    done
    read -r -a h <<<"${R[${BEST[healthz]}]}"
    read -r -a r <<<"${R[${BEST[grades]}]}"
    local share
    share="$(ratio "${r[0]}" "${h[0]}")"
    out ""
    out "Against the target (informational; a benchmark never fails):"
    outf '  grades at %s connections: %s req/s, p99 %s ms = %s of /healthz (%s req/s) (target >= 0.5: %s); per round:%s' \
        "$CONNS" "${r[0]}" "${r[2]}" "$share" "${h[0]}" "$(verdict "$share" 0.5)" "$(round_ratios grades healthz "$CONNS")"
    outf '  data-access log: %s rows written for the measured runs; wrk counted %s completed grades requests' \
        "$((logged_after - logged_before))" "$served"
    # For bench/run.sh's table: "education_api ROUTE req/s p99 statements/request writes/request", the best runs.
    if [[ -n "${BENCH_SUMMARY:-}" ]]; then
        for route in "${ROUTES[@]}"; do
            read -r -a r <<<"${R[${BEST[$route]}]}"
            printf 'education_api %s %s %s %s %s\n' "$route" "${r[0]}" "${r[2]}" "${r[18]}" "${r[20]}" >>"$BENCH_SUMMARY"
        done
    fi
    out "Raw wrk output: $WRK_DIR/$STAMP-*; stack logs: $LOG_DIR; this report: $RESULTS"
}

main "$@"

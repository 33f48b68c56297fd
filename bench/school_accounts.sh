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
BENCH_DIR="$(realpath -m "${BENCH_DIR:-$REPO_DIR/.run/bench}")"
STACK_DIR="$(realpath -m "${BENCH_ACCOUNTS_DIR:-$BENCH_DIR/accounts}")"
readonly BENCH_DIR STACK_DIR
readonly SETTINGS_PREFIX=BENCH_ACCOUNTS

readonly STUDENT_INDEX="${BENCH_STUDENT:-0}"
readonly NGINX_WORKERS="${BENCH_NGINX_WORKERS:-1}"
readonly HTTPS_PORT="${BENCH_ACCOUNTS_HTTPS_PORT:-28443}"
readonly HTTP_PORT="${BENCH_ACCOUNTS_HTTP_PORT:-28083}"
readonly BUILD="${BENCH_BUILD:-auto}"
readonly BIN="${CW_BIN:-$REPO_DIR/.build/release/catalystwells}"

# nginx limits for the bench stack: high enough never to answer 429 here (render-nginx checks the syntax).
readonly NGINX_RATE="1000000r/s"
readonly NGINX_BURST="1000000"

readonly PACKAGES=(wrk curl procps iproute2)

# ----------------------------------------------------------------------------- helpers

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
wrk_settings
if [[ "$QUICK" == 1 ]]; then
    readonly SIGNIN_CONNS="${BENCH_SIGNIN_CONNS:-8}" HASH_SAMPLES="${BENCH_HASH_SAMPLES:-5}"
else
    readonly SIGNIN_CONNS="${BENCH_SIGNIN_CONNS:-8 32}" HASH_SAMPLES="${BENCH_HASH_SAMPLES:-20}"
fi
stack_paths

check_settings() {
    local value
    check_stack_settings
    for value in $SIGNIN_CONNS; do
        [[ "$value" =~ ^[1-9][0-9]{0,3}$ ]] || die "BENCH_SIGNIN_CONNS: '$value' is not a count"
    done
    [[ "$HASH_SAMPLES" =~ ^[0-9]{1,4}$ ]] || die "BENCH_HASH_SAMPLES '$HASH_SAMPLES' is not a count"
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

# ----------------------------------------------------------------------------- main

STUDENT_EMAIL=""
SIGNIN_BODY=""

main() {
    check_settings
    open_stack_bench
    machine_facts "CatalystWells school accounts benchmark" "$(printf 'wrk -d%s --latency (warm-up %s per route); pages: -t%s -c%s, %s round(s); sign-ins: -t1 -c1, then -t%s -c%s' \
        "$DURATION" "$WARMUP" "$WRK_THREADS" "${CONNS// //}" "$ROUNDS" "$WRK_THREADS" "${SIGNIN_CONNS// //}")"

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
    student_bytes="$(check_page /student 'id="signed-in-as"' -H "Cookie: __Host-cw_session=$SESSION")"
    healthz_bytes="$(check_page /healthz '"status":"ok"')"

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
            done
        done
        for route in healthz student; do
            BEST[$route|$conns]="$(best_run "$route" "$conns")"
            outf '  /%s at %s connections, best run (round %s):' "$route" "$conns" "${BEST[$route|$conns]##*|}"
            cpu_line "${BEST[$route|$conns]}" request
        done
    done

    out ""
    out "Against the targets (informational; a benchmark never fails):"
    for conns in $CONNS; do
        read -r -a s <<<"${R[${BEST[student|$conns]}]}"
        read -r -a h <<<"${R[${BEST[healthz|$conns]}]}"
        local share
        share="$(ratio "${s[0]}" "${h[0]}")"
        outf '  grades page at %s connections: %s req/s, p99 %s ms = %s of /healthz (%s req/s) (target >= 0.5: %s)' \
            "$conns" "${s[0]}" "${s[2]}" "$share" "${h[0]}" "$(verdict "$share" 0.5)"
        outf '      best runs compared; the ratio within each round:%s' "$(round_ratios student healthz "$conns")"
    done
    out ""
    out "Raw wrk output: $WRK_DIR/$STAMP-*; stack logs: $LOG_DIR; this report: $RESULTS"
}

main "$@"

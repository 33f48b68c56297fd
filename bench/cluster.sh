#!/usr/bin/env bash
# Single-writer Galera against a standalone MariaDB (issue 18, item 5): client_credentials and introspection
# throughput, measured in one run, alternated rounds, best round of each compared.
#
#   bench/cluster.sh
#
# Brings up (or reuses) two stacks of the same binary on this machine:
#   standalone  a dev stack (deploy/dev/stack) in BENCH_DIR/standalone: one MariaDB, one app host, nginx
#   cluster     the local cluster (deploy/cluster/local/cluster): three Galera nodes, HAProxy, two app hosts, nginx
# both with nginx's rate limits raised so they cannot cap the figures, and runs wrk against each in turn:
#   client_credentials  POST /api/oauth/token (demo-confidential, client_secret_basic, scope school.read)
#   introspection       POST /api/oauth/introspect of one access token
# printing req/s and p99 of each run and the ratio cluster / standalone (target: >= 0.8 for both).
# On one machine the cluster's three database servers and two app hosts share the same two cores as the load
# generator, which a real cluster does not: read the ratio as a floor. A benchmark: it never fails on a target.
#
# Settings: DURATION (10s), BENCH_CONNS (32), BENCH_ROUNDS (3), BENCH_WRK_THREADS (2), BENCH_DIR (<repo>/.run/bench),
# BENCH_KEEP=1 leaves both stacks running; CW_BIN / CW_SKIP_BUILD as for deploy/dev/stack.
set -euo pipefail
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_DIR="$(realpath -m "${BENCH_DIR:-$REPO_DIR/.run/bench}")"
readonly REPO_DIR BENCH_DIR
readonly DURATION="${DURATION:-10s}" CONNS="${BENCH_CONNS:-32}" ROUNDS="${BENCH_ROUNDS:-3}"
readonly WRK_THREADS="${BENCH_WRK_THREADS:-2}"
readonly CLUSTER="$REPO_DIR/deploy/cluster/local/cluster"
readonly OUT="$BENCH_DIR/cluster-wrk"

say() { printf '==> %s\n' "$*" >&2; }
die() {
    printf 'bench/cluster.sh: %s\n' "$*" >&2
    exit 1
}

command -v wrk >/dev/null || die "wrk is missing (apt-get install wrk)"
export CW_NGINX_GENERAL_RATE=1000000r/s CW_NGINX_GENERAL_BURST=1000000 CW_NGINX_TOKEN_RATE=1000000r/s
export CW_NGINX_TOKEN_BURST=1000000 CW_NGINX_LOGIN_RATE=1000000r/m CW_NGINX_LOGIN_BURST=1000000
export CW_ENVIRONMENT="${CW_ENVIRONMENT:-test}"
unset REQUESTS_CA_BUNDLE CURL_CA_BUNDLE

standalone() {
    CW_STACK_DIR="$BENCH_DIR/standalone" CW_HTTPS_PORT=28743 CW_HTTP_PORT=28380 CW_IDP_PORT=28744 \
        CW_LDAP_PORT=28389 CW_LDAPS_PORT=28636 CW_SAML_IDP_PORT=28745 "$REPO_DIR/deploy/dev/stack" "$@"
}

mkdir -p "$OUT"
say "standalone stack"
standalone up >"$OUT/standalone-up.log" 2>&1 || die "the standalone stack did not come up (log: $OUT/standalone-up.log)"
say "local cluster"
"$CLUSTER" up >"$OUT/cluster-up.log" 2>&1 || die "the cluster did not come up (log: $OUT/cluster-up.log)"
if [[ "${BENCH_KEEP:-0}" != 1 ]]; then
    trap 'standalone down >/dev/null 2>&1 || true; "$CLUSTER" down >/dev/null 2>&1 || true' EXIT
fi

# target NAME ENV-SCRIPT: the base URL, the CA and the client's basic credentials of a stack, and one access token.
declare -A URL CA BASIC TOKEN
target() {
    local name="$1" env="$2" url ca demo
    # The stack's variables are read in a subshell, so one stack's CW_* never leak into the next one's commands.
    { read -r url; read -r ca; read -r demo; } < <(eval "$env" && printf '%s\n%s\n%s\n' "$CW_APP_URL" "$CW_CA_FILE" "$CW_DEMO_JSON")
    URL[$name]="$url"
    CA[$name]="$ca"
    local id secret
    id="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["oauth_clients"]["confidential"]["client_id"])' "$demo")"
    secret="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["oauth_clients"]["confidential"]["client_secret"])' "$demo")"
    BASIC[$name]="$(printf '%s:%s' "$id" "$secret" | base64 -w0)"
    local port="${url##*:}"
    TOKEN[$name]="$(curl -sS --cacert "$ca" --resolve "app.localhost:$port:127.0.0.1" \
        -H "Authorization: Basic ${BASIC[$name]}" --data 'grant_type=client_credentials&scope=school.read' \
        "$url/api/oauth/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')" ||
        die "no access token from the $name stack"
}
target standalone "$(standalone env)"
target cluster "$("$CLUSTER" env)"

lua() {
    local file="$1" body="$2" basic="$3"
    cat >"$file" <<LUA
local lookup = wrk.lookup
wrk.resolve = function(host, service) wrk.addrs = lookup("127.0.0.1", service) end
wrk.method = "POST"
wrk.body = "$body"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic $basic"
statuses = {}
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
}

# run NAME KIND: one wrk run; prints "req/s p99_ms non-200-count".
run() {
    local name="$1" kind="$2" file="$OUT/$1-$2.lua" log="$OUT/$1-$2.txt" body path
    if [[ "$kind" == client_credentials ]]; then
        body="grant_type=client_credentials&scope=school.read" path=/api/oauth/token
    else
        body="token=${TOKEN[$name]}" path=/api/oauth/introspect
    fi
    lua "$file" "$body" "${BASIC[$name]}"
    wrk -t"$WRK_THREADS" -c"$CONNS" -d"$DURATION" --latency -s "$file" "${URL[$name]}$path" >"$log" 2>&1 || true
    awk '
        /^Requests\/sec:/ { rps = $2 }
        $1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) }
                      else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 }; p99 = v }
        $1 == "cw-status" && $2 != 200 { bad += $3 }
        END { printf "%.0f %.1f %d\n", rps, p99, bad }' "$log"
}

declare -A BEST P99
for ((round = 1; round <= ROUNDS; round++)); do
    for kind in client_credentials introspection; do
        for name in standalone cluster; do
            read -r rps p99 bad <<<"$(run "$name" "$kind")"
            printf 'round %d  %-18s %-10s %6s req/s  p99 %6s ms  non-200 %s\n' "$round" "$kind" "$name" "$rps" "$p99" "$bad"
            if ((bad == 0)) && ((rps > ${BEST[$name/$kind]:-0})); then
                BEST[$name/$kind]="$rps" P99[$name/$kind]="$p99"
            fi
        done
    done
done
echo
echo "best of $ROUNDS rounds, $CONNS connections, $DURATION each (target: cluster >= 0.8 x standalone)"
for kind in client_credentials introspection; do
    s="${BEST[standalone/$kind]:-0}" c="${BEST[cluster/$kind]:-0}"
    awk -v k="$kind" -v s="$s" -v c="$c" -v ps="${P99[standalone/$kind]:-}" -v pc="${P99[cluster/$kind]:-}" 'BEGIN {
        printf "  %-18s standalone %6d req/s (p99 %s ms)  cluster %6d req/s (p99 %s ms)  ratio %s\n",
            k, s, ps, c, pc, (s > 0 ? sprintf("%.2f", c / s) : "-") }'
done

#!/usr/bin/env bash
# The fixed reference peer, measured in the same `make bench` run as ours: Authlib + Flask + gunicorn (sync x4)
# on its own MariaDB behind its own nginx, from ../shared/bench (peer-authlib/setup.sh once, peer-authlib/serve.sh
# start|stop, and its workloads through run-workloads.sh). It is the yardstick, not part of the product: this
# script only calls it, with its own defaults except for the run length and the noise waits below.
#
#   bench/peer.sh       (or BENCH_ONLY=peer bench/run.sh, or make bench)
#
# Measures, at BENCH_CONNS connections (default 32) and BENCH_ROUNDS rounds (the best round of each is kept, as
# in our benchmarks): client_credentials tokens (POST /oauth/token, client_secret_basic), introspection of a user
# token and userinfo with it; prints req/s, p50, p99, CPU per request, and writes them to BENCH_SUMMARY (when
# bench/run.sh set it) for the "x the peer" column of the make bench table.
# The peer speaks plain HTTP on loopback (ours is measured through TLS): the comparison flatters the peer a little.
#
# Settings (environment): DURATION, BENCH_QUICK, BENCH_CONNS, BENCH_ROUNDS, BENCH_WRK_THREADS, BENCH_WARMUP as in
# bench/oauth.sh, and
#   BENCH_PEER_DIR     the shared bench harness            (default <repo>/../shared/bench)
#   PEER_RUN           the peer's state directory          (default /tmp/bench-peer, the harness's own)
#   BENCH_PEER_QUIET   seconds the harness may wait for a quiet machine before each run (default 20; its own
#                      default, 600, is for a dedicated machine)
# Needs the Python packages of peer-authlib/requirements.txt (setup.sh installs them into a venv from PyPI).
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_DIR
PEER_DIR="$(realpath -m "${BENCH_PEER_DIR:-$REPO_DIR/../shared/bench}")"
readonly PEER_DIR
readonly QUIET="${BENCH_PEER_QUIET:-20}"

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
wrk_settings

[[ -x "$PEER_DIR/peer-authlib/serve.sh" && -x "$PEER_DIR/run-workloads.sh" ]] ||
    die "no reference peer at $PEER_DIR (set BENCH_PEER_DIR to the shared bench directory)"
[[ "$QUIET" =~ ^[0-9]{1,4}$ ]] || die "BENCH_PEER_QUIET '$QUIET' is not a number of seconds"
[[ "$CONNS" =~ ^[1-9][0-9]{0,3}$ ]] || die "bench/peer.sh measures at one connection count (BENCH_CONNS '$CONNS')"
export PEER_RUN="${PEER_RUN:-/tmp/bench-peer}"
OUT_DIR="$REPO_DIR/.run/bench/peer/results-$(date -u +%Y%m%dT%H%M%SZ)"
readonly OUT_DIR
mkdir -p "$OUT_DIR"
RESULTS="$OUT_DIR/report.txt"
readonly RESULTS
LOG="$OUT_DIR/peer.log"

stop_peer() {
    set +e
    "$PEER_DIR/peer-authlib/serve.sh" stop >>"$LOG" 2>&1
}
trap stop_peer EXIT

if [[ ! -f "$PEER_RUN/peer.env" ]]; then
    say "setting up the reference peer (peer-authlib/setup.sh: venv, MariaDB, schema; log $LOG)"
    "$PEER_DIR/peer-authlib/setup.sh" >>"$LOG" 2>&1 || {
        show_tail "$LOG" 20
        die "peer-authlib/setup.sh failed"
    }
fi
say "starting the reference peer (peer-authlib/serve.sh start; log $LOG)"
"$PEER_DIR/peer-authlib/serve.sh" start >>"$LOG" 2>&1 || {
    show_tail "$LOG" 20
    die "peer-authlib/serve.sh start failed"
}
say "measuring the peer: client_credentials, introspection, userinfo at $CONNS connections, $ROUNDS round(s) of $DURATION"
(
    set -a
    # shellcheck disable=SC1091
    source "$PEER_RUN/target.env"
    set +a
    # env: CONNS and the other settings are read-only in this shell (wrk_settings).
    env WORKLOADS="token introspect userinfo" CONNS="$CONNS" REPS="$ROUNDS" WRK_THREADS="$WRK_THREADS" \
        WRK_DURATION="$DURATION" WRK_WARMUP="$WARMUP" QUIET_WAIT="$QUIET" RETRIES=0 OUT_DIR="$OUT_DIR" \
        "$PEER_DIR/run-workloads.sh"
) >>"$LOG" 2>&1 || {
    show_tail "$LOG" 20
    die "run-workloads.sh failed against the peer"
}

# results.tsv: rep workload conns rps p50 p99 errors non2xx foreign_pct tries eff_conns requests cpu_s
out "Reference peer (Authlib + Flask + gunicorn sync x4, plain HTTP, $PEER_DIR) — $(date -u '+%Y-%m-%d %H:%M:%S UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
out "  $(printf '%-22s %9s %8s %8s %8s %10s  %s' workload 'req/s' 'p50 ms' 'p99 ms' non2xx 'CPU µs/req' 'per round (req/s)')"
for workload in token-cc introspect userinfo; do
    # Workload names are LABEL-token-cc, LABEL-introspect, LABEL-userinfo; cpu_s lists "process:seconds" pairs.
    read -r best p50 p99 non2xx cpu rounds < <(awk -F'\t' -v w="-$workload" '
        substr($2, length($2) - length(w) + 1) == w && $4 ~ /^[0-9.]+$/ {
            list = list sep $4; sep = " "
            if ($4 + 0 > best + 0) {
                best = $4; p50 = $5; p99 = $6; bad = $8; seconds = 0
                n = split($13, parts, ",")
                for (i = 1; i <= n; i++) { split(parts[i], kv, ":"); seconds += kv[2] }
                cpu = ($12 > 0) ? seconds * 1e6 / $12 : 0
            }
        }
        END { printf "%s %s %s %s %.0f %s\n", (best == "") ? 0 : best, p50 + 0, p99 + 0, bad + 0, cpu, (list == "") ? "-" : list }
    ' "$OUT_DIR/results.tsv")
    label="${workload/token-cc/client_credentials}"
    label="${label/introspect/introspection}"
    out "  $(printf '%-22s %9s %8s %8s %8s %10s  %s' "$label" "$best" "$p50" "$p99" "$non2xx" "$cpu" "$rounds")"
    [[ -z "${BENCH_SUMMARY:-}" ]] || printf 'peer %s %s %s %s\n' "$label" "$best" "$p99" "$non2xx" >>"$BENCH_SUMMARY"
done
out "  raw: $OUT_DIR (results.tsv, wrk.log, summary.md)"

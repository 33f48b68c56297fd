#!/usr/bin/env bash
# Entry point of `make bench`: runs the benchmarks under bench/ and the fixed reference peer (bench/peer.sh, the
# Authlib + gunicorn server of ../shared/bench) in one run, prints each one's figures, then the table of issue 17
# with the same-run ratios (introspection, userinfo and grades over /healthz of the same stack; client_credentials
# over the peer measured in this run; /livez and /healthz over the C libfcgi responder behind the same nginx).
# Benchmarks print numbers; they never fail on a target (a non-zero exit means a stack could not be set up).
#
#   bench/run.sh                          foundation, school_accounts, oauth, education_api, sync, then the peer
#   BENCH_QUICK=1 bench/run.sh            quick mode: 3 s runs, fewer connection counts
#   BENCH_ONLY=foundation bench/run.sh    one benchmark only: foundation, school_accounts, oauth, education_api,
#                                         sync or peer
#   BENCH_ONLY="foundation oauth education_api peer" bench/run.sh   several (the table needs these four)
#
# The table is also written to .run/bench/table-<time>.txt.
# A benchmark that cannot set up its stack does not stop the next one; the exit status is then non-zero.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly here
readonly ALL=(foundation school_accounts oauth education_api sync peer)

selected=("${ALL[@]}")
if [[ -n "${BENCH_ONLY:-}" ]]; then
    selected=()
    for name in $BENCH_ONLY; do
        case "$name" in
            foundation | school_accounts | oauth | education_api | sync | peer) selected+=("$name") ;;
            *)
                printf 'bench: error: BENCH_ONLY must name some of: %s (got %s)\n' "${ALL[*]}" "$name" >&2
                exit 2
                ;;
        esac
    done
fi

mkdir -p "$here/../.run/bench"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
export BENCH_SUMMARY="$here/../.run/bench/summary-$stamp.txt"
: >"$BENCH_SUMMARY"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"

status=0
for name in "${selected[@]}"; do
    if ! "$here/$name.sh" "$@"; then
        printf 'bench: %s could not run to the end (see above)\n' "$name" >&2
        status=1
    fi
    echo
done

# ----------------------------------------------------------------------------- the table of issue 17
# value KIND NAME FIELD: field FIELD (1 = the first after the name) of the summary line "KIND NAME …", or "".
value() { awk -v k="$1" -v n="$2" -v f="$3" '$1 == k && $2 == n { v = $(f + 2) } END { print v }' "$BENCH_SUMMARY"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b + 0 > 0) printf "%.2f", a / b; else print "-" }'; }
verdict() { awk -v v="$1" -v t="$2" -v less="${3:-0}" 'BEGIN {
    if (v == "-" || v == "") print "-"; else if (less) print (v + 0 < t + 0) ? "met" : "NOT MET"; else print (v + 0 >= t + 0) ? "met" : "NOT MET" }'; }

table="$here/../.run/bench/table-$stamp.txt"
{
    echo "make bench — issue 17 table, every ratio between figures of this one run ($(date -u '+%Y-%m-%d %H:%M UTC'))"
    echo "  load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores shared with whatever else runs"
    printf '  %-38s | %-44s | %-6s | %-9s | %s\n' path "this run" ratio target verdict
    h="$(value oauth healthz 1)"
    for route in introspect userinfo; do
        rps="$(value oauth "$route" 1)"
        r="$(ratio "$rps" "$h")"
        printf '  %-38s | %-44s | %-6s | %-9s | %s\n' "$route (x /healthz $h req/s)" \
            "${rps:--} req/s, p99 $(value oauth "$route" 2) ms, $(value oauth "$route" 3) stmts" "$r" ">= 0.7" "$(verdict "$r" 0.7)"
    done
    cc="$(value oauth client_credentials 1)"
    peer="$(value peer client_credentials 1)"
    r="$(ratio "$cc" "$peer")"
    printf '  %-38s | %-44s | %-6s | %-9s | %s\n' "client_credentials (x the peer ${peer:--} req/s)" \
        "${cc:--} req/s, p99 $(value oauth client_credentials 2) ms, $(value oauth client_credentials 3) stmts, $(value oauth client_credentials 4) writes" \
        "$r" ">= 10" "$(verdict "$r" 10)"
    p99="$(value oauth client_credentials 2)"
    printf '  %-38s | %-44s | %-6s | %-9s | %s\n' "client_credentials p99" "${p99:--} ms" "" "< 25 ms" "$(verdict "${p99:--}" 25 1)"
    ex="$(value oauth exchange 1)"
    printf '  %-38s | %-44s | %-6s | %-9s | %s\n' "code exchange (authorize + token + RS256)" \
        "${ex:--} exchanges/s, $(value oauth exchange 3) stmts per request" "" ">= 1000/s" "$(verdict "${ex:--}" 1000)"
    eh="$(value education_api healthz 1)"
    g="$(value education_api grades 1)"
    r="$(ratio "$g" "$eh")"
    printf '  %-38s | %-44s | %-6s | %-9s | %s\n' "education API grades (x /healthz $eh)" \
        "${g:--} req/s, p99 $(value education_api grades 2) ms, $(value education_api grades 3) stmts" "$r" ">= 0.5" "$(verdict "$r" 0.5)"
    for route in livez healthz; do
        r="$(value foundation "$route" 1)"
        printf '  %-38s | %-44s | %-6s | %-9s | %s\n' "/$route vs the C libfcgi responder" \
            "$(value foundation "$route" 2) vs $(value foundation "$route" 3) req/s (lowest ratio over the matrix)" "${r:--}" ">= 0.8" \
            "$(verdict "${r:--}" 0.8)"
    done
    rss="$(value foundation rss 1)"
    [[ -n "$rss" ]] || rss="$(value oauth rss 1)"
    printf '  %-38s | %-44s | %-6s | %-9s | %s\n' "idle worker RSS" "${rss:--} MB" "" "< 30 MB" "$(verdict "${rss:--}" 30 1)"
    for route in introspection userinfo; do
        ours="$(value oauth "${route/introspection/introspect}" 1)"
        peer="$(value peer "$route" 1)"
        printf '  %-38s | %-44s | %-6s | %-9s | %s\n' "$route x the peer (${peer:--} req/s)" "${ours:--} req/s" "$(ratio "$ours" "$peer")" "" ""
    done
    echo "  raw figures: $BENCH_SUMMARY; each benchmark's report is printed above"
} | tee "$table"
exit "$status"

#!/usr/bin/env bash
# Entry point of `make bench`: runs the benchmarks under bench/ and prints their figures.
# Benchmarks print numbers; they never fail on a target (a non-zero exit means a stack could not be set up).
#
#   bench/run.sh                          foundation, school_accounts, oauth, then education_api (settings: see each script's header)
#   BENCH_QUICK=1 bench/run.sh            quick mode: 3 s runs, fewer connection counts
#   BENCH_ONLY=foundation bench/run.sh    one benchmark only: foundation, school_accounts, oauth, education_api or sync
#
# A benchmark that cannot set up its stack does not stop the next one; the exit status is then non-zero.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly here
readonly ALL=(foundation school_accounts oauth education_api sync)

selected=("${ALL[@]}")
if [[ -n "${BENCH_ONLY:-}" ]]; then
    case "$BENCH_ONLY" in
        foundation | school_accounts | oauth | education_api | sync) selected=("$BENCH_ONLY") ;;
        *)
            printf 'bench: error: BENCH_ONLY must be one of: %s (got %s)\n' "${ALL[*]}" "$BENCH_ONLY" >&2
            exit 2
            ;;
    esac
fi

status=0
for name in "${selected[@]}"; do
    if ! "$here/$name.sh" "$@"; then
        printf 'bench: %s could not run to the end (see above)\n' "$name" >&2
        status=1
    fi
    [[ "$name" == "${selected[-1]}" ]] || echo
done
exit "$status"

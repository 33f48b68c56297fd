#!/usr/bin/env bash
# Entry point of `make bench`: runs the benchmarks under bench/ and prints their figures.
# Benchmarks print numbers; they never fail on a target (a non-zero exit means the stack could not be set up).
#
#   bench/run.sh                  the foundation benchmark (see bench/foundation.sh for its settings)
#   BENCH_QUICK=1 bench/run.sh    quick mode: 3 s runs, 32 connections only
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec "$here/foundation.sh" "$@"

#!/usr/bin/env bash
# Instructions per userinfo request, bearer against DPoP, in one app worker under callgrind (issue 20): the
# repeatable companion of bench/dpop.sh, on the running dev stack (the one `deploy/dev/stack env` describes, with
# the same CW_* variables as it was started with). Needs valgrind; uses the end-to-end venv (<repo>/.run/venv, or
# BENCH_PYTHON).
#   bench/dpop-profile.sh      settings: see bench/dpop_profile.py
set -euo pipefail
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${BENCH_PYTHON:-$REPO_DIR/.run/venv/bin/python}"
eval "$("$REPO_DIR/deploy/dev/stack" env)"
unset REQUESTS_CA_BUNDLE CURL_CA_BUNDLE
command -v valgrind >/dev/null || { echo "bench: valgrind is not installed" >&2; exit 1; }
exec "$PYTHON" "$REPO_DIR/bench/dpop_profile.py"

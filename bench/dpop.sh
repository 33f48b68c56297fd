#!/usr/bin/env bash
# DPoP's cost on userinfo (issue 20): CPU per request with a DPoP-bound token against a bearer token, same run,
# on the running dev stack (the one `deploy/dev/stack env` describes, with the same CW_* variables as it was
# started with). Uses the end-to-end venv (joserfc, requests): <repo>/.run/venv, or BENCH_PYTHON.
#   bench/dpop.sh      settings: see bench/dpop_userinfo.py
set -euo pipefail
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${BENCH_PYTHON:-$REPO_DIR/.run/venv/bin/python}"
eval "$("$REPO_DIR/deploy/dev/stack" env)"
unset REQUESTS_CA_BUNDLE CURL_CA_BUNDLE
exec "$PYTHON" "$REPO_DIR/bench/dpop_userinfo.py"

#!/usr/bin/env bash
# make test-cluster: brings up the local cluster (deploy/cluster/local/cluster: three Galera nodes, HAProxy, two app
# hosts, one nginx) and runs the failover tests in tests/cluster against it, then stops it (CW_CLUSTER_KEEP=1 keeps
# it running). Not part of `make test`: it needs several minutes and most of two cores (see README "More than one VM").
#   CLUSTER_LOAD_SECONDS (90), CLUSTER_THREADS (64): the mixed load of test_failover.py
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"
SCRIPT="$REPO/deploy/cluster/local/cluster"

VENV="$REPO/.run/venv"
if [[ ! -x "$VENV/bin/python" ]]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check -r tests/e2e/requirements.txt

export CW_ENVIRONMENT="${CW_ENVIRONMENT:-test}" CW_NGINX_LOGIN_BURST="${CW_NGINX_LOGIN_BURST:-1000}"
# The load is many requests from one address: the general and token limits would answer it 429/503.
export CW_NGINX_GENERAL_RATE="${CW_NGINX_GENERAL_RATE:-100000r/s}" CW_NGINX_GENERAL_BURST="${CW_NGINX_GENERAL_BURST:-100000}"
export CW_NGINX_TOKEN_RATE="${CW_NGINX_TOKEN_RATE:-100000r/s}" CW_NGINX_TOKEN_BURST="${CW_NGINX_TOKEN_BURST:-100000}"
unset REQUESTS_CA_BUNDLE CURL_CA_BUNDLE
"$SCRIPT" up
if [[ "${CW_CLUSTER_KEEP:-0}" != 1 ]]; then
  trap '"$SCRIPT" down >/dev/null 2>&1 || true' EXIT
fi
eval "$("$SCRIPT" env)"
# Arguments go to pytest (e.g. one file, or -k); without any, every file of tests/cluster, the writer's failover first.
if (($# == 0)); then
  set -- tests/cluster/test_failover.py tests/cluster/test_hosts_and_partitions.py
fi
"$VENV/bin/python" -m pytest -q -s -p no:cacheprovider "$@"

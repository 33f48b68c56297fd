#!/usr/bin/env bash
# `make test`: every test, against instances of its own (a second stack under .run/test on ports
# 18443/18080, its upstream test OpenID provider on 18444, its directory on 18389/18636), so it works whether or not `make dev` is running.
#
#   1. layer lint and format lint
#   2. the test stack: private MariaDB, nginx, both pools (deploy/dev/stack, environment = test)
#   3. swift test: Domain (no database), MariaStore (fresh databases on the test server), app routes
#   4. end-to-end through nginx over TLS (pytest)
#   5. make fuzz: every libFuzzer harness for CW_TEST_FUZZ_SECONDS (60; 0 skips), after the stack is stopped
#
# The stack is stopped at the end unless CW_KEEP_TEST_STACK=1.
set -euo pipefail
cd "$(dirname "$0")/.."
readonly REPO="$PWD"

# Unix socket paths are limited to 107 bytes: a checkout in a deep folder keeps its test stack in /tmp.
default_dir="$REPO/.run/test"
if (( ${#default_dir} > 60 )); then
  default_dir="/tmp/catalystwells-test-$(printf '%s' "$REPO" | sha256sum | cut -c1-12)"
fi
export CW_STACK_DIR="${CW_TEST_STACK_DIR:-$default_dir}"
export CW_HTTPS_PORT="${CW_TEST_HTTPS_PORT:-18443}"
export CW_HTTP_PORT="${CW_TEST_HTTP_PORT:-18080}"
export CW_ENVIRONMENT=test
# The demo upstream OpenID provider of the test stack (deploy/dev/stack starts it; 9443 is the dev stack's).
export CW_IDP_PORT="${CW_TEST_IDP_PORT:-18444}"
# The demo directory of the test stack (slapd; 9389/9636 are the dev stack's).
export CW_LDAP_PORT="${CW_TEST_LDAP_PORT:-18389}"
export CW_LDAPS_PORT="${CW_TEST_LDAPS_PORT:-18636}"
# The demo SAML identity provider of the test stack (9445 is the dev stack's).
export CW_SAML_IDP_PORT="${CW_TEST_SAML_IDP_PORT:-18445}"
# The end-to-end suite signs in more often than nginx's per-address login limit allows a person
# (30/min); the app's own throttle, which the suite tests, is unchanged.
export CW_NGINX_LOGIN_BURST="${CW_NGINX_LOGIN_BURST:-300}"

step() { printf '\n==== %s\n' "$*"; }

step "layer lint"
bash tests/lint-layers.sh

step "format lint (.swift-format)"
swift format lint --configuration .swift-format --recursive --strict Sources Tests fuzz/Sources
echo "format lint: ok"

step "browser for the end-to-end tests"
# Debian's Chromium and its WebDriver drive the pages; selenium is pointed at them, so nothing is downloaded.
# poppler-utils (pdftoppm) renders the sign-in cards' PDF and zbar-tools (zbarimg) reads their QR badges back.
# prometheus (and its promtool) scrapes /internal/metrics in tests/e2e/test_metrics.py.
missing=()
for package in chromium chromium-driver python3-venv poppler-utils zbar-tools prometheus; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$package")
done
if ((${#missing[@]})); then
  if [[ "$(id -u)" != 0 ]]; then
    echo "make test: missing Debian packages: ${missing[*]} (install them as root)" >&2
    exit 1
  fi
  apt-get -o DPkg::Lock::Timeout=300 update
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "${missing[@]}"
fi

step "python environment for the end-to-end tests"
VENV="$REPO/.run/venv"
if [[ ! -x "$VENV/bin/python" ]]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check -r tests/e2e/requirements.txt

step "test stack"
stop_stack() {
  if [[ "${CW_KEEP_TEST_STACK:-0}" != 1 ]]; then
    deploy/dev/stack down >/dev/null 2>&1 || true
  fi
}
trap stop_stack EXIT
deploy/dev/stack up
eval "$(deploy/dev/stack env)"

# An account that may create and drop the MariaStore suites' throw-away databases (cwtest_*), on the
# test server only.
ADMIN_PASSWORD_FILE="$CW_SECRETS_DIR/db-test-admin.password"
if [[ ! -s "$ADMIN_PASSWORD_FILE" ]]; then
  (umask 077 && openssl rand -hex 24 >"$ADMIN_PASSWORD_FILE")
fi
mariadb --no-defaults --socket="$CW_MARIADB_SOCKET" -u root <<SQL
CREATE USER IF NOT EXISTS 'cw_test_admin'@'localhost';
ALTER USER 'cw_test_admin'@'localhost' IDENTIFIED BY '$(cat "$ADMIN_PASSWORD_FILE")';
GRANT ALL PRIVILEGES ON *.* TO 'cw_test_admin'@'localhost';
SQL

step "swift test"
export CW_TEST_DB_SOCKET="$CW_MARIADB_SOCKET"
export CW_TEST_DB_ADMIN_USER=cw_test_admin
export CW_TEST_DB_ADMIN_PASSWORD_FILE="$ADMIN_PASSWORD_FILE"
export CW_TEST_SECRETS_DIR="$CW_SECRETS_DIR"
swift test

step "end-to-end through nginx"
"$VENV/bin/python" -m pytest -q -p no:cacheprovider tests/e2e

fuzz_seconds="${CW_TEST_FUZZ_SECONDS:-60}"
if [[ "$fuzz_seconds" != 0 ]]; then
  # The stack is idle from here on; stopping it first gives the fuzzers both cores.
  stop_stack
  step "make fuzz (${fuzz_seconds} s per harness)"
  FUZZ_SECONDS="$fuzz_seconds" bash fuzz/run.sh
fi

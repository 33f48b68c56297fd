#!/usr/bin/env bash
# Layer lint (STYLE.md "C stays in two rooms"): the C shims and raw pointers only under the two driver
# folders and the Native target (libsodium, zlib, libqrencode, libzbar, libcurl, libldap, libxml2/libxmlsec1), and Domain importing nothing concrete. The compiler cannot enforce this inside FCGIApp.
set -euo pipefail
cd "$(dirname "$0")/.."

failures=0
report() { echo "layer lint: $*" >&2; failures=$((failures + 1)); }

while IFS= read -r hit; do
  report "libfcgi shim imported outside Sources/FCGIApp/FastCGI/: $hit"
done < <(grep -rn --include='*.swift' -E '^\s*(@preconcurrency\s+)?import\s+CFastCGI\b' Sources Tests | grep -v '^Sources/FCGIApp/FastCGI/' || true)

while IFS= read -r hit; do
  report "libmariadb shim imported outside Sources/MariaStore/Driver/: $hit"
done < <(grep -rn --include='*.swift' -E '^\s*(@preconcurrency\s+)?import\s+CMariaDB\b' Sources Tests | grep -v '^Sources/MariaStore/Driver/' || true)

while IFS= read -r hit; do
  report "libsodium/zlib/libqrencode/libzbar/libcurl/libldap/libxmlsec1 shim imported outside Sources/Native/: $hit"
done < <(grep -rn --include='*.swift' -E '^\s*(@preconcurrency\s+)?import\s+(CSodium|CZlib|CQREncode|CZBar|CCurl|CLDAP|CXMLSec)\b' Sources Tests | grep -v '^Sources/Native/' || true)

while IFS= read -r hit; do
  report "raw pointer outside the driver folders: $hit"
done < <(grep -rn --include='*.swift' -E '\bUnsafe[A-Za-z]*|\bOpaquePointer\b' Sources \
  | grep -v -e '^Sources/FCGIApp/FastCGI/' -e '^Sources/MariaStore/Driver/' -e '^Sources/Native/' || true)

while IFS= read -r hit; do
  report "Domain may import only Foundation, Crypto (with _CryptoExtras) and Synchronization: $hit"
done < <(grep -rn --include='*.swift' -E '^\s*import\s+' Sources/Domain | grep -v -E 'import\s+(Foundation|Crypto|_CryptoExtras|Synchronization)\s*$' || true)

if [ "$failures" -gt 0 ]; then
  echo "layer lint: $failures problem(s)" >&2
  exit 1
fi
echo "layer lint: ok"

#!/usr/bin/env bash
# P-256 ECDSA verification, the cost a DPoP proof adds (issue 20), by library on this machine: swift-crypto's
# vendored BoringSSL (through P256.Signing.PublicKey.isValidSignature and straight from C), Debian's OpenSSL 3
# libcrypto and Nettle. For each: CPU microseconds per verification (BENCH_P256_COUNT, default 3000; noisy on a
# shared machine) and instructions per verification under callgrind (repeatable: a run of 101 minus a run of 1,
# divided by 100), then `openssl speed -seconds 3 ecdsap256` and which BoringSSL P-256 code the product's binary
# runs (the nistz256 assembly or the portable fiat C).
#
#   bench/p256-verify.sh        (needs the release build: swift build -c release --product catalystwells;
#                                gcc, libssl-dev, nettle-dev, valgrind)
set -euo pipefail
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SOURCE="$REPO_DIR/bench/p256-verify"
WORK="$(realpath -m "${BENCH_DIR:-$REPO_DIR/.run/bench}")/p256-verify"
COUNT="${BENCH_P256_COUNT:-3000}"
RELEASE="$(cd "$REPO_DIR" && swift build -c release --show-bin-path)"
CRYPTO_SOURCES="$REPO_DIR/.build/checkouts/swift-crypto/Sources"
mkdir -p "$WORK"
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }
[[ -x "$RELEASE/catalystwells" && -d "$RELEASE/CCryptoBoringSSL.build" ]] ||
    die "no release build in $RELEASE: run swift build -c release --product catalystwells"
command -v valgrind >/dev/null || die "valgrind is not installed"

mapfile -t boringssl < <(find "$RELEASE/CCryptoBoringSSL.build" -name '*.o')
gcc -O2 -o "$WORK/openssl" "$SOURCE/openssl.c" -lcrypto
gcc -O2 -o "$WORK/nettle" "$SOURCE/nettle.c" -lhogweed -lnettle -lgmp
gcc -O2 -I "$CRYPTO_SOURCES/CCryptoBoringSSL/include" -c -o "$WORK/boringssl.o" "$SOURCE/boringssl.c"
g++ -o "$WORK/boringssl" "$WORK/boringssl.o" "${boringssl[@]}" -lpthread
maps=()
for module in CCryptoBoringSSL CCryptoBoringSSLShims CXKCP CXKCPShims; do
    maps+=(-Xcc "-fmodule-map-file=$CRYPTO_SOURCES/$module/include/module.modulemap")
done
mapfile -t swift_objects < <(find "$RELEASE"/{Crypto,CryptoBoringWrapper,SwiftASN1,CCryptoBoringSSLShims,CXKCP,CXKCPShims}.build \
    "$RELEASE/CCryptoBoringSSL.build" -name '*.o')
swiftc -O -o "$WORK/swift-crypto" "$SOURCE/swift-crypto.swift" -I "$RELEASE/Modules" "${maps[@]}" "${swift_objects[@]}" -lstdc++

echo "P-256 ECDSA verification — $(date -u '+%Y-%m-%d %H:%M:%S UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
for program in swift-crypto boringssl openssl nettle; do
    # valgrind 3.19 cannot read the DWARF 5 of Swift 6 (and of some objects): profile copies without debug info.
    objcopy --strip-debug "$WORK/$program" "$WORK/$program-nodebug"
    line="$("$WORK/$program" "$COUNT")"
    instructions=()
    for n in 1 101; do
        valgrind --tool=callgrind --callgrind-out-file="$WORK/$program.$n.callgrind" "$WORK/$program-nodebug" "$n" >/dev/null 2>&1
        instructions+=("$(awk '/^summary:/ { print $2 }' "$WORK/$program.$n.callgrind")")
    done
    printf '  %s  %8d instructions per verification (callgrind)\n' "$line" $(((instructions[1] - instructions[0]) / 100))
done
echo "  openssl speed -seconds 3 ecdsap256:"
openssl speed -seconds 3 ecdsap256 2>/dev/null | tail -n 2 | sed 's/^/    /'
# The nistz256 assembly (ecp_nistz256_points_mul_public, __ecp_nistz256_mul_mont*) or the portable C
# (fiat_p256_* in p256.cc.inc): which one the product's verifications go through.
inclusive="$(callgrind_annotate --inclusive=yes "$WORK/swift-crypto.101.callgrind" 2>/dev/null)"
for name in ecp_nistz256_points_mul_public __ecp_nistz256_mul_mont fiat_p256_; do
    hits="$(grep -c -- "$name" <<<"$inclusive" || true)"
    printf '  in swift-crypto'"'"'s verification profile: %-32s %s\n' "$name" "$([[ "$hits" -gt 0 ]] && echo present || echo absent)"
done
printf '  nistz256 symbols in %s: %s\n' "$RELEASE/catalystwells" "$(nm "$RELEASE/catalystwells" 2>/dev/null | grep -c 'ecp_nistz256_points_mul_public' || true)"

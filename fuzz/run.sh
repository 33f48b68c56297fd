#!/usr/bin/env bash
# `make fuzz`: builds the libFuzzer harnesses of fuzz/Sources with -sanitize=fuzzer,address, replays every
# input in fuzz/regressions/<harness>/, then fuzzes each harness for FUZZ_SECONDS from its seeds in
# fuzz/corpus/<harness>/ (and what earlier runs found, kept in .run/fuzz/corpus/<harness>/). Prints per-harness
# figures; exits non-zero if any input crashed, leaked, hung or broke a property, saving it in .run/fuzz/crashes/.
#
#   FUZZ_SECONDS=300   fuzzing time per harness (CI: 60)
#   FUZZ_ONLY="fuzz-zip fuzz-csv"   a subset of harnesses
#   FUZZ_JOBS=2        harnesses fuzzed at once (default: the number of cores, at most 2)
#   FUZZ_CONFIG=release   release (-O, the default: several times the executions per second) or debug
#
# The harnesses are declared in Package.swift only when CW_FUZZ=1 and built in their own scratch folder
# (.build-fuzz), so the product's build and `swift test` never see them. fuzz/README.md has the details.
set -euo pipefail
cd "$(dirname "$0")/.."
readonly REPO="$PWD"
readonly SECONDS_EACH="${FUZZ_SECONDS:-300}"
readonly CONFIG="${FUZZ_CONFIG:-release}"
readonly OUT="$REPO/.run/fuzz"
cores="$(nproc 2>/dev/null || echo 1)"
readonly JOBS="${FUZZ_JOBS:-$((cores < 2 ? cores : 2))}"

# harness → -max_len: the parser's own input limits, or enough to reach them.
#   fastcgi: two full 64 KiB records (the body beyond is cut, as a peer closing early does);
#   form: the 4096-byte URI and header limits, with a body; multipart: 256 KiB of parts;
#   csv/zip: 128/256 KiB files (the 100 MB unpacked limit is checked from declared sizes);
#   json-bodies: APIRequestBody.maximumBytes (256 KiB) plus the selector byte and one byte over;
#   jose: the 512-byte nonce and a long Authorization header; upstream: an ID token (16 KiB at most) with a
#   JWKS, a discovery document and a ticket cookie; webauthn: a 16 KiB attestation object (its limit) and one byte over;
#   saml: a SAML response and an IdP's metadata document (64 KiB together); pdf: a line of text or a small font file.
declare -A MAX_LEN=(
  [fuzz-fastcgi]=131072 [fuzz-form]=16384 [fuzz-multipart]=262144 [fuzz-csv]=131072
  [fuzz-zip]=262144 [fuzz-json-bodies]=262146 [fuzz-jose]=8192 [fuzz-upstream]=32768
  [fuzz-webauthn]=16386 [fuzz-saml]=65536 [fuzz-pdf]=16384
)
ALL=(fuzz-fastcgi fuzz-form fuzz-multipart fuzz-csv fuzz-zip fuzz-json-bodies fuzz-jose fuzz-upstream fuzz-webauthn fuzz-saml fuzz-pdf)
read -r -a HARNESSES <<<"${FUZZ_ONLY:-${ALL[*]}}"
for harness in "${HARNESSES[@]}"; do
  [[ -n "${MAX_LEN[$harness]:-}" ]] || { echo "make fuzz: no harness named $harness (${ALL[*]})" >&2; exit 2; }
done

step() { printf '\n==== %s\n' "$*"; }

step "build (-sanitize=fuzzer,address, $CONFIG)"
flags=(--scratch-path "$REPO/.build-fuzz" -c "$CONFIG" -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld)
# @testable import needs -enable-testing, which only debug builds have by default. (ld.gold crashes on
# ASan-instrumented Swift objects, hence lld.)
[[ "$CONFIG" == release ]] && flags+=(-Xswiftc -enable-testing)
mkdir -p "$OUT/logs"
build_start=$SECONDS
for harness in "${HARNESSES[@]}"; do
  CW_FUZZ=1 swift build "${flags[@]}" --product "$harness" >"$OUT/logs/build-$harness.log" 2>&1 || true
  if grep -q 'No target named' "$OUT/logs/build-$harness.log"; then
    # SwiftPM keeps a build description from an earlier package graph; dropping it makes it plan afresh.
    rm -f "$REPO/.build-fuzz/"*"/$CONFIG/description.json"
    CW_FUZZ=1 swift build "${flags[@]}" --product "$harness" >"$OUT/logs/build-$harness.log" 2>&1 || true
  fi
  grep -E 'error:|Build of product' "$OUT/logs/build-$harness.log" | sort -u || true
  [[ -x "$REPO/.build-fuzz/$CONFIG/$harness" ]] || { echo "make fuzz: $harness did not build" >&2; exit 1; }
done
echo "build: $((SECONDS - build_start)) s"
BIN="$REPO/.build-fuzz/$CONFIG"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}"
export LSAN_OPTIONS="suppressions=$REPO/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
mkdir -p "$OUT/logs"

failed=()
crash_hint() {
  local harness="$1"
  for artifact in "$OUT/crashes/$harness"/*; do
    [[ -e "$artifact" ]] || continue
    echo "  input saved: ${artifact#"$REPO"/}"
    echo "  replay it:   .build-fuzz/$CONFIG/$harness ${artifact#"$REPO"/}"
    echo "  once the product is fixed, keep it as a regression input (replayed by every make fuzz, and by"
    echo "  swift test for the Swift parsers): cp ${artifact#"$REPO"/} fuzz/regressions/$harness/<what-it-found>"
  done
}

step "replay fuzz/regressions"
for harness in "${HARNESSES[@]}"; do
  inputs=("$REPO/fuzz/regressions/$harness"/*)
  [[ -e "${inputs[0]}" ]] || { echo "$harness: no regression inputs"; continue; }
  mkdir -p "$OUT/crashes/$harness"
  if "$BIN/$harness" -runs=1 -rss_limit_mb=2048 -timeout=30 -artifact_prefix="$OUT/crashes/$harness/" "${inputs[@]}" \
    >"$OUT/logs/$harness.replay.log" 2>&1; then
    echo "$harness: ${#inputs[@]} inputs replayed, ok"
  else
    echo "$harness: a regression input fails again (log: .run/fuzz/logs/$harness.replay.log)"
    tail -n 25 "$OUT/logs/$harness.replay.log"
    failed+=("$harness (regression)")
  fi
done

fuzz_one() {
  local harness="$1"
  mkdir -p "$OUT/corpus/$harness" "$OUT/crashes/$harness"
  # -timeout: one input running 10 s is a hang; the outer timeout is a last resort.
  timeout --kill-after=30 $((SECONDS_EACH + 120)) "$BIN/$harness" \
    -max_total_time="$SECONDS_EACH" -max_len="${MAX_LEN[$harness]}" -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$OUT/crashes/$harness/" \
    "$OUT/corpus/$harness" "$REPO/fuzz/corpus/$harness" >"$OUT/logs/$harness.log" 2>&1
}

report() {
  local harness="$1" status="$2" log="$OUT/logs/$1.log"
  local last execs units rss
  last="$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)"
  execs="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")"
  units="$(sed -n 's/^stat::new_units_added: *//p' "$log")"
  rss="$(sed -n 's/^stat::peak_rss_mb: *//p' "$log")"
  printf '%-17s %s  execs/s %-6s cov %-6s ft %-6s new units %-5s peak rss %s MB  crashes %s\n' \
    "$harness" "$([[ $status == 0 ]] && echo ok || echo FAILED)" "${execs:-?}" \
    "$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")" "$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")" \
    "${units:-?}" "${rss:-?}" "$([[ $status == 0 ]] && echo 0 || echo 1)"
}

step "fuzz: ${SECONDS_EACH} s per harness, $JOBS at a time (logs: .run/fuzz/logs/)"
declare -A STATUS=()
fuzz_start=$SECONDS
queue=("${HARNESSES[@]}")
declare -A RUNNING=()
while ((${#queue[@]} || ${#RUNNING[@]})); do
  while ((${#queue[@]})) && ((${#RUNNING[@]} < JOBS)); do
    harness="${queue[0]}"
    queue=("${queue[@]:1}")
    fuzz_one "$harness" &
    RUNNING[$!]="$harness"
  done
  wait -n -p done_pid "${!RUNNING[@]}" && status=0 || status=$?
  STATUS[${RUNNING[$done_pid]}]=$status
  unset "RUNNING[$done_pid]"
done
echo "fuzzing: $((SECONDS - fuzz_start)) s"

step "figures"
for harness in "${HARNESSES[@]}"; do
  # A harness that exits without libFuzzer's final statistics did not fuzz (e.g. linked without its entry point).
  if [[ "${STATUS[$harness]}" == 0 ]] && ! grep -q '^stat::number_of_executed_units: *[1-9]' "$OUT/logs/$harness.log"; then
    echo "$harness: ran no inputs (no libFuzzer statistics in .run/fuzz/logs/$harness.log)" >&2
    STATUS[$harness]=1
  fi
  report "$harness" "${STATUS[$harness]}"
  if [[ "${STATUS[$harness]}" != 0 ]]; then
    failed+=("$harness")
    grep -E 'ERROR:|fuzz property failed|Fatal error|SUMMARY' "$OUT/logs/$harness.log" | head -n 5 | sed 's/^/  /'
    crash_hint "$harness"
  fi
done

if ((${#failed[@]})); then
  echo
  echo "make fuzz: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo
echo "make fuzz: ok"

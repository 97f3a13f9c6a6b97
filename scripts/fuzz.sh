#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) into build-fuzz/ and runs each
# for SECONDS (default 20) from its seed corpus in tests/fuzz/corpus/. A crash
# leaves its input in build-fuzz/crashes/ and fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
source scripts/sanitized-build.sh
CC=clang CXX=clang++ configure_sanitized build-fuzz \
  "-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g -O1" \
  "-fsanitize=address,undefined" -DCSM_FUZZ=ON
cmake --build build-fuzz --target fuzz_all --parallel "$(nproc)"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export LSAN_OPTIONS="suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$PWD/tests/sanitizers/ubsan.supp"
mkdir -p build-fuzz/crashes
passed=0; failed=0
for target in build-fuzz/bin/fuzz_*; do
  [[ -f "$target" && -x "$target" ]] || continue
  name=$(basename "$target"); seeds="tests/fuzz/corpus/${name#fuzz_}"
  work="build-fuzz/corpus/$name"; mkdir -p "$work"
  echo "== $name ($seconds s)"
  if "$target" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=6000 -print_final_stats=1 \
       -artifact_prefix="build-fuzz/crashes/$name-" "$work" "$seeds" > "build-fuzz/$name.log" 2>&1; then
    grep -E "stat::number_of_executed_units|cov:" "build-fuzz/$name.log" | tail -1
    passed=$((passed + 1))
  else
    tail -40 "build-fuzz/$name.log"; failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
((failed == 0))

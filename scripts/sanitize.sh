#!/usr/bin/env bash
# Builds core/ and the CLIs with AddressSanitizer + UndefinedBehaviorSanitizer
# (no GUI) into build-asan/ and runs the whole test suite there.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/sanitized-build.sh
configure_sanitized build-asan "-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -O1 -g" \
  "-fsanitize=address,undefined" -DCSM_BUILD_GUI=OFF -DCSM_SANITIZER_BUILD=ON
cmake --build build-asan --parallel "$(nproc)"
# LibTorch and OpenMP are not instrumented: their own allocations at exit are not ours to report.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:halt_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1"
export LSAN_OPTIONS="suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$PWD/tests/sanitizers/ubsan.supp"
export CSM_REQUIRE_FIXTURES="${CSM_REQUIRE_FIXTURES:-1}"
cd build-asan
ctest --output-on-failure --timeout 1800 "$@"

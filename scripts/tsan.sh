#!/usr/bin/env bash
# ThreadSanitizer build (build-tsan/) of core/ and the engine's threaded tests:
# sessions generated, cancelled and destroyed from several threads at once, and
# the scheduler's model thread beside its readers.
# LibTorch and OpenMP are not instrumented; their internals are suppressed
# (tests/sanitizers/tsan.supp), our code is not.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/sanitized-build.sh
configure_sanitized build-tsan "-fsanitize=thread -fno-omit-frame-pointer -O1 -g" "-fsanitize=thread" \
  -DCSM_BUILD_GUI=OFF -DCSM_SANITIZER_BUILD=ON
cmake --build build-tsan --parallel "$(nproc)" --target test_concurrency test_session test_scheduler test_one_path test_text_stream
export TSAN_OPTIONS="suppressions=$PWD/tests/sanitizers/tsan.supp:halt_on_error=1:second_deadlock_stack=1"
export OMP_NUM_THREADS=1
build-tsan/bin/test_concurrency
build-tsan/bin/test_session --gtest_filter='*Cancel*:*Batched*:*Chunking*'
build-tsan/bin/test_scheduler  # the model thread, readers, cancels and drains on other threads
build-tsan/bin/test_one_path --gtest_filter='OnePath.TheSchedulersLoop*:OnePath.OneScheduler*:OnePath.GraphsOff*:OnePath.DecodingOnItsOwnThread*'
# Text appended, ended and cancelled on other threads while the model thread waits for it.
build-tsan/bin/test_text_stream --gtest_filter='TextStream.Cancel*'
echo "5 passed, 0 failed"

#!/usr/bin/env bash
# Runs the whole test suite (CTest). Reference fixtures are looked up in
# ../shared/fixtures unless CSM_FIXTURES_DIR says otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
export CSM_REQUIRE_FIXTURES="${CSM_REQUIRE_FIXTURES:-1}"
cd build
ctest --output-on-failure --timeout 900 "$@"

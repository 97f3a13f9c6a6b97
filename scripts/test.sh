#!/usr/bin/env bash
# Runs the whole test suite (CTest). Nothing outside the checkout is needed: the
# reference fixtures are the repository's own (tests/data/fixtures.tar.xz, which the
# build extracts into build/fixtures) unless CSM_FIXTURES_DIR names another folder.
# A missing fixture fails its test here (CSM_REQUIRE_FIXTURES=1), never skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
export CSM_REQUIRE_FIXTURES="${CSM_REQUIRE_FIXTURES:-1}"
cd build
ctest --output-on-failure --timeout 900 "$@"

#pragma once
// Locating the reference fixtures: the repository's own (tests/data/fixtures.tar.xz,
// extracted into <build>/fixtures by the build), or the folder the CMake cache variable
// or the environment variable CSM_FIXTURES_DIR names. When they are absent the test is
// skipped, unless CSM_REQUIRE_FIXTURES=1 (scripts/test.sh and CI set it) makes that a failure.
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace csm::test {

// The fixtures folder: $CSM_FIXTURES_DIR, else the one this build was configured with.
std::string fixtures_root();
// Absolute path of `relative` under the fixtures folder, or "" when missing.
std::string fixture_path(const std::string& relative);
bool fixtures_required();
nlohmann::json read_json(const std::string& path);
// A fresh empty directory for this test.
std::string temp_dir(const std::string& tag);

}  // namespace csm::test

#define CSM_REQUIRE_FIXTURE(var, relative)                                                         \
  const std::string var = ::csm::test::fixture_path(relative);                                     \
  if (var.empty()) {                                                                               \
    if (::csm::test::fixtures_required())                                                          \
      FAIL() << "fixture missing: " << (relative) << " in " << ::csm::test::fixtures_root();       \
    GTEST_SKIP() << "fixture missing: " << (relative) << " in " << ::csm::test::fixtures_root()     \
                 << " (build the csm_fixtures target, or set CSM_FIXTURES_DIR)";                    \
  }

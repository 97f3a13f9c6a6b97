#pragma once
// Locating the shared reference fixtures. When they are absent the test is
// skipped, unless CSM_REQUIRE_FIXTURES=1 (CI sets it) makes that a failure.
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace csm::test {

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
    if (::csm::test::fixtures_required()) FAIL() << "fixture missing: " << (relative);             \
    GTEST_SKIP() << "fixture missing: " << (relative) << " (set CSM_FIXTURES_DIR)";                \
  }

#include "support/fixtures.h"

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <unistd.h>

namespace csm::test {

std::string fixtures_root() {
  const char* env = std::getenv("CSM_FIXTURES_DIR");
  return env && *env ? env : CSM_DEFAULT_FIXTURES_DIR;
}

std::string fixture_path(const std::string& relative) {
  const auto path = std::filesystem::path(fixtures_root()) / relative;
  return std::filesystem::exists(path) ? std::filesystem::canonical(path).string() : std::string();
}

bool fixtures_required() {
  const char* env = std::getenv("CSM_REQUIRE_FIXTURES");
  return env && std::string(env) == "1";
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

std::string temp_dir(const std::string& tag) {
  static std::atomic<int> counter{0};
  const auto dir = std::filesystem::temp_directory_path() /
                   ("csm-test-" + tag + "-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

}  // namespace csm::test

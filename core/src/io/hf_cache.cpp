// Locating models that Hugging Face tools (or we) downloaded.
#include <cstdlib>
#include <filesystem>

#include "csm/hub.h"

namespace csm {
namespace fs = std::filesystem;

std::string hf_hub_cache_dir() {
  if (const char* cache = std::getenv("HF_HUB_CACHE"); cache && *cache) return cache;
  if (const char* home = std::getenv("HF_HOME"); home && *home) return (fs::path(home) / "hub").string();
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return (fs::path(xdg) / "huggingface" / "hub").string();
  const char* home = std::getenv("HOME");
  return (fs::path(home && *home ? home : "/") / ".cache" / "huggingface" / "hub").string();
}

std::string find_in_hf_cache(const std::string& repo_id) {
  std::string folder = "models--" + repo_id;
  for (size_t pos = folder.find('/'); pos != std::string::npos; pos = folder.find('/', pos)) folder.replace(pos, 1, "--");
  const fs::path repo = fs::path(hf_hub_cache_dir()) / folder;
  std::error_code ec;
  if (!fs::is_directory(repo / "snapshots", ec)) return {};
  for (const auto& entry : fs::directory_iterator(repo / "snapshots", ec))
    if (entry.is_directory() && fs::exists(entry.path() / "config.json")) return repo.string();
  return {};
}

}  // namespace csm

#include "io/model_location.h"

#include <filesystem>
#include <fstream>

#include "csm/error.h"

namespace csm {
namespace fs = std::filesystem;
namespace {

// models--org--name/ -> the snapshot refs/main points at, else the newest one.
fs::path snapshot_of(const fs::path& repo) {
  const fs::path snapshots = repo / "snapshots";
  std::ifstream ref(repo / "refs" / "main");
  std::string revision;
  if (ref >> revision && fs::is_directory(snapshots / revision)) return snapshots / revision;
  fs::path newest;
  fs::file_time_type newest_time{};
  for (const auto& entry : fs::directory_iterator(snapshots)) {
    if (!entry.is_directory()) continue;
    const auto t = entry.last_write_time();
    if (newest.empty() || t > newest_time) {
      newest = entry.path();
      newest_time = t;
    }
  }
  if (newest.empty()) throw Error(ErrorCode::Io, repo.string() + " has no snapshots", "download the model again");
  return newest;
}

}  // namespace

ModelLocation locate_model(const std::string& path, const std::string& tokenizer_override) {
  fs::path dir(path);
  if (!fs::exists(dir)) throw Error(ErrorCode::Io, "model path " + path + " does not exist");
  if (!fs::is_directory(dir)) dir = dir.parent_path();  // a file inside the model folder
  if (fs::is_directory(dir / "snapshots")) dir = snapshot_of(dir);
  if (!fs::exists(dir / "config.json"))
    throw Error(ErrorCode::Io, dir.string() + " has no config.json",
                "point --model at a CSM model folder (config.json + model.safetensors)");
  ModelLocation loc;
  loc.directory = fs::canonical(dir).string();
  if (!tokenizer_override.empty()) {
    if (!fs::exists(tokenizer_override)) throw Error(ErrorCode::Io, "tokenizer " + tokenizer_override + " does not exist");
    loc.tokenizer = tokenizer_override;
  } else {
    for (const char* name : {"tokenizer.json", "tokenizer.model"})
      if (fs::exists(dir / name)) {
        loc.tokenizer = (dir / name).string();
        break;
      }
  }
  return loc;
}

}  // namespace csm

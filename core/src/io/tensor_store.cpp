#include "io/tensor_store.h"

#include <filesystem>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "csm/error.h"

namespace csm {
namespace fs = std::filesystem;
namespace {

std::vector<std::string> shards_from_index(const fs::path& index) {
  std::ifstream in(index);
  if (!in) throw Error(ErrorCode::Io, "cannot open " + index.string());
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorCode::BadModelFile, index.string() + " is not valid JSON: " + e.what());
  }
  if (!j.contains("weight_map") || !j["weight_map"].is_object())
    throw Error(ErrorCode::BadModelFile, index.string() + " has no \"weight_map\" object");
  std::set<std::string> shards;
  for (const auto& [name, file] : j["weight_map"].items()) {
    if (!file.is_string()) throw Error(ErrorCode::BadModelFile, index.string() + ": weight_map entry \"" + name + "\" is not a file name");
    const std::string shard = file.get<std::string>();
    if (shard.find('/') != std::string::npos || shard == "..")
      throw Error(ErrorCode::BadModelFile, index.string() + ": shard name \"" + shard + "\" must be a plain file name");
    shards.insert(shard);
  }
  std::vector<std::string> paths;
  for (const auto& s : shards) {
    const fs::path p = index.parent_path() / s;
    if (!fs::exists(p))
      throw Error(ErrorCode::Io, index.string() + " lists shard " + s + ", which is missing",
                  "download every shard of the checkpoint");
    paths.push_back(p.string());
  }
  return paths;
}

}  // namespace

TensorStore TensorStore::open(const std::string& path) {
  TensorStore store;
  fs::path p(path);
  if (fs::is_directory(p)) {
    if (fs::exists(p / "model.safetensors")) p /= "model.safetensors";
    else if (fs::exists(p / "model.safetensors.index.json")) p /= "model.safetensors.index.json";
    else
      throw Error(ErrorCode::Io, path + " holds neither model.safetensors nor model.safetensors.index.json",
                  "point --model at the folder of a CSM checkpoint");
  }
  if (!fs::exists(p)) throw Error(ErrorCode::Io, p.string() + " does not exist");
  const std::string name = p.filename().string();
  if (name.size() > 5 && name.substr(name.size() - 5) == ".json") {
    for (const auto& shard : shards_from_index(p)) store.add_file(shard);
  } else {
    store.add_file(p.string());
  }
  return store;
}

void TensorStore::add_file(const std::string& path) { files_.push_back(std::make_shared<SafetensorsFile>(path)); }

const SafetensorsFile* TensorStore::file_of(const std::string& name) const {
  for (const auto& f : files_)
    if (f->contains(name)) return f.get();
  return nullptr;
}

bool TensorStore::has(const std::string& name) const { return file_of(name) != nullptr; }

const SafetensorsEntry* TensorStore::entry(const std::string& name) const {
  const auto* f = file_of(name);
  return f ? &f->entries().at(name) : nullptr;
}

at::Tensor TensorStore::get(const std::string& name) const {
  const auto* f = file_of(name);
  if (!f) throw Error(ErrorCode::BadModelFile, describe() + " has no tensor \"" + name + "\"",
                      "the checkpoint is incomplete or of another model");
  return f->tensor(name);
}

std::vector<std::string> TensorStore::names() const {
  std::vector<std::string> out;
  for (const auto& f : files_)
    for (const auto& [name, entry] : f->entries()) out.push_back(name);
  return out;
}

std::string TensorStore::describe() const {
  if (files_.empty()) return "(no checkpoint)";
  return files_.front()->path() + (files_.size() > 1 ? " (+" + std::to_string(files_.size() - 1) + " more)" : "");
}

}  // namespace csm

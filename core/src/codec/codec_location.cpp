#include "codec/codec_location.h"

#include <filesystem>
#include <fstream>
#include <optional>

#include <nlohmann/json.hpp>

#include "codec/mimi_weights.h"
#include "csm/error.h"
#include "io/model_location.h"

namespace csm {
namespace fs = std::filesystem;
namespace {

// The config that belongs to Mimi weights in `dir`: HF config.json (a Mimi or a CSM
// with codec_config), the original mimi_config.json, else the real Mimi's values.
MimiConfig config_beside(const fs::path& dir) {
  if (fs::exists(dir / "mimi_config.json")) return load_mimi_config((dir / "mimi_config.json").string());
  if (fs::exists(dir / "config.json")) {
    const auto config = dir / "config.json";
    std::ifstream in(config);
    const auto j = nlohmann::json::parse(in, nullptr, false);
    if (!j.is_discarded() && (j.value("model_type", "") == "mimi" || j.contains("codec_config")))
      return load_mimi_config(config.string());
  }
  return MimiConfig{};
}

std::optional<fs::path> original_file_in(const fs::path& dir) {
  if (fs::exists(dir / "mimi.safetensors")) return dir / "mimi.safetensors";
  for (const auto& entry : fs::directory_iterator(dir)) {
    const auto name = entry.path().filename().string();
    if (name.rfind("tokenizer-", 0) == 0 && entry.path().extension() == ".safetensors") return entry.path();
  }
  return std::nullopt;
}

CodecSource from_codec_path(const std::string& path) {
  const fs::path p(path);
  if (!fs::exists(p)) throw Error(ErrorCode::Io, "codec path " + path + " does not exist");
  if (fs::is_directory(p)) {
    if (fs::exists(p / "model.safetensors") || fs::exists(p / "model.safetensors.index.json"))
      return {TensorStore::open(p.string()), config_beside(p), p.string()};
    if (const auto file = original_file_in(p)) return {TensorStore::open(file->string()), config_beside(p), file->string()};
    throw Error(ErrorCode::Io, path + " holds no Mimi safetensors file");
  }
  return {TensorStore::open(p.string()), config_beside(p.parent_path()), p.string()};
}

CodecSource from_model(const std::string& model) {
  const ModelLocation loc = locate_model(model, "");
  const fs::path dir(loc.directory);
  TensorStore checkpoint = TensorStore::open(loc.directory);
  if (MimiWeights::present(checkpoint)) return {std::move(checkpoint), config_beside(dir), loc.directory};
  if (const auto file = original_file_in(dir)) return {TensorStore::open(file->string()), config_beside(dir), file->string()};
  throw Error(ErrorCode::BadModelFile, "no Mimi codec in " + loc.directory +
                                           " (neither codec_model.* in the checkpoint nor mimi.safetensors beside it)",
              "give the codec with --codec PATH (kyutai/mimi or Kyutai's tokenizer-*.safetensors)");
}

}  // namespace

CodecSource locate_codec(const std::string& model, const std::string& codec) {
  if (codec.empty() && model.empty()) throw Error(ErrorCode::InvalidArgument, "no codec: give --model DIR or --codec PATH");
  return codec.empty() ? from_model(model) : from_codec_path(codec);
}

}  // namespace csm

#include "codec/mimi_config.h"

#include <cmath>
#include <fstream>

#include "csm/error.h"

namespace csm {
namespace {

using nlohmann::json;

template <typename T>
void read(const json& j, const char* key, T& out, const std::string& where) {
  if (!j.contains(key) || j[key].is_null()) return;
  try {
    out = j[key].get<T>();
  } catch (const json::exception&) {
    throw Error(ErrorCode::BadModelFile, where + ": field \"" + key + "\" has the wrong type");
  }
}

void validate(const MimiConfig& c, const std::string& where) {
  const auto bad = [&](const std::string& what) { throw Error(ErrorCode::BadModelFile, where + ": " + what); };
  if (c.hidden <= 0 || c.filters <= 0 || c.layers < 0 || c.heads <= 0 || c.head_dim <= 0 || c.head_dim % 2 ||
      c.heads > 1024 || c.head_dim > 4096)
    bad("transformer/SEANet sizes must be positive (head_dim even)");
  if (int64_t(c.heads) * c.head_dim != c.hidden) bad("heads x head_dim must equal hidden size");
  if (c.ratios.empty() || c.ratios.size() > 8) bad("SEANet needs 1 to 8 ratios");
  int64_t hop = 1;
  for (int r : c.ratios) {
    if (r <= 0 || r > 64) bad("SEANet ratios must be 1..64");
    hop *= r;
  }
  if (hop > (1 << 20)) bad("the SEANet ratios multiply to more than any codec uses");
  if (c.hidden > (1 << 16) || c.filters > (1 << 16) || c.layers > 1024 || c.intermediate > (1 << 20) ||
      c.codebook_size > (1 << 24) || c.codebook_dim > (1 << 16) || c.num_quantizers > 1024 || c.channels > 64 ||
      c.channels < 1 || c.kernel < 1 || c.kernel > 1024 || c.last_kernel < 1 || c.last_kernel > 1024 ||
      c.residual_kernel < 1 || c.residual_kernel > 1024 || c.compress < 1 || c.residual_layers < 0 ||
      c.residual_layers > 64 || c.dilation_base < 1 || c.dilation_base > 64 || c.window < 1 || c.upsample_groups < 1)
    bad("a size is out of range");
  if (c.num_quantizers < 1 || c.semantic_quantizers < 0 || c.semantic_quantizers > c.num_quantizers)
    bad("quantizer counts are inconsistent");
  if (c.frame_rate <= 0 || c.sample_rate <= 0) bad("sample and frame rates must be positive");
  const double stride = double(c.sample_rate) / double(hop) / c.frame_rate;
  if (!std::isfinite(stride) || stride < 1 || stride > 64 || c.sample_rate > 768000 ||
      std::abs(stride - std::round(stride)) > 1e-6)
    bad("frame rate " + std::to_string(c.frame_rate) + " is not a whole division of the SEANet rate");
  if (c.hidden % c.upsample_groups) bad("upsample groups must divide the hidden size");
  if (c.pad_mode != "constant") bad("pad_mode \"" + c.pad_mode + "\" is not supported (constant)");
}

}  // namespace

MimiConfig parse_hf_fields(const nlohmann::json& j, const std::string& where);
MimiConfig parse_orig_fields(const nlohmann::json& j, const std::string& where);

int MimiConfig::hop() const {
  int h = 1;
  for (int r : ratios) h *= r;
  return h;
}
int MimiConfig::latent_stride() const {
  return static_cast<int>(std::lround(double(sample_rate) / hop() / frame_rate));
}
int MimiConfig::samples_per_frame() const { return hop() * latent_stride(); }

// Runs a field parser so that any JSON type surprise becomes a model-file error.
MimiConfig parse_object(const json& j, const std::string& where,
                        MimiConfig (*fields)(const json&, const std::string&)) {
  if (!j.is_object()) throw Error(ErrorCode::BadModelFile, where + " is not a JSON object");
  try {
    return fields(j, where);
  } catch (const json::exception& e) {
    throw Error(ErrorCode::BadModelFile, where + ": a Mimi field has the wrong type (" + e.what() + ")");
  }
}

MimiConfig parse_hf_mimi_config(const json& j, const std::string& where) {
  return parse_object(j, where, parse_hf_fields);
}

MimiConfig parse_hf_fields(const json& j, const std::string& where) {
  MimiConfig c;
  read(j, "sampling_rate", c.sample_rate, where);
  read(j, "frame_rate", c.frame_rate, where);  // transformers 4.x
  read(j, "_frame_rate", c.frame_rate, where);  // transformers 5
  read(j, "audio_channels", c.channels, where);
  read(j, "hidden_size", c.hidden, where);
  read(j, "num_filters", c.filters, where);
  read(j, "num_residual_layers", c.residual_layers, where);
  read(j, "upsampling_ratios", c.ratios, where);
  read(j, "kernel_size", c.kernel, where);
  read(j, "last_kernel_size", c.last_kernel, where);
  read(j, "residual_kernel_size", c.residual_kernel, where);
  read(j, "dilation_growth_rate", c.dilation_base, where);
  read(j, "compress", c.compress, where);
  read(j, "pad_mode", c.pad_mode, where);
  read(j, "num_hidden_layers", c.layers, where);
  read(j, "num_attention_heads", c.heads, where);
  c.head_dim = c.heads > 0 ? c.hidden / c.heads : 0;  // validate() rejects heads <= 0
  read(j, "head_dim", c.head_dim, where);
  read(j, "intermediate_size", c.intermediate, where);
  read(j, "norm_eps", c.norm_eps, where);
  read(j, "sliding_window", c.window, where);
  read(j, "rope_theta", c.rope_theta, where);
  if (j.contains("rope_parameters") && j["rope_parameters"].is_object())
    read(j["rope_parameters"], "rope_theta", c.rope_theta, where);
  read(j, "codebook_size", c.codebook_size, where);
  read(j, "codebook_dim", c.codebook_dim, where);
  c.quantizer_dim = c.codebook_dim;
  read(j, "vector_quantization_hidden_dimension", c.quantizer_dim, where);
  read(j, "num_quantizers", c.num_quantizers, where);
  read(j, "num_semantic_quantizers", c.semantic_quantizers, where);
  c.upsample_groups = c.hidden;
  read(j, "upsample_groups", c.upsample_groups, where);
  if (j.value("use_conv_shortcut", false))
    throw Error(ErrorCode::BadModelFile, where + ": Mimi with use_conv_shortcut=true is not supported");
  if (!j.value("use_causal_conv", true))
    throw Error(ErrorCode::BadModelFile, where + ": a non-causal Mimi cannot stream and is not supported");
  if (j.value("trim_right_ratio", 1.0) != 1.0)
    throw Error(ErrorCode::BadModelFile, where + ": trim_right_ratio other than 1 is not supported");
  if (j.contains("num_key_value_heads") && j["num_key_value_heads"].is_number() &&
      j["num_key_value_heads"].get<int>() != c.heads)
    throw Error(ErrorCode::BadModelFile, where + ": Mimi with grouped key/value heads is not supported");
  validate(c, where);
  return c;
}

MimiConfig parse_orig_mimi_config(const json& j, const std::string& where) {
  return parse_object(j, where, parse_orig_fields);
}

MimiConfig parse_orig_fields(const json& j, const std::string& where) {
  MimiConfig c;
  read(j, "sample_rate", c.sample_rate, where);
  read(j, "frame_rate", c.frame_rate, where);
  read(j, "channels", c.channels, where);
  if (j.contains("seanet")) {
    const auto& s = j["seanet"];
    read(s, "dimension", c.hidden, where);
    read(s, "n_filters", c.filters, where);
    read(s, "n_residual_layers", c.residual_layers, where);
    read(s, "ratios", c.ratios, where);
    read(s, "kernel_size", c.kernel, where);
    read(s, "last_kernel_size", c.last_kernel, where);
    read(s, "residual_kernel_size", c.residual_kernel, where);
    read(s, "dilation_base", c.dilation_base, where);
    read(s, "compress", c.compress, where);
    read(s, "pad_mode", c.pad_mode, where);
  }
  if (j.contains("transformer")) {
    const auto& t = j["transformer"];
    read(t, "num_heads", c.heads, where);
    read(t, "num_layers", c.layers, where);
    read(t, "dim_feedforward", c.intermediate, where);
    read(t, "context", c.window, where);
    read(t, "max_period", c.rope_theta, where);
    read(t, "norm_eps", c.norm_eps, where);
    int d_model = c.hidden;
    read(t, "d_model", d_model, where);
    if (d_model != c.hidden) throw Error(ErrorCode::BadModelFile, where + ": transformer d_model differs from SEANet dimension");
    c.head_dim = c.heads > 0 ? c.hidden / c.heads : 0;  // validate() rejects heads <= 0
  }
  if (j.contains("quantizer")) {
    const auto& q = j["quantizer"];
    read(q, "dimension", c.codebook_dim, where);
    c.quantizer_dim = c.codebook_dim;
    read(q, "n_q", c.num_quantizers, where);
    read(q, "n_q_semantic", c.semantic_quantizers, where);
    read(q, "bins", c.codebook_size, where);
  }
  c.upsample_groups = c.hidden;
  if (j.contains("upsample")) read(j["upsample"], "groups", c.upsample_groups, where);
  validate(c, where);
  return c;
}

MimiConfig load_mimi_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(ErrorCode::Io, "cannot open " + path);
  json j;
  try {
    j = json::parse(in);
  } catch (const json::exception& e) {
    throw Error(ErrorCode::BadModelFile, path + " is not valid JSON: " + e.what());
  }
  if (j.contains("codec_config") && j["codec_config"].is_object()) return parse_hf_mimi_config(j["codec_config"], path);
  if (j.contains("seanet") || j.contains("transformer") || j.contains("quantizer")) return parse_orig_mimi_config(j, path);
  return parse_hf_mimi_config(j, path);
}

}  // namespace csm

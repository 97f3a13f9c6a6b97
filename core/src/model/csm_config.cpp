#include "model/csm_config.h"

#include <fstream>

#include "csm/error.h"

namespace csm {
namespace {

using nlohmann::json;

template <typename T>
T field(const json& j, const std::string& key, const std::string& where) {
  if (!j.contains(key) || j.at(key).is_null())
    throw Error(ErrorCode::BadModelFile, where + ": missing field \"" + key + "\"");
  try {
    return j.at(key).get<T>();
  } catch (const json::exception&) {
    throw Error(ErrorCode::BadModelFile, where + ": field \"" + key + "\" has the wrong type");
  }
}

int positive(const json& j, const std::string& key, const std::string& where) {
  const int v = field<int>(j, key, where);
  if (v <= 0) throw Error(ErrorCode::BadModelFile, where + ": \"" + key + "\" must be positive, got " + std::to_string(v));
  return v;
}

// torchtune's llama3_2 RoPE: base 500000, llama3 scaling (32, 1, 4, 8192).
RopeConfig torchtune_llama3_rope() { return {500000.0, true, 32.0, 1.0, 4.0, 8192.0}; }

// HF spells RoPE as `rope_parameters` (transformers 5) or `rope_theta` + `rope_scaling` (4.x).
RopeConfig hf_rope(const json& j, const std::string& where) {
  RopeConfig rope;
  json params = json::object();
  if (j.contains("rope_parameters") && j["rope_parameters"].is_object()) {
    params = j["rope_parameters"];
  } else if (j.contains("rope_scaling") && j["rope_scaling"].is_object()) {
    params = j["rope_scaling"];
  }
  if (params.contains("rope_theta")) rope.theta = field<double>(params, "rope_theta", where);
  else if (j.contains("rope_theta")) rope.theta = field<double>(j, "rope_theta", where);
  std::string type = params.value("rope_type", params.value("type", "default"));
  if (type == "llama3") {
    rope.llama3_scaling = true;
    rope.factor = field<double>(params, "factor", where + " rope");
    rope.low_freq_factor = field<double>(params, "low_freq_factor", where + " rope");
    rope.high_freq_factor = field<double>(params, "high_freq_factor", where + " rope");
    rope.original_max_positions = field<double>(params, "original_max_position_embeddings", where + " rope");
    if (rope.high_freq_factor <= rope.low_freq_factor)
      throw Error(ErrorCode::BadModelFile, where + ": rope high_freq_factor must exceed low_freq_factor");
  } else if (type != "default") {
    throw Error(ErrorCode::BadModelFile, where + ": rope_type \"" + type + "\" is not supported (llama3 or default)");
  }
  return rope;
}

TransformerConfig hf_transformer(const json& j, const std::string& where) {
  TransformerConfig t;
  t.layers = positive(j, "num_hidden_layers", where);
  t.dim = positive(j, "hidden_size", where);
  t.heads = positive(j, "num_attention_heads", where);
  t.kv_heads = j.contains("num_key_value_heads") && !j["num_key_value_heads"].is_null()
                   ? positive(j, "num_key_value_heads", where) : t.heads;
  t.head_dim = j.contains("head_dim") && !j["head_dim"].is_null() ? positive(j, "head_dim", where) : t.dim / t.heads;
  t.intermediate = positive(j, "intermediate_size", where);
  t.norm_eps = j.value("rms_norm_eps", 1e-5);
  t.max_positions = j.contains("max_position_embeddings") ? positive(j, "max_position_embeddings", where) : 2048;
  t.rope = hf_rope(j, where);
  return t;
}

TransformerConfig torchtune_flavor(const std::string& flavor, const std::string& where) {
  TransformerConfig t;
  if (flavor == "llama-1B") {
    t = {16, 2048, 32, 8, 64, 8192, 1e-5, 2048, torchtune_llama3_rope()};
  } else if (flavor == "llama-100M") {
    t = {4, 1024, 8, 2, 128, 8192, 1e-5, 2048, torchtune_llama3_rope()};
  } else {
    throw Error(ErrorCode::BadModelFile, where + ": unknown flavor \"" + flavor + "\" and no explicit block",
                "known flavors: llama-1B, llama-100M");
  }
  return t;
}

TransformerConfig orig_block(const json& b, const std::string& where) {
  TransformerConfig t;
  t.layers = positive(b, "num_layers", where);
  t.dim = positive(b, "embed_dim", where);
  t.heads = positive(b, "num_heads", where);
  t.kv_heads = b.contains("num_kv_heads") ? positive(b, "num_kv_heads", where) : t.heads;
  t.head_dim = b.contains("head_dim") ? positive(b, "head_dim", where) : t.dim / t.heads;
  t.intermediate = positive(b, "intermediate_dim", where);
  t.norm_eps = b.value("norm_eps", 1e-5);
  t.max_positions = b.value("max_seq_len", 2048);
  t.rope = {b.value("rope_base", 500000.0), true, b.value("scale_factor", 32.0), b.value("rope_low_freq_factor", 1.0),
            b.value("rope_high_freq_factor", 4.0), b.value("rope_old_context_len", 8192.0)};
  return t;
}

void check_shapes(const TransformerConfig& t, const std::string& where) {
  if (t.max_positions > (1 << 20))
    throw Error(ErrorCode::BadModelFile, where + ": " + std::to_string(t.max_positions) + " positions is beyond any CSM");
  if (t.heads % t.kv_heads != 0)
    throw Error(ErrorCode::BadModelFile, where + ": " + std::to_string(t.heads) + " query heads are not a multiple of " +
                                             std::to_string(t.kv_heads) + " key/value heads");
  if (t.head_dim % 2 != 0) throw Error(ErrorCode::BadModelFile, where + ": head_dim must be even for RoPE");
}

}  // namespace

CsmConfig parse_csm_fields(const json& j, const std::string& origin);

CsmConfig parse_csm_config(const json& j, const std::string& origin) {
  if (!j.is_object()) throw Error(ErrorCode::BadModelFile, origin + " is not a JSON object");
  try {
    return parse_csm_fields(j, origin);
  } catch (const json::exception& e) {
    throw Error(ErrorCode::BadModelFile, origin + ": a field has the wrong type (" + e.what() + ")");
  }
}

CsmConfig parse_csm_fields(const json& j, const std::string& origin) {
  CsmConfig c;
  if (j.value("model_type", "") == "csm") {
    c.format = "hf";
    c.backbone = hf_transformer(j, origin);
    if (!j.contains("depth_decoder_config") || !j["depth_decoder_config"].is_object())
      throw Error(ErrorCode::BadModelFile, origin + ": missing \"depth_decoder_config\"");
    c.decoder = hf_transformer(j["depth_decoder_config"], origin + " depth_decoder_config");
    c.text_vocab = positive(j, "text_vocab_size", origin);
    c.audio_vocab = positive(j, "vocab_size", origin);
    c.num_codebooks = positive(j, "num_codebooks", origin);
    if (j.contains("codec_config")) c.codec_config = j["codec_config"];
  } else if (j.contains("backbone_flavor") || j.contains("backbone")) {
    c.format = "orig";
    c.backbone = j.contains("backbone") && j["backbone"].is_object()
                     ? orig_block(j["backbone"], origin + " backbone")
                     : torchtune_flavor(field<std::string>(j, "backbone_flavor", origin), origin);
    c.decoder = j.contains("decoder") && j["decoder"].is_object()
                    ? orig_block(j["decoder"], origin + " decoder")
                    : torchtune_flavor(field<std::string>(j, "decoder_flavor", origin), origin);
    c.text_vocab = j.contains("text_vocab_size") ? positive(j, "text_vocab_size", origin) : 128256;
    c.audio_vocab = j.contains("audio_vocab_size") ? positive(j, "audio_vocab_size", origin) : 2051;
    c.num_codebooks = j.contains("audio_num_codebooks") ? positive(j, "audio_num_codebooks", origin) : 32;
  } else {
    throw Error(ErrorCode::BadModelFile, origin + " is neither an HF CSM config (model_type \"csm\") nor a Sesame "
                                                  "config (backbone_flavor)");
  }
  check_shapes(c.backbone, origin + " backbone");
  check_shapes(c.decoder, origin + " decoder");
  if (c.num_codebooks < 2) throw Error(ErrorCode::BadModelFile, origin + ": CSM needs at least 2 codebooks");
  return c;
}

CsmConfig load_csm_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(ErrorCode::Io, "cannot open " + path);
  try {
    return parse_csm_config(json::parse(in), path);
  } catch (const json::exception& e) {
    throw Error(ErrorCode::BadModelFile, path + " is not valid JSON: " + e.what());
  }
}

CsmConfig csm_1b_config() {
  CsmConfig c;
  c.format = "orig";
  c.backbone = torchtune_flavor("llama-1B", "csm-1b");
  c.decoder = torchtune_flavor("llama-100M", "csm-1b");
  return c;
}

}  // namespace csm

#pragma once
// CSM model shapes from either config.json flavour: HF (`model_type: "csm"`)
// or Sesame's original (`backbone_flavor`/`decoder_flavor`, or explicit blocks).
#include <string>

#include <nlohmann/json.hpp>

namespace csm {

struct RopeConfig {
  double theta = 500000.0;
  bool llama3_scaling = false;
  double factor = 1.0;
  double low_freq_factor = 1.0;
  double high_freq_factor = 4.0;
  double original_max_positions = 8192.0;
};

struct TransformerConfig {
  int layers = 0;
  int dim = 0;
  int heads = 0;
  int kv_heads = 0;
  int head_dim = 0;
  int intermediate = 0;
  double norm_eps = 1e-5;
  int max_positions = 2048;
  RopeConfig rope;
};

struct CsmConfig {
  TransformerConfig backbone;
  TransformerConfig decoder;
  int text_vocab = 128256;
  int audio_vocab = 2051;
  int num_codebooks = 32;
  std::string format;            // "hf" or "orig": how config.json was spelled
  nlohmann::json codec_config;   // HF codec_config (Mimi), null for orig
};

// Reads config.json; throws csm::Error naming the file and field.
CsmConfig load_csm_config(const std::string& config_json_path);
CsmConfig parse_csm_config(const nlohmann::json& j, const std::string& origin);
// The real sesame/csm-1b shapes (llama-1B backbone, llama-100M decoder, 32 codebooks).
CsmConfig csm_1b_config();

}  // namespace csm

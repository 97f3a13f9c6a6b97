#pragma once
// Mimi's hyperparameters from HF `codec_config` / a HF Mimi config.json, or
// the original release's mimi_config.json; the real Kyutai values otherwise.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace csm {

struct MimiConfig {
  int sample_rate = 24000;
  double frame_rate = 12.5;
  int channels = 1;
  // SEANet
  int hidden = 512;  // latent dim = transformer d_model
  int filters = 64;
  int residual_layers = 1;
  std::vector<int> ratios{8, 6, 5, 4};  // decoder order; the encoder runs them reversed
  int kernel = 7;
  int last_kernel = 3;
  int residual_kernel = 3;
  int dilation_base = 2;
  int compress = 2;
  std::string pad_mode = "constant";
  // transformers
  int layers = 8;
  int heads = 8;
  int head_dim = 64;
  int intermediate = 2048;
  double norm_eps = 1e-5;
  int window = 250;
  double rope_theta = 10000.0;
  // quantizer
  int codebook_size = 2048;
  int codebook_dim = 256;
  int quantizer_dim = 256;  // input_proj output size
  int num_quantizers = 32;
  int semantic_quantizers = 1;
  int upsample_groups = 512;

  int hop() const;                  // SEANet samples per latent step (960)
  int samples_per_frame() const;    // 1920 at 12.5 Hz
  int latent_stride() const;        // latent steps per frame (2)
};

MimiConfig parse_hf_mimi_config(const nlohmann::json& j, const std::string& origin);
MimiConfig parse_orig_mimi_config(const nlohmann::json& j, const std::string& origin);
// Reads a config.json (HF) or mimi_config.json (original); throws csm::Error.
MimiConfig load_mimi_config(const std::string& path);

}  // namespace csm

#pragma once
// Mimi's encoder/decoder transformer (spec §3.4): pre-norm LayerNorm blocks with
// layer scales, RoPE (rotate-half), GELU MLP, causal attention over a sliding
// window, and a streaming form that keeps at most `window` keys per layer.
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "codec/mimi_config.h"
#include "codec/mimi_weights.h"

namespace csm {

struct MimiTransformerState {
  std::vector<at::Tensor> keys, values;  // per layer [B, H, n, D], keys after RoPE
  int64_t position = 0;                  // absolute step index of the next input
};

class MimiTransformer {
 public:
  MimiTransformer() = default;
  // `part` is "encoder_transformer" or "decoder_transformer".
  MimiTransformer(const MimiConfig& config, const MimiWeights& weights, const std::string& part);

  // x [B, T, d] -> [B, T, d]; forward() is step() on a fresh state.
  at::Tensor forward(const at::Tensor& x) const;
  at::Tensor step(const at::Tensor& x, MimiTransformerState& state) const;
  int64_t parameter_count() const;

 private:
  struct Layer {
    at::Tensor norm1_w, norm1_b, wq, wk, wv, wo, scale1, norm2_w, norm2_b, fc1, fc2, scale2;
  };
  at::Tensor rope(const at::Tensor& x, int64_t start) const;
  MimiConfig config_;
  std::vector<Layer> layers_;
  at::Tensor inv_freq_;
};

}  // namespace csm

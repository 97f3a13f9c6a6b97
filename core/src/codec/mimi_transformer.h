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

// The streaming state of a batch of rows (streams), each at its own position. Keys and
// values live in a ring of `window + max_steps` entries per row: the steps of one call
// overwrite only entries no query can see any more, so a call that fails part way
// leaves every row as it was (positions move only at the end).
struct MimiTransformerState {
  std::vector<at::Tensor> keys, values;  // per layer [B, H, ring, D], keys after RoPE
  at::Tensor positions;                  // [B] int64: absolute step index of each row's next input
  bool defined() const { return positions.defined(); }
  int64_t rows() const { return positions.defined() ? positions.size(0) : 0; }
};

class MimiTransformer {
 public:
  MimiTransformer() = default;
  // `part` is "encoder_transformer" or "decoder_transformer".
  MimiTransformer(const MimiConfig& config, const MimiWeights& weights, const std::string& part);

  // The whole sequence at once: x [B, T, d] -> [B, T, d] (causal, sliding window).
  at::Tensor forward(const at::Tensor& x) const;
  // A fresh streaming state for `rows` rows whose calls bring at most `max_steps` steps.
  MimiTransformerState make_state(int64_t rows, int64_t max_steps, const at::TensorOptions& options) const;
  // The next steps of every row: x [B, T, d] with T <= the state's max_steps.
  at::Tensor step(const at::Tensor& x, MimiTransformerState& state) const;
  int64_t parameter_count() const;

 private:
  struct Layer {
    at::Tensor norm1_w, norm1_b, wq, wk, wv, wo, scale1, norm2_w, norm2_b, fc1, fc2, scale2;
  };
  // x [B, H, T, D] at absolute positions [B, T] (int64).
  at::Tensor rope(const at::Tensor& x, const at::Tensor& positions) const;
  template <typename Attention>
  at::Tensor run_layers(const at::Tensor& input, const at::Tensor& positions, Attention&& attention) const;
  MimiConfig config_;
  std::vector<Layer> layers_;
  at::Tensor inv_freq_;
};

}  // namespace csm

#pragma once
// Mimi's convolutional SEANet encoder (waveform -> 25 Hz latent) and decoder
// (latent -> waveform), layer for layer as HF/moshi index them (spec §3.3, §3.7).
#include <vector>

#include <ATen/ATen.h>

#include "codec/causal_conv.h"
#include "codec/mimi_config.h"
#include "codec/mimi_weights.h"

namespace csm {

struct SeanetLayer {
  enum class Kind { Conv, ConvTranspose, Residual, Elu };
  Kind kind = Kind::Elu;
  CausalConv1d conv;            // Conv, and the residual block's first conv (k3)
  CausalConv1d conv2;           // the residual block's second conv (k1)
  CausalConvTranspose1d convtr;
};

// Streaming state of the decoder: one slot per stateful conv.
struct SeanetState {
  std::vector<at::Tensor> slots;
};

class Seanet {
 public:
  static Seanet encoder(const MimiConfig& config, const MimiWeights& weights);
  static Seanet decoder(const MimiConfig& config, const MimiWeights& weights);

  at::Tensor forward(const at::Tensor& x) const;                  // whole signal
  at::Tensor step(const at::Tensor& x, SeanetState& state) const;  // streaming
  SeanetState make_state(int64_t rows) const;                      // fresh, for `rows` streams
  int64_t parameter_count() const;

 private:
  std::vector<SeanetLayer> layers_;
};

}  // namespace csm

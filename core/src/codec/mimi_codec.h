#pragma once
// Kyutai's Mimi codec: 24 kHz audio <-> frames of codes at 12.5 Hz. The decoder
// streams: per-stream state turns each frame into its samples with no look-ahead.
#include <memory>

#include <ATen/ATen.h>

#include "codec/causal_conv.h"
#include "codec/mimi_config.h"
#include "codec/mimi_transformer.h"
#include "codec/seanet.h"
#include "codec/split_rvq.h"
#include "io/tensor_store.h"

namespace csm {

// Everything one decoding stream carries between frames. A value: reset by
// replacing it with a fresh one, several side by side for several streams.
struct MimiDecoderState {
  at::Tensor upsample_partial;
  MimiTransformerState transformer;
  SeanetState seanet;
  int64_t frames = 0;
};

class MimiCodec {
 public:
  // Throws csm::Error naming the tensor when weights are missing or mis-shaped.
  MimiCodec(const MimiConfig& config, const MimiWeights& weights, at::Device device);
  static std::shared_ptr<const MimiCodec> load(const TensorStore& store, const MimiConfig& config, at::Device device);

  at::Tensor encode(const at::Tensor& waveform) const;  // [B, 1, L] fp32 -> codes [B, Q, ceil(L / spf)]
  at::Tensor decode(const at::Tensor& codes) const;     // [B, Q, T] -> [B, 1, T * spf], one call
  // Streaming: the next frames of this stream -> their samples.
  at::Tensor decode_step(const at::Tensor& codes, MimiDecoderState& state) const;

  const MimiConfig& config() const { return config_; }
  int64_t parameter_count() const;

 private:
  void check_codes(const at::Tensor& codes) const;
  MimiConfig config_;
  at::Device device_;
  Seanet encoder_, decoder_;
  MimiTransformer encoder_transformer_, decoder_transformer_;
  CausalConv1d downsample_;
  CausalConvTranspose1d upsample_;
  SplitRvq quantizer_;
};

}  // namespace csm

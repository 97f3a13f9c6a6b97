#pragma once
// Kyutai's Mimi codec: 24 kHz audio <-> frames of codes at 12.5 Hz, on the model's
// device. The decoder streams: per-stream state turns each frame into its samples with
// no look-ahead, and many streams decode in one batched call.
#include <memory>
#include <vector>

#include <ATen/ATen.h>

#include "codec/causal_conv.h"
#include "codec/mimi_config.h"
#include "codec/mimi_transformer.h"
#include "codec/seanet.h"
#include "codec/split_rvq.h"
#include "io/tensor_store.h"

namespace csm {

// What decoding streams carry between frames, for a batch of rows (one row per stream,
// each at its own position). A value: a default-constructed one is fresh and is made
// on first use for as many rows as the first call brings.
struct MimiDecoderState {
  at::Tensor upsample_partial;
  MimiTransformerState transformer;
  SeanetState seanet;
  bool defined() const { return transformer.defined(); }
  int64_t rows() const { return transformer.rows(); }
};

class MimiCodec {
 public:
  // Frames one streaming call takes at most (the transformer's ring is sized for them).
  static constexpr int64_t kMaxFramesPerCall = 16;

  // On `device`. Throws csm::Error naming the tensor when weights are missing or mis-shaped.
  MimiCodec(const MimiConfig& config, const MimiWeights& weights, at::Device device);
  static std::shared_ptr<const MimiCodec> load(const TensorStore& store, const MimiConfig& config, at::Device device);

  at::Tensor encode(const at::Tensor& waveform) const;  // [B, 1, L] fp32 -> codes [B, Q, ceil(L / spf)]
  // [B, Q, T] -> [B, 1, T * spf], one call; `depth` > 0: with the first `depth` quantizers only.
  at::Tensor decode(const at::Tensor& codes, int64_t depth = 0) const;
  // Streaming: the next frames of each row -> their samples [B, 1, T * spf]. On failure
  // (out of memory) the state is as it was.
  at::Tensor decode_step(const at::Tensor& codes, MimiDecoderState& state) const;
  // The streaming state of `rows` fresh streams, and the batched step over some of them:
  // codes [n, Q, T] (T <= kMaxFramesPerCall) for the rows `rows` (int64 [n], distinct) of
  // `state`; the other rows are untouched, and all of them on failure.
  MimiDecoderState decoder_state(int64_t rows) const;
  // `depth`: each row's codebooks in use (the first N; empty: all), the rest of its codes ignored.
  at::Tensor decode_rows(const at::Tensor& codes, MimiDecoderState& state, const std::vector<int64_t>& rows,
                         const std::vector<int64_t>& depth = {}) const;
  void reset_row(MimiDecoderState& state, int64_t row) const;  // the row starts a fresh stream

  const MimiConfig& config() const { return config_; }
  at::Device device() const { return device_; }
  int64_t parameter_count() const;

 private:
  MimiCodec(const MimiConfig& config, const MimiWeights& placed);
  void check_codes(const at::Tensor& codes) const;
  // One call of at most kMaxFramesPerCall frames on a state of exactly codes' rows.
  at::Tensor step(const at::Tensor& codes, MimiDecoderState& state, const at::Tensor& depth = {}) const;
  MimiConfig config_;
  at::Device device_;
  Seanet encoder_, decoder_;
  MimiTransformer encoder_transformer_, decoder_transformer_;
  CausalConv1d downsample_;
  CausalConvTranspose1d upsample_;
  SplitRvq quantizer_;
};

}  // namespace csm

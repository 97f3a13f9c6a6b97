#pragma once
// Mimi's split residual vector quantizer (spec §3.6): one semantic level and the
// acoustic rest, each with its own 1x1 input/output projections.
#include <vector>

#include <ATen/ATen.h>

#include "codec/mimi_config.h"
#include "codec/mimi_weights.h"

namespace csm {

class SplitRvq {
 public:
  SplitRvq() = default;
  SplitRvq(const MimiConfig& config, const MimiWeights& weights);

  at::Tensor encode(const at::Tensor& latent) const;  // [B, hidden, T] -> codes [B, Q, T] int64
  // [B, Q, T] -> [B, hidden, T]; with `depth` (int64 [B]) row b uses its first depth[b] levels.
  at::Tensor decode(const at::Tensor& codes, const at::Tensor& depth = {}) const;
  int num_quantizers() const { return static_cast<int>(codebooks_.size()); }
  int64_t parameter_count() const;

 private:
  std::vector<at::Tensor> codebooks_;  // [bins, dim], computed once from the EMA statistics
  at::Tensor semantic_in_, semantic_out_, acoustic_in_, acoustic_out_;  // conv 1x1 weights
  int semantic_ = 1;
};

}  // namespace csm

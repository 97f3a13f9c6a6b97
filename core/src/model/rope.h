#pragma once
// Rotary position embedding with optional llama3 frequency scaling, in the
// rotate-half pairing (i, i + D/2) that HF uses; orig checkpoints are permuted
// into it at load time (see checkpoint_names).
#include <ATen/ATen.h>

#include "model/csm_config.h"

namespace csm {

class RopeTable {
 public:
  RopeTable() = default;
  RopeTable(const RopeConfig& config, int head_dim, int max_positions, at::Device device);

  // The scaled inverse frequencies f'_i, i = 0..D/2-1 (fp32).
  static at::Tensor inverse_frequencies(const RopeConfig& config, int head_dim);

  // x [B, H, T, D] at positions start..start+T-1; computed in fp32, returned in x's dtype.
  at::Tensor apply(const at::Tensor& x, int64_t start) const;
  // x [B, H, 1, D], each stream b at its own position positions[b] (int64 [B]).
  at::Tensor apply_at(const at::Tensor& x, const at::Tensor& positions) const;
  int max_positions() const { return static_cast<int>(cos_.size(0)); }

 private:
  at::Tensor cos_;  // [max_positions, D] fp32
  at::Tensor sin_;
};

// Checkpoints in the original (torchtune / Kyutai) layout pair q/k dims (2j, 2j+1)
// within each head; our RoPE pairs (j, j + D/2). Permutes the rows of a [heads*D, in]
// projection accordingly (spec §2.3).
at::Tensor interleaved_to_rotate_half(const at::Tensor& weight, int64_t heads);

}  // namespace csm

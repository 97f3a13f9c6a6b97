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
  // Rotations for positions 0..positions-1, in `dtype` on `device`.
  RopeTable(const RopeConfig& config, int head_dim, int positions, at::ScalarType dtype, at::Device device);

  // The scaled inverse frequencies f'_i, i = 0..D/2-1 (fp32).
  static at::Tensor inverse_frequencies(const RopeConfig& config, int head_dim);

  // RoPE as a matrix product: row vector x at position p becomes x R_p, where R_p
  // [D, D] holds cos/sin on four diagonals (the rotate-half pairing). So the queries
  // and keys of every head of a step rotate in one batched product, each row by its
  // own position's matrix, gathered once per step for all layers.
  // Rotations of `count` consecutive positions from `start`: [count, D, D] (a view).
  at::Tensor rotations(int64_t start, int64_t count) const { return rotations_.narrow(0, start, count); }
  // Rotations at device positions (int64 [N]): [N, D, D].
  at::Tensor rotations_at(const at::Tensor& positions) const { return rotations_.index_select(0, positions); }
  // x [N, heads, D] (any strides but the last) times rotations [N or 1, D, D] -> [N, heads, D].
  static at::Tensor apply(const at::Tensor& x, const at::Tensor& rotations);
  int max_positions() const { return static_cast<int>(rotations_.size(0)); }

 private:
  at::Tensor rotations_;  // [positions, D, D]
};

// Checkpoints in the original (torchtune / Kyutai) layout pair q/k dims (2j, 2j+1)
// within each head; our RoPE pairs (j, j + D/2). Permutes the rows of a [heads*D, in]
// projection accordingly (spec §2.3).
at::Tensor interleaved_to_rotate_half(const at::Tensor& weight, int64_t heads);

}  // namespace csm

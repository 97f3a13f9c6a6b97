#pragma once
// Temperature + top-k sampling as the reference does it (spec §2.7): ties at the
// k-th value survive, and the draw is an exponential race (argmax p / q, q ~ Exp(1)).
// The noise comes from a counter-based hash of (seed, frame counter, draw), not a
// generator's state, so a stream draws the same numbers on CPU and CUDA and in any
// batch slot, and nothing is read back to the host. Settings are per-row device
// tensors: changing them never re-captures a CUDA graph.
#include <ATen/ATen.h>

namespace csm {

struct SamplingRows {
  at::Tensor temperature;  // [B] float; <= 0: greedy (argmax, exact)
  at::Tensor top_k;        // [B] int64; <= 0 or >= vocabulary: no filter
  at::Tensor seed;         // [B] int64 in [0, 2^32)
  at::Tensor counter;      // [B] int64: frames drawn so far
};

// Folds a 64-bit user seed into the 32 bits the hash works on.
int64_t fold_seed(uint64_t seed);

// Uniform numbers in (0, 1), [B, lanes]: a pure function of (seed, counter * per_frame + draw, lane).
at::Tensor counter_uniform(const at::Tensor& seed, const at::Tensor& counter, int64_t per_frame, int64_t draw,
                           const at::Tensor& lanes);

// logits [B, V] -> ids [B] (int64, on the logits' device). `lanes` is arange(V) made once.
at::Tensor sample_rows(const at::Tensor& logits, const SamplingRows& rows, int64_t per_frame, int64_t draw,
                       const at::Tensor& lanes);

}  // namespace csm

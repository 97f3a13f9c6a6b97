#pragma once
// Sampling as the reference does it (spec §2.7): temperature, then top-k (ties at the
// k-th value survive), then top-p (nucleus, as HF's TopPLogitsWarper: the fewest best
// codes whose probability reaches p), and the draw is an exponential race, argmax p / q
// with q ~ Exp(1), taken in its Gumbel form: argmax over the kept codes of z + T * g,
// g = -log(-log u) (the same draw: argmax z/T - log q, scaled by T > 0). Greedy draws
// (T <= 0) get no noise, so theirs is the exact argmax.
// The noise comes from a counter-based hash of (seed, frame counter, draw, code), not
// a generator's state, so a stream draws the same numbers on CPU and CUDA and in any
// batch slot, and nothing is read back to the host. A frame makes the noise of all
// its draws at once; a draw is then a handful of kernels (sort, threshold, noise +
// mask, argmax into the frame; top-p adds its own few, and runs only when asked).
// Settings are per row and per draw (codebook 0 and the depth decoder's codebooks may
// differ), device tensors written when they change: changing them never re-captures a
// CUDA graph.
#include <ATen/ATen.h>

namespace csm {

// Each row's settings, resolved (no "as codebook 0"): [B] device tensors.
struct SamplingRows {
  at::Tensor temperature, top_k, top_p;                     // codebook 0: float, int64, float
  at::Tensor depth_temperature, depth_top_k, depth_top_p;  // codebooks 1..: the same
  at::Tensor seed;                                          // int64 in [0, 2^32)
  at::Tensor counter;                                       // int64: frames drawn so far
};
// `rows` rows of defaults (greedy, no filters, seed 0) on `device`.
SamplingRows make_sampling_rows(int64_t rows, const at::Device& device);

// Folds a 64-bit user seed into the 32 bits the hash works on.
int64_t fold_seed(uint64_t seed);

// Uniform numbers in (0, 1), [B, D, lanes]: a pure function of (seed, counter *
// per_frame + draw, lane) for each draw number in `draws` (int64 [D]).
at::Tensor counter_uniforms(const at::Tensor& seed, const at::Tensor& counter, int64_t per_frame,
                            const at::Tensor& draws, const at::Tensor& lanes);
// The same for one draw: [B, lanes].
at::Tensor counter_uniform(const at::Tensor& seed, const at::Tensor& counter, int64_t per_frame, int64_t draw,
                           const at::Tensor& lanes);

// What a frame's draws need of the settings, worked out when they change (between
// frames), not in every frame; draw 0 is codebook 0, draws 1.. the depth decoder's.
struct DrawSettings {
  at::Tensor seed_key;  // [B] int64: the hashed seed
  at::Tensor minus_t;   // [B, D, 1] float: -T (0 for greedy)
  at::Tensor inv_t;     // [B, D] float: 1/T (1 for greedy): top-p's probabilities
  at::Tensor kth;       // [B, D] int64: the top-k threshold's rank in the descending-sorted logits
  at::Tensor top_p;     // [B, D] float
};
DrawSettings prepare_draws(const SamplingRows& rows, int64_t vocab, int64_t draws);

// The noise of the given draws of each row's current frame (its counter): [B, D, V]
// fp32, T x Gumbel (zero for greedy rows). `lanes` is arange(V).
at::Tensor frame_noise(const DrawSettings& settings, const at::Tensor& counter, int64_t per_frame,
                       const at::Tensor& draws, const at::Tensor& lanes);
// One draw per row: ids of logits [B, V] (fp32) with noise [B, V], written into `out`
// ([B] int64, may be a row of a frame). kth [B, 1]; with top-p: top_p and inv_t [B, 1].
void draw_into(at::Tensor out, const at::Tensor& logits, const at::Tensor& noise, const at::Tensor& kth,
               const at::Tensor& top_p = {}, const at::Tensor& inv_t = {});

// One draw of codebook 0's settings, all in one call: logits [B, V] -> ids [B] (tests).
at::Tensor sample_rows(const at::Tensor& logits, const SamplingRows& rows, int64_t per_frame, int64_t draw,
                       const at::Tensor& lanes);

}  // namespace csm

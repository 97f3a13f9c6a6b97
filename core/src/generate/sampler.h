#pragma once
// Temperature + top-k sampling as the reference does it (spec §2.7): ties at the
// k-th value survive, and the draw is an exponential race, argmax p / q with
// q ~ Exp(1), taken in its Gumbel form: argmax over the top k of z + T * g, with
// g = -log(-log u) (the same draw: argmax z/T - log q, scaled by T > 0). Greedy rows
// (T <= 0) get no noise, so their draw is the exact argmax.
// The noise comes from a counter-based hash of (seed, frame counter, draw, lane), not
// a generator's state, so a stream draws the same numbers on CPU and CUDA and in any
// batch slot, and nothing is read back to the host. A frame makes the noise of all
// its draws at once; a draw is then four kernels (sort, threshold, noise + mask,
// argmax into the frame). Settings are per-row device tensors: changing them never
// re-captures a CUDA graph.
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

// Uniform numbers in (0, 1), [B, D, lanes]: a pure function of (seed, counter *
// per_frame + draw, lane) for each draw number in `draws` (int64 [D]).
at::Tensor counter_uniforms(const at::Tensor& seed, const at::Tensor& counter, int64_t per_frame,
                            const at::Tensor& draws, const at::Tensor& lanes);
// The same for one draw: [B, lanes].
at::Tensor counter_uniform(const at::Tensor& seed, const at::Tensor& counter, int64_t per_frame, int64_t draw,
                           const at::Tensor& lanes);

// What a frame's draws need of the settings, worked out once when they change (between
// frames), not in every frame: the hashed seed, -T (0 for greedy rows) and the top-k
// threshold's rank in the descending-sorted logits.
struct DrawSettings {
  at::Tensor seed_key;       // [B] int64
  at::Tensor minus_t;        // [B, 1, 1] float
  at::Tensor kth;            // [B, 1] int64
};
DrawSettings prepare_draws(const SamplingRows& rows, int64_t vocab);

// The noise of the given draws of each row's current frame (its counter): [B, D, V]
// fp32, T x Gumbel (zero for greedy rows). `lanes` is arange(V).
at::Tensor frame_noise(const DrawSettings& settings, const at::Tensor& counter, int64_t per_frame,
                       const at::Tensor& draws, const at::Tensor& lanes);
// One draw per row: ids of logits [B, V] (fp32) with noise [B, V], written into `out`
// ([B] int64, may be a strided view such as a frame's column).
void draw_into(at::Tensor out, const at::Tensor& logits, const at::Tensor& noise, const at::Tensor& kth);

// One draw, all in one call: logits [B, V] -> ids [B] (tools and tests).
at::Tensor sample_rows(const at::Tensor& logits, const SamplingRows& rows, int64_t per_frame, int64_t draw,
                       const at::Tensor& lanes);

}  // namespace csm

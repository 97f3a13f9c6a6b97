#include "generate/sampler.h"

#include <limits>

namespace csm {
namespace {

constexpr int64_t kMask32 = 0xFFFFFFFF;

// A 32-bit integer mixer (the "lowbias" shape); inputs in [0, 2^32). The multiplier is
// below 2^27, so products stay below 2^59 in int64 on every device.
at::Tensor hash32(at::Tensor x) {
  constexpr int64_t kMul = 0x45d9f3b;
  x = at::bitwise_and(at::bitwise_xor(x, at::bitwise_right_shift(x, 16)) * kMul, kMask32);
  x = at::bitwise_and(at::bitwise_xor(x, at::bitwise_right_shift(x, 16)) * kMul, kMask32);
  return at::bitwise_xor(x, at::bitwise_right_shift(x, 16));
}

}  // namespace

int64_t fold_seed(uint64_t seed) { return static_cast<int64_t>((seed ^ (seed >> 32)) & 0xFFFFFFFFull); }

at::Tensor counter_uniform(const at::Tensor& seed, const at::Tensor& counter, int64_t per_frame, int64_t draw,
                           const at::Tensor& lanes) {
  const auto key = hash32(at::bitwise_and(hash32(seed) + counter * per_frame + draw, kMask32));
  const auto bits = hash32(at::bitwise_and(key.unsqueeze(1) * int64_t{0x3C6EF3} + lanes, kMask32));
  // The top 23 bits: (k + 0.5) / 2^23 is exact in float, so u never rounds to 0 or 1.
  return (at::bitwise_right_shift(bits, 9).to(at::kFloat) + 0.5f) / 8388608.0f;
}

at::Tensor sample_rows(const at::Tensor& logits, const SamplingRows& rows, int64_t per_frame, int64_t draw,
                       const at::Tensor& lanes) {
  const auto z0 = logits.to(at::kFloat);
  const int64_t vocab = z0.size(-1);
  const auto greedy = z0.argmax(-1);
  auto z = z0 / rows.temperature.clamp_min(1e-5f).unsqueeze(1);
  const auto k = at::where(rows.top_k.gt(0).logical_and(rows.top_k.lt(vocab)), rows.top_k,
                           at::full_like(rows.top_k, vocab));
  const auto sorted = std::get<0>(z.sort(-1, /*descending=*/true));
  const auto threshold = sorted.gather(-1, (k - 1).unsqueeze(1));
  z = z.masked_fill(z < threshold, -std::numeric_limits<float>::infinity());
  const auto p = at::softmax(z, -1);
  const auto q = -at::log(counter_uniform(rows.seed, rows.counter, per_frame, draw, lanes));
  return at::where(rows.temperature.gt(0), (p / q).argmax(-1), greedy);
}

}  // namespace csm

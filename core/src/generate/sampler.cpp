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

// Uniform numbers from an already hashed seed; see counter_uniforms.
at::Tensor keyed_uniforms(const at::Tensor& seed_key, const at::Tensor& counter, int64_t per_frame,
                          const at::Tensor& draws, const at::Tensor& lanes) {
  const auto base = (seed_key + counter * per_frame).unsqueeze(1);                // [B, 1]
  const auto key = hash32(at::bitwise_and(base + draws.unsqueeze(0), kMask32));  // [B, D]
  const auto bits = hash32(at::bitwise_and(key.unsqueeze(2) * int64_t{0x3C6EF3} + lanes, kMask32));
  // The top 23 bits: (k + 0.5) / 2^23 is exact in float, so u never rounds to 0 or 1.
  return (at::bitwise_right_shift(bits, 9).to(at::kFloat) + 0.5f) / 8388608.0f;
}

}  // namespace

int64_t fold_seed(uint64_t seed) { return static_cast<int64_t>((seed ^ (seed >> 32)) & 0xFFFFFFFFull); }

at::Tensor counter_uniforms(const at::Tensor& seed, const at::Tensor& counter, int64_t per_frame,
                            const at::Tensor& draws, const at::Tensor& lanes) {
  return keyed_uniforms(hash32(seed), counter, per_frame, draws, lanes);
}

at::Tensor counter_uniform(const at::Tensor& seed, const at::Tensor& counter, int64_t per_frame, int64_t draw,
                           const at::Tensor& lanes) {
  const auto draws = at::full({1}, draw, seed.options().dtype(at::kLong));
  return counter_uniforms(seed, counter, per_frame, draws, lanes).select(1, 0);
}

DrawSettings prepare_draws(const SamplingRows& rows, int64_t vocab) {
  const auto k = rows.top_k;
  const auto filtered = k.gt(0).logical_and(k.lt(vocab));
  return {hash32(rows.seed), rows.temperature.clamp_min(0.0f).neg().view({-1, 1, 1}),
          at::where(filtered, k, at::full_like(k, vocab)).sub(1).unsqueeze(1)};
}

at::Tensor frame_noise(const DrawSettings& settings, const at::Tensor& counter, int64_t per_frame,
                       const at::Tensor& draws, const at::Tensor& lanes) {
  const auto u = keyed_uniforms(settings.seed_key, counter, per_frame, draws, lanes);
  // T * -log(-log u): finite for every u the hash makes; 0 for greedy rows.
  return at::log(at::log(u).neg_()).mul_(settings.minus_t);
}

void draw_into(at::Tensor out, const at::Tensor& logits, const at::Tensor& noise, const at::Tensor& kth) {
  // The threshold on the logits themselves: a top-k set does not change with T > 0.
  const auto threshold = std::get<0>(logits.sort(-1, /*descending=*/true)).gather(-1, kth);
  const auto score = (logits + noise).masked_fill_(logits < threshold, -std::numeric_limits<float>::infinity());
  at::argmax_out(out, score, -1);
}

at::Tensor sample_rows(const at::Tensor& logits, const SamplingRows& rows, int64_t per_frame, int64_t draw,
                       const at::Tensor& lanes) {
  const auto settings = prepare_draws(rows, logits.size(-1));
  const auto draws = at::full({1}, draw, lanes.options());
  const auto noise = frame_noise(settings, rows.counter, per_frame, draws, lanes).select(1, 0);
  auto out = at::empty({logits.size(0)}, logits.options().dtype(at::kLong));
  draw_into(out, logits.to(at::kFloat), noise, settings.kth);
  return out;
}

}  // namespace csm

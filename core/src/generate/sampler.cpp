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

SamplingRows make_sampling_rows(int64_t rows, const at::Device& device) {
  const auto floats = at::TensorOptions().dtype(at::kFloat).device(device);
  const auto longs = at::TensorOptions().dtype(at::kLong).device(device);
  return {at::zeros({rows}, floats), at::zeros({rows}, longs), at::ones({rows}, floats),
          at::zeros({rows}, floats), at::zeros({rows}, longs), at::ones({rows}, floats),
          at::zeros({rows}, longs), at::zeros({rows}, longs)};
}

DrawSettings prepare_draws(const SamplingRows& rows, int64_t vocab, int64_t draws) {
  // [B] for codebook 0 and [B] for the rest -> [B, D].
  const auto per_draw = [&](const at::Tensor& first, const at::Tensor& rest) {
    return at::cat({first.unsqueeze(1), rest.unsqueeze(1).expand({rest.size(0), draws - 1})}, 1);
  };
  const auto t = per_draw(rows.temperature, rows.depth_temperature);
  const auto k = per_draw(rows.top_k, rows.depth_top_k);
  const auto filtered = k.gt(0).logical_and(k.lt(vocab));
  return {hash32(rows.seed), t.clamp_min(0.0f).neg().unsqueeze(2),
          at::where(t.gt(0), t.clamp_min(1e-5f).reciprocal(), at::ones_like(t)),
          at::where(filtered, k, at::full_like(k, vocab)).sub(1),
          // 1 is "off": above every cumulative sum, rounding included.
          per_draw(rows.top_p, rows.depth_top_p).masked_fill(per_draw(rows.top_p, rows.depth_top_p).ge(1.0f), 2.0f)};
}

at::Tensor frame_noise(const DrawSettings& settings, const at::Tensor& counter, int64_t per_frame,
                       const at::Tensor& draws, const at::Tensor& lanes) {
  const auto u = keyed_uniforms(settings.seed_key, counter, per_frame, draws, lanes);
  // T * -log(-log u): finite for every u the hash makes; 0 for greedy rows. (A frame
  // that draws fewer codebooks than it has settings for takes the first ones.)
  return at::log(at::log(u).neg_()).mul_(settings.minus_t.narrow(1, 0, draws.size(0)));
}

void draw_into(at::Tensor out, const at::Tensor& logits, const at::Tensor& noise, const at::Tensor& kth,
               const at::Tensor& top_p, const at::Tensor& inv_t) {
  // The thresholds on the logits themselves: a top-k set does not change with T > 0.
  const auto sorted = std::get<0>(logits.sort(-1, /*descending=*/true));
  auto threshold = sorted.gather(-1, kth);
  if (top_p.defined()) {
    // The tempered probabilities of the top k; keep rank j while the ranks above it hold
    // less than p (so the code that reaches p is kept, and always the best one).
    const auto lanes = at::arange(sorted.size(-1), kth.options()).unsqueeze(0);
    const auto p = (sorted * inv_t).masked_fill_(lanes > kth, -std::numeric_limits<float>::infinity()).softmax(-1);
    const auto above = p.cumsum(-1).sub_(p);
    const auto kept = above.lt(top_p).sum(-1, /*keepdim=*/true).clamp_min_(1);
    threshold = at::maximum(threshold, sorted.gather(-1, kept.sub_(1)));
  }
  const auto score = (logits + noise).masked_fill_(logits < threshold, -std::numeric_limits<float>::infinity());
  at::argmax_out(out, score, -1);
}

at::Tensor sample_rows(const at::Tensor& logits, const SamplingRows& rows, int64_t per_frame, int64_t draw,
                       const at::Tensor& lanes) {
  const auto settings = prepare_draws(rows, logits.size(-1), 1);
  const auto draws = at::full({1}, draw, lanes.options());
  const auto noise = frame_noise(settings, rows.counter, per_frame, draws, lanes).select(1, 0);
  auto out = at::empty({logits.size(0)}, logits.options().dtype(at::kLong));
  const bool nucleus = rows.top_p.lt(1.0f).any().item<bool>();
  draw_into(out, logits.to(at::kFloat), noise, settings.kth, nucleus ? settings.top_p : at::Tensor(),
            nucleus ? settings.inv_t : at::Tensor());
  return out;
}

}  // namespace csm

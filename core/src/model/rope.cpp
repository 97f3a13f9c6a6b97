#include "model/rope.h"

#include <cmath>

namespace csm {

at::Tensor RopeTable::inverse_frequencies(const RopeConfig& c, int head_dim) {
  // Same op order as the reference (float32 throughout) so tables agree to the last bits.
  const auto exponents = at::arange(0, head_dim, 2, at::kLong).to(at::kFloat) / static_cast<float>(head_dim);
  at::Tensor inv = 1.0 / at::pow(static_cast<float>(c.theta), exponents);
  if (!c.llama3_scaling) return inv;
  const double low_freq_wavelen = c.original_max_positions / c.low_freq_factor;
  const double high_freq_wavelen = c.original_max_positions / c.high_freq_factor;
  const auto wavelen = 2 * M_PI / inv;
  auto scaled = at::where(wavelen > low_freq_wavelen, inv / c.factor, inv);
  const auto smooth = (c.original_max_positions / wavelen - c.low_freq_factor) / (c.high_freq_factor - c.low_freq_factor);
  const auto smoothed = (1 - smooth) * scaled / c.factor + smooth * scaled;
  const auto medium = (wavelen >= high_freq_wavelen).logical_and(wavelen <= low_freq_wavelen);
  return at::where(medium, smoothed, scaled);
}

RopeTable::RopeTable(const RopeConfig& config, int head_dim, int positions, at::ScalarType dtype, at::Device device) {
  const int64_t half = head_dim / 2;
  const auto inv = inverse_frequencies(config, head_dim);
  const auto p = at::arange(positions, at::kLong).to(at::kFloat);
  const auto angles = at::matmul(p.unsqueeze(1), inv.unsqueeze(0));  // [P, D/2], fp32 as the reference
  const auto cos = angles.cos(), sin = angles.sin();
  // x R: out_j = x_j cos_j - x_{j+h} sin_j, out_{j+h} = x_{j+h} cos_j + x_j sin_j.
  auto r = at::zeros({positions, head_dim, head_dim}, at::kFloat);
  const auto diagonal = [&](int64_t row0, int64_t col0) {
    return r.narrow(1, row0, half).narrow(2, col0, half).diagonal(0, 1, 2);  // [P, h] view
  };
  diagonal(0, 0).copy_(cos);
  diagonal(half, half).copy_(cos);
  diagonal(half, 0).copy_(-sin);
  diagonal(0, half).copy_(sin);
  rotations_ = r.to(device, dtype).contiguous();
}

at::Tensor RopeTable::apply(const at::Tensor& x, const at::Tensor& rotations) {
  const auto r = rotations.size(0) == x.size(0) ? rotations : rotations.expand({x.size(0), x.size(2), x.size(2)});
  return at::bmm(x, r);
}

at::Tensor interleaved_to_rotate_half(const at::Tensor& w, int64_t heads) {
  const int64_t rows = w.size(0), in = w.size(1), d = rows / heads;
  return w.view({heads, d / 2, 2, in}).transpose(1, 2).reshape({rows, in}).contiguous();
}

}  // namespace csm

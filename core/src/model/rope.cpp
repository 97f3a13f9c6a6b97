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

RopeTable::RopeTable(const RopeConfig& config, int head_dim, int max_positions, at::Device device) {
  const auto inv = inverse_frequencies(config, head_dim);
  const auto positions = at::arange(max_positions, at::kLong).to(at::kFloat);
  const auto angles = at::matmul(positions.unsqueeze(1), inv.unsqueeze(0));  // [P, D/2]
  const auto full = at::cat({angles, angles}, -1);
  cos_ = full.cos().to(device);
  sin_ = full.sin().to(device);
}

at::Tensor RopeTable::apply(const at::Tensor& x, int64_t start) const {
  const int64_t t = x.size(2), half = x.size(3) / 2;
  const auto cos = cos_.narrow(0, start, t);
  const auto sin = sin_.narrow(0, start, t);
  const auto xf = x.to(at::kFloat);
  const auto rotated = at::cat({-xf.narrow(-1, half, half), xf.narrow(-1, 0, half)}, -1);
  return (xf * cos + rotated * sin).to(x.scalar_type());
}

}  // namespace csm

namespace csm {

at::Tensor interleaved_to_rotate_half(const at::Tensor& w, int64_t heads) {
  const int64_t rows = w.size(0), in = w.size(1), d = rows / heads;
  return w.view({heads, d / 2, 2, in}).transpose(1, 2).reshape({rows, in}).contiguous();
}

at::Tensor RopeTable::apply_at(const at::Tensor& x, const at::Tensor& positions) const {
  const int64_t b = x.size(0), d = x.size(3), half = d / 2;
  const auto cos = cos_.index_select(0, positions).view({b, 1, 1, d});
  const auto sin = sin_.index_select(0, positions).view({b, 1, 1, d});
  const auto xf = x.to(at::kFloat);
  const auto rotated = at::cat({-xf.narrow(-1, half, half), xf.narrow(-1, 0, half)}, -1);
  return (xf * cos + rotated * sin).to(x.scalar_type());
}

}  // namespace csm

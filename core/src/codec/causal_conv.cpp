#include "codec/causal_conv.h"

#include <cmath>

namespace csm {

at::Tensor conv1d_stream_by_stream(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                                   int64_t stride, int64_t dilation) {
  const int64_t rows = x.size(0), in = x.size(1), out = weight.size(0), k = weight.size(2);
  const int64_t steps = (x.size(2) - (k - 1) * dilation - 1) / stride + 1;
  const auto w = weight.reshape({out, in * k});
  auto y = at::empty({rows, out, steps}, x.options());
  for (int64_t r = 0; r < rows; ++r) {
    const auto xr = x[r];  // [in, length]
    // The columns of stream r's product (im2col): input channel i, tap j, output step t.
    const auto cols = k == 1 && stride == 1
                          ? xr
                          : xr.as_strided({in, k, steps}, {xr.stride(0), dilation * xr.stride(1), stride * xr.stride(1)})
                                .reshape({in * k, steps});
    auto yr = y[r];
    if (bias.defined()) at::addmm_out(yr, bias.view({out, 1}), w, cols);
    else at::mm_out(yr, w, cols);
  }
  return y;
}

at::Tensor CausalConv1d::forward(const at::Tensor& x) const {
  const int64_t length = x.size(-1), k = effective_kernel(), pad = left_pad();
  const double frames = double(length - k + pad) / double(stride) + 1.0;
  const int64_t ideal = (static_cast<int64_t>(std::ceil(frames)) - 1) * stride + k - pad;
  const int64_t extra = ideal - length;
  at::Tensor padded;
  if (replicate_pad) {
    padded = at::cat({x.narrow(-1, 0, 1).expand({x.size(0), x.size(1), pad}), x,
                      x.narrow(-1, length - 1, 1).expand({x.size(0), x.size(1), extra})}, -1);
  } else {
    padded = at::constant_pad_nd(x, {pad, extra}, 0.0);
  }
  return at::conv1d(padded, weight, bias, at::IntArrayRef{stride}, at::IntArrayRef{0}, at::IntArrayRef{dilation}, groups);
}

at::Tensor CausalConv1d::step(const at::Tensor& x, at::Tensor& state) const {
  const int64_t pad = left_pad();
  if (!state.defined()) {
    state = replicate_pad ? x.narrow(-1, 0, 1).expand({x.size(0), x.size(1), pad}).contiguous()
                          : at::zeros({x.size(0), x.size(1), pad}, x.options());
  }
  const auto joined = pad > 0 ? at::cat({state, x}, -1) : x;
  const auto y = joined.device().is_cpu() && groups == 1
                     ? conv1d_stream_by_stream(joined, weight, bias, stride, dilation)
                     : at::conv1d(joined, weight, bias, at::IntArrayRef{stride}, at::IntArrayRef{0},
                                  at::IntArrayRef{dilation}, groups);
  if (pad > 0) state = joined.narrow(-1, joined.size(-1) - pad, pad).contiguous();
  return y;
}

at::Tensor CausalConv1d::make_state(int64_t rows) const {
  // Zeros are the causal padding a fresh stream starts from (replicate padding, the
  // encoder's downsampling only, has no streaming use).
  const int64_t pad = left_pad();
  if (pad <= 0) return {};
  return at::zeros({rows, weight.size(1) * groups, pad}, weight.options());
}

at::Tensor CausalConvTranspose1d::make_state(int64_t rows) const {
  if (overlap() <= 0) return {};
  return at::zeros({rows, weight.size(1) * groups, overlap()}, weight.options());
}

at::Tensor CausalConvTranspose1d::forward(const at::Tensor& x) const {
  const auto y = at::conv_transpose1d(x, weight, bias, {stride}, {0}, {0}, groups);
  return y.narrow(-1, 0, y.size(-1) - overlap());
}

at::Tensor CausalConvTranspose1d::step(const at::Tensor& x, at::Tensor& partial) const {
  auto y = at::conv_transpose1d(x, weight, bias, {stride}, {0}, {0}, groups);
  const int64_t ready = x.size(-1) * stride, tail = overlap();
  if (partial.defined() && tail > 0) y.narrow(-1, 0, tail).add_(partial);
  auto rest = y.narrow(-1, ready, tail);
  // The next chunk's own outputs bring the bias, so it must not be counted twice.
  partial = bias.defined() ? (rest - bias.view({1, -1, 1})).contiguous() : rest.contiguous();
  return y.narrow(-1, 0, ready);
}

}  // namespace csm

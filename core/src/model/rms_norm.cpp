#include "model/rms_norm.h"

#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <ATen/core/dispatch/Dispatcher.h>

#include <cmath>

#include "runtime/csm_ops.h"
#include "runtime/torch_compat.h"

namespace csm {
namespace {

// The composite, as the reference computes it (and the device path where LibTorch
// has no fused kernel).
at::Tensor rms_norm_composite(const at::Tensor& x, const at::Tensor& weight, double eps) {
  const auto xf = x.to(at::kFloat);
  const auto normed = xf * at::rsqrt(xf.pow(2).mean(-1, /*keepdim=*/true) + eps);
  return normed.to(x.scalar_type()) * weight;
}

at::Tensor rms_norm_device(const at::Tensor& x, const at::Tensor& weight, double eps) {
#if CSM_TORCH_AT_LEAST(2, 4)
  return at::rms_norm(x, {x.size(-1)}, weight, eps);
#else
  return rms_norm_composite(x, weight, eps);
#endif
}

at::Tensor rms_norm_cpu(const at::Tensor& x, const at::Tensor& weight, double eps) {
  if (!x.is_contiguous() || !weight.is_contiguous() || weight.scalar_type() != x.scalar_type())
    return rms_norm_composite(x, weight, eps);
  auto out = at::empty_like(x);
  const int64_t d = x.size(-1), rows = d > 0 ? x.numel() / d : 0;
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kBFloat16, at::kHalf, x.scalar_type(), "csm_rms_norm", [&] {
    const scalar_t* in = x.data_ptr<scalar_t>();
    const scalar_t* w = weight.data_ptr<scalar_t>();
    scalar_t* o = out.data_ptr<scalar_t>();
    at::parallel_for(0, rows, 16, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        const scalar_t* row = in + r * d;
        double squares = 0;
        for (int64_t i = 0; i < d; ++i) {
          const double v = static_cast<float>(row[i]);
          squares += v * v;
        }
        const float scale = 1.0f / std::sqrt(static_cast<float>(squares / d) + static_cast<float>(eps));
        for (int64_t i = 0; i < d; ++i) {
          // Normalised and rounded to the input's dtype first, then scaled: the reference's order.
          const scalar_t normed = static_cast<scalar_t>(static_cast<float>(row[i]) * scale);
          o[r * d + i] = static_cast<scalar_t>(static_cast<float>(normed) * static_cast<float>(w[i]));
        }
      }
    });
  });
  return out;
}

// Defined once, at load (see runtime/csm_ops.h).
const bool registered = [] {
  csm_op_schemas().def("rms_norm(Tensor x, Tensor weight, float eps) -> Tensor");
  csm_op_kernels(c10::DispatchKey::CPU).impl("rms_norm", &rms_norm_cpu);
  csm_op_kernels(c10::DispatchKey::CUDA).impl("rms_norm", &rms_norm_device);
  return true;
}();
}  // namespace

at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& weight, double eps) {
  static const auto op = c10::Dispatcher::singleton()
                             .findSchemaOrThrow("csm::rms_norm", "")
                             .typed<at::Tensor(const at::Tensor&, const at::Tensor&, double)>();
  return op.call(x, weight, eps);
}

}  // namespace csm

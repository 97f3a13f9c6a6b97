#pragma once
// y = x W^T for a weight stored [out, in]. A single row goes through a
// matrix-vector product: BLAS libraries without GEMM-to-GEMV forwarding pack the
// whole weight for a one-row GEMM, reading it more than once, and a decode step is
// nothing but one-row products. The choice depends on shapes only (no host sync).
#include <ATen/ATen.h>

namespace csm {

inline bool single_row_on_cpu(const at::Tensor& x) { return x.numel() == x.size(-1) && x.device().is_cpu(); }

inline at::Tensor apply_weight(const at::Tensor& x, const at::Tensor& weight) {
  if (!single_row_on_cpu(x)) return at::linear(x, weight);
  auto sizes = x.sizes().vec();
  sizes.back() = weight.size(0);
  return at::mv(weight, x.reshape({-1})).view(sizes);
}

// out = x W^T written into `out` (which may be a view of a larger buffer, rows strided).
inline void apply_weight_into(const at::Tensor& out, const at::Tensor& x, const at::Tensor& weight) {
  if (single_row_on_cpu(x)) {
    at::Tensor o = out.view({-1});
    at::mv_out(o, weight, x.reshape({-1}));
    return;
  }
  at::Tensor o = out.view({-1, out.size(-1)});
  at::mm_out(o, x.reshape({-1, x.size(-1)}), weight.t());
}

// residual += x W^T, in place: the residual is the product's accumulator (one kernel;
// an out-of-place residual + x W^T would first copy the residual into its result).
// residual [..., out] contiguous, x [..., in].
inline void add_weight_(at::Tensor& residual, const at::Tensor& x, const at::Tensor& weight) {
  if (single_row_on_cpu(x)) {
    residual.view({-1}).addmv_(weight, x.reshape({-1}));
    return;
  }
  residual.view({-1, residual.size(-1)}).addmm_(x.reshape({-1, x.size(-1)}), weight.t());
}

}  // namespace csm

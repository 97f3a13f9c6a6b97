#pragma once
// y = x W^T for a weight stored [out, in]. The few rows of a decode step go through
// row_product_ on the CPU (the weight read once, at the memory's rate); everything
// else through LibTorch's GEMM. The choice depends on shapes only (no host sync).
#include <ATen/ATen.h>

#include "model/row_product.h"

namespace csm {

inline at::Tensor apply_weight(const at::Tensor& x, const at::Tensor& weight) {
  if (!row_product_applies(x, weight)) return at::linear(x, weight);
  auto sizes = x.sizes().vec();
  sizes.back() = weight.size(0);
  auto out = at::empty(sizes, x.options());
  row_product_(out.view({-1, weight.size(0)}), x.reshape({-1, x.size(-1)}), weight, false);
  return out;
}

// out = x W^T written into `out` (which may be a view of a larger buffer, rows strided).
inline void apply_weight_into(const at::Tensor& out, const at::Tensor& x, const at::Tensor& weight) {
  at::Tensor o = out.view({-1, out.size(-1)});
  if (o.stride(1) == 1 && row_product_applies(x, weight))
    return row_product_(o, x.reshape({-1, x.size(-1)}), weight, false);
  at::mm_out(o, x.reshape({-1, x.size(-1)}), weight.t());
}

// residual += x W^T, in place: the residual is the product's accumulator (one kernel;
// an out-of-place residual + x W^T would first copy the residual into its result).
// residual [..., out] contiguous, x [..., in].
inline void add_weight_(at::Tensor& residual, const at::Tensor& x, const at::Tensor& weight) {
  const at::Tensor r = residual.view({-1, residual.size(-1)});
  if (r.stride(1) == 1 && row_product_applies(x, weight))
    return row_product_(r, x.reshape({-1, x.size(-1)}), weight, true);
  r.addmm_(x.reshape({-1, x.size(-1)}), weight.t());
}

}  // namespace csm

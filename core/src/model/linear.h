#pragma once
// y = x W^T for a weight stored [out, in]. A single row goes through a
// matrix-vector product: BLAS libraries without GEMM-to-GEMV forwarding pack the
// whole weight for a one-row GEMM, reading it more than once, and a decode step is
// nothing but one-row products. The choice depends on shapes only (no host sync).
#include <ATen/ATen.h>

namespace csm {

inline at::Tensor apply_weight(const at::Tensor& x, const at::Tensor& weight) {
  if (x.numel() != x.size(-1) || !x.device().is_cpu()) return at::linear(x, weight);
  auto sizes = x.sizes().vec();
  sizes.back() = weight.size(0);
  return at::mv(weight, x.reshape({-1})).view(sizes);
}

}  // namespace csm

#pragma once
// The one place that knows LibTorch 1.13 (Debian, CPU) from LibTorch 2.x (the
// GPU machine's PyTorch). Everything else calls these wrappers.
#include <ATen/ATen.h>
#include <torch/version.h>

#define CSM_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) || (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

namespace csm::compat {

inline const char* torch_version() { return TORCH_VERSION; }

// Causal/masked attention. q [B,H,Tq,D], k/v [B,H,Tk,D] (heads already repeated for GQA),
// mask: bool [.., Tq, Tk] with true = may attend (or undefined for none).
inline at::Tensor scaled_dot_product_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                               const at::Tensor& mask, double scale) {
#if CSM_TORCH_AT_LEAST(2, 1)
  return at::scaled_dot_product_attention(q, k, v, mask, 0.0, false, scale);
#else
  // Softmax in fp32, as SDPA does internally.
  auto scores = at::matmul(q.to(at::kFloat), k.to(at::kFloat).transpose(-2, -1)) * scale;
  if (mask.defined()) scores = scores.masked_fill(mask.logical_not(), -std::numeric_limits<float>::infinity());
  return at::matmul(at::softmax(scores, -1), v.to(at::kFloat)).to(q.scalar_type());
#endif
}

}  // namespace csm::compat

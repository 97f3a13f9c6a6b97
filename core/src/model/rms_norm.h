#pragma once
// RMSNorm as one operator on every device: y = x / sqrt(mean(x^2) + eps) * weight, the
// mean taken in fp32 (the reference's order: normalise in fp32, cast back, then scale).
// On CUDA it is LibTorch's fused kernel where the version has one; on the CPU a
// one-pass loop of ours, registered as the operator csm::rms_norm so that it runs (and
// is counted by the operator census) as the single kernel it is, where LibTorch's CPU
// path would run five elementwise passes.
#include <ATen/ATen.h>

namespace csm {

at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& weight, double eps);

}  // namespace csm

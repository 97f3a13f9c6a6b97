#pragma once
// Masked attention on the CPU in fp32 as one operator (csm::attention), for a LibTorch
// without a fused CPU kernel (1.13, Debian's): its composite is two batched products, a
// scale, a mask add, a softmax and copies of the strided cache views: about five
// kernels per call and 700 a frame, where this is one. Each query row is computed on
// its own in a fixed order (scores, max, exponentials, weighted sum of values), so a
// stream's rows come out the same in any batch.
#include <ATen/ATen.h>

namespace csm {

// Whether cpu_attention takes these: CPU, fp32, 4-D q/k/v with contiguous last
// dimensions, and a mask (if any) broadcastable to [B, H, Tq, Tk].
bool cpu_attention_applies(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& mask);

// softmax(q k^T * scale + mask) v for q [B, H, Tq, D], k/v [B, H, Tk, D] (any strides but
// the last), mask additive (0 or -inf) or undefined. Returns [B, H, Tq, D], contiguous.
at::Tensor cpu_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& mask,
                         double scale);

}  // namespace csm

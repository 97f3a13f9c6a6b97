#pragma once
// The one place that knows LibTorch 1.13 (Debian, CPU) from LibTorch 2.x (the
// GPU machine's PyTorch). Everything else calls these wrappers.
#include <ATen/ATen.h>
#include <limits>
#include <stdexcept>
#include <string>
#include <torch/version.h>

#include "runtime/cpu_attention.h"
#if defined(CSM_WITH_CUDA)
#include <c10/cuda/CUDACachingAllocator.h>
#endif

#define CSM_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) || (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

namespace csm::compat {

inline const char* torch_version() { return TORCH_VERSION; }

// Masked attention. q [B,H,Tq,D], k/v [B,H,Tk,D] (query heads grouped per key/value
// head by the caller), mask: additive [.., Tq, Tk] in q's dtype (0 = may attend, -inf
// = may not), or undefined for none.
inline at::Tensor scaled_dot_product_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                               const at::Tensor& mask, double scale) {
#if CSM_TORCH_AT_LEAST(2, 1)
  if (!mask.defined()) return at::scaled_dot_product_attention(q, k, v, {}, 0.0, false, scale);
  return at::scaled_dot_product_attention(q, k, v, mask, 0.0, false, scale);
#else
  if (cpu_attention_applies(q, k, v, mask)) return cpu_attention(q, k, v, mask, scale);
  // Softmax in fp32, as SDPA does internally.
  auto scores = at::matmul(q.to(at::kFloat), k.to(at::kFloat).transpose(-2, -1)) * scale;
  if (mask.defined()) scores = scores + mask.to(at::kFloat);
  return at::matmul(at::softmax(scores, -1), v.to(at::kFloat)).to(q.scalar_type());
#endif
}

// Which fused attention kernels LibTorch may pick (process-wide). "auto": any but
// cuDNN's (on Hopper cuDNN SDPA builds a plan per new shape, and its masked 4-row
// query is a less-trodden case: opt in with "cudnn"); "cudnn", "flash", "efficient",
// "math": that one alone (math stays allowed as the fallback). Returns what is in
// effect, for reports. Throws std::invalid_argument for another name.
inline std::string select_attention(const std::string& name) {
  if (name != "auto" && name != "cudnn" && name != "flash" && name != "efficient" && name != "math")
    throw std::invalid_argument(name);
#if CSM_TORCH_AT_LEAST(2, 1)
  auto& c = at::globalContext();
  const bool all = name == "auto";
  c.setSDPUseFlash(all || name == "flash");
  c.setSDPUseMemEfficient(all || name == "efficient");
  c.setSDPUseMath(true);
#if CSM_TORCH_AT_LEAST(2, 3)
  c.setSDPUseCuDNN(name == "cudnn");
  return all ? "auto (cuDNN off)" : name;
#else
  return name == "cudnn" ? "auto (this LibTorch has no cuDNN attention)" : (all ? "auto" : name);
#endif
#else
  return "csm::attention on the CPU (LibTorch " TORCH_VERSION " has no fused attention kernel)";
#endif
}

// The mask scaled_dot_product_attention takes, from a boolean one (true = may NOT
// attend): made once per step, not converted again by every attention call.
inline at::Tensor additive_mask(const at::Tensor& forbidden, at::ScalarType dtype) {
  return at::zeros(forbidden.sizes(), forbidden.options().dtype(dtype))
      .masked_fill_(forbidden, -std::numeric_limits<double>::infinity());
}

// After a failed allocation the CUDA caching allocator still holds the blocks the
// failed run freed; handing them back lets the next, smaller run have them.
inline void release_cached_device_memory() {
#if defined(CSM_WITH_CUDA)
  if (at::hasCUDA()) c10::cuda::CUDACachingAllocator::emptyCache();
#endif
}

// Bytes the caching allocator has handed out on a CUDA device (0 without CUDA).
inline int64_t device_memory_allocated(int device_index) {
#if defined(CSM_WITH_CUDA)
  const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(static_cast<c10::DeviceIndex>(device_index));
  return stats.allocated_bytes[0].current;  // index 0: the aggregate over pool kinds
#else
  (void)device_index;
  return 0;
#endif
}

// c10::Allocator lost the const on allocate() and gained a pure copy_data() in
// LibTorch 2.3; an allocator written against this base builds with both.
class AllocatorBase : public c10::Allocator {
 public:
  virtual c10::DataPtr allocate_bytes(size_t bytes) = 0;
#if CSM_TORCH_AT_LEAST(2, 3)
  c10::DataPtr allocate(size_t bytes) override { return allocate_bytes(bytes); }
  void copy_data(void* dest, const void* src, std::size_t count) const override { default_copy_data(dest, src, count); }
#else
  c10::DataPtr allocate(size_t bytes) const override { return const_cast<AllocatorBase*>(this)->allocate_bytes(bytes); }
#endif
};

}  // namespace csm::compat

#include "runtime/host_copy.h"

#if defined(CSM_WITH_CUDA)
#include <ATen/cuda/CUDAContext.h>
#include <ATen/cuda/CUDAEvent.h>
#endif

namespace csm {

struct HostCopy::Event {
#if defined(CSM_WITH_CUDA)
  at::cuda::CUDAEvent event;
#endif
  bool pending = false;
};

HostCopy::HostCopy() = default;
HostCopy::~HostCopy() = default;
HostCopy::HostCopy(HostCopy&&) noexcept = default;
HostCopy& HostCopy::operator=(HostCopy&&) noexcept = default;

HostCopy::HostCopy(const at::Tensor& like) : event_(std::make_unique<Event>()) {
  auto options = like.options().device(at::kCPU);
  if (like.device().is_cuda()) options = options.pinned_memory(true);
  host_ = at::empty(like.sizes(), options);
}

void HostCopy::start(const at::Tensor& source) {
  const bool device = source.device().is_cuda();
  host_.copy_(source, /*non_blocking=*/device);
#if defined(CSM_WITH_CUDA)
  if (device) {
    event_->event.record(at::cuda::getCurrentCUDAStream(source.device().index()));
    event_->pending = true;
  }
#endif
}

const at::Tensor& HostCopy::wait() {
#if defined(CSM_WITH_CUDA)
  if (event_ && event_->pending) {
    event_->event.synchronize();
    event_->pending = false;
  }
#endif
  return host_;
}

}  // namespace csm

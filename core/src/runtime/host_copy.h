#pragma once
// The host's view of a small device tensor (a frame's codes and flags), copied
// without stalling the device: on CUDA into pinned memory, asynchronously, with an
// event to wait on; on the CPU a plain copy.
#include <memory>

#include <ATen/ATen.h>

namespace csm {

class HostCopy {
 public:
  HostCopy();
  explicit HostCopy(const at::Tensor& like);  // a host buffer of like's shape and dtype
  ~HostCopy();
  HostCopy(HostCopy&&) noexcept;
  HostCopy& operator=(HostCopy&&) noexcept;
  void start(const at::Tensor& source);  // enqueues the copy after the work queued so far
  const at::Tensor& wait();              // blocks until the copy is done
  const at::Tensor& host() const { return host_; }

 private:
  struct Event;
  at::Tensor host_;
  std::unique_ptr<Event> event_;
};

}  // namespace csm

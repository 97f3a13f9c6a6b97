#pragma once
// A thread's own queue on the device: work this thread issues on a CUDA device from
// now on goes to a stream of its own, so it overlaps with other threads' work instead
// of queueing behind it. Nothing happens for other devices.
#include <ATen/ATen.h>

namespace csm {

void use_own_device_stream(const at::Device& device);

}  // namespace csm

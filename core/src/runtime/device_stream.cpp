#include "runtime/device_stream.h"

#if defined(CSM_WITH_CUDA)
#include <c10/cuda/CUDAStream.h>
#endif

namespace csm {

void use_own_device_stream(const at::Device& device) {
#if defined(CSM_WITH_CUDA)
  if (!device.is_cuda()) return;
  const c10::DeviceIndex index = device.has_index() ? device.index() : 0;
  c10::cuda::setCurrentCUDAStream(c10::cuda::getStreamFromPool(/*isHighPriority=*/false, index));
#else
  (void)device;
#endif
}

}  // namespace csm

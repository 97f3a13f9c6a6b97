#include "runtime/csm_ops.h"

#include <new>

namespace csm {

torch::Library& csm_op_schemas() {
  alignas(torch::Library) static unsigned char storage[sizeof(torch::Library)];
  static torch::Library* library = new (storage) torch::Library(torch::Library::FRAGMENT, "csm", {}, __FILE__, __LINE__);
  return *library;
}

torch::Library& csm_op_kernels(c10::DispatchKey device) {
  alignas(torch::Library) static unsigned char cpu_storage[sizeof(torch::Library)];
  alignas(torch::Library) static unsigned char cuda_storage[sizeof(torch::Library)];
  if (device == c10::DispatchKey::CUDA) {
    static torch::Library* cuda =
        new (cuda_storage) torch::Library(torch::Library::IMPL, "csm", c10::DispatchKey::CUDA, __FILE__, __LINE__);
    return *cuda;
  }
  static torch::Library* cpu =
      new (cpu_storage) torch::Library(torch::Library::IMPL, "csm", c10::DispatchKey::CPU, __FILE__, __LINE__);
  return *cpu;
}

}  // namespace csm

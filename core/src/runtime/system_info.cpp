#include "csm/system_info.h"

#include <fstream>
#include <sstream>
#include <thread>

#include <unistd.h>

#include "runtime/torch_compat.h"

#if defined(CSM_WITH_CUDA)
#include <ATen/cuda/CUDAContext.h>
#endif

namespace csm {
namespace {

int64_t meminfo_kib(const std::string& key) {
  std::ifstream in("/proc/meminfo");
  std::string name;
  int64_t value = 0;
  std::string unit;
  while (in >> name >> value >> unit)
    if (name == key + ":") return value;
  return 0;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
  }
  return "unknown";
}

}  // namespace

SystemInfo system_info() {
  SystemInfo info;
  info.cpu_model = cpu_model();
  info.cpu_cores = static_cast<int>(std::thread::hardware_concurrency());
  info.memory_total_bytes = meminfo_kib("MemTotal") * 1024;
  info.memory_available_bytes = meminfo_kib("MemAvailable") * 1024;
  info.torch_version = compat::torch_version();
  info.cuda_available = at::hasCUDA();
#if defined(CSM_WITH_CUDA)
  info.torch_has_cuda = true;
  if (info.cuda_available) {
    info.cuda_devices = static_cast<int>(at::cuda::device_count());
    const auto* p = at::cuda::getDeviceProperties(0);
    info.gpu_name = p->name;
    info.gpu_memory_bytes = static_cast<int64_t>(p->totalGlobalMem);
    info.gpu_compute_capability = std::to_string(p->major) + "." + std::to_string(p->minor);
  }
#endif
  return info;
}

int64_t resident_memory_bytes() {
  std::ifstream in("/proc/self/statm");
  int64_t size = 0, resident = 0;
  if (!(in >> size >> resident)) return 0;
  return resident * static_cast<int64_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace csm

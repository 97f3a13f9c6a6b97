#include "csm-bench/system_report.h"

#include "csm/system_info.h"

namespace csm::bench {

nlohmann::json system_report() {
  const SystemInfo info = system_info();
  const double gib = 1024.0 * 1024.0 * 1024.0;
  return {{"cpu", info.cpu_model},
          {"cpu_cores", info.cpu_cores},
          {"memory_total_gib", info.memory_total_bytes / gib},
          {"memory_available_gib", info.memory_available_bytes / gib},
          {"libtorch", info.torch_version},
          {"cuda_available", info.cuda_available}};
}

}  // namespace csm::bench

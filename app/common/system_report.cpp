#include "common/system_report.h"

#include "csm/engine.h"
#include "csm/system_info.h"

namespace csm::cli {

namespace {
nlohmann::json models_found() {
  nlohmann::json found = nlohmann::json::object();
  for (const char* repo : {"sesame/csm-1b", "kyutai/mimi"}) {
    const std::string path = find_in_hf_cache(repo);
    found[repo] = path.empty() ? nlohmann::json(nullptr) : nlohmann::json(path);
  }
  found["demo"] = "built in (random weights: noise, not speech)";
  return found;
}
}  // namespace

nlohmann::json system_report() {
  const SystemInfo info = system_info();
  const double gib = 1024.0 * 1024.0 * 1024.0;
  return {{"cpu", info.cpu_model},
          {"cpu_cores", info.cpu_cores},
          {"memory_total_gib", info.memory_total_bytes / gib},
          {"memory_available_gib", info.memory_available_bytes / gib},
          {"libtorch", info.torch_version},
          {"libtorch_cuda", info.torch_has_cuda},
          {"cuda_available", info.cuda_available},
          {"cuda_devices", info.cuda_devices},
          {"gpu", info.cuda_available ? info.gpu_name
                  : info.torch_has_cuda ? "none (this LibTorch has CUDA, but no device answers)"
                                        : "none (this LibTorch has no CUDA)"},
          {"gpu_memory_gib", info.gpu_memory_bytes / gib},
          {"gpu_compute_capability", info.gpu_compute_capability},
          {"hf_cache", hf_hub_cache_dir()},
          {"models_found", models_found()}};
}

}  // namespace csm::cli

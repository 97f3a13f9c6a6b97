#pragma once
// What machine the engine runs on, for csm-bench --info and run metadata.
#include <cstdint>
#include <string>

namespace csm {

struct SystemInfo {
  std::string cpu_model;
  int cpu_cores = 0;
  int64_t memory_total_bytes = 0;
  int64_t memory_available_bytes = 0;
  std::string torch_version;
  bool torch_has_cuda = false;  // built against a CUDA LibTorch
  bool cuda_available = false;  // ... and a device answers
  int cuda_devices = 0;
  std::string gpu_name;         // device 0
  int64_t gpu_memory_bytes = 0;
  std::string gpu_compute_capability;
};

SystemInfo system_info();

// Chooses the fused attention kernels LibTorch may use in this process, for every
// engine and model in it: "auto" (any but cuDNN's, whose plan per new shape and masked
// few-row queries are a risk on Hopper), "cudnn", "flash", "efficient" or "math" (that
// one alone, math kept as the fallback). Empty: $CSM_SDPA, else "auto". Returns what is
// in effect, for reports ("auto (cuDNN off)"). Throws csm::Error for another name.
std::string use_attention_kernels(const std::string& name);

// Resident set size of this process, in bytes (0 if unknown).
int64_t resident_memory_bytes();

}  // namespace csm

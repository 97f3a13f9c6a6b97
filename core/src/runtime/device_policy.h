#pragma once
// Turning the user's device/dtype words into LibTorch values, decided once at load.
#include <string>

#include <ATen/ATen.h>

namespace csm {

at::Device parse_device(const std::string& device);                      // "cpu", "cuda", "cuda:1"
at::ScalarType parse_dtype(const std::string& dtype, const at::Device& device);  // "auto": bf16 on CUDA, fp32 on CPU
std::string dtype_name(at::ScalarType type);
int64_t device_memory_in_use(const at::Device& device);  // bytes; 0 where unknown (CPU)

}  // namespace csm

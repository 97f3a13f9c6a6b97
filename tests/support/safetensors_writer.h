#pragma once
// Writes tensors as a .safetensors file, for tests that build checkpoints.
#include <cstring>
#include <fstream>
#include <map>
#include <string>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

namespace csm::test {

inline void write_safetensors(const std::string& path, const std::map<std::string, at::Tensor>& tensors) {
  nlohmann::json header = nlohmann::json::object();
  std::string data;
  for (const auto& [name, tensor] : tensors) {
    const auto t = tensor.contiguous();
    std::string dtype = t.scalar_type() == at::kFloat ? "F32" : t.scalar_type() == at::kBFloat16 ? "BF16"
                      : t.scalar_type() == at::kHalf  ? "F16" : t.scalar_type() == at::kLong ? "I64" : "?";
    const size_t bytes = t.numel() * t.element_size();
    header[name] = {{"dtype", dtype}, {"shape", t.sizes().vec()}, {"data_offsets", {data.size(), data.size() + bytes}}};
    data.append(static_cast<const char*>(t.data_ptr()), bytes);
  }
  const std::string text = header.dump();
  const uint64_t n = text.size();
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(&n), 8);
  out << text << data;
}

}  // namespace csm::test

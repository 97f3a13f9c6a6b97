#pragma once
// A memory-mapped .safetensors file. The header is untrusted: every offset,
// size and dtype is checked before a tensor view is handed out.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <ATen/ATen.h>

namespace csm {

struct SafetensorsEntry {
  std::string dtype;  // as spelled in the file: F32, BF16, ...
  std::vector<int64_t> shape;
  uint64_t begin = 0;  // byte offsets inside the data section
  uint64_t end = 0;
};

class SafetensorsFile {
 public:
  // Throws csm::Error (Io / BadModelFile) naming the file and tensor at fault.
  explicit SafetensorsFile(const std::string& path);
  ~SafetensorsFile();
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;

  const std::string& path() const { return path_; }
  const std::map<std::string, SafetensorsEntry>& entries() const { return entries_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  bool contains(const std::string& name) const { return entries_.count(name) > 0; }

  // The tensor as stored (its own dtype), sharing the mapped memory when aligned.
  // The view keeps the mapping alive. Throws csm::Error for an unknown name.
  at::Tensor tensor(const std::string& name) const;

  static constexpr uint64_t kMaxHeaderBytes = 100ull << 20;

 private:
  void parse_header(const std::string& header);
  std::string path_;
  std::shared_ptr<void> mapping_;  // whole file, unmapped when the last view dies
  const uint8_t* data_ = nullptr;   // start of the data section
  uint64_t data_size_ = 0;
  std::map<std::string, SafetensorsEntry> entries_;
  std::map<std::string, std::string> metadata_;
};

// Element type of a safetensors dtype spelling; throws for unknown ones.
at::ScalarType safetensors_scalar_type(const std::string& dtype, const std::string& where);

}  // namespace csm

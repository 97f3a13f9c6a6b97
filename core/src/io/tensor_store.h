#pragma once
// All tensors of a checkpoint, whether one .safetensors file or shards listed
// by a model.safetensors.index.json.
#include <memory>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "io/safetensors_file.h"

namespace csm {

class TensorStore {
 public:
  TensorStore() = default;
  // `path`: a .safetensors file, a *.safetensors.index.json, or a directory holding
  // model.safetensors or model.safetensors.index.json. Throws csm::Error.
  static TensorStore open(const std::string& path);
  // Adds every tensor of another file (e.g. mimi.safetensors beside the model).
  void add_file(const std::string& path);

  bool has(const std::string& name) const;
  at::Tensor get(const std::string& name) const;  // throws naming the checkpoint
  const SafetensorsEntry* entry(const std::string& name) const;
  std::vector<std::string> names() const;
  std::string describe() const;  // the file (or first shard) for messages
  bool empty() const { return files_.empty(); }

 private:
  const SafetensorsFile* file_of(const std::string& name) const;
  std::vector<std::shared_ptr<SafetensorsFile>> files_;
};

}  // namespace csm

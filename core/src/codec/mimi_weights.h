#pragma once
// Reads Mimi tensors by their HF names (without prefix) from any of the three
// layouts a user may have: inside an HF CSM checkpoint (`codec_model.*`), a
// standalone HF Mimi (`kyutai/mimi`), or Kyutai's original names (packed
// `in_proj_weight`, interleaved RoPE rows). Weight-norm pairs are folded.
#include <string>

#include <ATen/ATen.h>

#include "io/tensor_store.h"

namespace csm {

class MimiWeights {
 public:
  // Detects the layout from the keys; throws csm::Error when no Mimi is present.
  explicit MimiWeights(const TensorStore& store);
  // Deterministic random weights of whatever shapes are asked for (benchmarks, demo model).
  static MimiWeights random(uint64_t seed);
  static bool present(const TensorStore& store);

  // The tensor of HF name `name` (e.g. "decoder.layers.0.conv.weight") as fp32 on
  // device(), checked against `shape`. q/k rows come in rotate-half order for `heads`.
  at::Tensor get(const std::string& name, const std::vector<int64_t>& shape, int heads = 0) const;
  // The same weights, handed out on `device`.
  MimiWeights on(at::Device device) const;
  at::Device device() const { return device_; }
  const std::string& layout() const { return layout_; }  // "hf-csm", "hf" or "orig"

 private:
  at::Tensor raw(const std::string& name, int heads) const;
  at::Tensor read_folded(const std::string& key) const;  // a weight, folding weight-norm pairs
  bool has_weight(const std::string& key) const;
  MimiWeights(const TensorStore& store, uint64_t seed);
  at::Tensor random_tensor(const std::string& name, const std::vector<int64_t>& shape) const;
  static const TensorStore& no_store();
  const TensorStore& store_;
  bool random_ = false;
  uint64_t seed_ = 0;
  std::string layout_;
  std::string prefix_;
  at::Device device_ = at::kCPU;
};

}  // namespace csm

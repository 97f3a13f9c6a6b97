#pragma once
// The Llama-style pre-norm decoder stack shared by CSM's backbone and depth
// decoder: RMSNorm, GQA attention with RoPE over a static KV cache, SwiGLU MLP.
#include <vector>

#include <ATen/ATen.h>

#include "model/csm_config.h"
#include "model/rope.h"

namespace csm {

struct TransformerLayerWeights {
  at::Tensor attn_norm;  // [dim]
  at::Tensor wq, wk, wv, wo;  // Linear [out, in]; q/k rows in rotate-half order
  at::Tensor mlp_norm;
  at::Tensor w1, w3, w2;  // gate, up, down
};

// Preallocated keys/values for every layer: [B, kv_heads, capacity, head_dim].
struct KvCache {
  std::vector<at::Tensor> keys;
  std::vector<at::Tensor> values;
  // The cache of stream b alone, sharing storage (for prefilling one stream of a batch).
  KvCache slot(int64_t b) const;
  int64_t capacity() const { return keys.empty() ? 0 : keys.front().size(2); }
  int64_t batch() const { return keys.empty() ? 0 : keys.front().size(0); }
};

class Transformer {
 public:
  Transformer() = default;
  Transformer(TransformerConfig config, std::vector<TransformerLayerWeights> layers, at::Tensor final_norm,
              at::Device device);

  KvCache make_cache(int64_t batch, int64_t capacity, at::ScalarType dtype) const;
  // x [B, T, dim] at positions start..start+T-1 -> states after the final norm [B, T, dim].
  // Writes this step's keys/values into `cache` and attends causally to everything before.
  at::Tensor forward(const at::Tensor& x, int64_t start, KvCache& cache) const;
  // One step for B streams at their own positions: x [B, 1, dim], positions int64 [B].
  at::Tensor forward_at(const at::Tensor& x, const at::Tensor& positions, KvCache& cache) const;

  const TransformerConfig& config() const { return config_; }
  int64_t parameter_count() const;

 private:
  at::Tensor attention(const TransformerLayerWeights& w, const at::Tensor& x, int64_t start, at::Tensor& k_cache,
                       at::Tensor& v_cache) const;
  at::Tensor attention_at(const TransformerLayerWeights& w, const at::Tensor& x, const at::Tensor& positions,
                          int64_t end, at::Tensor& k_cache, at::Tensor& v_cache) const;
  at::Tensor attend(const TransformerLayerWeights& w, const at::Tensor& q, at::Tensor keys, at::Tensor values,
                    const at::Tensor& mask) const;
  template <typename Attention>
  at::Tensor run_layers(const at::Tensor& x, Attention&& attention) const;
  TransformerConfig config_;
  std::vector<TransformerLayerWeights> layers_;
  at::Tensor final_norm_;
  RopeTable rope_;
};

// y = x / sqrt(mean(x^2) + eps) in fp32, cast back, then scaled (the reference's order).
at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& weight, double eps);

}  // namespace csm

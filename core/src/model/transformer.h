#pragma once
// The Llama-style pre-norm decoder stack shared by CSM's backbone and depth
// decoder: RMSNorm, grouped-query attention with RoPE over a static KV cache,
// SwiGLU MLP. Projections are fused at load (QKV in one matrix, gate/up in one)
// so a decode step reads each layer in four matrix products.
#include <vector>

#include <ATen/ATen.h>

#include "model/csm_config.h"
#include "model/rope.h"

namespace csm {

struct TransformerLayerWeights {
  at::Tensor attn_norm;  // [dim]
  at::Tensor wqkv;       // [q + 2 kv rows, dim]; q/k rows in rotate-half order
  at::Tensor wo;         // [dim, q rows]
  at::Tensor mlp_norm;
  at::Tensor w13;        // [2 * intermediate, dim]: gate rows, then up rows
  at::Tensor w2;         // down
};

// Builds the fused layer from the checkpoint's separate matrices.
TransformerLayerWeights fuse_layer(at::Tensor attn_norm, const at::Tensor& wq, const at::Tensor& wk,
                                   const at::Tensor& wv, at::Tensor wo, at::Tensor mlp_norm, const at::Tensor& w1,
                                   const at::Tensor& w3, at::Tensor w2);

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
  // x [B, T, dim] at positions start..start+T-1 (known to the host) -> states after the
  // final norm [B, T, dim]. Writes this step's keys/values into `cache` and attends
  // causally to everything before. Static shapes for a fixed (T, start).
  at::Tensor forward(const at::Tensor& x, int64_t start, KvCache& cache) const;
  // One row per stream at its own device position: x [B, 1, dim], positions int64 [B].
  // Attends to the first `window` cache positions (a host-chosen bucket that covers
  // every position) through a mask built on the device: no host read.
  at::Tensor step(const at::Tensor& x, const at::Tensor& positions, int64_t window, KvCache& cache) const;

  const TransformerConfig& config() const { return config_; }
  const RopeTable& rope() const { return rope_; }
  int64_t parameter_count() const;

 private:
  struct Qkv {
    at::Tensor q, k, v;  // [B, heads, T, D] and [B, kv_heads, T, D]
  };
  Qkv project_qkv(const TransformerLayerWeights& w, const at::Tensor& x) const;
  at::Tensor attend(const TransformerLayerWeights& w, const at::Tensor& q, const at::Tensor& keys,
                    const at::Tensor& values, const at::Tensor& mask) const;
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

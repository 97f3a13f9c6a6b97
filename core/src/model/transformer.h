#pragma once
// The Llama-style pre-norm decoder stack shared by CSM's backbone and depth
// decoder: RMSNorm, grouped-query attention with RoPE over a static KV cache,
// SwiGLU MLP. Projections are fused at load (QKV in one matrix, gate/up in one)
// so a decode step reads each layer in four matrix products, and a layer launches
// about a dozen kernels (see run_layers).
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

// Preallocated attention state for every layer, in one of two layouts:
//  - keys and values [B, kv_heads, capacity, head_dim] (the backbone: long, per-stream positions);
//  - rows: each position's whole projection [B, capacity, heads + 2 kv_heads, head_dim]
//    (the depth decoder: short, every stream at the same position). A one-position
//    step then projects straight into its row, which holds its keys and values:
//    no copy of them into a cache.
struct KvCache {
  std::vector<at::Tensor> keys;
  std::vector<at::Tensor> values;
  std::vector<at::Tensor> rows;
  // The cache of stream b alone, sharing storage (for prefilling one stream of a batch).
  KvCache slot(int64_t b) const;
  int64_t capacity() const;
};

class Transformer {
 public:
  Transformer() = default;
  // RoPE rotations are kept for the first `positions` positions (at most the config's);
  // `row_cache`: make_cache() lays the cache out in rows (see KvCache).
  Transformer(TransformerConfig config, std::vector<TransformerLayerWeights> layers, at::Tensor final_norm,
              int64_t positions, bool row_cache, at::Device device);

  KvCache make_cache(int64_t batch, int64_t capacity, at::ScalarType dtype) const;
  // Both take x as the residual stream and update it in place (no copy of it per
  // layer): pass a copy to keep it.
  // x [B, T, dim] at positions start..start+T-1 (known to the host) -> states after the
  // final norm [B, T, dim]. Writes this step's keys/values into `cache` and attends
  // causally to everything before. Static shapes for a fixed (T, start).
  at::Tensor forward(const at::Tensor& x, int64_t start, KvCache& cache) const;
  // One row per stream at its own device position: x [B, 1, dim], positions int64 [B]
  // (a keys/values cache).
  // Attends to the first `window` cache positions (a host-chosen bucket that covers
  // every position) through a mask built on the device: no host read.
  at::Tensor step(const at::Tensor& x, const at::Tensor& positions, int64_t window, KvCache& cache) const;

  const TransformerConfig& config() const { return config_; }
  const RopeTable& rope() const { return rope_; }
  int64_t parameter_count() const;

 private:
  struct Rotated {
    at::Tensor q, k;  // [B, heads, T, D], [B, kv_heads, T, D]
  };
  Rotated rotate(const at::Tensor& qkv, const at::Tensor& rotations) const;
  at::Tensor attend(const at::Tensor& q, const at::Tensor& keys, const at::Tensor& values, const at::Tensor& mask) const;
  at::Tensor attend_rows(const TransformerLayerWeights& w, const at::Tensor& a, const at::Tensor& rows, int64_t start,
                         const at::Tensor& rotations, const at::Tensor& mask) const;
  template <typename Attention>
  at::Tensor run_layers(const at::Tensor& x, Attention&& attention) const;
  TransformerConfig config_;
  bool row_cache_ = false;
  std::vector<TransformerLayerWeights> layers_;
  at::Tensor final_norm_;
  RopeTable rope_;
};

}  // namespace csm

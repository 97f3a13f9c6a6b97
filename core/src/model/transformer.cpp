#include "model/transformer.h"

#include <cmath>

#include "csm/error.h"
#include "model/linear.h"
#include "model/rms_norm.h"
#include "runtime/torch_compat.h"

namespace csm {
TransformerLayerWeights fuse_layer(at::Tensor attn_norm, const at::Tensor& wq, const at::Tensor& wk,
                                   const at::Tensor& wv, at::Tensor wo, at::Tensor mlp_norm, const at::Tensor& w1,
                                   const at::Tensor& w3, at::Tensor w2) {
  return {std::move(attn_norm), at::cat({wq, wk, wv}, 0).contiguous(), std::move(wo), std::move(mlp_norm),
          at::cat({w1, w3}, 0).contiguous(), std::move(w2)};
}

Transformer::Transformer(TransformerConfig config, std::vector<TransformerLayerWeights> layers, at::Tensor final_norm,
                         int64_t positions, bool row_cache, at::Device device)
    : config_(std::move(config)), row_cache_(row_cache), layers_(std::move(layers)), final_norm_(std::move(final_norm)),
      rope_(config_.rope, config_.head_dim, static_cast<int>(std::min<int64_t>(positions, config_.max_positions)),
            final_norm_.scalar_type(), device) {}

KvCache Transformer::make_cache(int64_t batch, int64_t capacity, at::ScalarType dtype) const {
  KvCache cache;
  const auto options = final_norm_.options().dtype(dtype);
  const int64_t heads = config_.heads, kv = config_.kv_heads, d = config_.head_dim;
  for (size_t i = 0; i < layers_.size(); ++i) {
    if (row_cache_) {
      cache.rows.push_back(at::zeros({batch, capacity, heads + 2 * kv, d}, options));
      continue;
    }
    cache.keys.push_back(at::zeros({batch, kv, capacity, d}, options));
    cache.values.push_back(at::zeros({batch, kv, capacity, d}, options));
  }
  return cache;
}

// RoPE on the queries and keys of every head at once (one batched product).
// qkv [B, T, (heads + 2 kv) D] -> q [B, heads, T, D], k [B, kv, T, D].
Transformer::Rotated Transformer::rotate(const at::Tensor& qkv, const at::Tensor& rotations) const {
  const int64_t b = qkv.size(0), t = qkv.size(1), d = config_.head_dim, h = config_.heads, kv = config_.kv_heads;
  const auto qk = RopeTable::apply(qkv.narrow(-1, 0, (h + kv) * d).view({b * t, h + kv, d}), rotations);
  return {qk.narrow(1, 0, h).view({b, t, h, d}).transpose(1, 2), qk.narrow(1, h, kv).view({b, t, kv, d}).transpose(1, 2)};
}

// Grouped-query attention without copying keys/values: the query heads that share a
// key/value head (heads 4j..4j+3 share head j, as HF's repeat_interleave pairs them)
// become extra query rows of that head. q [B, heads, T, D] -> [B, T, heads*D].
at::Tensor Transformer::attend(const at::Tensor& q, const at::Tensor& keys, const at::Tensor& values,
                               const at::Tensor& mask) const {
  const int64_t b = q.size(0), t = q.size(2), d = config_.head_dim, kv = config_.kv_heads;
  const int64_t group = config_.heads / kv;
  const auto grouped = q.reshape({b, kv, group * t, d});
  const auto out = compat::scaled_dot_product_attention(grouped, keys, values, mask, 1.0 / std::sqrt(double(d)));
  // [B, kv, group*T, D] -> [B, heads, T, D] -> [B, T, heads*D]
  const auto heads = out.view({b, kv, group, t, d}).reshape({b, config_.heads, t, d});
  return heads.transpose(1, 2).reshape({b, t, config_.heads * d});
}

// Attention over a row cache (see KvCache): the step's rows written at start..start+T-1,
// their keys rotated in place, then attention over rows 0..start+T-1.
at::Tensor Transformer::attend_rows(const TransformerLayerWeights& w, const at::Tensor& a, const at::Tensor& rows,
                                    int64_t start, const at::Tensor& rotations, const at::Tensor& mask) const {
  const int64_t b = a.size(0), t = a.size(1), d = config_.head_dim, h = config_.heads, kv = config_.kv_heads;
  const auto mine = rows.narrow(1, start, t);  // [B, T, heads + 2 kv, D]
  at::Tensor q;
  if (t == 1) {
    const auto row = mine.select(1, 0);  // [B, heads + 2 kv, D]
    apply_weight_into(row.view({b, (h + 2 * kv) * d}), a.view({b, -1}), w.wqkv);
    const auto qk = RopeTable::apply(row.narrow(1, 0, h + kv), rotations);
    row.narrow(1, h, kv).copy_(qk.narrow(1, h, kv));
    q = qk.narrow(1, 0, h).unsqueeze(2);
  } else {
    const auto qkv = apply_weight(a, w.wqkv);
    mine.copy_(qkv.view({b, t, h + 2 * kv, d}));
    const auto r = rotate(qkv, rotations);
    mine.narrow(2, h, kv).copy_(r.k.transpose(1, 2));
    q = r.q;
  }
  const auto seen = rows.narrow(1, 0, start + t);
  return attend(q, seen.narrow(2, h, kv).transpose(1, 2), seen.narrow(2, h + kv, kv).transpose(1, 2), mask);
}

// Per layer: norm, the attention block (one QKV product, RoPE on all heads in one
// batched product, keys/values stored, attention), the output product with the
// residual added in it, norm, gate/up product, SiLU x up, the down product with the
// residual added in it.
template <typename Attention>
at::Tensor Transformer::run_layers(const at::Tensor& input, Attention&& attention) const {
  const int64_t inter = config_.intermediate;
  at::Tensor x = input.contiguous();  // the residual stream, updated in place (the caller's input is its to lose)
  for (size_t i = 0; i < layers_.size(); ++i) {
    const auto& w = layers_[i];
    add_weight_(x, attention(w, rms_norm(x, w.attn_norm, config_.norm_eps), i), w.wo);
    const auto gate_up = apply_weight(rms_norm(x, w.mlp_norm, config_.norm_eps), w.w13);
    add_weight_(x, at::silu(gate_up.narrow(-1, 0, inter)).mul_(gate_up.narrow(-1, inter, inter)), w.w2);
  }
  return rms_norm(x, final_norm_, config_.norm_eps);
}

at::Tensor Transformer::forward(const at::Tensor& input, int64_t start, KvCache& cache) const {
  const int64_t b = input.size(0), t = input.size(1), end = start + t;
  const int64_t limit = std::min<int64_t>(cache.capacity(), rope_.max_positions());
  if (start < 0 || end > limit)
    throw Error(ErrorCode::InvalidArgument,
                "sequence of " + std::to_string(end) + " positions exceeds the model's limit of " + std::to_string(limit));
  at::Tensor mask;  // one new row sees every earlier key: no mask needed
  if (t > 1) {
    // Query i (absolute position start+i) may see keys 0..start+i; rows in the grouped
    // order attend() uses (group g, query i), made once for all layers.
    const auto query_pos = at::arange(start, end, input.options().dtype(at::kLong)).unsqueeze(1);
    const auto key_pos = at::arange(0, end, input.options().dtype(at::kLong)).unsqueeze(0);
    const int64_t group = config_.heads / config_.kv_heads;
    mask = compat::additive_mask(key_pos > query_pos, input.scalar_type())
               .expand({group, t, end})
               .reshape({1, 1, group * t, end});
  }
  auto rotations = rope_.rotations(start, t);
  if (b > 1 && t > 1)
    rotations = rotations.unsqueeze(0).expand({b, t, rotations.size(1), rotations.size(2)}).reshape({b * t, rotations.size(1), rotations.size(2)});
  return run_layers(input, [&](const TransformerLayerWeights& w, const at::Tensor& a, size_t i) {
    if (!cache.rows.empty()) return attend_rows(w, a, cache.rows[i], start, rotations, mask);
    const auto qkv = apply_weight(a, w.wqkv);
    const auto r = rotate(qkv, rotations);
    const int64_t h = config_.heads, kv = config_.kv_heads, d = config_.head_dim;
    cache.keys[i].narrow(2, start, t).copy_(r.k);
    cache.values[i].narrow(2, start, t).copy_(qkv.narrow(-1, (h + kv) * d, kv * d).view({b, t, kv, d}).transpose(1, 2));
    return attend(r.q, cache.keys[i].narrow(2, 0, end), cache.values[i].narrow(2, 0, end), mask);
  });
}

at::Tensor Transformer::step(const at::Tensor& input, const at::Tensor& positions, int64_t window,
                             KvCache& cache) const {
  const int64_t b = input.size(0), d = config_.head_dim, h = config_.heads, kv = config_.kv_heads;
  if (window < 1 || window > std::min<int64_t>(cache.capacity(), rope_.max_positions()))
    throw Error(ErrorCode::Internal, "attention window " + std::to_string(window) + " outside the cache");
  if (cache.keys.empty()) throw Error(ErrorCode::Internal, "a step at per-stream positions needs a keys/values cache");
  // Stream b sees keys 0..positions[b]; the slots beyond belong to its future. Made
  // once per step, with the rotations, for all layers.
  const auto mask = compat::additive_mask(
      at::arange(window, positions.options()).view({1, 1, 1, window}) > positions.view({b, 1, 1, 1}),
      input.scalar_type());
  const auto rotations = rope_.rotations_at(positions);
  const auto index = positions.view({b, 1, 1, 1}).expand({b, kv, 1, d});
  return run_layers(input, [&](const TransformerLayerWeights& w, const at::Tensor& a, size_t i) {
    const auto qkv = apply_weight(a, w.wqkv);
    const auto r = rotate(qkv, rotations);
    cache.keys[i].scatter_(2, index, r.k);
    cache.values[i].scatter_(2, index, qkv.narrow(-1, (h + kv) * d, kv * d).view({b, 1, kv, d}).transpose(1, 2));
    return attend(r.q, cache.keys[i].narrow(2, 0, window), cache.values[i].narrow(2, 0, window), mask);
  });
}

KvCache KvCache::slot(int64_t b) const {
  KvCache view;
  for (const auto& k : keys) view.keys.push_back(k.narrow(0, b, 1));
  for (const auto& v : values) view.values.push_back(v.narrow(0, b, 1));
  for (const auto& r : rows) view.rows.push_back(r.narrow(0, b, 1));
  return view;
}

int64_t KvCache::capacity() const {
  if (!rows.empty()) return rows.front().size(1);
  return keys.empty() ? 0 : keys.front().size(2);
}

int64_t Transformer::parameter_count() const {
  int64_t n = final_norm_.numel();
  for (const auto& w : layers_)
    n += w.attn_norm.numel() + w.wqkv.numel() + w.wo.numel() + w.mlp_norm.numel() + w.w13.numel() + w.w2.numel();
  return n;
}

}  // namespace csm

#include "model/transformer.h"

#include <cmath>

#include "csm/error.h"
#include "model/linear.h"
#include "runtime/torch_compat.h"

namespace csm {

at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& weight, double eps) {
  const auto xf = x.to(at::kFloat);
  const auto normed = xf * at::rsqrt(xf.pow(2).mean(-1, /*keepdim=*/true) + eps);
  return normed.to(x.scalar_type()) * weight;
}

TransformerLayerWeights fuse_layer(at::Tensor attn_norm, const at::Tensor& wq, const at::Tensor& wk,
                                   const at::Tensor& wv, at::Tensor wo, at::Tensor mlp_norm, const at::Tensor& w1,
                                   const at::Tensor& w3, at::Tensor w2) {
  return {std::move(attn_norm), at::cat({wq, wk, wv}, 0).contiguous(), std::move(wo), std::move(mlp_norm),
          at::cat({w1, w3}, 0).contiguous(), std::move(w2)};
}

Transformer::Transformer(TransformerConfig config, std::vector<TransformerLayerWeights> layers, at::Tensor final_norm,
                         at::Device device)
    : config_(std::move(config)), layers_(std::move(layers)), final_norm_(std::move(final_norm)),
      rope_(config_.rope, config_.head_dim, config_.max_positions, device) {}

KvCache Transformer::make_cache(int64_t batch, int64_t capacity, at::ScalarType dtype) const {
  KvCache cache;
  const auto options = final_norm_.options().dtype(dtype);
  for (size_t i = 0; i < layers_.size(); ++i) {
    cache.keys.push_back(at::zeros({batch, config_.kv_heads, capacity, config_.head_dim}, options));
    cache.values.push_back(at::zeros({batch, config_.kv_heads, capacity, config_.head_dim}, options));
  }
  return cache;
}

Transformer::Qkv Transformer::project_qkv(const TransformerLayerWeights& w, const at::Tensor& x) const {
  const int64_t b = x.size(0), t = x.size(1), d = config_.head_dim;
  const int64_t q_rows = int64_t(config_.heads) * d, kv_rows = int64_t(config_.kv_heads) * d;
  const auto qkv = apply_weight(x, w.wqkv);
  return {qkv.narrow(-1, 0, q_rows).view({b, t, config_.heads, d}).transpose(1, 2),
          qkv.narrow(-1, q_rows, kv_rows).view({b, t, config_.kv_heads, d}).transpose(1, 2),
          qkv.narrow(-1, q_rows + kv_rows, kv_rows).view({b, t, config_.kv_heads, d}).transpose(1, 2)};
}

// Grouped-query attention without copying keys/values: the query heads that share a
// key/value head (heads 4j..4j+3 share head j, as HF's repeat_interleave pairs them)
// become extra query rows of that head. mask: bool [B or 1, 1, T, S], true = may attend.
at::Tensor Transformer::attend(const TransformerLayerWeights& w, const at::Tensor& q, const at::Tensor& keys,
                               const at::Tensor& values, const at::Tensor& mask) const {
  const int64_t b = q.size(0), t = q.size(2), d = config_.head_dim, kv = config_.kv_heads;
  const int64_t group = config_.heads / kv;
  const auto grouped = q.reshape({b, kv, group * t, d});
  at::Tensor m = mask;
  if (m.defined() && t > 1 && group > 1)
    m = m.unsqueeze(2).expand({m.size(0), 1, group, t, m.size(-1)}).reshape({m.size(0), 1, group * t, m.size(-1)});
  const auto out = compat::scaled_dot_product_attention(grouped, keys, values, m, 1.0 / std::sqrt(double(d)));
  // [B, kv, group*T, D] -> [B, heads, T, D] -> [B, T, heads*D]
  const auto heads = out.view({b, kv, group, t, d}).reshape({b, config_.heads, t, d});
  return apply_weight(heads.transpose(1, 2).reshape({b, t, config_.heads * d}), w.wo);
}

template <typename Attention>
at::Tensor Transformer::run_layers(const at::Tensor& input, Attention&& attention) const {
  const int64_t inter = config_.intermediate;
  at::Tensor x = input;
  for (size_t i = 0; i < layers_.size(); ++i) {
    const auto& w = layers_[i];
    x = x + attention(w, rms_norm(x, w.attn_norm, config_.norm_eps), i);
    const auto gate_up = apply_weight(rms_norm(x, w.mlp_norm, config_.norm_eps), w.w13);
    x = x + apply_weight(at::silu(gate_up.narrow(-1, 0, inter)) * gate_up.narrow(-1, inter, inter), w.w2);
  }
  return rms_norm(x, final_norm_, config_.norm_eps);
}

at::Tensor Transformer::forward(const at::Tensor& input, int64_t start, KvCache& cache) const {
  const int64_t t = input.size(1), end = start + t;
  const int64_t limit = std::min<int64_t>(cache.capacity(), rope_.max_positions());
  if (start < 0 || end > limit)
    throw Error(ErrorCode::InvalidArgument,
                "sequence of " + std::to_string(end) + " positions exceeds the model's limit of " + std::to_string(limit));
  at::Tensor mask;  // one new row sees every earlier key: no mask needed
  if (t > 1) {
    // Query i (absolute position start+i) may see keys 0..start+i.
    const auto query_pos = at::arange(start, end, input.options().dtype(at::kLong)).unsqueeze(1);
    const auto key_pos = at::arange(0, end, input.options().dtype(at::kLong)).unsqueeze(0);
    mask = (key_pos <= query_pos).view({1, 1, t, end});
  }
  return run_layers(input, [&](const TransformerLayerWeights& w, const at::Tensor& a, size_t i) {
    auto p = project_qkv(w, a);
    const auto q = rope_.apply(p.q, start);
    cache.keys[i].narrow(2, start, t).copy_(rope_.apply(p.k, start));
    cache.values[i].narrow(2, start, t).copy_(p.v);
    return attend(w, q, cache.keys[i].narrow(2, 0, end), cache.values[i].narrow(2, 0, end), mask);
  });
}

at::Tensor Transformer::step(const at::Tensor& input, const at::Tensor& positions, int64_t window,
                             KvCache& cache) const {
  const int64_t b = input.size(0), d = config_.head_dim;
  if (window < 1 || window > std::min<int64_t>(cache.capacity(), rope_.max_positions()))
    throw Error(ErrorCode::Internal, "attention window " + std::to_string(window) + " outside the cache");
  // Stream b sees keys 0..positions[b]; the slots beyond belong to its future.
  const auto mask = at::arange(window, positions.options()).view({1, 1, 1, window}) <= positions.view({b, 1, 1, 1});
  const auto index = positions.view({b, 1, 1, 1}).expand({b, config_.kv_heads, 1, d});
  return run_layers(input, [&](const TransformerLayerWeights& w, const at::Tensor& a, size_t i) {
    auto p = project_qkv(w, a);
    const auto q = rope_.apply_at(p.q, positions);
    cache.keys[i].scatter_(2, index, rope_.apply_at(p.k, positions));
    cache.values[i].scatter_(2, index, p.v.contiguous());
    return attend(w, q, cache.keys[i].narrow(2, 0, window), cache.values[i].narrow(2, 0, window), mask);
  });
}

KvCache KvCache::slot(int64_t b) const {
  KvCache view;
  for (const auto& k : keys) view.keys.push_back(k.narrow(0, b, 1));
  for (const auto& v : values) view.values.push_back(v.narrow(0, b, 1));
  return view;
}

int64_t Transformer::parameter_count() const {
  int64_t n = final_norm_.numel();
  for (const auto& w : layers_)
    n += w.attn_norm.numel() + w.wqkv.numel() + w.wo.numel() + w.mlp_norm.numel() + w.w13.numel() + w.w2.numel();
  return n;
}

}  // namespace csm

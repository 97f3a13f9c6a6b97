#include "model/transformer.h"

#include <cmath>

#include "csm/error.h"
#include "runtime/torch_compat.h"

namespace csm {

at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& weight, double eps) {
  const auto xf = x.to(at::kFloat);
  const auto normed = xf * at::rsqrt(xf.pow(2).mean(-1, /*keepdim=*/true) + eps);
  return normed.to(x.scalar_type()) * weight;
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

at::Tensor Transformer::attend(const TransformerLayerWeights& w, const at::Tensor& q, at::Tensor keys,
                               at::Tensor values, const at::Tensor& mask) const {
  const int64_t group = config_.heads / config_.kv_heads;
  if (group > 1) {
    keys = keys.repeat_interleave(group, 1);
    values = values.repeat_interleave(group, 1);
  }
  const int64_t b = q.size(0), t = q.size(2), d = config_.head_dim;
  const auto out = compat::scaled_dot_product_attention(q, keys, values, mask, 1.0 / std::sqrt(double(d)));
  return at::linear(out.transpose(1, 2).reshape({b, t, config_.heads * d}), w.wo);
}

at::Tensor Transformer::attention(const TransformerLayerWeights& w, const at::Tensor& x, int64_t start,
                                  at::Tensor& k_cache, at::Tensor& v_cache) const {
  const int64_t b = x.size(0), t = x.size(1), d = config_.head_dim;
  auto q = at::linear(x, w.wq).view({b, t, config_.heads, d}).transpose(1, 2);
  auto k = at::linear(x, w.wk).view({b, t, config_.kv_heads, d}).transpose(1, 2);
  auto v = at::linear(x, w.wv).view({b, t, config_.kv_heads, d}).transpose(1, 2);
  q = rope_.apply(q, start);
  k = rope_.apply(k, start);
  k_cache.narrow(2, start, t).copy_(k);
  v_cache.narrow(2, start, t).copy_(v);
  const int64_t end = start + t;
  // Query i (absolute position start+i) may see keys 0..start+i.
  const auto query_pos = at::arange(start, end, x.options().dtype(at::kLong)).unsqueeze(1);
  const auto key_pos = at::arange(0, end, x.options().dtype(at::kLong)).unsqueeze(0);
  return attend(w, q, k_cache.narrow(2, 0, end), v_cache.narrow(2, 0, end), key_pos <= query_pos);
}

at::Tensor Transformer::attention_at(const TransformerLayerWeights& w, const at::Tensor& x, const at::Tensor& positions,
                                     int64_t end, at::Tensor& k_cache, at::Tensor& v_cache) const {
  const int64_t b = x.size(0), d = config_.head_dim;
  auto q = at::linear(x, w.wq).view({b, 1, config_.heads, d}).transpose(1, 2);
  auto k = at::linear(x, w.wk).view({b, 1, config_.kv_heads, d}).transpose(1, 2);
  auto v = at::linear(x, w.wv).view({b, 1, config_.kv_heads, d}).transpose(1, 2);
  q = rope_.apply_at(q, positions);
  k = rope_.apply_at(k, positions);
  const auto streams = at::arange(b, positions.options());
  k_cache.index_put_({streams, at::indexing::Slice(), positions}, k.select(2, 0));
  v_cache.index_put_({streams, at::indexing::Slice(), positions}, v.select(2, 0));
  // Stream b sees keys 0..positions[b]; the slots beyond belong to its future.
  const auto key_pos = at::arange(end, positions.options()).view({1, 1, 1, end});
  const auto mask = key_pos <= positions.view({b, 1, 1, 1});
  return attend(w, q, k_cache.narrow(2, 0, end), v_cache.narrow(2, 0, end), mask);
}

template <typename Attention>
at::Tensor Transformer::run_layers(const at::Tensor& input, Attention&& attention) const {
  at::Tensor x = input;
  for (size_t i = 0; i < layers_.size(); ++i) {
    const auto& w = layers_[i];
    x = x + attention(w, rms_norm(x, w.attn_norm, config_.norm_eps), i);
    const auto m = rms_norm(x, w.mlp_norm, config_.norm_eps);
    x = x + at::linear(at::silu(at::linear(m, w.w1)) * at::linear(m, w.w3), w.w2);
  }
  return rms_norm(x, final_norm_, config_.norm_eps);
}

at::Tensor Transformer::forward(const at::Tensor& input, int64_t start, KvCache& cache) const {
  const int64_t limit = std::min<int64_t>(cache.capacity(), rope_.max_positions());
  if (start < 0 || start + input.size(1) > limit)
    throw Error(ErrorCode::InvalidArgument, "sequence of " + std::to_string(start + input.size(1)) +
                                                " positions exceeds the model's limit of " + std::to_string(limit));
  return run_layers(input, [&](const TransformerLayerWeights& w, const at::Tensor& a, size_t i) {
    return attention(w, a, start, cache.keys[i], cache.values[i]);
  });
}

at::Tensor Transformer::forward_at(const at::Tensor& input, const at::Tensor& positions, KvCache& cache) const {
  const int64_t limit = std::min<int64_t>(cache.capacity(), rope_.max_positions());
  const int64_t end = positions.max().item<int64_t>() + 1;  // one host read per step, not per layer
  if (positions.min().item<int64_t>() < 0 || end > limit)
    throw Error(ErrorCode::InvalidArgument, "position " + std::to_string(end - 1) + " exceeds the model's limit of " +
                                                std::to_string(limit));
  return run_layers(input, [&](const TransformerLayerWeights& w, const at::Tensor& a, size_t i) {
    return attention_at(w, a, positions, end, cache.keys[i], cache.values[i]);
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
    n += w.attn_norm.numel() + w.wq.numel() + w.wk.numel() + w.wv.numel() + w.wo.numel() + w.mlp_norm.numel() +
         w.w1.numel() + w.w2.numel() + w.w3.numel();
  return n;
}

}  // namespace csm

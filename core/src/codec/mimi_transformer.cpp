#include "codec/mimi_transformer.h"

#include <cmath>

#include "runtime/torch_compat.h"

namespace csm {

MimiTransformer::MimiTransformer(const MimiConfig& c, const MimiWeights& w, const std::string& part) : config_(c) {
  const int64_t d = c.hidden, f = c.intermediate;
  for (int l = 0; l < c.layers; ++l) {
    const std::string p = part + ".layers." + std::to_string(l) + ".";
    Layer layer;
    layer.norm1_w = w.get(p + "input_layernorm.weight", {d});
    layer.norm1_b = w.get(p + "input_layernorm.bias", {d});
    layer.wq = w.get(p + "self_attn.q_proj.weight", {d, d}, c.heads);
    layer.wk = w.get(p + "self_attn.k_proj.weight", {d, d}, c.heads);
    layer.wv = w.get(p + "self_attn.v_proj.weight", {d, d}, c.heads);
    layer.wo = w.get(p + "self_attn.o_proj.weight", {d, d});
    layer.scale1 = w.get(p + "self_attn_layer_scale.scale", {d});
    layer.norm2_w = w.get(p + "post_attention_layernorm.weight", {d});
    layer.norm2_b = w.get(p + "post_attention_layernorm.bias", {d});
    layer.fc1 = w.get(p + "mlp.fc1.weight", {f, d});
    layer.fc2 = w.get(p + "mlp.fc2.weight", {d, f});
    layer.scale2 = w.get(p + "mlp_layer_scale.scale", {d});
    layers_.push_back(std::move(layer));
  }
  const auto exponents = at::arange(0, c.head_dim, 2, at::kLong).to(at::kFloat) / static_cast<float>(c.head_dim);
  inv_freq_ = 1.0 / at::pow(static_cast<float>(c.rope_theta), exponents);
}

at::Tensor MimiTransformer::rope(const at::Tensor& x, int64_t start) const {
  // Positions grow without bound in a long stream, so the angles are made per step.
  const int64_t t = x.size(2), half = x.size(3) / 2;
  const auto positions = at::arange(start, start + t, at::kLong).to(at::kFloat);
  const auto angles = at::matmul(positions.unsqueeze(1), inv_freq_.unsqueeze(0));
  const auto full = at::cat({angles, angles}, -1).to(x.device());
  const auto rotated = at::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
  return x * full.cos() + rotated * full.sin();
}

at::Tensor MimiTransformer::forward(const at::Tensor& x) const {
  MimiTransformerState state;
  return step(x, state);
}

at::Tensor MimiTransformer::step(const at::Tensor& input, MimiTransformerState& state) const {
  const int64_t b = input.size(0), t = input.size(1), h = config_.heads, hd = config_.head_dim;
  const int64_t start = state.position;
  if (state.keys.empty()) {
    state.keys.resize(layers_.size());
    state.values.resize(layers_.size());
  }
  at::Tensor x = input;
  for (size_t i = 0; i < layers_.size(); ++i) {
    const Layer& l = layers_[i];
    const auto a = at::layer_norm(x, {config_.hidden}, l.norm1_w, l.norm1_b, config_.norm_eps);
    const auto q = rope(at::linear(a, l.wq).view({b, t, h, hd}).transpose(1, 2), start);
    const auto k = rope(at::linear(a, l.wk).view({b, t, h, hd}).transpose(1, 2), start);
    const auto v = at::linear(a, l.wv).view({b, t, h, hd}).transpose(1, 2);
    auto& cache_k = state.keys[i];
    auto& cache_v = state.values[i];
    const auto keys = cache_k.defined() ? at::cat({cache_k, k}, 2) : k;
    const auto values = cache_v.defined() ? at::cat({cache_v, v}, 2) : v;
    const int64_t n = keys.size(2);
    // Query at step p sees keys at p - window + 1 .. p.
    const auto key_pos = at::arange(start + t - n, start + t, at::kLong).unsqueeze(0);
    const auto query_pos = at::arange(start, start + t, at::kLong).unsqueeze(1);
    const auto mask = compat::additive_mask(
        (key_pos > query_pos).logical_or(key_pos <= query_pos - config_.window).to(x.device()), x.scalar_type());
    const auto attn = compat::scaled_dot_product_attention(q, keys, values, mask, 1.0 / std::sqrt(double(hd)));
    x = x + l.scale1 * at::linear(attn.transpose(1, 2).reshape({b, t, h * hd}), l.wo);
    const auto m = at::layer_norm(x, {config_.hidden}, l.norm2_w, l.norm2_b, config_.norm_eps);
    x = x + l.scale2 * at::linear(at::gelu(at::linear(m, l.fc1)), l.fc2);
    const int64_t keep = std::min<int64_t>(n, config_.window);
    cache_k = keys.narrow(2, n - keep, keep).contiguous();
    cache_v = values.narrow(2, n - keep, keep).contiguous();
  }
  state.position += t;
  return x;
}

int64_t MimiTransformer::parameter_count() const {
  int64_t n = 0;
  for (const auto& l : layers_)
    for (const auto* t : {&l.norm1_w, &l.norm1_b, &l.wq, &l.wk, &l.wv, &l.wo, &l.scale1, &l.norm2_w, &l.norm2_b, &l.fc1,
                          &l.fc2, &l.scale2})
      n += t->numel();
  return n;
}

}  // namespace csm

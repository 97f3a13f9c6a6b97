#include "codec/mimi_transformer.h"

#include <cmath>

#include "csm/error.h"
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
  if (!layers_.empty()) inv_freq_ = inv_freq_.to(layers_.front().wq.device());
}

at::Tensor MimiTransformer::rope(const at::Tensor& x, const at::Tensor& positions) const {
  // Positions grow without bound in a long stream, so the angles are made per step.
  const int64_t half = x.size(3) / 2;
  const auto angles = positions.to(at::kFloat).unsqueeze(-1) * inv_freq_.view({1, 1, -1});  // [B, T, D/2]
  const auto full = at::cat({angles, angles}, -1).unsqueeze(1);                             // [B, 1, T, D]
  const auto rotated = at::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
  return x * full.cos() + rotated * full.sin();
}

// Per layer: norm, q/k/v with RoPE at `positions`, attention (given the new keys and
// values: `attention` stores them as it must and attends), output, norm, GELU MLP.
template <typename Attention>
at::Tensor MimiTransformer::run_layers(const at::Tensor& input, const at::Tensor& positions, Attention&& attention) const {
  const int64_t b = input.size(0), t = input.size(1), h = config_.heads, hd = config_.head_dim;
  at::Tensor x = input;
  for (size_t i = 0; i < layers_.size(); ++i) {
    const Layer& l = layers_[i];
    const auto a = at::layer_norm(x, {config_.hidden}, l.norm1_w, l.norm1_b, config_.norm_eps);
    const auto q = rope(at::linear(a, l.wq).view({b, t, h, hd}).transpose(1, 2), positions);
    const auto k = rope(at::linear(a, l.wk).view({b, t, h, hd}).transpose(1, 2), positions);
    const auto v = at::linear(a, l.wv).view({b, t, h, hd}).transpose(1, 2);
    const auto attn = attention(i, q, k, v);
    x = x + l.scale1 * at::linear(attn.transpose(1, 2).reshape({b, t, h * hd}), l.wo);
    const auto m = at::layer_norm(x, {config_.hidden}, l.norm2_w, l.norm2_b, config_.norm_eps);
    x = x + l.scale2 * at::linear(at::gelu(at::linear(m, l.fc1)), l.fc2);
  }
  return x;
}

at::Tensor MimiTransformer::forward(const at::Tensor& x) const {
  const int64_t b = x.size(0), t = x.size(1);
  const auto longs = at::TensorOptions().dtype(at::kLong).device(x.device());
  const auto positions = at::arange(t, longs).unsqueeze(0).expand({b, t});
  // Query p sees keys p - window + 1 .. p.
  const auto key_pos = at::arange(t, longs).unsqueeze(0), query_pos = at::arange(t, longs).unsqueeze(1);
  const auto mask = compat::additive_mask(
      (key_pos > query_pos).logical_or(key_pos <= query_pos - config_.window), x.scalar_type());
  const double scale = 1.0 / std::sqrt(double(config_.head_dim));
  return run_layers(x, positions, [&](size_t, const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
    return compat::scaled_dot_product_attention(q, k, v, mask, scale);
  });
}

MimiTransformerState MimiTransformer::make_state(int64_t rows, int64_t max_steps, const at::TensorOptions& options) const {
  MimiTransformerState s;
  const int64_t ring = config_.window + max_steps;
  for (size_t i = 0; i < layers_.size(); ++i) {
    s.keys.push_back(at::zeros({rows, config_.heads, ring, config_.head_dim}, options));
    s.values.push_back(at::zeros({rows, config_.heads, ring, config_.head_dim}, options));
  }
  s.positions = at::zeros({rows}, options.dtype(at::kLong));
  return s;
}

at::Tensor MimiTransformer::step(const at::Tensor& x, MimiTransformerState& state) const {
  const int64_t b = x.size(0), t = x.size(1), h = config_.heads, hd = config_.head_dim;
  const int64_t ring = state.keys.front().size(2);
  if (b != state.rows() || t > ring - config_.window)
    throw Error(ErrorCode::Internal, "Mimi transformer: " + std::to_string(b) + " rows of " + std::to_string(t) +
                                         " steps for a state of " + std::to_string(state.rows()) + " rows of at most " +
                                         std::to_string(ring - config_.window));
  const auto longs = state.positions.options();
  const auto positions = state.positions.unsqueeze(1) + at::arange(t, longs).unsqueeze(0);  // [B, T]
  const auto index = positions.remainder(ring).view({b, 1, t, 1}).expand({b, h, t, hd});
  // After the writes, ring entry j of row b holds position last - ((last - j) mod ring):
  // a query at p sees it when it lies in p - window + 1 .. p (and is not from before 0).
  const auto last = positions.narrow(1, t - 1, 1);                                          // [B, 1]
  const auto held = last - (last - at::arange(ring, longs).unsqueeze(0)).remainder(ring);   // [B, ring]
  const auto query = positions.unsqueeze(2), key = held.unsqueeze(1);                       // [B, T, 1], [B, 1, ring]
  const auto mask = compat::additive_mask(
      (key > query).logical_or(key <= query - config_.window).logical_or(key < 0).unsqueeze(1), x.scalar_type());
  const double scale = 1.0 / std::sqrt(double(hd));
  const auto out = run_layers(x, positions, [&](size_t i, const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
    state.keys[i].scatter_(2, index, k);
    state.values[i].scatter_(2, index, v);
    return compat::scaled_dot_product_attention(q, state.keys[i], state.values[i], mask, scale);
  });
  state.positions = state.positions + t;
  return out;
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

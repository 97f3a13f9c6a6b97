#include "codec/seanet.h"

namespace csm {
namespace {

std::string key(const char* part, int index, const std::string& rest) {
  return std::string(part) + ".layers." + std::to_string(index) + "." + rest;
}

CausalConv1d load_conv(const MimiWeights& w, const std::string& base, int64_t in, int64_t out, int64_t k,
                       int64_t stride = 1, int64_t dilation = 1) {
  CausalConv1d c;
  c.weight = w.get(base + ".weight", {out, in, k});
  c.bias = w.get(base + ".bias", {out});
  c.stride = stride;
  c.dilation = dilation;
  return c;
}

SeanetLayer conv_layer(const MimiWeights& w, const char* part, int index, int64_t in, int64_t out, int64_t k,
                       int64_t stride = 1) {
  SeanetLayer l;
  l.kind = SeanetLayer::Kind::Conv;
  l.conv = load_conv(w, key(part, index, "conv"), in, out, k, stride);
  return l;
}

SeanetLayer residual_layer(const MimiWeights& w, const MimiConfig& c, const char* part, int index, int64_t dim,
                           int64_t dilation) {
  SeanetLayer l;
  l.kind = SeanetLayer::Kind::Residual;
  const int64_t hidden = dim / c.compress;
  l.conv = load_conv(w, key(part, index, "block.1.conv"), dim, hidden, c.residual_kernel, 1, dilation);
  l.conv2 = load_conv(w, key(part, index, "block.3.conv"), hidden, dim, 1);
  return l;
}

SeanetLayer elu() { return {}; }

int64_t count(const CausalConv1d& c) { return c.weight.defined() ? c.weight.numel() + c.bias.numel() : 0; }

}  // namespace

Seanet Seanet::encoder(const MimiConfig& c, const MimiWeights& w) {
  Seanet s;
  int index = 0;
  s.layers_.push_back(conv_layer(w, "encoder", index++, c.channels, c.filters, c.kernel));
  int64_t scale = 1;
  for (auto it = c.ratios.rbegin(); it != c.ratios.rend(); ++it) {
    const int64_t dim = scale * c.filters;
    int64_t dilation = 1;
    for (int j = 0; j < c.residual_layers; ++j, dilation *= c.dilation_base)
      s.layers_.push_back(residual_layer(w, c, "encoder", index++, dim, dilation));
    s.layers_.push_back(elu());
    ++index;
    s.layers_.push_back(conv_layer(w, "encoder", index++, dim, dim * 2, 2 * *it, *it));
    scale *= 2;
  }
  s.layers_.push_back(elu());
  ++index;
  s.layers_.push_back(conv_layer(w, "encoder", index++, scale * c.filters, c.hidden, c.last_kernel));
  return s;
}

Seanet Seanet::decoder(const MimiConfig& c, const MimiWeights& w) {
  Seanet s;
  int index = 0;
  int64_t scale = int64_t(1) << c.ratios.size();
  s.layers_.push_back(conv_layer(w, "decoder", index++, c.hidden, scale * c.filters, c.kernel));
  for (int ratio : c.ratios) {
    const int64_t dim = scale * c.filters;
    s.layers_.push_back(elu());
    ++index;
    SeanetLayer up;
    up.kind = SeanetLayer::Kind::ConvTranspose;
    up.convtr.weight = w.get(key("decoder", index, "conv.weight"), {dim, dim / 2, 2 * ratio});
    up.convtr.bias = w.get(key("decoder", index, "conv.bias"), {dim / 2});
    up.convtr.stride = ratio;
    s.layers_.push_back(up);
    ++index;
    int64_t dilation = 1;
    for (int j = 0; j < c.residual_layers; ++j, dilation *= c.dilation_base)
      s.layers_.push_back(residual_layer(w, c, "decoder", index++, dim / 2, dilation));
    scale /= 2;
  }
  s.layers_.push_back(elu());
  ++index;
  s.layers_.push_back(conv_layer(w, "decoder", index++, c.filters, c.channels, c.last_kernel));
  return s;
}

at::Tensor Seanet::forward(const at::Tensor& input) const {
  at::Tensor x = input;
  for (const auto& l : layers_) {
    switch (l.kind) {
      case SeanetLayer::Kind::Elu: x = at::elu(x); break;
      case SeanetLayer::Kind::Conv: x = l.conv.forward(x); break;
      case SeanetLayer::Kind::ConvTranspose: x = l.convtr.forward(x); break;
      case SeanetLayer::Kind::Residual: x = x + l.conv2.forward(at::elu(l.conv.forward(at::elu(x)))); break;
    }
  }
  return x;
}

at::Tensor Seanet::step(const at::Tensor& input, SeanetState& state) const {
  if (state.slots.empty()) state.slots.resize(layers_.size() * 2);
  at::Tensor x = input;
  for (size_t i = 0; i < layers_.size(); ++i) {
    const auto& l = layers_[i];
    auto& slot = state.slots[2 * i];
    switch (l.kind) {
      case SeanetLayer::Kind::Elu: x = at::elu(x); break;
      case SeanetLayer::Kind::Conv: x = l.conv.step(x, slot); break;
      case SeanetLayer::Kind::ConvTranspose: x = l.convtr.step(x, slot); break;
      case SeanetLayer::Kind::Residual:
        x = x + l.conv2.step(at::elu(l.conv.step(at::elu(x), slot)), state.slots[2 * i + 1]);
        break;
    }
  }
  return x;
}

SeanetState Seanet::make_state(int64_t rows) const {
  SeanetState state;
  state.slots.resize(layers_.size() * 2);
  for (size_t i = 0; i < layers_.size(); ++i) {
    const auto& l = layers_[i];
    switch (l.kind) {
      case SeanetLayer::Kind::Elu: break;
      case SeanetLayer::Kind::Conv: state.slots[2 * i] = l.conv.make_state(rows); break;
      case SeanetLayer::Kind::ConvTranspose: state.slots[2 * i] = l.convtr.make_state(rows); break;
      case SeanetLayer::Kind::Residual:
        state.slots[2 * i] = l.conv.make_state(rows);
        state.slots[2 * i + 1] = l.conv2.make_state(rows);
        break;
    }
  }
  return state;
}

int64_t Seanet::parameter_count() const {
  int64_t n = 0;
  for (const auto& l : layers_) {
    n += count(l.conv) + count(l.conv2);
    if (l.convtr.weight.defined()) n += l.convtr.weight.numel() + l.convtr.bias.numel();
  }
  return n;
}

}  // namespace csm

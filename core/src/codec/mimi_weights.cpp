#include "codec/mimi_weights.h"

#include <cmath>
#include <functional>
#include <regex>

#include "csm/error.h"
#include "io/shape_text.h"
#include "model/rope.h"

namespace csm {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// HF name -> the candidate names in Kyutai's original layout.
std::vector<std::string> original_names(const std::string& hf) {
  static const std::vector<std::pair<std::regex, std::vector<std::string>>> rules = {
      {std::regex(R"(^(encoder|decoder)\.layers\.(\d+)\.conv\.(weight|bias)$)"),
       {"$1.model.$2.conv.conv.$3", "$1.model.$2.convtr.convtr.$3"}},
      {std::regex(R"(^(encoder|decoder)\.layers\.(\d+)\.block\.(\d+)\.conv\.(weight|bias)$)"),
       {"$1.model.$2.block.$3.conv.conv.$4"}},
      {std::regex(R"(^(encoder|decoder)_transformer\.layers\.(\d+)\.input_layernorm\.(weight|bias)$)"),
       {"$1_transformer.transformer.layers.$2.norm1.$3"}},
      {std::regex(R"(^(encoder|decoder)_transformer\.layers\.(\d+)\.post_attention_layernorm\.(weight|bias)$)"),
       {"$1_transformer.transformer.layers.$2.norm2.$3"}},
      {std::regex(R"(^(encoder|decoder)_transformer\.layers\.(\d+)\.mlp\.fc1\.weight$)"),
       {"$1_transformer.transformer.layers.$2.linear1.weight"}},
      {std::regex(R"(^(encoder|decoder)_transformer\.layers\.(\d+)\.mlp\.fc2\.weight$)"),
       {"$1_transformer.transformer.layers.$2.linear2.weight"}},
      {std::regex(R"(^(encoder|decoder)_transformer\.layers\.(\d+)\.self_attn_layer_scale\.scale$)"),
       {"$1_transformer.transformer.layers.$2.layer_scale_1.scale"}},
      {std::regex(R"(^(encoder|decoder)_transformer\.layers\.(\d+)\.mlp_layer_scale\.scale$)"),
       {"$1_transformer.transformer.layers.$2.layer_scale_2.scale"}},
      {std::regex(R"(^(encoder|decoder)_transformer\.layers\.(\d+)\.self_attn\.o_proj\.weight$)"),
       {"$1_transformer.transformer.layers.$2.self_attn.out_proj.weight"}},
      {std::regex(R"(^downsample\.conv\.weight$)"), {"downsample.conv.conv.conv.weight"}},
      {std::regex(R"(^upsample\.conv\.weight$)"), {"upsample.convtr.convtr.convtr.weight"}},
      {std::regex(R"(^quantizer\.semantic_residual_vector_quantizer\.(input|output)_proj\.weight$)"),
       {"quantizer.rvq_first.$1_proj.weight"}},
      {std::regex(R"(^quantizer\.acoustic_residual_vector_quantizer\.(input|output)_proj\.weight$)"),
       {"quantizer.rvq_rest.$1_proj.weight"}},
      {std::regex(R"(^quantizer\.semantic_residual_vector_quantizer\.layers\.(\d+)\.codebook\.embed_sum$)"),
       {"quantizer.rvq_first.vq.layers.$1._codebook.embedding_sum", "quantizer.rvq_first.vq.layers.$1._codebook.embed_sum"}},
      {std::regex(R"(^quantizer\.acoustic_residual_vector_quantizer\.layers\.(\d+)\.codebook\.embed_sum$)"),
       {"quantizer.rvq_rest.vq.layers.$1._codebook.embedding_sum", "quantizer.rvq_rest.vq.layers.$1._codebook.embed_sum"}},
      {std::regex(R"(^quantizer\.semantic_residual_vector_quantizer\.layers\.(\d+)\.codebook\.cluster_usage$)"),
       {"quantizer.rvq_first.vq.layers.$1._codebook.cluster_usage", "quantizer.rvq_first.vq.layers.$1._codebook.cluster_size"}},
      {std::regex(R"(^quantizer\.acoustic_residual_vector_quantizer\.layers\.(\d+)\.codebook\.cluster_usage$)"),
       {"quantizer.rvq_rest.vq.layers.$1._codebook.cluster_usage", "quantizer.rvq_rest.vq.layers.$1._codebook.cluster_size"}},
  };
  for (const auto& [pattern, targets] : rules) {
    if (!std::regex_match(hf, pattern)) continue;
    std::vector<std::string> out;
    for (const auto& t : targets) out.push_back(std::regex_replace(hf, pattern, t));
    return out;
  }
  return {hf};
}

}  // namespace

bool MimiWeights::present(const TensorStore& s) {
  for (const char* key : {"codec_model.decoder.layers.0.conv.weight", "decoder.layers.0.conv.weight",
                          "decoder.model.0.conv.conv.weight", "codec_model.decoder.layers.0.conv.parametrizations.weight.original0",
                          "decoder.layers.0.conv.parametrizations.weight.original0", "decoder.model.0.conv.conv.weight_g"})
    if (s.has(key)) return true;
  return false;
}

MimiWeights::MimiWeights(const TensorStore& store) : store_(store) {
  if (!present(store))
    throw Error(ErrorCode::BadModelFile, store.describe() + " holds no Mimi codec weights",
                "give the codec with --codec PATH (kyutai/mimi, or Kyutai's tokenizer-*.safetensors)");
  const auto has_any = [&](const std::string& base) {
    return store.has(base + ".weight") || store.has(base + ".parametrizations.weight.original0") ||
           store.has(base + ".weight_g");
  };
  if (has_any("codec_model.decoder.layers.0.conv")) {
    layout_ = "hf-csm";
    prefix_ = "codec_model.";
  } else if (has_any("decoder.layers.0.conv")) {
    layout_ = "hf";
  } else {
    layout_ = "orig";
  }
}

bool MimiWeights::has_weight(const std::string& key) const {
  if (store_.has(key)) return true;
  if (!ends_with(key, ".weight")) return false;
  const std::string base = key.substr(0, key.size() - 7);
  return store_.has(base + ".weight_g") || store_.has(base + ".parametrizations.weight.original0");
}

at::Tensor MimiWeights::read_folded(const std::string& key) const {
  if (store_.has(key)) return store_.get(key).to(at::kFloat);
  const std::string base = key.substr(0, key.size() - 7);
  at::Tensor g, v;
  if (store_.has(base + ".weight_g")) {
    g = store_.get(base + ".weight_g");
    v = store_.get(base + ".weight_v");
  } else {
    g = store_.get(base + ".parametrizations.weight.original0");
    v = store_.get(base + ".parametrizations.weight.original1");
  }
  g = g.to(at::kFloat);
  v = v.to(at::kFloat);
  // W = g * V / ||V||, the norm over every dim but 0 (input channels for a transposed conv).
  std::vector<int64_t> dims;
  for (int64_t d = 1; d < v.dim(); ++d) dims.push_back(d);
  return g * v / v.norm(2, dims, /*keepdim=*/true);
}

at::Tensor MimiWeights::raw(const std::string& name, int heads) const {
  const bool is_q = name.find("self_attn.q_proj.weight") != std::string::npos;
  const bool is_k = name.find("self_attn.k_proj.weight") != std::string::npos;
  const bool is_v = name.find("self_attn.v_proj.weight") != std::string::npos;
  if (layout_ != "orig") {
    const std::string key = prefix_ + name;
    if (!has_weight(key)) return {};
    return read_folded(key);
  }
  if (is_q || is_k || is_v) {
    const std::string packed = std::regex_replace(
        name, std::regex(R"(^(encoder|decoder)_transformer\.layers\.(\d+)\.self_attn\.[qkv]_proj\.weight$)"),
        "$1_transformer.transformer.layers.$2.self_attn.in_proj_weight");
    if (!store_.has(packed)) return {};
    const auto w = store_.get(packed).to(at::kFloat);
    if (w.dim() != 2 || w.size(0) % 3 != 0)
      throw Error(ErrorCode::BadModelFile, store_.describe() + ": \"" + packed + "\" is not a packed [3*d, d] matrix");
    const int64_t d = w.size(0) / 3;
    const auto part = w.narrow(0, (is_q ? 0 : is_k ? 1 : 2) * d, d);
    return (is_q || is_k) ? interleaved_to_rotate_half(part, heads) : part.contiguous();
  }
  for (const auto& key : original_names(name))
    if (has_weight(key)) return read_folded(key);
  return {};
}

const TensorStore& MimiWeights::no_store() {
  static const TensorStore empty;
  return empty;
}

MimiWeights MimiWeights::random(uint64_t seed) {
  MimiWeights w(no_store(), seed);
  return w;
}

MimiWeights::MimiWeights(const TensorStore& store, uint64_t seed) : store_(store), random_(true), seed_(seed), layout_("random") {}

at::Tensor MimiWeights::random_tensor(const std::string& name, const std::vector<int64_t>& shape) const {
  // Seeded by name, so the weights do not depend on the order they are asked for.
  auto gen = at::detail::createCPUGenerator(seed_ ^ std::hash<std::string>{}(name));
  const auto options = at::TensorOptions().dtype(at::kFloat);
  if (ends_with(name, ".bias")) return at::zeros(shape, options);
  if (ends_with(name, "layernorm.weight") || ends_with(name, "cluster_usage")) return at::ones(shape, options);
  if (ends_with(name, "layer_scale.scale")) return at::full(shape, 0.01, options);
  if (ends_with(name, "embed_sum")) return at::normal(0.0, 1.0, shape, gen, options);
  int64_t fan_in = 1;
  for (size_t i = 1; i < shape.size(); ++i) fan_in *= shape[i];
  // The waveform conv (one output channel) is kept small, so random weights give
  // quiet noise instead of a clipped roar.
  const bool waveform_out = name.rfind("decoder.layers.", 0) == 0 && shape.size() == 3 && shape[0] == 1;
  return at::normal(0.0, (waveform_out ? 0.1 : 1.0) / std::sqrt(double(fan_in)), shape, gen, options);
}

MimiWeights MimiWeights::on(at::Device device) const {
  MimiWeights placed(*this);
  placed.device_ = device;
  return placed;
}

at::Tensor MimiWeights::get(const std::string& name, const std::vector<int64_t>& shape, int heads) const {
  if (random_) return random_tensor(name, shape).to(device_);
  at::Tensor t = raw(name, heads);
  if (!t.defined())
    throw Error(ErrorCode::BadModelFile, store_.describe() + " lacks Mimi tensor \"" + name + "\" " +
                                             shape_text(shape) + " (" + layout_ + " layout)",
                "the codec checkpoint is incomplete or does not match its config");
  if (t.sizes() != at::IntArrayRef(shape))
    throw Error(ErrorCode::BadModelFile, store_.describe() + ": Mimi tensor \"" + name + "\" has shape " +
                                             shape_text(t.sizes()) + ", expected " + shape_text(shape),
                "the codec checkpoint does not match its config");
  return t.to(device_).contiguous();
}

}  // namespace csm

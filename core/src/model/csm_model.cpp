#include "model/csm_model.h"


#include "csm/error.h"
#include "io/shape_text.h"
#include "model/linear.h"
#include "model/rope.h"
#include "runtime/torch_compat.h"

namespace csm {
namespace {

// The two key namings of a CSM checkpoint, detected from the keys themselves.
struct KeyNames {
  bool hf = false;
  std::string layer(bool backbone, int n, const std::string& part) const {
    static const std::map<std::string, std::pair<std::string, std::string>> parts = {
        {"attn_norm", {"sa_norm.scale", "input_layernorm.weight"}},
        {"wq", {"attn.q_proj.weight", "self_attn.q_proj.weight"}},
        {"wk", {"attn.k_proj.weight", "self_attn.k_proj.weight"}},
        {"wv", {"attn.v_proj.weight", "self_attn.v_proj.weight"}},
        {"wo", {"attn.output_proj.weight", "self_attn.o_proj.weight"}},
        {"mlp_norm", {"mlp_norm.scale", "post_attention_layernorm.weight"}},
        {"w1", {"mlp.w1.weight", "mlp.gate_proj.weight"}},
        {"w3", {"mlp.w3.weight", "mlp.up_proj.weight"}},
        {"w2", {"mlp.w2.weight", "mlp.down_proj.weight"}}};
    const auto& p = parts.at(part);
    const std::string prefix = hf ? (backbone ? "backbone_model.layers." : "depth_decoder.model.layers.")
                                  : (backbone ? "backbone.layers." : "decoder.layers.");
    return prefix + std::to_string(n) + "." + (hf ? p.second : p.first);
  }
  std::string norm(bool backbone) const {
    if (hf) return backbone ? "backbone_model.norm.weight" : "depth_decoder.model.norm.weight";
    return backbone ? "backbone.norm.scale" : "decoder.norm.scale";
  }
};

class WeightReader {
 public:
  WeightReader(const TensorStore& store, at::ScalarType dtype, at::Device device)
      : store_(store), dtype_(dtype), device_(device) {}

  at::Tensor take(const std::vector<std::string>& candidates, std::vector<int64_t> shape) const {
    for (const auto& name : candidates) {
      if (!store_.has(name)) continue;
      const auto* e = store_.entry(name);
      if (e->shape != shape)
        throw Error(ErrorCode::BadModelFile, store_.describe() + ": tensor \"" + name + "\" has shape " +
                                                 shape_text(e->shape) + ", expected " + shape_text(shape),
                    "the checkpoint does not match config.json");
      return store_.get(name).to(device_, dtype_).contiguous();
    }
    std::string names;
    for (const auto& n : candidates) names += (names.empty() ? "\"" : " or \"") + n + "\"";
    throw Error(ErrorCode::BadModelFile, store_.describe() + " lacks tensor " + names + " " + shape_text(shape),
                "the checkpoint is incomplete or is not a CSM model");
  }

 private:
  const TensorStore& store_;
  at::ScalarType dtype_;
  at::Device device_;
};

std::vector<TransformerLayerWeights> read_layers(const WeightReader& r, const KeyNames& keys, bool backbone,
                                                 const TransformerConfig& t) {
  std::vector<TransformerLayerWeights> layers;
  const int64_t d = t.dim, q_rows = int64_t(t.heads) * t.head_dim, kv_rows = int64_t(t.kv_heads) * t.head_dim;
  for (int n = 0; n < t.layers; ++n) {
    const auto key = [&](const char* part) { return std::vector<std::string>{keys.layer(backbone, n, part)}; };
    // Read in the checkpoint's order, so a mismatch names the first tensor at fault.
    auto attn_norm = r.take(key("attn_norm"), {d});
    auto wq = r.take(key("wq"), {q_rows, d});
    auto wk = r.take(key("wk"), {kv_rows, d});
    auto wv = r.take(key("wv"), {kv_rows, d});
    auto wo = r.take(key("wo"), {d, q_rows});
    auto mlp_norm = r.take(key("mlp_norm"), {d});
    auto w1 = r.take(key("w1"), {t.intermediate, d});
    auto w3 = r.take(key("w3"), {t.intermediate, d});
    auto w2 = r.take(key("w2"), {d, t.intermediate});
    if (!keys.hf) {
      wq = interleaved_to_rotate_half(wq, t.heads);
      wk = interleaved_to_rotate_half(wk, t.kv_heads);
    }
    auto w = fuse_layer(attn_norm, wq, wk, wv, wo, mlp_norm, w1, w3, w2);
    layers.push_back(std::move(w));
  }
  return layers;
}

}  // namespace

CsmModel::CsmModel(CsmConfig config, Weights weights, at::ScalarType dtype, at::Device device, std::string source)
    : config_(std::move(config)), w_(std::move(weights)), dtype_(dtype), device_(device), source_(std::move(source)) {
  backbone_ = Transformer(config_.backbone, w_.backbone_layers, w_.backbone_norm, config_.backbone.max_positions,
                          /*row_cache=*/false, device_);
  // The depth decoder sees C positions: the backbone state and codebooks 0..C-2; all
  // streams at the same position, so its cache is kept in rows (see KvCache).
  decoder_ = Transformer(config_.decoder, w_.decoder_layers, w_.decoder_norm, config_.num_codebooks,
                         /*row_cache=*/true, device_);
  w_.backbone_layers.clear();  // the transformers hold them now
  w_.decoder_layers.clear();
  // The depth decoder's input for a code is project(embedding): one table lookup per
  // step instead of a lookup and a product with the projection (computed in fp32).
  const int64_t embedded = int64_t(config_.num_codebooks - 1) * config_.audio_vocab;
  frame_offsets_ = at::arange(config_.num_codebooks, at::TensorOptions().dtype(at::kLong).device(device_)) *
                   config_.audio_vocab;
  decoder_inputs_ = at::linear(w_.audio_embeddings.narrow(0, 0, embedded).to(at::kFloat), w_.projection.to(at::kFloat))
                        .to(dtype_)
                        .contiguous();
}

std::shared_ptr<const CsmModel> CsmModel::load(const TensorStore& store, const CsmConfig& c, at::ScalarType dtype,
                                               at::Device device) {
  KeyNames keys;
  if (store.has("backbone_model.layers.0.self_attn.q_proj.weight")) keys.hf = true;
  else if (!store.has("backbone.layers.0.attn.q_proj.weight"))
    throw Error(ErrorCode::BadModelFile, store.describe() + " is not a CSM checkpoint: it has neither "
                                                            "\"backbone.layers.0.attn.q_proj.weight\" (Sesame) nor "
                                                            "\"backbone_model.layers.0.self_attn.q_proj.weight\" (HF)");
  const WeightReader r(store, dtype, device);
  const int64_t bd = c.backbone.dim, dd = c.decoder.dim, v = c.audio_vocab, cb = c.num_codebooks;
  Weights w;
  w.text_embeddings = r.take(keys.hf ? std::vector<std::string>{"embed_text_tokens.weight",
                                                                "backbone_model.embed_tokens.embed_text_tokens.weight"}
                                     : std::vector<std::string>{"text_embeddings.weight"},
                             {c.text_vocab, bd});
  // HF keeps two tied copies of the audio table and may store either one.
  w.audio_embeddings = r.take(keys.hf ? std::vector<std::string>{"backbone_model.embed_tokens.embed_audio_tokens.weight",
                                                                 "depth_decoder.model.embed_tokens.weight"}
                                      : std::vector<std::string>{"audio_embeddings.weight"},
                              {v * cb, bd});
  w.projection = r.take({keys.hf ? "depth_decoder.model.inputs_embeds_projector.weight" : "projection.weight"}, {dd, bd});
  w.codebook0_head = r.take({keys.hf ? "lm_head.weight" : "codebook0_head.weight"}, {v, bd});
  w.audio_head = r.take({keys.hf ? "depth_decoder.codebooks_head.weight" : "audio_head"}, {cb - 1, dd, v});
  w.backbone_layers = read_layers(r, keys, true, c.backbone);
  w.decoder_layers = read_layers(r, keys, false, c.decoder);
  w.backbone_norm = r.take({keys.norm(true)}, {bd});
  w.decoder_norm = r.take({keys.norm(false)}, {dd});
  return std::make_shared<CsmModel>(c, std::move(w), dtype, device, keys.hf ? "hf" : "orig");
}

std::shared_ptr<const CsmModel> CsmModel::random(const CsmConfig& c, uint64_t seed, at::ScalarType dtype,
                                                 at::Device device) {
  auto gen = at::detail::createCPUGenerator(seed);
  const auto options = at::TensorOptions().dtype(at::kFloat);
  const auto normal = [&](std::vector<int64_t> shape, double stddev) {
    return at::normal(0.0, stddev, shape, gen, options).to(device, dtype);
  };
  const auto ones = [&](int64_t n) { return at::ones({n}, options).to(device, dtype); };
  const auto layers = [&](const TransformerConfig& t) {
    std::vector<TransformerLayerWeights> out;
    const int64_t d = t.dim, q = int64_t(t.heads) * t.head_dim, kv = int64_t(t.kv_heads) * t.head_dim;
    const double s = 1.0 / std::sqrt(double(d)), s2 = 1.0 / std::sqrt(double(t.intermediate));
    for (int n = 0; n < t.layers; ++n) {
      // Drawn in the order of the checkpoint's tensors, so the weights stay what they were before fusing.
      auto attn_norm = ones(d);
      auto wq = normal({q, d}, s), wk = normal({kv, d}, s), wv = normal({kv, d}, s), wo = normal({d, q}, s);
      auto mlp_norm = ones(d);
      auto w1 = normal({t.intermediate, d}, s), w3 = normal({t.intermediate, d}, s);
      auto w2 = normal({d, t.intermediate}, s2);
      out.push_back(fuse_layer(attn_norm, wq, wk, wv, wo, mlp_norm, w1, w3, w2));
    }
    return out;
  };
  const int64_t bd = c.backbone.dim, dd = c.decoder.dim, v = c.audio_vocab, cb = c.num_codebooks;
  Weights w;
  w.text_embeddings = normal({c.text_vocab, bd}, 1.0);
  w.audio_embeddings = normal({v * cb, bd}, 1.0);
  w.projection = normal({dd, bd}, 1.0 / std::sqrt(double(bd)));
  w.codebook0_head = normal({v, bd}, 1.0 / std::sqrt(double(bd)));
  w.audio_head = normal({cb - 1, dd, v}, 1.0 / std::sqrt(double(dd)));
  w.backbone_layers = layers(c.backbone);
  w.decoder_layers = layers(c.decoder);
  w.backbone_norm = ones(bd);
  w.decoder_norm = ones(dd);
  return std::make_shared<CsmModel>(c, std::move(w), dtype, device, "random");
}

at::Tensor CsmModel::embed_rows(const at::Tensor& rows, const at::Tensor& mask) const {
  const int64_t cb = config_.num_codebooks;
  const auto offsets = at::arange(cb, rows.options()) * config_.audio_vocab;
  const auto audio_ids = rows.narrow(-1, 0, cb) + offsets;  // [B, T, C]
  const auto audio = at::embedding(w_.audio_embeddings, audio_ids);               // [B, T, C, d]
  const auto text = at::embedding(w_.text_embeddings, rows.narrow(-1, cb, 1));    // [B, T, 1, d]
  const auto all = at::cat({audio, text}, 2) * mask.unsqueeze(-1).to(audio.scalar_type());
  return all.sum(2);
}

at::Tensor CsmModel::embed_frame(const at::Tensor& codes, const at::Tensor& weights, const at::Tensor& bias) const {
  return at::baddbmm(bias, weights, at::embedding(w_.audio_embeddings, codes + frame_offsets_));
}

at::Tensor CsmModel::pad_embeddings(int64_t from) const {
  // HF's codebook_pad_token_id: the last id of each codebook's table (2050 of 2051).
  const int64_t pad = config_.audio_vocab - 1, count = config_.num_codebooks - from;
  if (count <= 0) return at::zeros({config_.backbone.dim}, w_.audio_embeddings.options());
  const auto ids = at::arange(from, config_.num_codebooks, frame_offsets_.options()) * config_.audio_vocab + pad;
  return at::embedding(w_.audio_embeddings, ids).sum(0);
}

at::Tensor CsmModel::embed_audio(const at::Tensor& codes, int64_t codebook) const {
  return at::embedding(w_.audio_embeddings, codes + codebook * config_.audio_vocab);
}

at::Tensor CsmModel::decoder_input(const at::Tensor& codes, int64_t codebook) const {
  return at::embedding(decoder_inputs_.narrow(0, codebook * config_.audio_vocab, config_.audio_vocab), codes);
}

namespace {

int64_t head_rows(int64_t codes, int64_t vocab) { return codes > 0 && codes < vocab ? codes : vocab; }

// fp32 logits; in bf16 on CUDA straight out of the product where the version can.
at::Tensor float_logits(const at::Tensor& h, const at::Tensor& weight_t) {
#if CSM_TORCH_AT_LEAST(2, 8)
  if (h.is_cuda() && h.scalar_type() == at::kBFloat16 && h.dim() == 2) return at::mm(h, weight_t, at::kFloat);
#endif
  return at::matmul(h, weight_t).to(at::kFloat);
}

}  // namespace

at::Tensor CsmModel::codebook0_logits(const at::Tensor& h, int64_t codes) const {
  const auto head = w_.codebook0_head.narrow(0, 0, head_rows(codes, config_.audio_vocab));
  if (h.device().is_cpu()) return apply_weight(h, head).to(at::kFloat);
  return float_logits(h, head.t());
}

void CsmModel::codebook0_logits_into(const at::Tensor& out, const at::Tensor& h) const {
  const auto head = w_.codebook0_head.narrow(0, 0, out.size(-1));
  if (dtype_ == at::kFloat) return apply_weight_into(out, h, head);
#if CSM_TORCH_AT_LEAST(2, 8)
  if (h.is_cuda() && dtype_ == at::kBFloat16) {
    at::Tensor o = out;
    at::mm_out(o, h, head.t(), at::kFloat);
    return;
  }
#endif
  out.copy_(codebook0_logits(h, out.size(-1)));
}

at::Tensor CsmModel::project(const at::Tensor& x) const { return apply_weight(x, w_.projection); }

void CsmModel::project_into(const at::Tensor& out, const at::Tensor& x) const { apply_weight_into(out, x, w_.projection); }

void CsmModel::decoder_input_into(const at::Tensor& out, const at::Tensor& codes, int64_t codebook) const {
  at::Tensor o = out;
  at::index_select_out(o, decoder_inputs_.narrow(0, codebook * config_.audio_vocab, config_.audio_vocab), 0, codes);
}

at::Tensor CsmModel::codebook_logits(const at::Tensor& h, int64_t codebook, int64_t codes) const {
  const auto head = w_.audio_head[codebook - 1].narrow(1, 0, head_rows(codes, config_.audio_vocab));  // [dim, V]
  if (h.device().is_cpu() && h.numel() == h.size(-1)) return at::mv(head.t(), h.reshape({-1})).unsqueeze(0).to(at::kFloat);
  return float_logits(h, head);
}

int64_t CsmModel::parameter_count() const {
  return backbone_.parameter_count() + decoder_.parameter_count() + w_.text_embeddings.numel() +
         w_.audio_embeddings.numel() + w_.projection.numel() + w_.codebook0_head.numel() + w_.audio_head.numel();
}

}  // namespace csm

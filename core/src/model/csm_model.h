#pragma once
// CSM's weights and its per-step computations: row embedding, the backbone,
// the codebook-0 head, and the depth decoder with its per-codebook heads.
#include <memory>
#include <string>

#include <ATen/ATen.h>

#include "io/tensor_store.h"
#include "model/csm_config.h"
#include "model/transformer.h"

namespace csm {

class CsmModel {
 public:
  // Reads every tensor in either naming (HF or Sesame/torchtune), checks its
  // shape, converts it to `dtype` on `device`. Throws csm::Error naming the tensor.
  static std::shared_ptr<const CsmModel> load(const TensorStore& store, const CsmConfig& config, at::ScalarType dtype,
                                              at::Device device);
  // Deterministic random weights of the given shapes (benchmarks, the demo model).
  static std::shared_ptr<const CsmModel> random(const CsmConfig& config, uint64_t seed, at::ScalarType dtype,
                                                at::Device device);

  // rows [B, T, C+1] int64 and mask [B, T, C+1] bool -> [B, T, dim] (spec §2.5).
  at::Tensor embed_rows(const at::Tensor& rows, const at::Tensor& mask) const;
  // A frame as the backbone's next row: codes [B, C] int64 -> [B, 1, dim], the sum of
  // its codebooks' embeddings (a frame has no text) weighted by `weights` [B, 1, C] (0
  // leaves a codebook out), plus `bias` [B, 1, dim].
  at::Tensor embed_frame(const at::Tensor& codes, const at::Tensor& weights, const at::Tensor& bias) const;
  // The sum of the codebook pad id's embeddings of codebooks from..C-1 [dim].
  at::Tensor pad_embeddings(int64_t from) const;
  // Embedding of codes [B] of codebook k in backbone space.
  at::Tensor embed_audio(const at::Tensor& codes, int64_t codebook) const;
  // [B, dim] -> [B, V] fp32; only the first `codes` ids when 0 < codes < V (the ids a
  // codec can decode: the head is narrowed, nothing is masked).
  at::Tensor codebook0_logits(const at::Tensor& h, int64_t codes = 0) const;
  // The same written into out [B, V'] fp32 (V' = out's width).
  void codebook0_logits_into(const at::Tensor& out, const at::Tensor& h) const;
  at::Tensor project(const at::Tensor& x) const;            // backbone space -> decoder space
  void project_into(const at::Tensor& out, const at::Tensor& x) const;
  // The depth decoder's input for codes [B] of codebook k (0..C-2): project(embed_audio), precomputed.
  at::Tensor decoder_input(const at::Tensor& codes, int64_t codebook) const;
  void decoder_input_into(const at::Tensor& out, const at::Tensor& codes, int64_t codebook) const;
  // Decoder state [B, decoder dim] -> logits [B, V] fp32 of codebook i (1..C-1), narrowed as above.
  at::Tensor codebook_logits(const at::Tensor& h, int64_t codebook, int64_t codes = 0) const;

  const CsmConfig& config() const { return config_; }
  const Transformer& backbone() const { return backbone_; }
  const Transformer& decoder() const { return decoder_; }
  at::ScalarType dtype() const { return dtype_; }
  at::Device device() const { return device_; }
  int64_t parameter_count() const;
  std::string source() const { return source_; }  // "hf", "orig" or "random"

  struct Weights {
    at::Tensor text_embeddings, audio_embeddings, projection, codebook0_head, audio_head;
    std::vector<TransformerLayerWeights> backbone_layers, decoder_layers;
    at::Tensor backbone_norm, decoder_norm;
  };
  CsmModel(CsmConfig config, Weights weights, at::ScalarType dtype, at::Device device, std::string source);

 private:
  CsmConfig config_;
  Weights w_;
  Transformer backbone_, decoder_;
  at::Tensor decoder_inputs_;  // [(C-1) * V, decoder dim]
  at::Tensor frame_offsets_;   // [C]: codebook k's ids start at k * V in the audio table
  at::ScalarType dtype_;
  at::Device device_;
  std::string source_;
};

}  // namespace csm

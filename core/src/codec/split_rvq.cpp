#include "codec/split_rvq.h"

#include "codec/causal_conv.h"
#include "csm/error.h"

namespace csm {
namespace {

// A 1x1 convolution; on the CPU stream by stream, so a stream batched with others gets
// the values it gets alone (see conv1d_stream_by_stream).
at::Tensor project(const at::Tensor& weight, const at::Tensor& x) {
  if (x.device().is_cpu()) return conv1d_stream_by_stream(x, weight, {}, 1, 1);
  return at::conv1d(x, weight);
}

// Nearest codeword per step: x [B, dim, T] -> [B, T].
at::Tensor nearest(const at::Tensor& codebook, const at::Tensor& x) {
  const auto points = x.transpose(1, 2).to(at::kFloat);  // [B, T, dim]
  return at::cdist(points, codebook.unsqueeze(0).expand({points.size(0), codebook.size(0), codebook.size(1)}))
      .argmin(-1);
}

}  // namespace

SplitRvq::SplitRvq(const MimiConfig& c, const MimiWeights& w) : semantic_(c.semantic_quantizers) {
  const int64_t hidden = c.hidden, dim = c.quantizer_dim;
  const std::string sem = "quantizer.semantic_residual_vector_quantizer.";
  const std::string aco = "quantizer.acoustic_residual_vector_quantizer.";
  semantic_in_ = w.get(sem + "input_proj.weight", {dim, hidden, 1});
  semantic_out_ = w.get(sem + "output_proj.weight", {hidden, dim, 1});
  acoustic_in_ = w.get(aco + "input_proj.weight", {dim, hidden, 1});
  acoustic_out_ = w.get(aco + "output_proj.weight", {hidden, dim, 1});
  for (int q = 0; q < c.num_quantizers; ++q) {
    const bool is_semantic = q < c.semantic_quantizers;
    const std::string p = (is_semantic ? sem : aco) + "layers." + std::to_string(is_semantic ? q : q - c.semantic_quantizers) +
                          ".codebook.";
    const auto sum = w.get(p + "embed_sum", {c.codebook_size, c.codebook_dim});
    const auto usage = w.get(p + "cluster_usage", {c.codebook_size});
    codebooks_.push_back((sum / usage.clamp_min(1e-5).unsqueeze(1)).contiguous());
  }
  if (c.codebook_dim != c.quantizer_dim)
    throw Error(ErrorCode::BadModelFile, "Mimi codebook_dim " + std::to_string(c.codebook_dim) +
                                             " differs from the quantizer projection size " +
                                             std::to_string(c.quantizer_dim) + ", which this engine does not support");
}

at::Tensor SplitRvq::encode(const at::Tensor& latent) const {
  std::vector<at::Tensor> codes;
  auto residual = project(semantic_in_, latent);
  for (int q = 0; q < semantic_; ++q) {
    const auto idx = nearest(codebooks_[q], residual);
    codes.push_back(idx);
    residual = residual - at::embedding(codebooks_[q], idx).transpose(1, 2);
  }
  residual = project(acoustic_in_, latent);  // the acoustic levels start again from the latent itself
  for (size_t q = semantic_; q < codebooks_.size(); ++q) {
    const auto idx = nearest(codebooks_[q], residual);
    codes.push_back(idx);
    residual = residual - at::embedding(codebooks_[q], idx).transpose(1, 2);
  }
  return at::stack(codes, 1);
}

at::Tensor SplitRvq::decode(const at::Tensor& codes, const at::Tensor& depth) const {
  if (codes.size(1) != num_quantizers())
    throw Error(ErrorCode::InvalidArgument, "codes have " + std::to_string(codes.size(1)) + " codebooks, Mimi has " +
                                                std::to_string(num_quantizers()));
  // Residual VQ: a row of depth N is the sum of its first N levels; deeper ones add nothing.
  const auto lookup = [&](int q) {
    const auto v = at::embedding(codebooks_[q], codes.select(1, q)).transpose(1, 2);
    return depth.defined() ? v * depth.gt(q).to(v.scalar_type()).view({-1, 1, 1}) : v;
  };
  at::Tensor semantic = lookup(0);
  for (int q = 1; q < semantic_; ++q) semantic = semantic + lookup(q);
  at::Tensor out = project(semantic_out_, semantic);
  if (num_quantizers() > semantic_) {
    at::Tensor acoustic = lookup(semantic_);
    for (int q = semantic_ + 1; q < num_quantizers(); ++q) acoustic = acoustic + lookup(q);
    out = out + project(acoustic_out_, acoustic);
  }
  return out;
}

int64_t SplitRvq::parameter_count() const {
  int64_t n = semantic_in_.numel() + semantic_out_.numel() + acoustic_in_.numel() + acoustic_out_.numel();
  for (const auto& cb : codebooks_) n += cb.numel();
  return n;
}

}  // namespace csm

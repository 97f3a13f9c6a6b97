#pragma once
// The per-frame loop of spec §2.6: backbone step -> codebook 0 -> depth decoder
// over codebooks 1..C-1 -> the frame, fed back as the next backbone row.
// One frame per call, so callers stream and can stop between any two frames.
#include <memory>

#include <ATen/ATen.h>

#include "csm/generation.h"
#include "model/csm_model.h"

namespace csm {

class FrameGenerator {
 public:
  // rows/mask [B, N, C+1]. Throws csm::Error if N + max_frames exceeds the backbone's positions.
  FrameGenerator(std::shared_ptr<const CsmModel> model, const at::Tensor& rows, const at::Tensor& mask,
                 SamplingParams sampling, int64_t max_frames);

  // Codes of the next frame [B, C] int64 (on the model's device).
  at::Tensor next_frame();

  void set_sampling(const SamplingParams& sampling) { sampling_ = sampling; }
  const at::Tensor& last_c0_logits() const { return last_c0_logits_; }   // [B, V] fp32
  const at::Tensor& last_backbone_hidden() const { return last_hidden_; }  // [B, dim]
  int64_t position() const { return position_; }
  double last_backbone_ms() const { return backbone_ms_; }

 private:
  at::Tensor sample(const at::Tensor& logits);
  at::Tensor depth_decode(const at::Tensor& h, const at::Tensor& c0);

  std::shared_ptr<const CsmModel> model_;
  SamplingParams sampling_;
  at::Generator generator_;
  KvCache backbone_cache_, decoder_cache_;
  at::Tensor pending_rows_, pending_mask_;
  int64_t position_ = 0;
  at::Tensor last_c0_logits_, last_hidden_;
  double backbone_ms_ = 0;
};

}  // namespace csm

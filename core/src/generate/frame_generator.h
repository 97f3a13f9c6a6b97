#pragma once
// The per-frame loop of spec §2.6 for B streams at once: backbone step ->
// codebook 0 -> depth decoder over codebooks 1..C-1 -> the frame, fed back as
// each stream's next backbone row. One frame per call, so callers stream and
// can stop between any two frames (or inside one, through `cancelled`).
#include <functional>
#include <memory>
#include <vector>

#include <ATen/ATen.h>

#include "csm/generation.h"
#include "generate/prompt_builder.h"
#include "model/csm_model.h"

namespace csm {

struct FrameGeneratorOptions {
  SamplingParams sampling;
  int64_t max_frames = 125;
  // When > 0, ids >= this are never sampled: Mimi has only this many codewords,
  // and CSM's extra ids 2048..2050 carry no audio. (A deliberate deviation from
  // the reference, which does not mask; the trained model does not pick them.)
  int64_t decodable_codes = 0;
};

class FrameGenerator {
 public:
  // One prompt per stream, each [N_b, C+1]. Throws csm::Error if a prompt leaves
  // no room; callers bound the frames of each stream by the positions left.
  FrameGenerator(std::shared_ptr<const CsmModel> model, const std::vector<PromptRows>& prompts,
                 FrameGeneratorOptions options);
  // Convenience for one stream or equal-length prompts: rows/mask [B, N, C+1].
  FrameGenerator(std::shared_ptr<const CsmModel> model, const at::Tensor& rows, const at::Tensor& mask,
                 SamplingParams sampling, int64_t max_frames);

  // Codes of the next frame [B, C] int64 on the model's device, or an undefined
  // tensor when `cancelled` turned true while the frame was being made.
  at::Tensor next_frame(const std::function<bool()>& cancelled = {});

  void set_sampling(const SamplingParams& sampling) { options_.sampling = sampling; }
  const at::Tensor& last_c0_logits() const { return last_c0_logits_; }   // [B, V] fp32, before any masking
  const at::Tensor& last_backbone_hidden() const { return last_hidden_; }  // [B, dim]
  int64_t batch() const { return batch_; }
  double last_backbone_ms() const { return backbone_ms_; }

 private:
  at::Tensor sample(const at::Tensor& logits);
  at::Tensor backbone_step();
  at::Tensor depth_decode(const at::Tensor& h, const at::Tensor& c0, const std::function<bool()>& cancelled);

  std::shared_ptr<const CsmModel> model_;
  FrameGeneratorOptions options_;
  at::Generator generator_;
  int64_t batch_ = 0;
  int64_t limit_ = 0;
  KvCache backbone_cache_, decoder_cache_;
  std::vector<PromptRows> prompts_;  // consumed by the first frame
  at::Tensor pending_rows_, pending_mask_, positions_;
  at::Tensor last_c0_logits_, last_hidden_;
  double backbone_ms_ = 0;
};

}  // namespace csm

#pragma once
// Frames for a fixed set of streams, on the one frame step: every stream's prompt
// is prefilled into its own slot on the first call, then each call makes one frame
// for all of them. Callers stream, and can stop between any two frames (or inside
// one, on the CPU, through `cancelled`). On CUDA the next frame is queued before the
// host reads the current one, so the device never waits for the host.
#include <functional>
#include <memory>
#include <vector>

#include <ATen/ATen.h>

#include "csm/generation.h"
#include "generate/frame_step.h"
#include "generate/prompt_builder.h"
#include "model/csm_model.h"

namespace csm {

struct FrameGeneratorOptions {
  SamplingParams sampling;
  int64_t max_frames = 125;
  int64_t decodable_codes = 0;  // see FrameStepOptions
  bool cuda_graphs = true;
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

  // Codes of the next frame [B, C] int64 on the host, or an undefined tensor when
  // `cancelled` turned true while the frame was being made.
  at::Tensor next_frame(const std::function<bool()>& cancelled = {});

  // Applied from the next frame made.
  void set_sampling(const SamplingParams& sampling);
  // A stream that ended: its slot stops advancing.
  void release(int64_t stream) { step_.release(stream); }
  const at::Tensor& last_c0_logits() const { return step_.c0_logits(); }       // [B, V] fp32, before any masking
  const at::Tensor& last_backbone_hidden() const { return step_.hidden_used(); }  // [B, dim]
  int64_t batch() const { return step_.slots(); }
  double last_backbone_ms() const { return step_.last_backbone_ms(); }
  double last_decoder_ms() const { return step_.last_decoder_ms(); }
  const FrameStep& step() const { return step_; }
  FrameStep& step() { return step_; }

 private:
  void prefill();

  std::shared_ptr<const CsmModel> model_;
  FrameGeneratorOptions options_;
  FrameStep step_;
  std::vector<PromptRows> prompts_;  // consumed by the first frame
  bool lookahead_ = false, in_flight_ = false;
};

}  // namespace csm

#pragma once
// Tests drive the one frame driver over a fixed set of prompts, all prefilled at
// once, one frame per call: what the scheduler does, without its threads.
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <ATen/ATen.h>

#include "generate/frame_driver.h"
#include "generate/prompt_builder.h"
#include "model/csm_model.h"

namespace csm::test {

struct RunnerOptions {
  SamplingParams sampling;
  int64_t max_frames = 125;     // unused: kept so call sites read as before
  int64_t decodable_codes = 0;  // see FrameStepOptions
  bool cuda_graphs = true;
  bool lookahead = false;
};

class FrameRunner {
 public:
  FrameRunner(std::shared_ptr<const CsmModel> model, const std::vector<PromptRows>& prompts, RunnerOptions o)
      : driver_(std::move(model), options(o, prompts.size())) {
    for (size_t b = 0; b < prompts.size(); ++b) driver_.prefill(static_cast<int64_t>(b), prompts[b], o.sampling);
  }
  FrameRunner(std::shared_ptr<const CsmModel> model, const at::Tensor& rows, const at::Tensor& mask,
              SamplingParams sampling, int64_t max_frames)
      : FrameRunner(std::move(model), split(rows, mask), RunnerOptions{sampling, max_frames}) {}

  // Codes of the next frame [B, C] int64 on the host, or an undefined tensor when
  // `cancelled` fired inside it.
  at::Tensor next_frame(const std::function<bool()>& cancelled = {}) {
    auto frame = driver_.next(cancelled);
    if (!frame) return {};
    last_ = std::move(*frame);
    return last_->codes.to(at::kLong);
  }
  at::Tensor last_c0_logits() const { return last_ ? last_->c0_logits : at::Tensor(); }  // [B, V] fp32
  // The backbone state the last frame came from [B, dim] (without look-ahead).
  const at::Tensor& last_backbone_hidden() const { return driver_.step().hidden_used(); }
  void set_sampling(const SamplingParams& s) {
    for (int64_t b = 0; b < driver_.step().slots(); ++b) driver_.set_sampling(b, s);
  }
  void release(int64_t b) { driver_.release(b); }
  const FrameStep& step() const { return driver_.step(); }
  FrameStep& step() { return driver_.step(); }
  FrameDriver& driver() { return driver_; }

 private:
  static std::vector<PromptRows> split(const at::Tensor& rows, const at::Tensor& mask) {
    std::vector<PromptRows> prompts;
    for (int64_t b = 0; b < rows.size(0); ++b) prompts.push_back({rows[b], mask[b]});
    return prompts;
  }
  static FrameDriverOptions options(const RunnerOptions& o, size_t slots) {
    FrameDriverOptions d;
    d.step.slots = static_cast<int64_t>(slots);
    d.step.decodable_codes = o.decodable_codes;
    d.step.cuda_graphs = o.cuda_graphs;
    d.lookahead = o.lookahead;
    d.keep_c0_logits = true;
    return d;
  }

  FrameDriver driver_;
  std::optional<DrivenFrame> last_;
};

}  // namespace csm::test

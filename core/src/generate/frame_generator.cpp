#include "generate/frame_generator.h"

#include "csm/error.h"

namespace csm {
namespace {

std::vector<PromptRows> split_rows(const at::Tensor& rows, const at::Tensor& mask) {
  std::vector<PromptRows> prompts;
  for (int64_t b = 0; b < rows.size(0); ++b) prompts.push_back({rows[b], mask[b]});
  return prompts;
}

FrameStepOptions step_options(const FrameGeneratorOptions& o, size_t streams) {
  FrameStepOptions s;
  s.slots = static_cast<int64_t>(streams);
  s.decodable_codes = o.decodable_codes;
  s.cuda_graphs = o.cuda_graphs;
  return s;
}

std::shared_ptr<const CsmModel> checked(std::shared_ptr<const CsmModel> model, const std::vector<PromptRows>& prompts) {
  if (prompts.empty()) throw Error(ErrorCode::InvalidArgument, "nothing to generate: no prompt");
  const int64_t limit = model->config().backbone.max_positions;
  for (size_t b = 0; b < prompts.size(); ++b) {
    const int64_t rows = prompts[b].rows.size(0);
    if (rows >= limit)
      throw Error(ErrorCode::InvalidArgument,
                  "the prompt" + (prompts.size() > 1 ? " of stream " + std::to_string(b) : std::string()) + " has " +
                      std::to_string(rows) + " rows, but the model holds " + std::to_string(limit) + " positions in all",
                  "shorten the text or the context");
  }
  return model;
}

}  // namespace

FrameGenerator::FrameGenerator(std::shared_ptr<const CsmModel> model, const at::Tensor& rows, const at::Tensor& mask,
                               SamplingParams sampling, int64_t max_frames)
    : FrameGenerator(std::move(model), split_rows(rows, mask), FrameGeneratorOptions{sampling, max_frames, 0, true}) {}

FrameGenerator::FrameGenerator(std::shared_ptr<const CsmModel> model, const std::vector<PromptRows>& prompts,
                               FrameGeneratorOptions options)
    : model_(checked(std::move(model), prompts)), options_(options),
      step_(model_, step_options(options, prompts.size())), prompts_(prompts),
      lookahead_(model_->device().is_cuda()) {}

void FrameGenerator::prefill() {
  for (size_t b = 0; b < prompts_.size(); ++b) step_.prefill(static_cast<int64_t>(b), prompts_[b], options_.sampling);
  prompts_.clear();
}

void FrameGenerator::set_sampling(const SamplingParams& sampling) {
  options_.sampling = sampling;
  for (int64_t b = 0; b < step_.slots(); ++b) step_.set_sampling(b, sampling);
}

at::Tensor FrameGenerator::next_frame(const std::function<bool()>& cancelled) {
  if (!prompts_.empty()) prefill();
  if (!lookahead_) {
    if (!step_.run(cancelled)) return {};
    return step_.codes().clone();
  }
  // Frame t's copy to the host is queued; frame t+1 is queued behind it before the
  // host waits, so the device keeps working while the host reads frame t.
  if (!in_flight_) {
    if (cancelled && cancelled()) return {};
    step_.run();
    step_.start_copy();
  }
  step_.run();
  at::Tensor frame = step_.wait_copy().clone();
  step_.start_copy();
  in_flight_ = true;
  if (cancelled && cancelled()) return {};
  return frame;
}

}  // namespace csm

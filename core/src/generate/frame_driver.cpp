#include "generate/frame_driver.h"

#include "csm/error.h"

namespace csm {

FrameDriver::FrameDriver(std::shared_ptr<const CsmModel> model, FrameDriverOptions options)
    : model_(std::move(model)), options_(std::move(options)), step_(model_, options_.step),
      valid_from_(static_cast<size_t>(step_.slots()), 0) {}

void FrameDriver::prefill(int64_t slot, const PromptRows& prompt, const SamplingParams& sampling,
                          SlotCodebooks codebooks) {
  step_.prefill(slot, prompt, sampling, codebooks);
  valid_from_.at(static_cast<size_t>(slot)) = launched_;
}

void FrameDriver::set_sampling(int64_t slot, const SamplingParams& sampling) { step_.set_sampling(slot, sampling); }

void FrameDriver::release(int64_t slot) {
  step_.release(slot);
  valid_from_.at(static_cast<size_t>(slot)) = launched_;
}

bool FrameDriver::launch(const std::function<bool()>& cancelled) {
  Launched l;
  l.index = launched_;
  l.fresh.resize(static_cast<size_t>(step_.slots()));
  for (int64_t s = 0; s < step_.slots(); ++s)
    l.fresh[static_cast<size_t>(s)] = step_.live(s);
  if (!step_.run(cancelled)) return false;
  ++launched_;
  if (options_.observer) options_.observer("launch", l.index);
  l.timing = {step_.last_backbone_ms(), step_.last_decoder_ms()};
  l.graphed = step_.graphed_last();
  if (options_.keep_c0_logits) l.c0_logits = step_.c0_logits().clone();  // the next frame overwrites them
  in_flight_.push_back(std::move(l));
  return true;
}

DrivenFrame FrameDriver::hand_out(Launched l, const at::Tensor& host_codes, const at::Tensor& host_entropy) {
  if (options_.observer) options_.observer("read", l.index);
  DrivenFrame f;
  f.index = l.index;
  f.codes = host_codes.to(at::kInt).contiguous();
  f.entropy = host_entropy.clone();  // the host buffer is the next frame's
  // Judged now, not at launch: a slot prefilled since carries a row made before it.
  f.fresh = std::move(l.fresh);
  for (size_t s = 0; s < f.fresh.size(); ++s) f.fresh[s] = f.fresh[s] && l.index >= valid_from_[s];
  if (l.c0_logits.defined()) f.c0_logits = l.c0_logits.to(at::kCPU).to(at::kFloat).contiguous();
  f.timing = l.timing;
  f.graphed = l.graphed;
  return f;
}

std::optional<DrivenFrame> FrameDriver::next(const std::function<bool()>& cancelled) {
  if (!options_.lookahead) {
    if (!launch(cancelled)) return std::nullopt;
    const at::Tensor& codes = step_.codes();
    auto l = std::move(in_flight_.front());
    in_flight_.pop_front();
    return hand_out(std::move(l), codes, step_.entropy());
  }
  // Frame t's copy to the host is queued right behind it; frame t+1 is queued behind
  // that before the host waits, so the device keeps working while the host reads t.
  if (in_flight_.empty()) {
    if (!launch(cancelled)) return std::nullopt;
    step_.start_copy();
  }
  if (cancelled && cancelled()) return std::nullopt;
  launch({});
  auto oldest = std::move(in_flight_.front());
  in_flight_.pop_front();
  const at::Tensor& codes = step_.wait_copy();
  DrivenFrame frame = hand_out(std::move(oldest), codes, step_.entropy());
  step_.start_copy();  // frame t+1's, behind it
  return frame;
}

void FrameDriver::drop_in_flight() {
  if (in_flight_.empty()) return;
  step_.wait_copy();
  in_flight_.clear();
}

}  // namespace csm

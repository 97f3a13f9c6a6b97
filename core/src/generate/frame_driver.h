#pragma once
// Drives the one frame step for its callers (the scheduler, csm::Model's codes
// stream): launches frames, hands each one out once it is done, and says which of
// its rows belong to each slot's current stream. With look-ahead (CUDA) frame t+1 is
// queued before the host reads frame t, so the device never waits for the host; a
// slot prefilled or released meanwhile simply ignores the row that was already on
// its way. Whatever a handed-out frame carries (codes, codebook-0 logits, timings)
// is that frame's own.
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <ATen/ATen.h>

#include "csm/model.h"
#include "generate/frame_step.h"

namespace csm {

struct FrameDriverOptions {
  FrameStepOptions step;
  bool lookahead = false;
  bool keep_c0_logits = false;  // hand out each frame's codebook-0 logits (tools, tests)
  // Called as frames are launched and read ("launch", "read"): the order is the contract.
  std::function<void(const char* event, int64_t frame)> observer;
};

struct DrivenFrame {
  int64_t index = 0;         // frames launched before this one
  at::Tensor codes;          // [slots, C] int32, host
  at::Tensor entropy;        // [slots] fp32, host: codebook 0's entropy
  std::vector<bool> fresh;   // the slot's row belongs to the stream prefilled there now
  at::Tensor c0_logits;      // [slots, V] fp32, host (keep_c0_logits only)
  FrameTiming timing;        // eager runs only
  bool graphed = false;
};

class FrameDriver {
 public:
  FrameDriver(std::shared_ptr<const CsmModel> model, FrameDriverOptions options);

  // Between frames. A prefilled slot's rows count from the next frame launched.
  void prefill(int64_t slot, const PromptRows& prompt, const SamplingParams& sampling, SlotCodebooks codebooks = {});
  void set_sampling(int64_t slot, const SamplingParams& sampling);  // from the next frame launched
  void release(int64_t slot);
  // Graphs for the frames launched from now on (false while a live stream asked for none).
  void allow_graphs(bool allowed) { step_.allow_graphs(allowed); }
  // Captures the graphs the live slots will need up to `position`, between frames.
  void prepare_graphs(int64_t position) { step_.prepare_graphs(position); }

  // The oldest frame not yet handed out, once it is done (with look-ahead the next one
  // is launched first). Nothing when `cancelled` fired inside an eager frame: that
  // frame is dropped, nothing advanced.
  std::optional<DrivenFrame> next(const std::function<bool()>& cancelled = {});
  // Forgets the frame in flight (every slot is free: nobody will read it).
  void drop_in_flight();

  const FrameStep& step() const { return step_; }
  FrameStep& step() { return step_; }

 private:
  struct Launched {
    int64_t index = 0;
    std::vector<bool> fresh;
    at::Tensor c0_logits;  // on the device, until handed out
    FrameTiming timing;
    bool graphed = false;
  };
  bool launch(const std::function<bool()>& cancelled);
  DrivenFrame hand_out(Launched launched, const at::Tensor& host_codes, const at::Tensor& host_entropy);

  std::shared_ptr<const CsmModel> model_;
  FrameDriverOptions options_;
  FrameStep step_;
  std::vector<int64_t> valid_from_;  // per slot: the first frame index that is its stream's
  int64_t launched_ = 0;
  std::deque<Launched> in_flight_;   // launched, not handed out (at most two)
};

}  // namespace csm

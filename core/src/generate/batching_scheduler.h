#pragma once
// The engine's one scheduler: a model thread that owns the frame driver and its
// slots, and loops admit -> sampling changes -> frame -> scatter, handing each frame's
// codes to the audio decoder (batched Mimi; its own thread on CUDA).
#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "csm/scheduler.h"
#include "generate/prefix_cache.h"
#include "generate/audio_decoder.h"
#include "generate/engine_parts.h"
#include "generate/frame_driver.h"
#include "generate/stream_channel.h"
#include "generate/stream_state.h"

namespace csm {

struct SchedulerSettings {
  int max_streams = 1;
  int max_queue = 64;
  std::string smaller_run_hint;
  bool lookahead = false;
  bool decode_thread = false;  // Mimi on its own thread (AudioDecoder)
  size_t voice_cache_bytes = 0;  // voices' prompt keys and values kept (PrefixCache)
  // Tests: sees the driver's frame events (see FrameDriverOptions::observer).
  std::function<void(const char*, int64_t)> frame_observer;
};

class BatchingScheduler final : public Scheduler {
 public:
  BatchingScheduler(std::shared_ptr<const EngineParts> parts, SchedulerSettings settings);
  ~BatchingScheduler() override;  // cancels what runs, joins the model thread

  std::shared_ptr<Stream> submit(Request request, const StreamingConfig& config) override;
  SchedulerStats stats() const override;
  void set_max_streams(int max_streams) override;
  void drain() override;

  // Throws csm::Error when the request cannot run (bad config, empty text, a prompt
  // that does not fit); `what` names it in the message ("text 2").
  void check(const Request& request, const StreamingConfig& config, const std::string& what) const;
  // Queues a checked request; `bounded`: refused when the queue is full (servers), or
  // not (a session's own requests, which the caller asked for all at once).
  std::shared_ptr<StreamChannel> enqueue(Request request, const StreamingConfig& config, bool bounded);

 private:
  void run();
  std::vector<std::shared_ptr<StreamChannel>> wait_for_work(bool* stopping);
  void resize_if_idle();
  FrameDriver& driver();
  AudioDecoder& audio();
  void admit(const std::shared_ptr<StreamChannel>& channel);
  bool start_piece(int64_t index);
  void resume_waiting();
  int generating() const;
  void let_cancelled_go();
  void generate_frame();
  void advance(int64_t index, std::vector<int32_t> frame, float entropy, double frame_ms, double frames_per_s);
  void fail_all(std::exception_ptr error);
  void end_stream(int64_t index, StopReason stop, std::exception_ptr error);
  void release(int64_t index);
  void count(StopReason stop);
  int live() const;
  double rate_locked() const;
  double rate() const;
  void prune_queue_locked();
  std::exception_ptr failure(std::exception_ptr e, const char* doing) const;

  const std::shared_ptr<const EngineParts> parts_;
  const SchedulerSettings settings_;
  // Model thread only:
  std::unique_ptr<FrameDriver> driver_;
  std::unique_ptr<AudioDecoder> audio_;
  AudioWork work_;  // this turn's events for the audio decoder
  std::vector<std::unique_ptr<StreamState>> slots_;  // null: free
  std::exception_ptr startup_failure_;
  // Shared, under mutex_:
  mutable std::mutex mutex_;
  std::condition_variable cv_, idle_cv_;
  std::deque<std::shared_ptr<StreamChannel>> queue_;
  std::deque<std::pair<std::chrono::steady_clock::time_point, int64_t>> rate_;
  PrefixCacheStats voice_cache_;  // the frame step's, as of the last loop
  int max_streams_ = 1, active_ = 0, waiting_ = 0;  // waiting: slots between pieces of a streamed text
  bool graphs_ = false;
  std::string graphs_note_;
  int64_t frames_total_ = 0, completed_ = 0, cancelled_ = 0, failed_ = 0;
  bool draining_ = false, stopping_ = false;
  std::thread thread_;
};

}  // namespace csm

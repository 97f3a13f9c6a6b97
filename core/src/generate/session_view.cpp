#include "generate/session_view.h"

#include <algorithm>
#include <chrono>

#include "csm/error.h"
#include "runtime/torch_failure.h"

namespace csm {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// The run as a whole, from its streams' summaries and the latest chunk's metrics.
void roll_up(RunSummary& run, double wall_ms, const ChunkMetrics& m, const SchedulerStats& stats) {
  run.wall_ms = wall_ms;
  run.peak_rss_bytes = std::max(run.peak_rss_bytes, m.rss_bytes);
  run.peak_device_bytes = std::max(run.peak_device_bytes, m.device_bytes);
  double longest = 0, total = 0;
  for (const auto& s : run.streams) {
    longest = std::max(longest, s.audio_ms);
    total += s.audio_ms;
  }
  run.rtf = longest > 0 ? wall_ms / longest : 0;
  run.realtime_streams = wall_ms > 0 ? total / wall_ms : 0;
  run.cuda_graphs = stats.cuda_graphs;
  run.cuda_graphs_note = stats.cuda_graphs_note;
}

class SessionView final : public Session {
 public:
  SessionView(std::shared_ptr<const Engine> engine, std::vector<std::shared_ptr<StreamChannel>> streams,
              CancelToken cancel)
      : engine_(std::move(engine)), streams_(std::move(streams)), cancel_(std::move(cancel)), start_(Clock::now()),
        ended_(streams_.size(), false) {
    summary_.streams.resize(streams_.size());
  }

  ~SessionView() override {
    for (size_t i = 0; i < streams_.size(); ++i)
      if (!ended_[i]) streams_[i]->cancel();  // nobody reads them any more
  }

  Stream& stream(size_t index) override {
    if (index >= streams_.size())
      throw Error(ErrorCode::InvalidArgument, "stream " + std::to_string(index) + " asked for; the session has " +
                                                  std::to_string(streams_.size()));
    return *streams_[index];
  }

  std::optional<AudioChunk> next() override {
    for (;;) {
      if (cancel_.cancelled() && !cancel_sent_) {
        for (auto& s : streams_) s->cancel();
        cancel_sent_ = true;
      }
      bool open = false;
      for (size_t k = 0; k < streams_.size(); ++k) {  // round robin from where the last chunk came
        const size_t i = (turn_ + k) % streams_.size();
        if (ended_[i]) continue;
        open = true;
        if (auto chunk = poll(i, 0ms)) return chunk;
      }
      if (!open) break;
      // Nothing ready: wait on the first open stream a little, then look again.
      const auto first_open = static_cast<size_t>(std::find(ended_.begin(), ended_.end(), false) - ended_.begin());
      if (first_open == ended_.size()) continue;  // the last one just ended
      if (auto chunk = poll(first_open, 5ms)) return chunk;
    }
    if (failure_) {
      Error error = std::move(*failure_);
      failure_.reset();
      throw error;
    }
    return std::nullopt;
  }

  void set_sampling(const SamplingParams& sampling) override {
    for (auto& s : streams_) s->set_sampling(sampling);
  }
  const RunSummary& summary() const override { return summary_; }

 private:
  std::optional<AudioChunk> poll(size_t i, std::chrono::milliseconds wait) {
    AudioChunk chunk;
    try {
      const auto got = streams_[i]->next(chunk, wait);
      if (got == Stream::Poll::Ended) {
        ended_[i] = true;
        summary_.streams[i].stop = streams_[i]->summary().stop;
      }
      if (got != Stream::Poll::Chunk) return std::nullopt;
    } catch (const Error& e) {  // after the stream's last chunk: kept until every stream is out
      ended_[i] = true;
      summary_.streams[i].stop = StopReason::Failed;
      if (!failure_) failure_ = e;
      return std::nullopt;
    }
    chunk.stream = static_cast<int>(i);
    turn_ = i + 1;
    record(i, chunk);
    return chunk;
  }

  void record(size_t i, const AudioChunk& chunk) {
    auto& s = summary_.streams[i];
    s.frames = chunk.first_frame + static_cast<int64_t>(chunk.codes.size());
    s.audio_ms = s.frames * double(StreamingConfig::kFrameMs);
    s.stop = chunk.last ? streams_[i]->summary().stop : StopReason::Running;
    const double wall_ms = std::chrono::duration<double, std::milli>(Clock::now() - start_).count();
    if (summary_.first_audio_ms < 0 && !chunk.samples.empty()) summary_.first_audio_ms = wall_ms;
    roll_up(summary_, wall_ms, chunk.metrics, engine_->scheduler().stats());
  }

  std::shared_ptr<const Engine> engine_;  // outlives its streams' scheduler
  std::vector<std::shared_ptr<StreamChannel>> streams_;
  CancelToken cancel_;
  Clock::time_point start_;
  std::vector<bool> ended_;
  size_t turn_ = 0;
  bool cancel_sent_ = false;
  std::optional<Error> failure_;
  RunSummary summary_;
};

}  // namespace

std::unique_ptr<Session> start_session(std::shared_ptr<const Engine> engine, BatchingScheduler& scheduler,
                                       std::vector<Request> requests, const StreamingConfig& config,
                                       CancelToken cancel) {
  if (requests.empty()) throw Error(ErrorCode::InvalidArgument, "nothing to generate: no text given");
  guard_torch("starting generation", "", [&] {
    for (size_t i = 0; i < requests.size(); ++i)
      scheduler.check(requests[i], config, requests.size() > 1 ? "text " + std::to_string(i + 1) : "the text");
  });
  std::vector<std::shared_ptr<StreamChannel>> streams;
  try {
    for (auto& r : requests) streams.push_back(scheduler.enqueue(std::move(r), config, false));
  } catch (...) {
    for (auto& s : streams) s->cancel();
    throw;
  }
  return std::make_unique<SessionView>(std::move(engine), std::move(streams), std::move(cancel));
}

}  // namespace csm

#include "generate/scheduled_session.h"

#include <chrono>

#include "csm/error.h"
#include "csm/scheduler.h"

namespace csm {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

class ScheduledSession final : public Session {
 public:
  ScheduledSession(std::shared_ptr<const Engine> engine, std::vector<Request> requests, const StreamingConfig& config,
                   CancelToken cancel)
      : cancel_(std::move(cancel)), start_(Clock::now()) {
    config.validate();
    if (requests.empty()) throw Error(ErrorCode::InvalidArgument, "nothing to generate: no text given");
    for (size_t i = 0; i < requests.size(); ++i) {
      if (requests[i].text.find_first_not_of(" \t\r\n") == std::string::npos)
        throw Error(ErrorCode::InvalidArgument, "text " + std::to_string(i + 1) + " is empty", "give something to say");
      if (requests[i].speaker < 0) throw Error(ErrorCode::InvalidArgument, "speaker ids are >= 0");
    }
    const int n = static_cast<int>(requests.size());
    SchedulerOptions options;
    options.max_streams = n;
    options.max_queue = n;
    options.smaller_run_hint = "try fewer streams at once (--stream-batch), shorter text, or a smaller dtype";
    scheduler_ = Scheduler::create(std::move(engine), options);
    for (auto& r : requests) streams_.push_back(scheduler_->submit(std::move(r), config));
    ended_.assign(streams_.size(), false);
    summary_.streams.resize(streams_.size());
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
      for (size_t i = 0; i < streams_.size(); ++i)
        if (!ended_[i]) {
          if (auto chunk = poll(i, 5ms)) return chunk;
          break;
        }
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
    const auto& m = chunk.metrics;
    auto& s = summary_.streams[i];
    s = streams_[i]->summary();
    s.frames = chunk.first_frame + static_cast<int64_t>(chunk.codes.size());
    s.audio_ms = s.frames * double(StreamingConfig::kFrameMs);
    if (!chunk.last) s.stop = StopReason::Running;
    summary_.wall_ms = std::chrono::duration<double, std::milli>(Clock::now() - start_).count();
    if (summary_.first_audio_ms < 0 && !chunk.samples.empty()) summary_.first_audio_ms = summary_.wall_ms;
    summary_.peak_rss_bytes = std::max(summary_.peak_rss_bytes, m.rss_bytes);
    summary_.peak_device_bytes = std::max(summary_.peak_device_bytes, m.device_bytes);
    double longest = 0, total = 0;
    for (const auto& st : summary_.streams) {
      longest = std::max(longest, st.audio_ms);
      total += st.audio_ms;
    }
    summary_.rtf = longest > 0 ? summary_.wall_ms / longest : 0;
    summary_.realtime_streams = summary_.wall_ms > 0 ? total / summary_.wall_ms : 0;
    const auto stats = scheduler_->stats();
    summary_.cuda_graphs = stats.cuda_graphs;
    summary_.cuda_graphs_note = stats.cuda_graphs_note;
  }

  CancelToken cancel_;
  Clock::time_point start_;
  std::unique_ptr<Scheduler> scheduler_;
  std::vector<std::shared_ptr<Stream>> streams_;
  std::vector<bool> ended_;
  size_t turn_ = 0;
  bool cancel_sent_ = false;
  std::optional<Error> failure_;
  RunSummary summary_;
};

}  // namespace

std::unique_ptr<Session> start_scheduled_session(std::shared_ptr<const Engine> engine, std::vector<Request> requests,
                                                 const StreamingConfig& config, CancelToken cancel) {
  return std::make_unique<ScheduledSession>(std::move(engine), std::move(requests), config, std::move(cancel));
}

}  // namespace csm

#pragma once
// The hand-off between the model thread and whoever reads a stream: chunks queue up
// here as they are decoded, the reader's cancel and sampling changes wait here for
// the next frame, and the stream's end (and error) is recorded once.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <string>
#include <vector>
#include <exception>
#include <mutex>
#include <optional>

#include "csm/stream.h"
#include "csm/streaming_config.h"
#include "generate/text_feed.h"

namespace csm {

class StreamChannel final : public Stream {
 public:
  using Clock = std::chrono::steady_clock;
  StreamChannel(Request request, const StreamingConfig& config);

  // The reader's side (any thread).
  Poll next(AudioChunk& out, std::chrono::milliseconds wait) override;
  void cancel() override;
  void set_sampling(const SamplingParams& sampling) override;
  SamplingParams sampling() const override;
  StreamSummary summary() const override;
  double queued_ms() const override;
  void append_text(const std::string& fragment) override;
  void flush_text() override;
  void end_text() override;
  std::vector<std::string> pieces() const override;

  // The model thread's side.
  // A text_streamed request's text feed (set before the stream is queued).
  void set_feed(std::unique_ptr<TextFeed> feed) { feed_ = std::move(feed); }
  TextFeed* feed() const { return feed_.get(); }
  void add_piece(const std::string& text);
  bool begin();  // the stream takes a slot; false when it already ended (cancelled while queued)
  std::optional<SamplingParams> take_sampling_change();
  void push(AudioChunk chunk, const StreamSummary& summary);
  // Ends the stream: a last (empty) chunk if none was queued yet, then the error if any.
  void end(StopReason stop, std::exception_ptr error = nullptr);
  bool finished() const;
  bool cancelled() const { return cancel_.cancelled(); }
  const Request& request() const { return request_; }
  const StreamingConfig& config() const { return config_; }

 private:
  void finish_locked(StopReason stop);

  const Request request_;
  const StreamingConfig config_;
  const Clock::time_point submitted_;
  CancelToken cancel_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<AudioChunk> chunks_;
  StreamSummary summary_;
  std::exception_ptr error_;
  SamplingParams sampling_;
  bool sampling_changed_ = false;
  double queued_ms_ = 0;
  bool started_ = false, finished_ = false, last_pushed_ = false, error_thrown_ = false;
  std::unique_ptr<TextFeed> feed_;
  std::vector<std::string> pieces_;
};

}  // namespace csm

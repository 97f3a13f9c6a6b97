#pragma once
// One stream of speech as its caller sees it: the request, the chunks of audio it
// yields with their metrics, how it stopped, and the handle to read, steer or stop it.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "csm/generation.h"

namespace csm {

// Cheap to copy; cancel() is safe from any thread and stops a session within one frame.
class CancelToken {
 public:
  CancelToken() : flag_(std::make_shared<std::atomic<bool>>(false)) {}
  void cancel() const noexcept { flag_->store(true); }
  bool cancelled() const noexcept { return flag_->load(); }

 private:
  std::shared_ptr<std::atomic<bool>> flag_;
};

struct Request {
  std::string text;
  int speaker = 0;
  std::vector<Segment> context;  // earlier turns (with audio codes), oldest first
  // The text keeps coming after submit() (Stream::append_text ... end_text): it is cut
  // into pieces as it arrives and each piece is spoken as soon as it is complete. `text`
  // is its start (may be empty).
  bool text_streamed = false;
};

struct ChunkMetrics {
  double generate_ms = 0;     // frame generation behind this chunk
  double decode_ms = 0;       // Mimi decode of this chunk
  double elapsed_ms = 0;      // since the stream started generating
  double rtf = 0;             // cumulative: elapsed / audio of this stream so far
  double first_audio_ms = 0;  // when the stream's first chunk was ready
  double frames_per_s = 0;    // all streams together
  int64_t rss_bytes = 0;
  int64_t device_bytes = 0;   // CUDA memory in use (0 on CPU)
  float temperature = 0;      // the sampling in effect for this chunk's frames: codebook 0's,
  int top_k = 0;
  float top_p = 1;
  float depth_temperature = 0;  // and the depth decoder's (resolved: no "as codebook 0")
  int depth_top_k = 0;
  float depth_top_p = 1;
};

struct AudioChunk {
  int stream = 0;             // index into the session's requests
  int64_t first_frame = 0;    // frame range [first_frame, first_frame + codes.size())
  std::vector<float> samples;  // mono, engine sample rate
  std::vector<std::vector<int32_t>> codes;
  std::vector<float> entropy;  // per frame: codebook 0's entropy (nats) at temperature 1
  int piece = 0;              // which piece of the text its frames speak (a chunk never spans two)
  bool piece_end = false;     // the piece's last chunk
  bool last = false;          // the stream's final chunk
  ChunkMetrics metrics;
};

enum class StopReason { Running, EndOfSpeech, MaxLength, LengthGuard, Cancelled, Failed };
// The one stop vocabulary, for logs, files, HTTP and the studio's history alike:
// "running", "end_of_speech", "max_length", "length_guard" (a piece ran far longer than
// its text should take, speech that never ends, and was cut there; the stream went on with
// any text after it), "cancelled", "failed".
const char* to_string(StopReason reason);
// The reverse; nothing for a label that is none of those.
std::optional<StopReason> stop_reason_from_string(const std::string& label);

struct StreamSummary {
  int64_t frames = 0;
  double audio_ms = 0;
  StopReason stop = StopReason::Running;
};

// One submitted request. next() hands out its chunks in order; the last one has
// `last` set. After a failure the chunks made so far still come out, then next()
// throws the csm::Error.
class Stream {
 public:
  enum class Poll { Chunk, Timeout, Ended };
  virtual ~Stream() = default;
  // Waits up to `wait` for the next chunk: Chunk (written to `out`), Timeout, or
  // Ended (the last chunk was already handed out).
  virtual Poll next(AudioChunk& out, std::chrono::milliseconds wait) = 0;
  // Stops the stream within one frame (a client went away, or pressed Stop). Safe
  // from any thread; the stream then ends with a last chunk (stop: Cancelled).
  virtual void cancel() = 0;
  // Live knobs (temperature, top-k, seed): applied from the stream's next frame, for
  // the rest of the stream (every later piece of a long text too).
  virtual void set_sampling(const SamplingParams& sampling) = 0;
  virtual SamplingParams sampling() const = 0;  // what is in effect, or will be from the next frame
  virtual StreamSummary summary() const = 0;
  virtual double queued_ms() const = 0;  // how long it waited for a slot

  // A text_streamed request's text, as it arrives (any thread): fragments in order;
  // flush_text() speaks what is buffered now, boundary or not; end_text() says there is
  // no more (the stream ends after its last piece). Ignored for other requests.
  virtual void append_text(const std::string& fragment) { (void)fragment; }
  virtual void flush_text() {}
  virtual void end_text() {}
  // The pieces started so far, in order (a long text's, or a streamed text's as cut).
  virtual std::vector<std::string> pieces() const { return {}; }
};

}  // namespace csm

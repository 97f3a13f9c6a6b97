#pragma once
// Many independent streams through one engine (continuous batching): a request
// joins the running batch at a frame boundary, leaves when it ends, and its slot
// is reused. One thread owns the model; everything here is thread-safe.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "csm/engine.h"
#include "csm/streaming_config.h"

namespace csm {

struct SchedulerOptions {
  int max_streams = 8;  // streams generated at once (batch slots)
  int max_queue = 64;   // accepted requests waiting for a slot; beyond that submit() refuses
  // What an out-of-memory error tells the user to lower (the caller's own flag).
  std::string smaller_run_hint = "try fewer streams at once (--max-streams), or shorter text";
};

struct SchedulerStats {
  int active = 0;             // streams generating now
  int queued = 0;             // accepted, waiting for a slot
  int max_streams = 0;
  int64_t frames_total = 0;   // frames generated since start, all streams
  double frames_per_s = 0;    // recent rate, all streams together
  int64_t completed = 0, cancelled = 0, failed = 0;
  bool draining = false;
  bool cuda_graphs = false;       // frames replay as CUDA graphs
  std::string cuda_graphs_note;   // or why not
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
  // Live knobs (temperature, top-k, seed): applied from the stream's next frame.
  virtual void set_sampling(const SamplingParams& sampling) = 0;
  virtual StreamSummary summary() const = 0;
  virtual double queued_ms() const = 0;  // how long it waited for a slot
};

class Scheduler {
 public:
  virtual ~Scheduler() = default;  // cancels what runs, joins the model thread
  static std::unique_ptr<Scheduler> create(std::shared_ptr<const Engine> engine, const SchedulerOptions& options);
  // Queues a request with its own settings (temperature, top-k, seed, chunk sizes,
  // max length). Throws csm::Error: InvalidArgument for bad input (empty text,
  // bad config), Busy when the queue is full or the scheduler is draining.
  virtual std::shared_ptr<Stream> submit(Request request, const StreamingConfig& config) = 0;
  virtual SchedulerStats stats() const = 0;
  // Refuses new requests from now on; returns once every accepted stream has ended.
  virtual void drain() = 0;
};

}  // namespace csm

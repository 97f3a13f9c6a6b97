#pragma once
// The engine's continuous batching (see Engine::scheduler()): a request joins the
// running batch at a frame boundary, leaves when it ends, and its slot is reused.
// One model thread owns the model; everything here is thread-safe.
#include <cstdint>
#include <memory>
#include <string>

#include "csm/stream.h"
#include "csm/streaming_config.h"

namespace csm {

struct SchedulerStats {
  int active = 0;             // streams generating now
  int queued = 0;             // accepted, waiting for a slot
  int max_streams = 0;
  int64_t frames_total = 0;   // frames generated since start, all streams
  double frames_per_s = 0;    // recent rate, all streams together
  int64_t completed = 0, cancelled = 0, failed = 0;
  bool draining = false;
  bool cuda_graphs = false;       // the last frame replayed as a CUDA graph
  std::string cuda_graphs_note;   // how the last frame ran: graphs, or eager and why
  bool lookahead = false;         // frame t+1 is queued before the host reads frame t
  // Voices' prompt keys and values kept (EngineOptions::voice_cache_mb): prefills that
  // copied them (hits), that ran the voice through the backbone (misses), bytes kept.
  int64_t voice_cache_hits = 0, voice_cache_misses = 0, voice_cache_bytes = 0;
};

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  // Queues a request with its own settings (sampling, chunk sizes, max length). Throws
  // csm::Error: InvalidArgument for bad input (empty text, bad config), Busy when the
  // queue is full or the scheduler is draining.
  virtual std::shared_ptr<Stream> submit(Request request, const StreamingConfig& config) = 0;
  virtual SchedulerStats stats() const = 0;
  // Streams generated at once from now on (>= 1). Applied as soon as no stream is
  // generating (queued ones wait for it); the frame step is rebuilt for that many slots.
  virtual void set_max_streams(int max_streams) = 0;
  // Refuses new requests from now on; returns once every accepted stream has ended.
  virtual void drain() = 0;
};

}  // namespace csm

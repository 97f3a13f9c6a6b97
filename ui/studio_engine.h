#pragma once
// What the generation worker drives: an engine in this process (LocalEngine, core's
// csm::Engine) or on another machine (RemoteEngine, a csm-serve). Either starts all
// texts of a run at once and leaves the grouping to its own slots and queue, so
// the worker has one run loop for both.
#include <QString>
#include <QVector>
#include <chrono>
#include <memory>

#include "run_types.h"

// Audio of one stream of a run, with its metrics; or, with `audio` false, only the
// news that the stream ended (stats.last set, no frames) when no audio came with it.
struct EngineChunk {
  ChunkStats stats;  // stats.stream: the text's index in the run
  QVector<float> samples;
  ChunkCodes codes;
  bool audio = true;
};

// One run in progress. Lives on the worker's thread.
class EngineRun {
 public:
  enum class Poll { Chunk, Timeout, Ended };
  virtual ~EngineRun() = default;
  // The next chunk of any stream, waiting up to `wait` where the engine can (a local
  // session waits for its chunk). After a failure the chunks that arrived still come
  // out; then this throws the csm::Error.
  virtual Poll next(EngineChunk& out, std::chrono::milliseconds wait) = 0;
  // Sampling knobs moved while the run goes on: every stream takes them from its next
  // frame (the run's seed stays). A text waiting in a server's queue takes them once its
  // answer starts, since the server names a stream (for the control routes) only then.
  virtual void setSampling(const csm::SamplingParams& sampling) = 0;
  // Once next() said Ended.
  virtual RunResult result() const = 0;
};

class StudioEngine {
 public:
  virtual ~StudioEngine() = default;
  virtual QString label() const = 0;   // the model, and where it runs
  virtual QString device() const = 0;  // for the status bar
  virtual bool demo() const = 0;       // random weights: noise, not speech
  // Every text of `request` at once, one stream each; request.cancel stops them.
  // Throws csm::Error for what cannot start (bad settings, a server that is gone).
  virtual std::unique_ptr<EngineRun> start(const RunRequest& request) = 0;
};

#pragma once
// The streaming engine: load once, then generate. There is one way to generate:
// every request becomes a Stream in the engine's one continuous-batching scheduler
// (Engine::scheduler()), which advances all its live streams one frame at a time.
//  - Engine::start(requests)        a Session over one or many requests (CLIs, the studio);
//  - Engine::scheduler().submit()   one stream at a time, with stats and drain (servers).
// start() is submit() for each request, read as one Session: a single request is a
// batch of one, and a batch of N is N streams that share the frame step with
// everything else the engine runs. csm::Model (csm/model.h) is for tools that want
// codes and timings of one stream, not audio.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "csm/generation.h"
#include "csm/hub.h"
#include "csm/scheduler.h"
#include "csm/stream.h"
#include "csm/streaming_config.h"

namespace csm {

struct EngineOptions {
  // A model folder, an HF cache folder, a hub repo id ("sesame/csm-1b": fetched
  // into the HF cache if needed), "random:csm-1b", or "demo". Empty: the HF
  // cache's sesame/csm-1b if present, else the built-in demo model.
  std::string model;
  std::string tokenizer;
  std::string codec;
  std::string device = "cpu";
  std::string dtype = "auto";
  std::function<void(const DownloadProgress&)> download_progress;  // while fetching from the hub
  // The scheduler: streams generated at once (0: 1 on the CPU, where every slot costs
  // a row of work per frame, 16 on CUDA), requests waiting beyond those (servers
  // refuse more), and what an out-of-memory error tells the user to lower.
  int max_streams = 0;
  int max_queue = 64;
  std::string smaller_run_hint = "try fewer streams at once, shorter text, or a smaller dtype";
  // Frame t+1 queued before the host reads frame t: -1 where it pays (CUDA), 0 off, 1 on.
  int frame_lookahead = -1;
  // Mimi decodes on a thread of its own, beside the model thread: -1 where it pays
  // (CUDA; on the CPU a second thread's OpenMP team slows the model's), 0 off, 1 on.
  int decode_thread = -1;
  // Fused attention LibTorch may use (process-wide): "auto" (any but cuDNN's), "cudnn",
  // "flash", "efficient" or "math". Empty: $CSM_SDPA, else "auto".
  std::string attention;
  // Voices kept ready (MiB): the backbone's keys and values of a request's context turns
  // (a cloned voice's clip and transcript), copied into the next request with the same
  // turns instead of run through the model again. -1: 256 on CUDA, 64 on the CPU; 0: off.
  int voice_cache_mb = -1;
};

struct EngineInfo {
  std::string model;       // what was loaded ("demo" for the built-in one)
  std::string path;
  std::string label;       // one line for status bars and logs
  bool demo = false;       // random weights: the sound is noise, not speech
  std::string device, dtype, codec;
  int64_t parameters = 0;
  int num_codebooks = 0;
  int sample_rate = 24000;
  int samples_per_frame = 1920;
  int max_positions = 0;
  bool cuda_graphs_available = false;
  std::string attention;   // the attention kernels allowed, as chosen (EngineOptions::attention)
};

struct RunSummary {
  std::vector<StreamSummary> streams;
  double wall_ms = 0;
  double first_audio_ms = -1;
  double rtf = 0;              // wall / the longest stream's audio
  double realtime_streams = 0;  // total audio / wall: how many real-time streams this run sustained
  int64_t peak_rss_bytes = 0;
  int64_t peak_device_bytes = 0;
  bool cuda_graphs = false;    // what actually ran
  std::string cuda_graphs_note;  // how frames ran: graphs, or eager and why (asked off, no CUDA, a failed capture)
};

// The streams of one start(), read together.
class Session {
 public:
  virtual ~Session() = default;
  // The next chunk of any stream, as soon as it is ready; nothing when every stream has stopped.
  // When generation fails (out of memory above all), the frames made so far still
  // come out, as each stream's last chunk (stop: Failed); the call after them throws
  // the csm::Error. The engine stays usable for a smaller run.
  virtual std::optional<AudioChunk> next() = 0;
  // Live knobs for every stream of the session: applied from the next frame.
  virtual void set_sampling(const SamplingParams& sampling) = 0;
  virtual const RunSummary& summary() const = 0;
  // Request i's stream: where a text_streamed request's text goes as it arrives.
  // Throws csm::Error for an index the session does not have.
  virtual Stream& stream(size_t index) = 0;
};

class Engine {
 public:
  virtual ~Engine() = default;
  // Throws csm::Error naming the file, tensor or setting at fault.
  static std::shared_ptr<const Engine> load(const EngineOptions& options);
  virtual const EngineInfo& info() const = 0;
  // Submits every request to the scheduler (those beyond its free slots wait their
  // turn) and reads them as one Session. Throws csm::Error for a bad config, an
  // empty text or input that cannot fit, before anything is submitted.
  virtual std::unique_ptr<Session> start(std::vector<Request> requests, const StreamingConfig& config,
                                         CancelToken cancel = {}) const = 0;
  // The engine's one scheduler (one model thread, one frame step), shared by every start().
  virtual Scheduler& scheduler() const = 0;
  // Mono audio at any rate -> codes for a context Segment.
  virtual std::vector<std::vector<int32_t>> encode_audio(const std::vector<float>& samples, int sample_rate) const = 0;
};

}  // namespace csm

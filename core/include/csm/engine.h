#pragma once
// The streaming engine: load once, then run sessions that yield audio chunks
// (24 kHz float) with their metrics while frames are still being generated.
#include <atomic>
#include <functional>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "csm/generation.h"
#include "csm/hub.h"
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
};

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
};

struct ChunkMetrics {
  double generate_ms = 0;     // frame generation behind this chunk
  double decode_ms = 0;       // Mimi decode of this chunk
  double elapsed_ms = 0;      // since the session started
  double rtf = 0;             // cumulative: elapsed / audio of this stream so far
  double first_audio_ms = 0;  // when the session's first chunk was ready
  double frames_per_s = 0;    // all streams together
  int64_t rss_bytes = 0;
  int64_t device_bytes = 0;   // CUDA memory in use (0 on CPU)
};

struct AudioChunk {
  int stream = 0;             // index into the session's requests
  int64_t first_frame = 0;    // frame range [first_frame, first_frame + codes.size())
  std::vector<float> samples;  // mono, engine sample rate
  std::vector<std::vector<int32_t>> codes;
  bool last = false;          // the stream's final chunk
  ChunkMetrics metrics;
};

enum class StopReason { Running, EndOfSpeech, MaxLength, Cancelled, Failed };
// The one stop vocabulary, for logs, files, HTTP and the studio's history alike:
// "running", "end_of_speech", "max_length", "cancelled", "failed".
const char* to_string(StopReason reason);
// The reverse; nothing for a label that is none of those.
std::optional<StopReason> stop_reason_from_string(const std::string& label);

struct StreamSummary {
  int64_t frames = 0;
  double audio_ms = 0;
  StopReason stop = StopReason::Running;
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

class Session {
 public:
  virtual ~Session() = default;
  // The next chunk of any stream, as soon as it is ready; nothing when every stream has stopped.
  // When generation fails (out of memory above all), the frames made so far still
  // come out, as each stream's last chunk (stop: Failed); the call after them throws
  // the csm::Error. The engine stays usable for a smaller run.
  virtual std::optional<AudioChunk> next() = 0;
  // Live knobs: applied from the next frame.
  virtual void set_sampling(const SamplingParams& sampling) = 0;
  virtual const RunSummary& summary() const = 0;
};

class Engine {
 public:
  virtual ~Engine() = default;
  // Throws csm::Error naming the file, tensor or setting at fault.
  static std::shared_ptr<const Engine> load(const EngineOptions& options);
  virtual const EngineInfo& info() const = 0;
  // Several requests run as a batch through one forward pass per frame. Throws
  // csm::Error for a bad config, empty text or input that cannot fit.
  virtual std::unique_ptr<Session> start(std::vector<Request> requests, const StreamingConfig& config,
                                         CancelToken cancel = {}) const = 0;
  // Mono audio at any rate -> codes for a context Segment.
  virtual std::vector<std::vector<int32_t>> encode_audio(const std::vector<float>& samples, int sample_rate) const = 0;
};

// Where Hugging Face tools keep downloads: $HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub.
std::string hf_hub_cache_dir();
// The cache folder of `repo_id` ("sesame/csm-1b") if it holds a snapshot, else "".
std::string find_in_hf_cache(const std::string& repo_id);

}  // namespace csm

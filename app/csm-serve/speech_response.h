#pragma once
// The answer to POST /v1/audio/speech: one scheduler stream written out as raw
// audio or as SSE events. Its first chunks are held back until one carries
// audio, so that a failure before any audio still gets its own HTTP status;
// after that a failure ends SSE with an error event and cuts raw audio. The
// summary (frames, audio, RTF, stop) goes to the metrics and the done event.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "csm-serve/audio_encoder.h"
#include "csm-serve/live_streams.h"
#include "csm-serve/metrics.h"
#include "csm-serve/openai_error.h"
#include "csm-serve/request_handler.h"
#include "csm-serve/speech_request.h"
#include "csm/scheduler.h"

namespace csm::serve {

// The sampling knobs as the API names them (depth_* resolved: what the depth decoder uses).
nlohmann::json sampling_json(const SamplingParams& sampling);
// A chunk's metrics as SSE deltas and WebSocket audio.chunk events carry them (the
// knobs its frames were made with; codes and entropies when asked for).
nlohmann::json chunk_json(const AudioChunk& chunk, const SchedulerStats& stats, double queued_ms, bool include_codes);

class SpeechResponse : public StreamedBody {
 public:
  using Clock = std::chrono::steady_clock;
  struct Setup {
    std::shared_ptr<Stream> stream;
    std::shared_ptr<LiveStreams::Entry> live;  // its id is the response's X-CSM-Stream-Id
    std::unique_ptr<AudioEncoder> encoder;
    AudioFormat format = AudioFormat::Pcm;
    bool sse = false;
    bool include_codes = false;  // SSE: codes and entropies in each delta
    size_t input_chars = 0;
    std::string request_id;       // the client's X-Request-Id (or ours), echoed only
    Clock::time_point received;
    std::shared_ptr<void> inflight;  // a drain waits until this response is done
  };
  SpeechResponse(Setup setup, Scheduler& scheduler, Metrics& metrics);
  ~SpeechResponse() override;  // a response dropped unfinished cancels its stream

  Step head(Reply& head, bool now) override;
  Step next(std::string& out) override;
  void client_lost() override;

 private:
  enum class Phase { Holding, Streaming, Finished };
  Stream::Poll poll(AudioChunk& chunk, std::optional<ApiError>& failed);
  std::string encode(const AudioChunk& chunk);
  Step finish(std::string& out);
  nlohmann::json chunk_info(const AudioChunk& chunk);
  void add_sampling(nlohmann::json& info) const;
  void record_end(const std::string& stop);

  Setup s_;
  Scheduler& scheduler_;
  Metrics& metrics_;
  Phase phase_ = Phase::Holding;
  std::vector<AudioChunk> held_;
  bool saw_last_ = false, ended_ = false, recorded_ = false;
  std::string failure_;  // the error's JSON when the stream failed after audio started
  int chunk_index_ = 0;
  int64_t frames_ = 0;
  double first_audio_ms_ = -1;
};

}  // namespace csm::serve

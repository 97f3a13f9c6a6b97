#pragma once
// A WebSocket speech session (GET /v1/audio/speech/stream): text streamed in, speech
// streamed out before the text is complete. One session.start submits one stream whose
// text arrives with text.delta messages; the engine cuts it into pieces at sentence
// ends and speaks each as soon as it is whole, in one slot of the scheduler. Out go JSON
// events (session.started, piece.started, audio.chunk, piece.done, session.done, error)
// and the audio as binary messages. A bad message gets an error event and the session
// goes on; the socket closes after session.done.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "csm-serve/audio_encoder.h"
#include "csm-serve/live_streams.h"
#include "csm-serve/metrics.h"
#include "csm-serve/request_handler.h"
#include "csm-serve/socket_messages.h"
#include "csm/scheduler.h"

namespace csm::serve {

class SpeechSocket : public SocketSession {
 public:
  using Clock = std::chrono::steady_clock;
  // What a session.start becomes: its stream (text_streamed), registered for live control.
  struct Started {
    std::shared_ptr<Stream> stream;
    std::shared_ptr<LiveStreams::Entry> live;
    std::unique_ptr<AudioEncoder> encoder;
    int sample_rate = 0;
    std::shared_ptr<void> inflight;  // a drain waits until the session is done
  };
  struct Setup {
    // Looks up the voices and submits; throws ApiError or csm::Error (queue full, ...).
    std::function<Started(const ClientMessage&)> start;
    std::function<bool()> draining;
    std::shared_ptr<Scheduler> scheduler;  // its stats, for audio.chunk
    int sample_rate = 0;                   // the model's: the only one served
    Metrics* metrics = nullptr;
    SpeechLimits limits;
    std::string request_id;
    std::chrono::milliseconds idle{60000};  // no client message for this long: the text ends
  };
  explicit SpeechSocket(Setup setup);
  ~SpeechSocket() override;  // a session dropped unfinished cancels its stream

  void on_message(std::string data, bool binary) override;
  Step poll(std::vector<Message>& out, std::string& reason) override;
  void client_lost() override;

 private:
  void start(const ClientMessage& m);
  void end_text();
  void send(nlohmann::json event);
  void send_error(const ApiError& e);
  void take_chunk(AudioChunk& chunk);
  void finish(const std::optional<ApiError>& failed);
  double ms_since(Clock::time_point t) const;

  Setup s_;
  std::optional<Started> run_;
  std::vector<Message> outbox_;
  std::string close_reason_;
  bool closing_ = false, text_ended_ = false, finished_ = false;
  size_t text_chars_ = 0;
  int pieces_started_ = 0;
  int64_t frames_ = 0;
  Clock::time_point last_message_ = Clock::now();
  std::optional<Clock::time_point> first_text_;  // time to first audio counts from here
  double first_audio_ms_ = -1;
};

}  // namespace csm::serve

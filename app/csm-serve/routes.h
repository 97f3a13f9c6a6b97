#pragma once
// Every endpoint of csm-serve and what is checked once, before any handler, on
// the request's head alone: the route and its method, the API key, whether the
// model is loaded (or the server draining), and the body limit of that route.
// The handlers then see only requests that passed.
#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "csm-serve/audio_encoder.h"
#include "csm-serve/live_streams.h"
#include "csm-serve/metrics.h"
#include "csm-serve/request_handler.h"
#include "csm-serve/server_options.h"
#include "csm-serve/voices.h"
#include "csm/engine.h"
#include "csm/scheduler.h"

namespace csm::serve {

class Routes : public RequestHandler {
 public:
  // Runs a job that may block (an upload's encode) away from the I/O threads.
  using RunBlocking = std::function<void(std::function<void()>)>;
  Routes(ServerOptions options, Metrics& metrics, VoiceStore& voices, std::function<nlohmann::json()> machine,
         RunBlocking run_blocking, std::function<int()> open_connections);

  void set_model(std::shared_ptr<const Engine> engine, std::shared_ptr<Scheduler> scheduler);
  // /ready goes false, new speech requests get 503; returns once every accepted
  // stream has ended and every response and upload in flight is done.
  void drain();

  HeadVerdict on_head(const HttpHead& head, const Peer& peer) override;
  void on_request(HttpRequest request, const Peer& peer, std::function<void(Answer)> answer) override;
  void sent(const std::string& endpoint, int status) override { metrics_.request(endpoint, status); }
  bool closing() const override { return draining_.load(); }

 private:
  enum class Route { Health, Ready, Metrics, Models, Model, Voices, Voice, Info, Benchmark, Stream, StreamSampling, Speech, SpeechSocket, None };
  struct Target {
    Route route = Route::None;
    std::string path, name;  // name: the model, voice or stream id in the path
  };
  struct Loaded {  // one snapshot of the model under the lock
    std::shared_ptr<const Engine> engine;
    std::shared_ptr<Scheduler> scheduler;
  };
  static Target parse_target(std::string_view target);
  static const char* endpoint_of(Route route);
  bool needs_key(Route route) const;
  // The method this route takes, or an empty string when this one is fine.
  static std::string allowed_methods(Route route, boost::beast::http::verb method);
  std::optional<Loaded> loaded() const;
  bool ready() const { return loaded_.load() && !draining_.load(); }
  std::shared_ptr<void> count_in_flight();

  Reply handle(const HttpRequest& request, const Target& target, const std::string& request_id,
               std::function<void(Answer)>& answer, bool& answered);
  void speech(const HttpRequest& request, const std::string& request_id, std::function<void(Answer)>& answer);
  Answer speech_socket(const std::string& request_id);
  // A speech request's stream: its voices looked up, submitted, registered for live control.
  struct Submitted {
    std::shared_ptr<Stream> stream;
    std::shared_ptr<LiveStreams::Entry> live;
    std::unique_ptr<AudioEncoder> encoder;
    int sample_rate = 0;
    std::shared_ptr<void> inflight;
  };
  Submitted submit_speech(const SpeechRequest& request, bool text_streamed);
  void add_voice(HttpRequest request, const std::string& request_id, std::function<void(Answer)> answer);
  Reply stream_control(const HttpRequest& request, const Target& target);
  Reply metrics_reply() const;

  ServerOptions options_;
  Metrics& metrics_;
  VoiceStore& voices_;
  std::function<nlohmann::json()> machine_;
  RunBlocking run_blocking_;
  std::function<int()> open_connections_;
  LiveStreams live_;

  mutable std::mutex model_mutex_;
  std::shared_ptr<const Engine> engine_;
  std::shared_ptr<Scheduler> scheduler_;
  std::atomic<bool> loaded_{false}, draining_{false};

  std::atomic<int> uploads_{0};  // upload bodies being read or decoded now (each up to --max-upload-bytes)

  std::mutex inflight_mutex_;
  std::condition_variable inflight_cv_;
  int inflight_ = 0;  // speech responses and uploads not done yet
};

}  // namespace csm::serve

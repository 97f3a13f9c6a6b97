#pragma once
// The HTTP side of csm-serve (Boost.Beast, a thread per connection): routing,
// limits and timeouts, the streaming speech responses. The model is reached only
// through csm::Scheduler; a slow or gone client never holds the model thread up.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "csm-serve/metrics.h"
#include "csm-serve/speech_request.h"
#include "csm-serve/voices.h"
#include "csm/engine.h"
#include "csm/scheduler.h"

namespace csm::serve {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8000;                                 // 0: any free port (printed)
  std::string api_key;                             // non-empty: /v1/* needs "Authorization: Bearer KEY"
  size_t max_body_bytes = 64 * 1024;               // JSON bodies
  size_t max_upload_bytes = 16 * 1024 * 1024;      // voice clips (multipart)
  std::chrono::seconds read_timeout{30};           // a request's header and body
  std::chrono::seconds write_timeout{30};          // one write to the client; slower clients are cut
  std::chrono::seconds idle_timeout{60};           // keep-alive between requests
  int max_connections = 1024;
  SpeechLimits limits;
  int first_chunk_ms = 80, chunk_size_ms = 320;    // streaming granularity of every request
  std::string benchmark_report;                    // a csm-bench --json-out file for GET /v1/csm/benchmark
};

class HttpServer {
 public:
  // `machine` describes this machine for /v1/csm/info (asked afresh on every request).
  HttpServer(ServerOptions options, Metrics& metrics, VoiceStore& voices, std::function<nlohmann::json()> machine);
  ~HttpServer();  // stops accepting, closes every connection, waits for their threads
  // Binds and listens (throws csm::Error when the address is taken). Returns the port.
  int bind();
  // The model is loaded: speech requests are served from now on, /ready says so.
  void set_model(std::shared_ptr<const Engine> engine, std::shared_ptr<Scheduler> scheduler);
  // Accepts connections on a thread of its own (and a thread per connection)
  // until the server is destroyed.
  void start();
  // SIGTERM: /ready goes false, new speech requests get 503, every accepted
  // stream is finished. Returns once no request is in flight any more.
  void drain();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace csm::serve

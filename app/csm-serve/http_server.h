#pragma once
// csm-serve's HTTP server: a listener and its connections on a small pool of
// I/O threads (no thread per connection), the routes behind them, and a worker
// for the blocking jobs (an upload's encode). The model is reached only through
// a csm::Scheduler; a slow or gone client never holds the model thread up.
#include <functional>
#include <memory>

#include <nlohmann/json.hpp>

#include "csm-serve/metrics.h"
#include "csm-serve/server_options.h"
#include "csm-serve/voices.h"
#include "csm/engine.h"
#include "csm/scheduler.h"

namespace csm::serve {

class HttpServer {
 public:
  // `machine` describes this machine for /v1/csm/info (asked afresh on every request).
  HttpServer(ServerOptions options, Metrics& metrics, VoiceStore& voices, std::function<nlohmann::json()> machine);
  ~HttpServer();  // stops accepting, closes every connection, joins its threads
  // Binds and listens (throws csm::Error when the address is taken). Returns the port.
  int bind();
  // The model is loaded: speech requests are served from now on, /ready says so.
  void set_model(std::shared_ptr<const Engine> engine, std::shared_ptr<Scheduler> scheduler);
  // Starts the I/O threads; connections are served until the server is destroyed.
  void start();
  // SIGTERM: /ready goes false, new speech requests get 503, every accepted
  // stream is finished. Returns once no request is in flight any more.
  void drain();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace csm::serve

#pragma once
// What the server tells about itself: GET /v1/csm/info (the engine, the limits,
// what a client such as the studio may use here) and GET /v1/csm/benchmark.
#include <string>

#include <nlohmann/json.hpp>

#include "csm-serve/server_options.h"
#include "csm/engine.h"
#include "csm/scheduler.h"

namespace csm::serve {

struct ServerState {
  bool ready = false, draining = false, keeps_voices = false;
  const Engine* engine = nullptr;        // null while the model loads
  const Scheduler* scheduler = nullptr;  // likewise
  nlohmann::json machine;                // system_report(), or null
};

nlohmann::json server_info(const ServerOptions& options, const ServerState& state);

// The --benchmark-report file, read afresh. Throws ApiError 404 no_benchmark
// (with how to get one) when there is none or it is no JSON object.
nlohmann::json benchmark_report(const std::string& file);

}  // namespace csm::serve

#include "csm-serve/server_info.h"

#include <fstream>

#include "csm-serve/reply.h"

namespace csm::serve {

using nlohmann::json;

namespace {
constexpr char kBenchmarkHint[] = "start csm-serve with --benchmark-report FILE (a csm-bench --benchmark --json-out FILE report)";
}

json benchmark_report(const std::string& file) {
  if (file.empty()) throw not_found(std::string("this server has no benchmark report: ") + kBenchmarkHint, "no_benchmark");
  std::ifstream in(file);
  if (!in) throw not_found("the benchmark report " + file + " cannot be read; " + kBenchmarkHint, "no_benchmark");
  try {
    json report = json::parse(in);
    if (report.is_object()) return report;
  } catch (const json::exception&) {
  }
  throw not_found("the benchmark report " + file + " is not a JSON object; " + kBenchmarkHint, "no_benchmark");
}

json server_info(const ServerOptions& options, const ServerState& state) {
  bool benchmark = false;
  try {
    benchmark_report(options.benchmark_report);
    benchmark = true;
  } catch (const ApiError&) {
  }
  const int max_streams = state.scheduler ? state.scheduler->stats().max_streams : 0;
  // What a client (the studio) may use here, so it can offer only what works.
  const json server = {{"ready", state.ready},
                       {"draining", state.draining},
                       {"live_sampling", true},
                       // Issue #23's knobs: depth-decoder sampling, top-p, codebook depth, length guard.
                       {"research_knobs", true},
                       {"stream_ids", true},
                       {"context_voices", true},
                       {"max_context_voices", kMaxContextVoices},
                       {"max_speaker", kMaxSpeaker},
                       {"benchmark", benchmark},
                       {"max_streams", max_streams},
                       {"voices_dir", state.keeps_voices},
                       {"delete_voices", state.keeps_voices},
                       {"api_key", !options.api_key.empty()}};
  json out = {{"server", server}, {"machine", state.machine}};
  if (state.engine) {
    const auto& i = state.engine->info();
    out["engine"] = {{"model", i.model},
                     {"label", i.label},
                     {"demo", i.demo},
                     {"device", i.device},
                     {"dtype", i.dtype},
                     {"codec", i.codec},
                     {"parameters", i.parameters},
                     {"sample_rate", i.sample_rate},
                     {"samples_per_frame", i.samples_per_frame},
                     {"max_positions", i.max_positions},
                     {"num_codebooks", i.num_codebooks},
                     {"sdpa_backend", i.attention},
                     {"max_streams", max_streams}};
  } else {
    out["engine"] = nullptr;
  }
  out["limits"] = {{"max_input_chars", options.limits.max_input_chars},
                   {"max_audio_ms", options.limits.max_audio_ms},
                   {"max_body_bytes", options.max_body_bytes},
                   {"max_upload_bytes", options.max_upload_bytes},
                   {"header_timeout_s", options.header_timeout.count()},
                   {"read_timeout_s", options.read_timeout.count()},
                   {"write_timeout_s", options.write_timeout.count()},
                   {"idle_timeout_s", options.idle_timeout.count()}};
  return out;
}

}  // namespace csm::serve

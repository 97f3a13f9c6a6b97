#include "csm-bench/streaming_bench.h"

#include <algorithm>
#include <limits>
#include <cstdio>
#include <sstream>

#include "csm/engine.h"
#include "csm/error.h"

namespace csm::bench {
namespace {

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const double pos = p / 100.0 * (v.size() - 1);
  const size_t lo = static_cast<size_t>(pos), hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - lo);
}

nlohmann::json measure(const Engine& engine, const StreamingConfig& config, int streams) {
  std::vector<Request> requests;
  for (int s = 0; s < streams; ++s)
    requests.push_back({"Benchmarking streaming speech, stream " + std::to_string(s + 1) + ".", s % 2, {}});
  engine.scheduler().set_max_streams(streams);  // all of them at once: the batch measured
  auto session = engine.start(requests, config);
  std::vector<double> latencies;
  while (auto chunk = session->next())
    if (!chunk->codes.empty()) latencies.push_back(chunk->metrics.generate_ms + chunk->metrics.decode_ms);
  const RunSummary& s = session->summary();
  const double gib = 1024.0 * 1024.0 * 1024.0;
  return {{"chunk_size_ms", config.chunk_size_ms},
          {"first_chunk_ms", config.first_chunk_ms},
          {"frame_batch_size", config.frame_batch_size},
          {"cuda_graphs", s.cuda_graphs},
          {"cuda_graphs_note", s.cuda_graphs_note},
          {"stream_batch", streams},
          {"rtf", s.rtf},
          {"first_audio_ms", s.first_audio_ms},
          {"chunk_latency_p50_ms", percentile(latencies, 50)},
          {"chunk_latency_p90_ms", percentile(latencies, 90)},
          {"chunk_latency_p99_ms", percentile(latencies, 99)},
          {"realtime_streams", s.realtime_streams},
          {"peak_rss_gib", s.peak_rss_bytes / gib},
          {"peak_device_gib", s.peak_device_bytes / gib},
          {"wall_ms", s.wall_ms}};
}

// The settings that meet the RTF target with the lowest time to first audio;
// without any, the fastest run, said plainly.
nlohmann::json recommend(const nlohmann::json& rows, double target) {
  const nlohmann::json* best = nullptr;
  for (const auto& r : rows) {
    if (r["rtf"].get<double>() > target) continue;
    if (!best || r["first_audio_ms"].get<double>() < (*best)["first_audio_ms"].get<double>() ||
        (r["first_audio_ms"].get<double>() == (*best)["first_audio_ms"].get<double>() &&
         r["rtf"].get<double>() < (*best)["rtf"].get<double>()))
      best = &r;
  }
  if (best) return {{"meets_target", true}, {"rtf_target", target}, {"settings", *best}};
  for (const auto& r : rows)
    if (!best || r["rtf"].get<double>() < (*best)["rtf"].get<double>()) best = &r;
  return {{"meets_target", false},
          {"rtf_target", target},
          {"settings", best ? *best : nlohmann::json()},
          {"note", "no configuration reaches the RTF target on this machine; the fastest one is shown"}};
}

}  // namespace

std::vector<int> parse_int_list(const std::string& text, const std::string& flag) {
  std::vector<int> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    try {
      size_t used = 0;
      const int v = std::stoi(item, &used);
      if (used != item.size() || v < 1) throw std::invalid_argument(item);
      out.push_back(v);
    } catch (const std::exception&) {
      throw Error(ErrorCode::InvalidArgument, "--" + flag + " expects positive integers separated by commas, got \"" +
                                                  text + "\"");
    }
  }
  if (out.empty()) throw Error(ErrorCode::InvalidArgument, "--" + flag + " is empty");
  return out;
}

nlohmann::json run_sweep(const SweepOptions& o) {
  if (o.frames < 2) throw Error(ErrorCode::InvalidArgument, "--bench-frames must be at least 2");
  EngineOptions options{o.model, o.tokenizer, o.codec, o.device, o.dtype};
  options.attention = o.attention;
  const auto engine = Engine::load(options);
  const auto& info = engine->info();
  std::fprintf(stderr, "csm-bench: model %s on %s (%s)\n", info.label.c_str(), info.device.c_str(), info.dtype.c_str());
  StreamingConfig base;
  base.max_audio_ms = o.frames * StreamingConfig::kFrameMs;
  base.rtf_target = o.rtf_target;
  base.sampling.seed = 1;
  (void)measure(*engine, base, 1);  // warm-up: first-touch allocations, caches
  const std::vector<bool> graphs = info.cuda_graphs_available ? std::vector<bool>{true, false} : std::vector<bool>{false};
  nlohmann::json rows = nlohmann::json::array(), out_of_memory = nlohmann::json::array();
  // A batch that runs out of memory is the machine's answer, not the sweep's end:
  // it is reported, and no larger batch is tried.
  int too_many = std::numeric_limits<int>::max();
  for (int streams : o.stream_batches)
    for (bool graph : graphs)
      for (int chunk : o.chunk_sizes_ms)
        for (int batch : o.frame_batches) {
          if (streams >= too_many) continue;
          StreamingConfig c = base;
          c.chunk_size_ms = chunk;
          c.first_chunk_ms = StreamingConfig::kFrameMs;
          c.frame_batch_size = batch;
          c.enable_cuda_graphs = graph;
          c.validate();
          std::fprintf(stderr, "csm-bench: chunk %d ms, frame batch %d, %s, %d stream(s) ...\n", chunk, batch,
                       graph ? "graphs" : "no graphs", streams);
          try {
            rows.push_back(measure(*engine, c, streams));
          } catch (const Error& e) {
            if (e.code() != ErrorCode::OutOfMemory) throw;
            std::fprintf(stderr, "csm-bench: %d stream(s) ran out of memory; larger batches are skipped\n", streams);
            out_of_memory.push_back({{"stream_batch", streams}, {"chunk_size_ms", chunk}, {"frame_batch_size", batch},
                                     {"cuda_graphs", graph}, {"error", e.what()}});
            too_many = streams;
          }
        }
  if (rows.empty())
    throw Error(ErrorCode::OutOfMemory, "every configuration of the sweep ran out of memory",
                "try --stream-batches 1 and a smaller --bench-frames, or --dtype bfloat16");
  nlohmann::json single = nlohmann::json::array();
  for (const auto& r : rows)
    if (r["stream_batch"].get<int>() == 1) single.push_back(r);
  nlohmann::json best_throughput;
  for (const auto& r : rows)
    if (best_throughput.is_null() || r["realtime_streams"].get<double>() > best_throughput["realtime_streams"].get<double>())
      best_throughput = r;
  return {{"model", info.model},
          {"label", info.label},
          {"device", info.device},
          {"dtype", info.dtype},
          {"sdpa_backend", info.attention},
          {"frames_per_run", o.frames},
          {"runs", rows},
          {"out_of_memory", out_of_memory},
          {"recommended", recommend(single.empty() ? rows : single, o.rtf_target)},
          {"best_throughput", best_throughput}};
}

std::string sweep_csv(const nlohmann::json& report) {
  static const char* columns[] = {"stream_batch", "cuda_graphs", "chunk_size_ms", "first_chunk_ms", "frame_batch_size",
                                  "rtf", "first_audio_ms", "chunk_latency_p50_ms", "chunk_latency_p90_ms",
                                  "chunk_latency_p99_ms", "realtime_streams", "peak_rss_gib", "peak_device_gib",
                                  "wall_ms"};
  std::ostringstream out;
  for (size_t i = 0; i < std::size(columns); ++i) out << (i ? "," : "") << columns[i];
  out << "\n";
  for (const auto& r : report["runs"]) {
    for (size_t i = 0; i < std::size(columns); ++i) out << (i ? "," : "") << r[columns[i]].dump();
    out << "\n";
  }
  return out.str();
}

std::string sweep_table(const nlohmann::json& report) {
  std::ostringstream out;
  char line[256];
  std::snprintf(line, sizeof line, "%-7s %-6s %-6s %-6s %7s %9s %9s %9s %9s\n", "streams", "graphs", "chunk", "fbatch",
                "RTF", "first ms", "p50 ms", "p99 ms", "rt streams");
  out << line;
  for (const auto& r : report["runs"]) {
    std::snprintf(line, sizeof line, "%-7d %-6s %-6d %-6d %7.3f %9.1f %9.1f %9.1f %9.2f\n", r["stream_batch"].get<int>(),
                  r["cuda_graphs"].get<bool>() ? "on" : "off", r["chunk_size_ms"].get<int>(),
                  r["frame_batch_size"].get<int>(), r["rtf"].get<double>(), r["first_audio_ms"].get<double>(),
                  r["chunk_latency_p50_ms"].get<double>(), r["chunk_latency_p99_ms"].get<double>(),
                  r["realtime_streams"].get<double>());
    out << line;
  }
  for (const auto& f : report.value("out_of_memory", nlohmann::json::array())) {
    std::snprintf(line, sizeof line, "%-7d %-6s %-6d %-6d  out of memory\n", f["stream_batch"].get<int>(),
                  f["cuda_graphs"].get<bool>() ? "on" : "off", f["chunk_size_ms"].get<int>(),
                  f["frame_batch_size"].get<int>());
    out << line;
  }
  const auto& rec = report["recommended"];
  const auto& s = rec["settings"];
  if (!s.is_null()) {
    std::snprintf(line, sizeof line,
                  "\nRecommended%s: --chunk-size-ms %d --first-chunk-ms %d --frame-batch-size %d%s  "
                  "(RTF %.3f, first audio %.0f ms; target RTF %.2f)\n",
                  rec["meets_target"].get<bool>() ? "" : " (target not met; fastest shown)",
                  s["chunk_size_ms"].get<int>(), s["first_chunk_ms"].get<int>(), s["frame_batch_size"].get<int>(),
                  s["cuda_graphs"].get<bool>() ? "" : " --no-cuda-graphs", s["rtf"].get<double>(),
                  s["first_audio_ms"].get<double>(), rec["rtf_target"].get<double>());
    out << line;
  }
  const auto& t = report["best_throughput"];
  if (!t.is_null()) {
    std::snprintf(line, sizeof line, "Most throughput: %d streams at once -> %.2f real-time streams\n",
                  t["stream_batch"].get<int>(), t["realtime_streams"].get<double>());
    out << line;
  }
  return out.str();
}

}  // namespace csm::bench

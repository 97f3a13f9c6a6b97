#include "csm-stream/stream_run.h"

#include <unistd.h>

#include <algorithm>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include <nlohmann/json.hpp>

#include "common/context_flags.h"
#include "csm-stream/pulse_player.h"
#include "csm-stream/stdin_text.h"
#include "csm/audio_file.h"
#include "csm/codes_json.h"
#include "csm/engine.h"
#include "csm/error.h"

namespace csm::cli {
namespace {

// Ctrl-C: the first one cancels the run (within one frame), a second one kills as usual.
CancelToken* g_cancel = nullptr;
extern "C" void on_interrupt(int) {
  if (g_cancel) g_cancel->cancel();
  std::signal(SIGINT, SIG_DFL);
}

StreamingConfig streaming_config(const Args& args) {
  StreamingConfig c;
  c.chunk_size_ms = static_cast<int>(*args.integer("chunk-size-ms"));
  c.first_chunk_ms = static_cast<int>(*args.integer("first-chunk-ms"));
  c.frame_batch_size = static_cast<int>(*args.integer("frame-batch-size"));
  c.sampling.temperature = static_cast<float>(*args.number("temperature"));
  c.sampling.top_k = static_cast<int>(*args.integer("top-k"));
  c.sampling.top_p = static_cast<float>(*args.number("top-p"));
  if (args.has("depth-temperature")) c.sampling.depth_temperature = static_cast<float>(*args.number("depth-temperature"));
  if (args.has("depth-top-k")) {
    c.sampling.depth_top_k = static_cast<int>(*args.integer("depth-top-k"));
    if (c.sampling.depth_top_k < 0) throw Error(ErrorCode::InvalidArgument, "--depth-top-k must be >= 0");
  }
  if (args.has("depth-top-p")) c.sampling.depth_top_p = static_cast<float>(*args.number("depth-top-p"));
  if (args.has("depth-temperature") && c.sampling.depth_temperature < 0)
    throw Error(ErrorCode::InvalidArgument, "--depth-temperature must be >= 0");
  if (args.has("codebooks")) {
    c.codebooks = static_cast<int>(*args.integer("codebooks"));
    if (c.codebooks < 1) throw Error(ErrorCode::InvalidArgument, "--codebooks must be >= 1");
  }
  const std::string fill = args.get("codebook-fill");
  if (fill != "mask" && fill != "pad")
    throw Error(ErrorCode::InvalidArgument, "--codebook-fill is mask or pad, got \"" + fill + "\"");
  c.codebook_fill = fill == "pad" ? CodebookFill::Pad : CodebookFill::Mask;
  c.length_guard = *args.number("length-guard");
  const long long seed = *args.integer("seed");
  if (seed < 0) throw Error(ErrorCode::InvalidArgument, "--seed must be >= 0");
  c.sampling.seed = static_cast<uint64_t>(seed);
  c.max_audio_ms = static_cast<int>(args.has("max-frames") ? *args.integer("max-frames") * 80 : *args.integer("max-audio-ms"));
  c.enable_cuda_graphs = !args.has("no-cuda-graphs");
  c.rtf_target = *args.number("rtf-target");
  c.text_wait_ms = static_cast<int>(*args.integer("text-wait-ms"));
  if (c.first_chunk_ms > c.chunk_size_ms && !args.has("first-chunk-ms")) c.first_chunk_ms = c.chunk_size_ms;
  c.validate();
  return c;
}

std::vector<Segment> context_segments(const Args& args, const Engine& engine) {
  std::vector<Segment> context;
  for (const auto& flag : context_flags(args)) {
    AudioReadOptions read;
    read.target_rate = engine.info().sample_rate;
    context.push_back({flag.speaker, flag.text, engine.encode_audio(read_audio_mono(flag.path, read), read.target_rate)});
  }
  return context;
}

nlohmann::json metrics_line(const AudioChunk& c) {
  const auto& m = c.metrics;
  return {{"stream", c.stream},          {"first_frame", c.first_frame},   {"frames", c.codes.size()},
          {"samples", c.samples.size()}, {"last", c.last},                 {"generate_ms", m.generate_ms},
          {"decode_ms", m.decode_ms},    {"elapsed_ms", m.elapsed_ms},     {"rtf", m.rtf},
          {"first_audio_ms", m.first_audio_ms}, {"frames_per_s", m.frames_per_s}, {"rss_bytes", m.rss_bytes},
          {"device_bytes", m.device_bytes}};
}

struct StreamSinks {
  std::unique_ptr<WavWriter> wav;
  CodesFile codes;
};

// A run failed (out of memory, say): what it made stays on disk and is named;
// a file it never wrote to goes, rather than pose as a result.
void keep_what_was_made(std::vector<StreamSinks>& sinks, int sample_rate, const std::string& codes_out) {
  for (auto& sink : sinks) {
    if (!sink.wav) continue;
    const std::string path = sink.wav->path();
    const int64_t samples = sink.wav->frames_written();
    const double seconds = samples / double(sample_rate);
    try {
      sink.wav.reset();
      if (samples == 0) std::filesystem::remove(path);
      else std::fprintf(stderr, "csm-stream: kept what was made before the failure: %s (%.2f s)\n", path.c_str(), seconds);
    } catch (const std::exception&) {  // the error being reported matters more
    }
  }
  if (!codes_out.empty() && !sinks.empty() && !sinks.front().codes.frames.empty()) {
    try {
      write_codes_json(codes_out, sinks.front().codes);
    } catch (const Error&) {
    }
  }
}

// A progress bar on a terminal; otherwise one line per finished file.
std::function<void(const DownloadProgress&)> download_bar(bool live) {
  return [live](const DownloadProgress& p) {
    const double mib = 1024.0 * 1024.0;
    const bool done = p.total > 0 && p.done >= p.total;
    if (live) {
      const int percent = p.total > 0 ? static_cast<int>(100.0 * p.done / p.total) : 0;
      std::string bar(static_cast<size_t>(percent / 4), '#');
      bar.resize(25, '.');
      std::fprintf(stderr, "\rdownloading %d/%d %-28.28s [%s] %3d%% %8.1f MiB", p.file_index + 1, p.file_count,
                   p.file.c_str(), bar.c_str(), percent, p.done / mib);
      if (done) std::fprintf(stderr, "\n");
    } else if (done) {
      std::fprintf(stderr, "csm-stream: downloaded %s (%.1f MiB)\n", p.file.c_str(), p.total / mib);
    }
  };
}

}  // namespace

int run_stream(const Args& args, const std::vector<std::string>& texts) {
  const StreamingConfig config = streaming_config(args);
  const long long speaker = *args.integer("speaker");
  if (speaker < 0) throw Error(ErrorCode::InvalidArgument, "--speaker must be >= 0");
  const bool batch_mode = args.has("batch-file");
  if (batch_mode && (args.has("play") || args.has("out") || args.has("codes-out")))
    throw Error(ErrorCode::InvalidArgument, "csm-stream: with --batch-file, audio goes to --out-dir (no --play/--out/--codes-out)");
  const long long group = *args.integer("stream-batch");
  if (group < 1) throw Error(ErrorCode::InvalidArgument, "--stream-batch must be >= 1");

  EngineOptions options{args.get("model"), args.get("tokenizer"), args.get("codec"), args.get("device"), args.get("dtype"), {}};
  options.attention = args.get("sdpa");
  // The scheduler's slots: texts beyond them wait their turn. No more slots than texts:
  // every slot costs a row of work in every frame, live or not.
  options.max_streams = static_cast<int>(std::min<long long>(group, static_cast<long long>(texts.size())));
  options.smaller_run_hint = "try fewer streams at once (--stream-batch), shorter text, or a smaller dtype";
  options.download_progress = download_bar(isatty(STDERR_FILENO) && !args.has("quiet"));
  // Ctrl-C is ours from before the load (a slow load must not leave it to the default,
  // which kills the process without a word).
  CancelToken cancel;
  g_cancel = &cancel;
  std::signal(SIGINT, on_interrupt);
  const auto engine = Engine::load(options);
  if (cancel.cancelled()) {
    g_cancel = nullptr;
    std::signal(SIGINT, SIG_DFL);
    std::fprintf(stderr, "csm-stream: interrupted while loading the model; nothing was made\n");
    return 130;
  }
  const EngineInfo& info = engine->info();
  std::fprintf(stderr, "csm-stream: model: %s on %s (%s)\n", info.label.c_str(), info.device.c_str(), info.dtype.c_str());
  const auto context = context_segments(args, *engine);

  std::unique_ptr<PulsePlayer> player;
  if (args.has("play")) player = std::make_unique<PulsePlayer>(info.sample_rate);
  std::ofstream metrics;
  if (args.has("metrics-out")) {
    metrics.open(args.get("metrics-out"), std::ios::trunc);
    if (!metrics) throw Error(ErrorCode::Io, "cannot write " + args.get("metrics-out"));
  }
  if (batch_mode) std::filesystem::create_directories(args.get("out-dir"));
  const auto format = args.has("float") ? WavFormat::Float32 : WavFormat::Pcm16;
  const bool live = isatty(STDERR_FILENO) && !args.has("quiet");

  bool cancelled = false;
  double total_audio_ms = 0;
  std::vector<Request> requests;
  std::vector<StreamSinks> sinks(texts.size());
  const bool text_streamed = args.has("text-stdin-stream");
  for (size_t i = 0; i < texts.size(); ++i) {
    requests.push_back({texts[i], static_cast<int>(speaker), context, text_streamed});
    std::string path = args.get("out");
    if (batch_mode) {
      char name[32];
      std::snprintf(name, sizeof name, "%03zu.wav", i + 1);
      path = (std::filesystem::path(args.get("out-dir")) / name).string();
    }
    if (!path.empty()) sinks[i].wav = std::make_unique<WavWriter>(path, info.sample_rate, format);
  }
  std::unique_ptr<Session> session;
  std::unique_ptr<StdinTextPump> pump;
  int pieces_shown = 0;
  try {
    session = engine->start(std::move(requests), config, cancel);
    if (text_streamed) pump = std::make_unique<StdinTextPump>(session->stream(0));
    while (auto chunk = session->next()) {
      auto& sink = sinks[static_cast<size_t>(chunk->stream)];
      if (text_streamed && !args.has("quiet") && chunk->piece >= pieces_shown) {
        const auto pieces = session->stream(0).pieces();
        for (; pieces_shown <= chunk->piece && pieces_shown < static_cast<int>(pieces.size()); ++pieces_shown)
          std::fprintf(stderr, "%scsm-stream: piece %d: %s\n", live ? "\n" : "", pieces_shown + 1,
                       pieces[static_cast<size_t>(pieces_shown)].c_str());
      }
      if (sink.wav) sink.wav->write(chunk->samples);
      if (player) player->play(chunk->samples);
      sink.codes.frames.insert(sink.codes.frames.end(), chunk->codes.begin(), chunk->codes.end());
      if (metrics.is_open()) metrics << metrics_line(*chunk).dump() << "\n" << std::flush;
      if (live) {
        const auto& m = chunk->metrics;
        std::fprintf(stderr, "\r  audio %6.2f s | RTF %5.2f | first audio %6.0f ms | %5.1f frames/s   ",
                     (chunk->first_frame + chunk->codes.size()) * 0.08, m.rtf, m.first_audio_ms, m.frames_per_s);
      }
    }
  } catch (const Error&) {
    pump.reset();
    if (live) std::fprintf(stderr, "\n");
    keep_what_was_made(sinks, info.sample_rate, args.has("codes-out") ? args.get("codes-out") : std::string());
    throw;
  }
  pump.reset();
  if (live) std::fprintf(stderr, "\n");
  const RunSummary& summary = session->summary();
  for (size_t i = 0; i < sinks.size(); ++i) {
    if (sinks[i].wav) sinks[i].wav->close();
    const auto& s = summary.streams[i];
    total_audio_ms += s.audio_ms;
    cancelled = cancelled || s.stop == StopReason::Cancelled;
    std::fprintf(stderr, "csm-stream: %s%.2f s of audio in %zu frames (%s), RTF %.2f, first audio %.0f ms\n",
                 batch_mode ? ("text " + std::to_string(i + 1) + ": ").c_str() : "", s.audio_ms / 1000.0,
                 static_cast<size_t>(s.frames), to_string(s.stop), summary.rtf, summary.first_audio_ms);
  }
  if (args.has("codes-out")) write_codes_json(args.get("codes-out"), sinks.front().codes);
  if (player) {
    if (cancelled) player->stop();
    player->finish();
  }
  g_cancel = nullptr;
  std::signal(SIGINT, SIG_DFL);
  if (cancelled) {
    std::fprintf(stderr, "csm-stream: interrupted; what was made (%.2f s) is kept%s%s\n", total_audio_ms / 1000.0,
                 args.has("out") ? " in " : "", args.get("out").c_str());
    return 130;
  }
  return 0;
}

}  // namespace csm::cli

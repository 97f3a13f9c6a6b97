// csm-serve: an OpenAI-compatible streaming speech server (POST /v1/audio/speech)
// in front of one CSM engine. SIGTERM drains: /ready goes false, new speech
// requests get 503, every accepted stream is finished, then exit 0.
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "common/cli_args.h"
#include "common/system_report.h"
#include "csm-serve/api_key.h"
#include "csm-serve/http_server.h"
#include "csm/error.h"
#include "csm/scheduler.h"

namespace {

using csm::Error;
using csm::ErrorCode;

int g_signal_pipe[2] = {-1, -1};
extern "C" void on_signal(int sig) {
  const unsigned char byte = static_cast<unsigned char>(sig);
  [[maybe_unused]] const ssize_t n = write(g_signal_pipe[1], &byte, 1);
}

int positive(const csm::cli::Args& args, const char* name, long long lo, long long hi) {
  const auto v = args.integer(name);
  if (!v || *v < lo || *v > hi)
    throw Error(ErrorCode::InvalidArgument,
                std::string("--") + name + " must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return static_cast<int>(*v);
}

int serve_main(int argc, char** argv) {
  csm::cli::Args args(
      "csm-serve",
      "An OpenAI-compatible streaming speech server: POST /v1/audio/speech (wav, pcm, flac, opus, mp3;\n"
      "stream_format audio or sse; CSM extras temperature, top_k, seed, max_audio_ms, speaker,\n"
      "context), GET /v1/audio/speech/stream (a WebSocket: text streamed in, speech out as each\n"
      "sentence completes), GET /v1/models, GET/POST /v1/audio/voices, GET /v1/csm/info, GET /v1/csm/benchmark,\n"
      "DELETE /v1/audio/voices/{name}, POST /v1/csm/streams/{stream_id}/sampling (temperature/top_k\n"
      "of a running stream, by the X-CSM-Stream-Id its speech response carries), DELETE\n"
      "/v1/csm/streams/{stream_id} (cancel it), /health, /ready, /metrics (Prometheus; behind the key\n"
      "unless --metrics-public). Binds to loopback unless --host says otherwise: from a laptop, tunnel\n"
      "to it (ssh -N -L 8000:localhost:8000 gpu-box), or put nginx with TLS in front (docs/remote-serve.md).\n"
      "SIGTERM: /ready goes false, new requests get 503, accepted streams finish, exit 0; a second\n"
      "SIGTERM or Ctrl-C during the drain exits at once (status 1).",
      {{"model", "DIR", "model folder, HF cache folder, hub id, demo, or random:csm-1b"},
       {"tokenizer", "FILE", "tokenizer.json when the model folder has none"},
       {"codec", "PATH", "Mimi weights when the model folder has none"},
       {"device", "DEV", "cpu or cuda", "cpu"},
       {"dtype", "TYPE", "auto, float32, bfloat16, float16", "auto"},
       {"sdpa", "NAME", "attention kernels: auto (any but cuDNN's), cudnn, flash, efficient or math (default: $CSM_SDPA, else auto)"},
       {"host", "ADDR", "address to listen on (0.0.0.0 for every interface)", "127.0.0.1"},
       {"port", "N", "TCP port (0: any free port, printed)", "8000"},
       {"max-streams", "N", "streams generated at once", "8"},
       {"voice-cache-mb", "MB", "voices' prompt keys and values kept ready, so a cloned voice is not prefilled again (0: off; default 256 on cuda, 64 on cpu)"},
       {"max-queue", "N", "accepted requests waiting for a stream slot; beyond that 429", "64"},
       {"voices", "DIR", "where cloned voices are kept (POST /v1/audio/voices); none: built-in voices only"},
       {"api-key", "KEY", "require Authorization: Bearer KEY on /v1/* (visible in ps: prefer --api-key-file)"},
       {"api-key-file", "FILE", "the key from FILE's first line (else --api-key, else $CSM_SERVE_API_KEY)"},
       {"metrics-public", "", "serve /metrics without the key (for a scraper on a trusted network)"},
       {"max-voices", "N", "cloned voices kept at most (DELETE /v1/audio/voices/{name} frees one)", "256"},
       {"benchmark-report", "FILE", "a csm-bench --benchmark --json-out report, served at GET /v1/csm/benchmark"},
       {"max-input-chars", "N", "longest input text, in characters", "4096"},
       {"max-audio-ms", "MS", "most audio per request (and the default)", "90000"},
       {"chunk-size-ms", "MS", "audio per streamed chunk, a multiple of 80", "320"},
       {"first-chunk-ms", "MS", "the first chunk, smaller for earlier first audio", "80"},
       {"max-body-bytes", "N", "largest JSON body", "65536"},
       {"max-upload-bytes", "N", "largest voice upload (multipart body)", "16777216"},
       {"header-timeout-s", "S", "time to send a request's head (from connecting, or a later request's first byte); trickling does not extend it", "10"},
       {"read-timeout-s", "S", "time to send a request's body", "30"},
       {"write-timeout-s", "S", "time for one write to the client; a slower client is cut", "30"},
       {"idle-timeout-s", "S", "keep-alive connections idle longer are closed", "60"},
       {"max-connections", "N", "open connections at most; beyond, a small reserve answers /health and /ready only", "1024"},
       {"max-connections-per-ip", "N", "open connections from one address (at most 3/4 of --max-connections)", "256"},
       {"io-threads", "N", "threads that serve every connection (none per connection)", "2"}});
  if (!args.parse(argc, argv)) return 0;
  args.expect_no_positional();

  csm::serve::ServerOptions options;
  options.host = args.get("host");
  options.port = positive(args, "port", 0, 65535);
  if (args.has("api-key-file")) options.api_key = csm::serve::read_api_key_file(args.get("api-key-file"));
  else if (args.has("api-key")) options.api_key = args.get("api-key");
  else if (const char* env = std::getenv("CSM_SERVE_API_KEY")) options.api_key = env;
  options.metrics_public = args.has("metrics-public");
  options.benchmark_report = args.get("benchmark-report");  // read at request time: a rerun of the bench shows
  options.limits.max_input_chars = static_cast<size_t>(positive(args, "max-input-chars", 1, 1 << 20));
  options.limits.max_audio_ms = positive(args, "max-audio-ms", 80, 3600 * 1000);
  options.chunk_size_ms = positive(args, "chunk-size-ms", 80, 60000);
  options.first_chunk_ms = positive(args, "first-chunk-ms", 80, 60000);
  options.max_body_bytes = static_cast<size_t>(positive(args, "max-body-bytes", 1024, 1 << 30));
  options.max_upload_bytes = static_cast<size_t>(positive(args, "max-upload-bytes", 1024, 1 << 30));
  options.header_timeout = std::chrono::seconds(positive(args, "header-timeout-s", 1, 3600));
  options.read_timeout = std::chrono::seconds(positive(args, "read-timeout-s", 1, 3600));
  options.write_timeout = std::chrono::seconds(positive(args, "write-timeout-s", 1, 3600));
  options.idle_timeout = std::chrono::seconds(positive(args, "idle-timeout-s", 1, 3600));
  options.max_connections = positive(args, "max-connections", 1, 1 << 20);
  options.max_connections_per_ip = positive(args, "max-connections-per-ip", 1, 1 << 20);
  options.io_threads = positive(args, "io-threads", 1, 64);
  const int max_voices = positive(args, "max-voices", 0, 1 << 20);
  const int max_streams = static_cast<int>(positive(args, "max-streams", 1, 4096));
  const int max_queue = static_cast<int>(positive(args, "max-queue", 0, 1 << 20));
  csm::StreamingConfig probe;
  probe.chunk_size_ms = options.chunk_size_ms;
  probe.first_chunk_ms = options.first_chunk_ms;
  probe.validate();

  // SIGTERM/SIGINT: whichever thread the kernel picks (LibTorch starts threads of
  // its own), the handler only writes to a pipe; the drain runs on its own thread.
  if (pipe(g_signal_pipe) != 0) throw Error(ErrorCode::Io, "cannot create the signal pipe");
  struct sigaction action {};
  action.sa_handler = on_signal;
  action.sa_flags = SA_RESTART;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  // Every connection is a descriptor: take all the hard limit allows (the soft one is often 1024).
  if (rlimit files{}; getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }

  csm::serve::Metrics metrics;
  csm::serve::VoiceStore voices(args.get("voices"), static_cast<size_t>(max_voices));
  csm::serve::HttpServer server(options, metrics, voices, [] { return csm::cli::system_report(); });
  const int port = server.bind();
  std::fprintf(stderr, "csm-serve: listening on http://%s:%d\n", options.host.c_str(), port);
  server.start();  // /health answers while the model loads

  std::thread([&server] {
    unsigned char sig = 0;
    while (read(g_signal_pipe[0], &sig, 1) != 1) {
    }
    std::fprintf(stderr, "csm-serve: %s: draining (no new requests; finishing the accepted ones; again to exit now)\n",
                 sig == SIGTERM ? "SIGTERM" : "SIGINT");
    // A second signal during the drain: the operator wants out now.
    std::thread([] {
      unsigned char again = 0;
      while (read(g_signal_pipe[0], &again, 1) != 1) {
      }
      std::fprintf(stderr, "csm-serve: %s again: exiting without finishing the drain\n", again == SIGTERM ? "SIGTERM" : "SIGINT");
      std::fflush(stderr);
      std::_Exit(1);
    }).detach();
    server.drain();
    std::fprintf(stderr, "csm-serve: drained, exiting\n");
    std::fflush(stderr);
    std::_Exit(0);
  }).detach();

  csm::EngineOptions engine_options{args.get("model"), args.get("tokenizer"), args.get("codec"), args.get("device"),
                                    args.get("dtype"), {}};
  engine_options.attention = args.get("sdpa");
  engine_options.max_streams = max_streams;
  if (args.has("voice-cache-mb")) engine_options.voice_cache_mb = static_cast<int>(positive(args, "voice-cache-mb", 0, 1 << 20));
  engine_options.max_queue = max_queue;
  engine_options.smaller_run_hint = "try fewer streams at once (--max-streams), or shorter text";
  auto engine = csm::Engine::load(engine_options);
  // The engine's own scheduler, kept alive with the engine.
  std::shared_ptr<csm::Scheduler> scheduler(engine, &engine->scheduler());
  server.set_model(engine, scheduler);
  std::fprintf(stderr, "csm-serve: ready: %s on %s (%s), %d streams at once, queue %d\n", engine->info().label.c_str(),
               engine->info().device.c_str(), engine->info().dtype.c_str(), max_streams, max_queue);
  for (;;) std::this_thread::sleep_for(std::chrono::hours(1));  // the signal thread ends the process
}

}  // namespace

int main(int argc, char** argv) { return csm::cli::run_main("csm-serve", serve_main, argc, argv); }

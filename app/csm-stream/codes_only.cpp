#include "csm-stream/codes_only.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "common/context_flags.h"
#include "csm/audio_file.h"
#include "csm/codec.h"
#include "csm/codes_json.h"
#include "csm/error.h"
#include "csm/model.h"

namespace csm::cli {
namespace {

// --context clips encoded by the model's Mimi (found beside it, or --codec).
std::vector<Segment> context(const Args& args, const Model& model) {
  const auto flags = context_flags(args);
  if (flags.empty()) return {};
  CodecOptions options;
  options.model = model.info().path;
  options.codec = args.get("codec");
  const auto codec = Codec::load(options);
  std::vector<Segment> segments;
  for (const auto& flag : flags) {
    AudioReadOptions read;
    read.target_rate = codec->sample_rate();
    segments.push_back({flag.speaker, flag.text, codec->encode(read_audio_mono(flag.path, read))});
  }
  return segments;
}

}  // namespace

int run_codes_only(const Args& args, const std::string& text) {
  SamplingParams sampling;
  sampling.temperature = static_cast<float>(*args.number("temperature"));
  sampling.top_k = static_cast<int>(*args.integer("top-k"));
  sampling.seed = static_cast<uint64_t>(*args.integer("seed"));
  const long long max_frames =
      args.has("max-frames") ? *args.integer("max-frames") : *args.integer("max-audio-ms") / 80;
  if (max_frames < 1) throw Error(ErrorCode::InvalidArgument, "--max-frames must be at least 1");
  ModelOptions options;
  options.model = args.get("model");
  options.tokenizer = args.get("tokenizer");
  options.device = args.get("device");
  options.attention = args.get("sdpa");
  options.dtype = args.get("dtype");
  if (options.model.empty())
    throw Error(ErrorCode::InvalidArgument, "csm-stream: --codes-out alone needs --model DIR",
                "add --out speech.wav to run the built-in demo model");
  const auto model = Model::load(options);
  auto stream = model->start(context(args, *model), {static_cast<int>(*args.integer("speaker")), text, {}}, sampling, max_frames);
  const bool live = isatty(STDERR_FILENO);
  CodesFile codes;
  const auto t0 = std::chrono::steady_clock::now();
  while (auto frame = stream->next()) {
    if (codes.frames.empty()) codes.first_logits = stream->last_c0_logits();
    codes.frames.push_back(std::move(*frame));
    if (live)
      std::fprintf(stderr, "\rframe %zu/%lld  audio %.2f s  elapsed %.1f s", codes.frames.size(), max_frames,
                   codes.frames.size() * 0.08,
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  if (codes.frames.empty()) codes.first_logits = stream->last_c0_logits();
  if (live) std::fprintf(stderr, "\n");
  write_codes_json(args.get("codes-out"), codes);
  std::fprintf(stderr, "csm-stream: %zu frames (%s), codes: %s\n", codes.frames.size(),
               codes.frames.size() < static_cast<size_t>(max_frames) ? "end_of_speech" : "max_length",
               args.get("codes-out").c_str());
  return 0;
}

}  // namespace csm::cli

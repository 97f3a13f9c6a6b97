#include "csm-bench/codec_bench.h"

#include <chrono>
#include <cstdio>
#include <random>

#include "csm/codec.h"
#include "csm/error.h"

namespace csm::bench {
namespace {
using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }
}  // namespace

nlohmann::json codec_report(const std::string& model, const std::string& codec_path, int frames) {
  if (frames < 2) throw Error(ErrorCode::InvalidArgument, "csm-bench: the Mimi benchmark needs --frames >= 2");
  CodecOptions options;
  options.model = model;
  options.codec = codec_path;
  auto t0 = Clock::now();
  const auto codec = Codec::load(options);
  const double load_ms = ms_since(t0);
  std::mt19937 rng(1234);
  std::uniform_int_distribution<int32_t> code(0, codec->codebook_size() - 1);
  Frames codes(static_cast<size_t>(frames), std::vector<int32_t>(static_cast<size_t>(codec->num_codebooks())));
  for (auto& f : codes)
    for (auto& c : f) c = code(rng);

  auto stream = codec->stream();
  (void)stream->decode({codes[0]});  // warm-up frame, untimed
  t0 = Clock::now();
  for (int i = 1; i < frames; ++i) (void)stream->decode({codes[static_cast<size_t>(i)]});
  const double stream_ms = ms_since(t0) / (frames - 1);
  t0 = Clock::now();
  (void)codec->decode(codes);
  const double batch_ms = ms_since(t0) / frames;
  const double frame_ms = 1000.0 * codec->samples_per_frame() / codec->sample_rate();
  return {{"codec", codec->source()},
          {"codec_load_ms", load_ms},
          {"mimi_frames", frames},
          {"mimi_stream_decode_ms_per_frame", stream_ms},
          {"mimi_stream_decode_rtf", stream_ms / frame_ms},
          {"mimi_one_call_decode_ms_per_frame", batch_ms}};
}

}  // namespace csm::bench

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

// Streaming decode of `count` streams together, a frame of each per call: ms per stream-frame.
double batched_stream_ms(const Codec& codec, const Frames& codes, int count) {
  auto streams = codec.streams(count);
  const auto step = [&](size_t i) { (void)streams->decode(std::vector<Frames>(static_cast<size_t>(count), {codes[i]})); };
  step(0);  // warm-up frame, untimed
  const auto t0 = Clock::now();
  for (size_t i = 1; i < codes.size(); ++i) step(i);
  return ms_since(t0) / (double(codes.size() - 1) * count);
}

nlohmann::json codec_report(const std::string& model, const std::string& codec_path, int frames,
                            const std::string& device, const std::vector<int>& stream_counts) {
  if (frames < 2) throw Error(ErrorCode::InvalidArgument, "csm-bench: the Mimi benchmark needs --frames >= 2");
  CodecOptions options;
  options.model = model;
  options.codec = codec_path;
  options.device = device;
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
  nlohmann::json batched = nlohmann::json::array();
  for (int count : stream_counts) {
    std::fprintf(stderr, "csm-bench: Mimi, %d streams decoded together ...\n", count);
    const double ms = batched_stream_ms(*codec, codes, count);
    batched.push_back({{"streams", count}, {"ms_per_stream_frame", ms}, {"realtime_streams", frame_ms / ms}});
  }
  return {{"codec", codec->source()},
          {"codec_device", device},
          {"codec_load_ms", load_ms},
          {"mimi_frames", frames},
          {"mimi_stream_decode_ms_per_frame", stream_ms},
          {"mimi_stream_decode_rtf", stream_ms / frame_ms},
          {"mimi_one_call_decode_ms_per_frame", batch_ms},
          {"mimi_batched_streams", batched}};
}

}  // namespace csm::bench

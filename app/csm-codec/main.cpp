// csm-codec: audio -> Mimi codes (encode) and codes -> audio (decode, optionally streamed in chunks).
#include <cstdio>
#include <string>

#include "common/cli_args.h"
#include "csm/audio_file.h"
#include "csm/codec.h"
#include "csm/codes_json.h"
#include "csm/error.h"

namespace {

using csm::Error;
using csm::ErrorCode;

const char* kSummary =
    "Mimi codec tool.\n"
    "  csm-codec encode IN.wav --model DIR --codes-out codes.json\n"
    "  csm-codec decode codes.json --model DIR --out out.wav [--chunk-frames N] [--float]\n"
    "Codes JSON: {\"frames\": [[c0..cK], ...]} (T rows of C codes), as csm-stream --codes-out writes.";

std::shared_ptr<const csm::Codec> load_codec(const csm::cli::Args& args) {
  csm::CodecOptions options;
  options.model = args.get("model");
  options.codec = args.get("codec");
  if (options.model.empty() && options.codec.empty())
    throw Error(ErrorCode::InvalidArgument, "csm-codec: give --model DIR or --codec PATH");
  return csm::Codec::load(options);
}

int encode(const csm::cli::Args& args, const std::string& input) {
  if (!args.has("codes-out")) throw Error(ErrorCode::InvalidArgument, "csm-codec encode: --codes-out FILE is required");
  const auto codec = load_codec(args);
  csm::AudioReadOptions read;
  read.target_rate = codec->sample_rate();
  const auto samples = csm::read_audio_mono(input, read);
  csm::CodesFile codes;
  codes.frames = codec->encode(samples);
  csm::write_codes_json(args.get("codes-out"), codes);
  std::fprintf(stderr, "csm-codec: %zu frames (%.2f s) written to %s\n", codes.frames.size(),
               double(samples.size()) / codec->sample_rate(), args.get("codes-out").c_str());
  return 0;
}

int decode(const csm::cli::Args& args, const std::string& input) {
  if (!args.has("out")) throw Error(ErrorCode::InvalidArgument, "csm-codec decode: --out FILE is required");
  const auto codes = csm::read_codes_json(input);
  if (codes.frames.empty()) throw Error(ErrorCode::InvalidArgument, input + " holds no frames");
  const auto codec = load_codec(args);
  const long long chunk = args.has("chunk-frames") ? *args.integer("chunk-frames") : 0;
  if (args.has("chunk-frames") && chunk < 1) throw Error(ErrorCode::InvalidArgument, "--chunk-frames must be >= 1");
  csm::WavWriter wav(args.get("out"), codec->sample_rate(),
                     args.has("float") ? csm::WavFormat::Float32 : csm::WavFormat::Pcm16);
  if (chunk == 0) {
    wav.write(codec->decode(codes.frames));
  } else {
    auto stream = codec->stream();
    for (size_t t = 0; t < codes.frames.size(); t += static_cast<size_t>(chunk)) {
      const size_t end = std::min(codes.frames.size(), t + static_cast<size_t>(chunk));
      wav.write(stream->decode(csm::Frames(codes.frames.begin() + t, codes.frames.begin() + end)));
    }
  }
  wav.close();
  std::fprintf(stderr, "csm-codec: %zu frames -> %lld samples written to %s\n", codes.frames.size(),
               static_cast<long long>(wav.frames_written()), args.get("out").c_str());
  return 0;
}

int codec_main(int argc, char** argv) {
  csm::cli::Args args("csm-codec", kSummary,
                      {{"model", "DIR", "CSM model folder whose Mimi to use"},
                       {"codec", "PATH", "Mimi weights (file or folder) instead of the model's"},
                       {"codes-out", "FILE", "encode: where to write the codes JSON"},
                       {"out", "FILE", "decode: where to write the WAV"},
                       {"chunk-frames", "N", "decode: stream N frames at a time"},
                       {"float", "", "decode: write 32-bit float WAV instead of 16-bit PCM"}});
  if (!args.parse(argc, argv)) return 0;
  const auto& pos = args.positional();
  if (pos.size() != 2 || (pos[0] != "encode" && pos[0] != "decode"))
    throw Error(ErrorCode::InvalidArgument, "csm-codec: expected `encode IN` or `decode CODES.json`",
                "see csm-codec --help");
  return pos[0] == "encode" ? encode(args, pos[1]) : decode(args, pos[1]);
}

}  // namespace

int main(int argc, char** argv) { return csm::cli::run_main("csm-codec", codec_main, argc, argv); }

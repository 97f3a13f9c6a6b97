// csm-stream: text to CSM codes (and, as the codec lands, to audio), frame by frame.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>

#include "common/cli_args.h"
#include "csm/audio_file.h"
#include "csm/codec.h"
#include "csm/codes_json.h"
#include "csm/error.h"
#include "csm/model.h"

namespace {

using csm::Error;
using csm::ErrorCode;

std::string read_text(const csm::cli::Args& args) {
  if (args.has("text") && args.has("text-file"))
    throw Error(ErrorCode::InvalidArgument, "csm-stream: give --text or --text-file, not both");
  std::string text;
  if (args.has("text")) {
    text = args.get("text");
  } else if (args.has("text-file")) {
    std::ifstream in(args.get("text-file"), std::ios::binary);
    if (!in) throw Error(ErrorCode::Io, "cannot read text file " + args.get("text-file"));
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } else if (!isatty(STDIN_FILENO)) {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.find_first_not_of(" \t\r\n") == std::string::npos)
    throw Error(ErrorCode::InvalidArgument, "csm-stream: there is no text to speak",
                "pass --text \"...\", --text-file FILE, or pipe text on stdin");
  return text;
}

std::shared_ptr<const csm::Codec> load_codec(const csm::cli::Args& args, const csm::Model& model) {
  csm::CodecOptions options;
  options.model = model.info().path.empty() ? model.info().name : model.info().path;
  options.codec = args.get("codec");
  auto codec = csm::Codec::load(options);
  if (codec->num_codebooks() != model.info().num_codebooks)
    throw Error(ErrorCode::BadModelFile, "the codec has " + std::to_string(codec->num_codebooks()) +
                                             " codebooks but the model generates " +
                                             std::to_string(model.info().num_codebooks),
                "use the Mimi that belongs to this model");
  return codec;
}

// Each --context clip with its transcript and speaker, encoded to codes by Mimi.
std::vector<csm::Segment> read_context(const csm::cli::Args& args, const csm::Codec* codec) {
  const auto clips = args.all("context"), texts = args.all("context-text"), speakers = args.all("context-speaker");
  if (texts.size() != clips.size())
    throw Error(ErrorCode::InvalidArgument, "csm-stream: " + std::to_string(clips.size()) + " --context clips but " +
                                                std::to_string(texts.size()) + " --context-text transcripts",
                "give one --context-text per --context clip, in the same order");
  if (!speakers.empty() && speakers.size() != clips.size())
    throw Error(ErrorCode::InvalidArgument, "csm-stream: give one --context-speaker per --context clip, or none");
  std::vector<csm::Segment> context;
  for (size_t i = 0; i < clips.size(); ++i) {
    csm::Segment segment;
    segment.text = texts[i];
    if (!speakers.empty()) {
      try {
        segment.speaker = std::stoi(speakers[i]);
      } catch (const std::exception&) {
        throw Error(ErrorCode::InvalidArgument, "--context-speaker expects an integer, got \"" + speakers[i] + "\"");
      }
    }
    csm::AudioReadOptions read;
    read.target_rate = codec->sample_rate();
    segment.audio_frames = codec->encode(csm::read_audio_mono(clips[i], read));
    context.push_back(std::move(segment));
  }
  return context;
}

int stream_main(int argc, char** argv) {
  csm::cli::Args args(
      "csm-stream", "Text to speech with CSM, generated frame by frame.",
      {{"model", "DIR", "model folder, HF cache folder, or random:csm-1b"},
       {"tokenizer", "FILE", "tokenizer.json when the model folder has none"},
       {"text", "TEXT", "what to say"},
       {"text-file", "FILE", "read the text from a file (stdin is read when neither is given)"},
       {"speaker", "N", "speaker id", "0"},
       {"temperature", "T", "sampling temperature; 0 = greedy", "0.9"},
       {"topk", "K", "top-k sampling cut-off", "50"},
       {"seed", "N", "random seed", "0"},
       {"max-frames", "N", "at most this many 80 ms frames", "125"},
       {"device", "DEV", "cpu or cuda", "cpu"},
       {"dtype", "TYPE", "auto, float32, bfloat16, float16", "auto"},
       {"codes-out", "FILE", "write the frames as JSON {\"frames\": [[c0..cK], ...], \"first_logits\": [...]}"},
       {"out", "FILE", "write the speech as a WAV file, decoded frame by frame as it is generated"},
       {"float", "", "write 32-bit float WAV instead of 16-bit PCM"},
       {"codec", "PATH", "Mimi weights when the model folder has none"},
       {"context", "WAV", "a voice clip to continue from (any format/rate libsndfile reads)", "", true},
       {"context-text", "TEXT", "transcript of the matching --context clip", "", true},
       {"context-speaker", "N", "speaker id of the matching --context clip (default 0)", "", true}});
  if (!args.parse(argc, argv)) return 0;
  if (!args.has("model"))
    throw Error(ErrorCode::InvalidArgument, "csm-stream: --model is required for now",
                "pass a CSM model folder (the built-in demo model arrives with the streaming generator)");
  if (!args.has("codes-out") && !args.has("out"))
    throw Error(ErrorCode::InvalidArgument, "csm-stream: nothing to write", "pass --out speech.wav and/or --codes-out codes.json");
  const std::string text = read_text(args);
  csm::SamplingParams sampling;
  sampling.temperature = static_cast<float>(*args.number("temperature"));
  sampling.top_k = static_cast<int>(*args.integer("topk"));
  sampling.seed = static_cast<uint64_t>(*args.integer("seed"));
  if (sampling.temperature < 0) throw Error(ErrorCode::InvalidArgument, "--temperature must be >= 0");
  const long long speaker = *args.integer("speaker"), max_frames = *args.integer("max-frames");
  if (speaker < 0) throw Error(ErrorCode::InvalidArgument, "--speaker must be >= 0");
  if (max_frames < 1) throw Error(ErrorCode::InvalidArgument, "--max-frames must be at least 1");

  csm::ModelOptions options;
  options.model = args.get("model");
  options.tokenizer = args.get("tokenizer");
  options.device = args.get("device");
  options.dtype = args.get("dtype");
  const auto model = csm::Model::load(options);
  std::shared_ptr<const csm::Codec> codec;
  if (args.has("out") || args.has("context")) codec = load_codec(args, *model);
  const auto context = read_context(args, codec.get());
  const bool live = isatty(STDERR_FILENO);
  auto stream = model->start(context, {static_cast<int>(speaker), text, {}}, sampling, max_frames);
  std::unique_ptr<csm::WavWriter> wav;
  std::unique_ptr<csm::Codec::Stream> decoder;
  if (args.has("out")) {
    wav = std::make_unique<csm::WavWriter>(args.get("out"), codec->sample_rate(),
                                           args.has("float") ? csm::WavFormat::Float32 : csm::WavFormat::Pcm16);
    decoder = codec->stream();
  }
  csm::CodesFile codes;
  const auto t0 = std::chrono::steady_clock::now();
  while (auto frame = stream->next()) {
    if (codes.frames.empty()) codes.first_logits = stream->last_c0_logits();
    if (decoder) wav->write(decoder->decode({*frame}));
    codes.frames.push_back(std::move(*frame));
    if (live) {
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::fprintf(stderr, "\rframe %zu/%lld  audio %.2f s  elapsed %.1f s", codes.frames.size(), max_frames,
                   codes.frames.size() * 0.08, s);
    }
  }
  if (codes.frames.empty()) codes.first_logits = stream->last_c0_logits();
  if (live) std::fprintf(stderr, "\n");
  if (args.has("codes-out")) csm::write_codes_json(args.get("codes-out"), codes);
  if (wav) wav->close();
  std::fprintf(stderr, "csm-stream: %zu frames, %.2f s of audio (%s)%s%s%s%s\n", codes.frames.size(),
               codes.frames.size() * 0.08,
               codes.frames.size() < static_cast<size_t>(max_frames) ? "end of speech" : "max frames",
               wav ? ", audio: " : "", wav ? args.get("out").c_str() : "", args.has("codes-out") ? ", codes: " : "",
               args.get("codes-out").c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return csm::cli::run_main("csm-stream", stream_main, argc, argv); }

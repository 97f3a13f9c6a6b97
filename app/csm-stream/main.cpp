// csm-stream: text to speech with CSM, heard (--play) and written (--out) while it is generated.
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include "common/cli_args.h"
#include "csm-stream/codes_only.h"
#include "csm-stream/stream_run.h"
#include "csm/error.h"

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

std::vector<std::string> read_batch_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(ErrorCode::Io, "cannot read batch file " + path);
  std::vector<std::string> texts;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") != std::string::npos) texts.push_back(line);
  }
  if (texts.empty()) throw Error(ErrorCode::InvalidArgument, path + " holds no text (one text per line)");
  return texts;
}

int stream_main(int argc, char** argv) {
  csm::cli::Args args(
      "csm-stream",
      "Text to speech with CSM, streamed: heard (--play) and written (--out) while it is generated.\n"
      "With no --model: sesame/csm-1b from the Hugging Face cache if present, else the built-in demo\n"
      "model (random weights: the sound is noise, not speech). Ctrl-C stops within one frame and keeps\n"
      "what was made.",
      {{"model", "DIR", "model folder, HF cache folder, demo, or random:csm-1b"},
       {"tokenizer", "FILE", "tokenizer.json when the model folder has none"},
       {"codec", "PATH", "Mimi weights when the model folder has none"},
       {"device", "DEV", "cpu or cuda", "cpu"},
       {"dtype", "TYPE", "auto, float32, bfloat16, float16", "auto"},
       {"sdpa", "NAME", "attention kernels: auto (any but cuDNN's), cudnn, flash, efficient or math (default: $CSM_SDPA, else auto)"},
       {"text", "TEXT", "what to say"},
       {"text-file", "FILE", "read the text from a file (stdin is read when neither is given)"},
       {"text-stdin-stream", "", "speak stdin as it arrives, sentence by sentence (pipe an LLM's reply in); ends at end of input"},
       {"text-wait-ms", "MS", "with --text-stdin-stream: text without a sentence end waits at most this long", "700"},
       {"speaker", "N", "speaker id", "0"},
       {"context", "WAV", "a voice clip to continue from (any format/rate libsndfile reads)", "", true},
       {"context-text", "TEXT", "transcript of the matching --context clip", "", true},
       {"context-speaker", "N", "speaker id of the matching --context clip (default 0)", "", true},
       {"out", "FILE", "write the speech to a WAV file as it is generated"},
       {"float", "", "write 32-bit float WAV instead of 16-bit PCM"},
       {"play", "", "play through PulseAudio/PipeWire while generating"},
       {"codes-out", "FILE", "write the frames as JSON {\"frames\": [[c0..cK], ...]}"},
       {"metrics-out", "FILE", "one JSON line of metrics per chunk"},
       {"batch-file", "FILE", "render every line of FILE, batched (with --out-dir)"},
       {"out-dir", "DIR", "where --batch-file writes 001.wav, 002.wav, ..."},
       {"stream-batch", "N", "streams generated together in batch mode", "8"},
       {"chunk-size-ms", "MS", "audio per chunk, a multiple of 80", "320"},
       {"first-chunk-ms", "MS", "the first chunk, smaller for earlier first audio", "80"},
       {"frame-batch-size", "N", "frames Mimi decodes per call", "4"},
       {"temperature", "T", "sampling temperature; 0 = greedy", "0.9"},
       {"top-k", "K", "top-k sampling cut-off (0: none; --topk is accepted too)", "50", false, "topk"},
       {"top-p", "P", "top-p (nucleus) after top-k, as HF composes them (1: none)", "1"},
       {"depth-temperature", "T", "the depth decoder's (codebooks 1..) temperature (default: --temperature)"},
       {"depth-top-k", "K", "the depth decoder's top-k (default: --top-k)"},
       {"depth-top-p", "P", "the depth decoder's top-p (default: --top-p)"},
       {"codebooks", "N", "codebooks generated per frame, 1..32 (fewer: faster, coarser audio; default all)"},
       {"codebook-fill", "HOW", "the next frame's row for codebooks not generated: mask (left out) or pad (pad id)", "mask"},
       {"length-guard", "F", "cut a piece at F times its text's expected length (2 s floor; 0: off); the next piece goes on", "4"},
       {"seed", "N", "random seed", "0"},
       {"max-audio-ms", "MS", "at most this much audio per text", "90000"},
       {"max-frames", "N", "at most this many 80 ms frames (instead of --max-audio-ms)"},
       {"no-cuda-graphs", "", "do not capture frames as CUDA graphs"},
       {"rtf-target", "R", "real-time factor to aim for (reported)", "0.3"},
       {"quiet", "", "no status line"}});
  if (!args.parse(argc, argv)) return 0;
  args.expect_no_positional();
  if (args.has("batch-file")) {
    if (!args.has("out-dir")) throw Error(ErrorCode::InvalidArgument, "csm-stream: --batch-file needs --out-dir DIR");
    if (args.has("text") || args.has("text-file") || args.has("text-stdin-stream"))
      throw Error(ErrorCode::InvalidArgument, "csm-stream: --batch-file replaces --text/--text-file/--text-stdin-stream");
    return csm::cli::run_stream(args, read_batch_file(args.get("batch-file")));
  }
  if (args.has("text-stdin-stream")) {
    if (args.has("text") || args.has("text-file"))
      throw Error(ErrorCode::InvalidArgument, "csm-stream: --text-stdin-stream reads stdin; no --text/--text-file");
    if (isatty(STDIN_FILENO) && !args.has("quiet"))
      std::fprintf(stderr, "csm-stream: type text; each sentence is spoken as it ends; Ctrl-D ends\n");
    if (!args.has("out") && !args.has("play") && !args.has("codes-out"))
      throw Error(ErrorCode::InvalidArgument, "csm-stream: nothing to do with the speech",
                  "pass --out speech.wav, --play, and/or --codes-out codes.json");
    return csm::cli::run_stream(args, {""});
  }
  const std::string text = read_text(args);
  if (!args.has("out") && !args.has("play") && !args.has("codes-out"))
    throw Error(ErrorCode::InvalidArgument, "csm-stream: nothing to do with the speech",
                "pass --out speech.wav, --play, and/or --codes-out codes.json");
  if (args.has("codes-out") && !args.has("out") && !args.has("play") && !args.has("metrics-out"))
    return csm::cli::run_codes_only(args, text);
  return csm::cli::run_stream(args, {text});
}

}  // namespace

int main(int argc, char** argv) { return csm::cli::run_main("csm-stream", stream_main, argc, argv); }

// csm-stream on the streaming engine, driven as a user drives it: the demo model,
// metrics lines, Ctrl-C mid-run, batch files, and --play without a sound server.
#include <sndfile.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/fixtures.h"
#include "support/process.h"

namespace {

using csm::test::run_process;
using csm::test::shell_quote;
using csm::test::tool;

int64_t wav_frames(const std::string& path, int* rate = nullptr) {
  SF_INFO info{};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
  if (!f) return -1;
  sf_close(f);
  if (rate) *rate = info.samplerate;
  return info.frames;
}

TEST(CsmStreamEngine, DemoModelWritesAudioAndMetrics) {
  const std::string dir = csm::test::temp_dir("engine");
  const auto r = run_process(tool("csm-stream") + " --text 'Hello from the demo.' --max-audio-ms 1200 --chunk-size-ms 240"
                             " --first-chunk-ms 80 --frame-batch-size 2 --out " + dir + "/a.wav --metrics-out " +
                             dir + "/m.jsonl --codes-out " + dir + "/c.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("noise, not speech"), std::string::npos) << "the demo must say what it is: " << r.err;
  int rate = 0;
  EXPECT_EQ(wav_frames(dir + "/a.wav", &rate), 15 * 1920);
  EXPECT_EQ(rate, 24000);
  std::ifstream lines(dir + "/m.jsonl");
  std::vector<nlohmann::json> chunks;
  for (std::string line; std::getline(lines, line);) chunks.push_back(nlohmann::json::parse(line));
  ASSERT_GE(chunks.size(), 6u);  // 1 frame, then 3 frames a chunk
  EXPECT_EQ(chunks.front().at("frames").get<int>(), 1);
  EXPECT_EQ(chunks[1].at("frames").get<int>(), 3);
  EXPECT_TRUE(chunks.back().at("last").get<bool>());
  for (const char* key : {"rtf", "first_audio_ms", "generate_ms", "decode_ms", "rss_bytes", "frames_per_s"})
    EXPECT_TRUE(chunks.back().contains(key)) << key;
  EXPECT_GT(chunks.back().at("first_audio_ms").get<double>(), 0);
  EXPECT_EQ(csm::test::read_json(dir + "/c.json").at("frames").size(), 15u);
  // Not a terminal: no status line in the output.
  EXPECT_EQ(r.err.find("\r"), std::string::npos);
}

TEST(CsmStreamEngine, CtrlCStopsQuicklyAndLeavesAValidWav) {
  const std::string dir = csm::test::temp_dir("engine");
  // SIGINT once audio flows (the first metrics line is out), however slow the load is
  // on a busy or sanitized build; the time that counts is from the signal to the exit.
  const std::string script =
      tool("csm-stream") + " --text 'This would go on for ten minutes.' --max-audio-ms 600000 --out " + dir +
      "/a.wav --metrics-out " + dir + "/m.jsonl & pid=$!\n"
      "for i in $(seq 1200); do [ -s " + dir + "/m.jsonl ] && break; kill -0 $pid 2>/dev/null || break; sleep 0.1; done\n"
      "t0=$(date +%s%N); kill -INT $pid; wait $pid; rc=$?; t1=$(date +%s%N)\n"
      "echo \"$rc $(( (t1 - t0) / 1000000 ))\"\n";
  const auto r = run_process("bash -c " + shell_quote(script));
  int exit_code = -1;
  long stop_ms = -1;
  std::istringstream(r.out) >> exit_code >> stop_ms;
  EXPECT_EQ(exit_code, 130) << r.out << r.err;
  EXPECT_NE(r.err.find("interrupted; what was made"), std::string::npos) << r.err;
  EXPECT_GE(stop_ms, 0) << r.out;
  EXPECT_LT(stop_ms, 3000) << "Ctrl-C must stop within a frame or so, not at the end of the text";
  const int64_t frames = wav_frames(dir + "/a.wav");
  EXPECT_GT(frames, 0);
  EXPECT_EQ(frames % 1920, 0) << "whole frames only";
}

TEST(CsmStreamEngine, BatchFileRendersEveryLine) {
  const std::string dir = csm::test::temp_dir("engine");
  std::ofstream(dir + "/texts.txt") << "First line.\n\nSecond line, a little longer.\r\nThird.\n";
  const auto r = run_process(tool("csm-stream") + " --batch-file " + dir + "/texts.txt --out-dir " + dir +
                             "/out --max-audio-ms 480 --stream-batch 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* name : {"001.wav", "002.wav", "003.wav"}) EXPECT_EQ(wav_frames(dir + "/out/" + name), 6 * 1920) << name;
  EXPECT_FALSE(std::filesystem::exists(dir + "/out/004.wav"));
  const auto empty = run_process(tool("csm-stream") + " --batch-file /dev/null --out-dir " + dir + "/x");
  EXPECT_EQ(empty.exit_code, 2);
}

TEST(CsmStreamEngine, PlayWithoutAnAudioServerSaysSo) {
  const std::string dir = csm::test::temp_dir("engine");
  const auto r = run_process("env XDG_RUNTIME_DIR=" + dir + " PULSE_SERVER=unix:" + dir + "/none HOME=" + dir + " " +
                             tool("csm-stream") + " --text hi --play --max-audio-ms 160");
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_NE(r.err.find("no audio server"), std::string::npos) << r.err;
}

TEST(CsmStreamEngine, BadSettingsAreRefusedBeforeAnyWork) {
  const auto r = run_process(tool("csm-stream") + " --text hi --out /tmp/never.wav --chunk-size-ms 100 --frame-batch-size 0");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("chunk_size_ms"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("frame_batch_size"), std::string::npos) << r.err;
  const auto nothing = run_process(tool("csm-stream") + " --text hi");
  EXPECT_EQ(nothing.exit_code, 2);
  EXPECT_NE(nothing.err.find("--out"), std::string::npos) << nothing.err;
}

TEST(CsmStreamEngine, TopKHasOneNameAndTheOldSpellingStillWorks) {
  const std::string dir = csm::test::temp_dir("topk");
  for (const char* flag : {"--top-k", "--topk"}) {
    const auto r = run_process(tool("csm-stream") + " --text 'Top k.' --max-audio-ms 160 " + flag + " 5 --out " + dir +
                               "/a.wav");
    EXPECT_EQ(r.exit_code, 0) << flag << ": " << r.err;
    EXPECT_NE(r.err.find("(max_length)"), std::string::npos) << "one stop vocabulary: " << r.err;
  }
  const auto both = run_process(tool("csm-stream") + " --text 'x' --top-k 5 --topk 6 --out " + dir + "/b.wav");
  EXPECT_NE(both.exit_code, 0);
  EXPECT_NE(both.err.find("given more than once"), std::string::npos) << both.err;
  const auto help = run_process(tool("csm-stream") + " --help");
  EXPECT_NE(help.out.find("--top-k K"), std::string::npos) << help.out;
}

}  // namespace

namespace {

// --text-stdin-stream: text piped in as it is written is spoken sentence by sentence,
// the first before the rest has arrived.
TEST(CsmStreamEngine, TextFromStdinIsSpokenSentenceBySentenceAsItArrives) {
  const std::string dir = csm::test::temp_dir("engine");
  const std::string script = "(printf 'Hi the'; sleep 0.3; printf 're. Bye'; sleep 0.3; printf ' now.') | " +
                             tool("csm-stream") + " --text-stdin-stream --length-guard 0 --seed 2 --out " + dir +
                             "/s.wav --codes-out " + dir + "/c.json";
  const auto r = run_process("bash -c " + shell_quote(script));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("piece 1: Hi there.\n"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("piece 2: Bye now.\n"), std::string::npos) << r.err;
  const auto frames = csm::test::read_json(dir + "/c.json").at("frames").size();
  EXPECT_GT(frames, 0u);
  EXPECT_EQ(wav_frames(dir + "/s.wav"), static_cast<int64_t>(frames) * 1920);
  const auto both = run_process(tool("csm-stream") + " --text-stdin-stream --text x --out " + dir + "/b.wav");
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_NE(both.err.find("--text-stdin-stream reads stdin"), std::string::npos) << both.err;
}

}  // namespace

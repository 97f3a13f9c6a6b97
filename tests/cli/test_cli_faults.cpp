// Faults a long run must survive without losing work: a full disk while writing
// the WAV, a process killed mid-run, a tokenizer that does not fit the model.
#include <sndfile.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <signal.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/fixtures.h"
#include "support/process.h"

namespace {

using csm::test::run_process;
using csm::test::shell_quote;
using csm::test::tool;

int64_t wav_frames(const std::string& path) {
  SF_INFO info{};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
  if (!f) return -1;
  sf_close(f);
  return info.frames;
}

TEST(Faults, AFullDiskStopsWithAMessageAndKeepsWhatWasWritten) {
  const std::string dir = csm::test::temp_dir("faults");
  // RLIMIT_FSIZE makes writes past 60 KiB fail as a full disk would (SIGXFSZ ignored).
  const auto r = run_process("bash -c " + shell_quote("trap '' XFSZ; ulimit -f 60; exec " + tool("csm-stream") +
                                                      " --text 'Filling the disk.' --max-audio-ms 8000 --out " + dir +
                                                      "/full.wav"));
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_NE(r.err.find("disk full"), std::string::npos) << r.err;
  const int64_t frames = wav_frames(dir + "/full.wav");
  EXPECT_GT(frames, 0) << "the samples written before the fault must stay readable";
  EXPECT_LE(frames * 2 + 44, 60 * 1024);
}

TEST(Faults, AKilledRunLeavesAValidPartialWav) {
  const std::string dir = csm::test::temp_dir("faults");
  const std::string wav = dir + "/killed.wav";
  csm::test::BackgroundProcess run({tool("csm-stream"), "--text", "Killed halfway through.", "--max-audio-ms",
                                    "600000", "--out", wav, "--quiet"});
  // Wait until some audio is on disk, then kill without warning.
  for (int i = 0; i < 200 && wav_frames(wav) < 5 * 1920; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  kill(run.pid(), SIGKILL);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const int64_t frames = wav_frames(wav);
  EXPECT_GE(frames, 5 * 1920) << "the header must describe the audio already written";
  EXPECT_EQ(frames % 1920, 0);
  EXPECT_EQ(static_cast<int64_t>(std::filesystem::file_size(wav)), 44 + 2 * frames);
}

TEST(Faults, RunningOutOfMemorySaysSoAndASmallerBatchFits) {
#ifdef CSM_SANITIZER_BUILD
  GTEST_SKIP() << "the sanitizers' own reservations make a memory cap meaningless";
#endif
  const std::string dir = csm::test::temp_dir("faults");
  {
    std::ofstream batch(dir + "/batch.txt");
    // Every text of a batch now runs on the one model thread that a single text uses too, so
    // what does not fit is the streams themselves: far more of them than one stream's margin.
    for (int i = 1; i <= 256; ++i) batch << "Line " << i << " of a batch too large for this memory.\n";
  }
  std::ofstream(dir + "/one.txt") << "One line fits.\n";
  {
    std::ofstream some(dir + "/some.txt");
    for (int i = 1; i <= 16; ++i) some << "Line " << i << " of a batch that fits.\n";
  }
  const std::string stream = tool("csm-stream") + " --model demo --quiet --max-audio-ms 320 --batch-file " + dir;
  const int fits = csm::test::least_memory_cap(stream + "/one.txt --out-dir " + dir + "/probe");
  ASSERT_GT(fits, 0) << "csm-stream never ran, even with 1.5 GiB";

  const int limit = fits + 40;
  const auto big = csm::test::run_with_memory_cap(limit, stream + "/batch.txt --stream-batch 256 --out-dir " + dir + "/big");
  EXPECT_EQ(big.exit_code, 6) << "256 streams in " << limit << " MiB: " << big.err;
  EXPECT_NE(big.err.find("csm-stream: error: out of memory while"), std::string::npos) << big.err;
  EXPECT_NE(big.err.find("csm-stream: hint: try fewer streams at once (--stream-batch)"), std::string::npos) << big.err;
  EXPECT_EQ(big.err.find("enforce fail"), std::string::npos) << "LibTorch's internals leak into the message: " << big.err;
  for (const auto& entry : std::filesystem::directory_iterator(dir + "/big"))
    EXPECT_GT(wav_frames(entry.path().string()), 0) << entry.path() << ": an empty WAV left behind poses as a result";

  const auto small = csm::test::run_with_memory_cap(limit, stream + "/some.txt --stream-batch 8 --out-dir " + dir + "/small");
  EXPECT_EQ(small.exit_code, 0) << small.err;
  EXPECT_EQ(wav_frames(dir + "/small/016.wav"), 4 * 1920);
}

TEST(Faults, ATokenizerThatDoesNotFitTheModelIsRefused) {
  CSM_REQUIRE_FIXTURE(dir, "tiny-a/hf");
  const std::string model = csm::test::temp_dir("faults");
  for (const char* f : {"config.json", "model.safetensors"})
    std::filesystem::create_symlink(dir + "/" + f, model + "/" + f);
  // A "tokenizer" with more ids than the model's text embedding table.
  nlohmann::json vocab = nlohmann::json::object();
  for (int i = 0; i < 256; ++i) vocab[std::string(1, static_cast<char>('A' + i % 26)) + std::to_string(i)] = i;
  std::ofstream(model + "/tokenizer.json")
      << nlohmann::json{{"added_tokens", {{{"id", 200000}, {"content", "<|begin_of_text|>"}, {"special", true}}}},
                        {"normalizer", nullptr},
                        {"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", nlohmann::json::array()}}}}
             .dump();
  const auto r = run_process(tool("csm-stream") + " --model " + model + " --text hi --out " + model + "/x.wav");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("tokenizer"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("128256"), std::string::npos) << r.err;
}

TEST(Faults, CorruptAndMismatchedCheckpointsNameTheProblem) {
  CSM_REQUIRE_FIXTURE(dir, "tiny-a/hf");
  const std::string model = csm::test::temp_dir("faults");
  std::filesystem::copy_file(dir + "/config.json", model + "/config.json");
  std::filesystem::copy_file(dir + "/tokenizer.json", model + "/tokenizer.json");
  std::ifstream in(dir + "/model.safetensors", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::ofstream(model + "/model.safetensors", std::ios::binary) << bytes.substr(0, bytes.size() * 3 / 4);
  const auto truncated = run_process(tool("csm-stream") + " --model " + model + " --text hi --out " + model + "/x.wav");
  EXPECT_EQ(truncated.exit_code, 3) << truncated.err;
  EXPECT_NE(truncated.err.find("model.safetensors"), std::string::npos) << truncated.err;
  EXPECT_NE(truncated.err.find("truncated"), std::string::npos) << truncated.err;
  std::ofstream(model + "/model.safetensors", std::ios::binary) << "garbage";
  const auto garbage = run_process(tool("csm-stream") + " --model " + model + " --text hi --out " + model + "/x.wav");
  EXPECT_EQ(garbage.exit_code, 3) << garbage.err;
  EXPECT_FALSE(std::filesystem::exists(model + "/x.wav")) << "nothing is written when loading fails";
}

}  // namespace

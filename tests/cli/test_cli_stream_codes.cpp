// csm-stream --codes-out on the tiny fixture, both checkpoint formats, as a user runs it.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "csm/audio_file.h"
#include "io/safetensors_file.h"
#include "support/fixtures.h"
#include "support/process.h"
#include "support/tensor_checks.h"

namespace {

using csm::test::run_process;
using csm::test::shell_quote;
using csm::test::tool;

class StreamCodes : public ::testing::TestWithParam<std::string> {};

TEST_P(StreamCodes, GreedyFramesAndFirstLogitsMatchTheReference) {
  CSM_REQUIRE_FIXTURE(dir, "tiny-a/" + GetParam());
  CSM_REQUIRE_FIXTURE(expected_path, "tiny-a/expected/expected.safetensors");
  CSM_REQUIRE_FIXTURE(tokenizer, "llama3/tokenizer.json");
  const std::string out = csm::test::temp_dir("codes") + "/codes.json";
  const auto r = run_process(tool("csm-stream") + " --model " + shell_quote(dir) + " --tokenizer " +
                             shell_quote(tokenizer) +
                             " --speaker 0 --text 'Hello from the tiny model.' --temperature 0 --max-frames 12"
                             " --codes-out " + shell_quote(out));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto codes = csm::test::read_json(out);
  const csm::SafetensorsFile expected(expected_path);
  const auto frames = expected.tensor("greedy_frames");
  ASSERT_EQ(codes.at("frames").size(), static_cast<size_t>(frames.size(0)));
  for (int64_t t = 0; t < frames.size(0); ++t)
    for (int64_t k = 0; k < frames.size(1); ++k)
      EXPECT_EQ(codes["frames"][t][k].get<int64_t>(), frames[t][k].item<int64_t>()) << "frame " << t << " code " << k;
  const auto logits = at::tensor(codes.at("first_logits").get<std::vector<float>>());
  EXPECT_TRUE(csm::test::close(logits, expected.tensor("prompt_c0_logits")));
}

INSTANTIATE_TEST_SUITE_P(BothFormats, StreamCodes, ::testing::Values("hf", "orig"));

TEST(StreamCodesErrors, ClearMessagesForBadInput) {
  CSM_REQUIRE_FIXTURE(dir, "tiny-a/orig");
  CSM_REQUIRE_FIXTURE(tokenizer, "llama3/tokenizer.json");
  const std::string out = csm::test::temp_dir("codes") + "/codes.json";
  const std::string base = tool("csm-stream") + " --codes-out " + shell_quote(out) + " ";

  const auto no_tokenizer = run_process(base + "--model " + shell_quote(dir) + " --text hi");
  EXPECT_EQ(no_tokenizer.exit_code, 2);
  EXPECT_NE(no_tokenizer.err.find("--tokenizer"), std::string::npos) << no_tokenizer.err;

  const auto too_long = run_process(base + "--model " + shell_quote(dir) + " --tokenizer " + shell_quote(tokenizer) +
                                    " --text hi --max-frames 5000");
  EXPECT_EQ(too_long.exit_code, 2);
  EXPECT_NE(too_long.err.find("2048 positions"), std::string::npos) << too_long.err;

  const auto missing = run_process(base + "--model /nonexistent/model --text hi");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("/nonexistent/model"), std::string::npos) << missing.err;

  const auto empty_text = run_process(base + "--model " + shell_quote(dir) + " --text '  '");
  EXPECT_EQ(empty_text.exit_code, 2);
  EXPECT_NE(empty_text.err.find("no text"), std::string::npos) << empty_text.err;

  const auto bad_number = run_process(base + "--model " + shell_quote(dir) + " --text hi --temperature warm");
  EXPECT_EQ(bad_number.exit_code, 2);
  EXPECT_NE(bad_number.err.find("--temperature"), std::string::npos) << bad_number.err;

  // A checkpoint whose config disagrees with its tensors names the tensor and both shapes.
  const std::string broken = csm::test::temp_dir("broken");
  auto config = csm::test::read_json(dir + "/config.json");
  config["backbone"]["intermediate_dim"] = 48;
  std::ofstream(broken + "/config.json") << config.dump();
  std::filesystem::copy_file(dir + "/model.safetensors", broken + "/model.safetensors");
  const auto mismatch = run_process(base + "--model " + shell_quote(broken) + " --tokenizer " +
                                    shell_quote(tokenizer) + " --text hi");
  EXPECT_EQ(mismatch.exit_code, 3);
  EXPECT_NE(mismatch.err.find("mlp.w1.weight"), std::string::npos) << mismatch.err;
  EXPECT_NE(mismatch.err.find("[64, 32]"), std::string::npos) << mismatch.err;
  EXPECT_NE(mismatch.err.find("[48, 32]"), std::string::npos) << mismatch.err;
  EXPECT_FALSE(std::filesystem::exists(out)) << "no output may be left behind after a failure";
}

TEST(StreamCodes, FindsTheModelInAHuggingFaceCacheLayout) {
  CSM_REQUIRE_FIXTURE(dir, "tiny-a/hf");
  const std::string cache = csm::test::temp_dir("hfcache");
  const std::string repo = cache + "/models--sesame--csm-1b";
  const std::string snapshot = repo + "/snapshots/0123abcd";
  std::filesystem::create_directories(snapshot);
  std::filesystem::create_directories(repo + "/refs");
  std::ofstream(repo + "/refs/main") << "0123abcd";
  for (const char* f : {"config.json", "model.safetensors", "tokenizer.json"})
    std::filesystem::create_symlink(dir + "/" + f, snapshot + "/" + f);
  const std::string out = cache + "/codes.json";
  const auto r = run_process(tool("csm-stream") + " --model " + shell_quote(repo) +
                             " --text 'Hello from the tiny model.' --temperature 0 --max-frames 2 --codes-out " +
                             shell_quote(out));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(csm::test::read_json(out).at("frames").size(), 2u);
}

}  // namespace

namespace {

TEST(StreamAudio, VoiceContextCaseMatchesTheReference) {
  CSM_REQUIRE_FIXTURE(dir, "tiny-a/hf");
  CSM_REQUIRE_FIXTURE(clip, "tiny-a/audio/context.wav");
  CSM_REQUIRE_FIXTURE(expected_path, "tiny-a/expected/expected.safetensors");
  const csm::SafetensorsFile expected(expected_path);
  const std::string out = csm::test::temp_dir("ctx") + "/codes.json";
  const auto r = csm::test::run_process(
      csm::test::tool("csm-stream") + " --model " + csm::test::shell_quote(dir) + " --context " +
      csm::test::shell_quote(clip) + " --context-text 'This is the voice to copy.' --context-speaker 1" +
      " --speaker 0 --text 'Hello from the tiny model.' --temperature 0 --max-frames 8 --codes-out " +
      csm::test::shell_quote(out));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto codes = csm::test::read_json(out);
  const auto frames = expected.tensor("context_greedy_frames");
  ASSERT_EQ(codes.at("frames").size(), static_cast<size_t>(frames.size(0)));
  for (int64_t t = 0; t < frames.size(0); ++t)
    for (int64_t k = 0; k < frames.size(1); ++k)
      EXPECT_EQ(codes["frames"][t][k].get<int64_t>(), frames[t][k].item<int64_t>()) << "frame " << t << " code " << k;
  EXPECT_TRUE(csm::test::close(at::tensor(codes.at("first_logits").get<std::vector<float>>()),
                               expected.tensor("context_c0_logits")));
}

TEST(StreamAudio, WavOutIsTheStreamedDecodeOfTheFrames) {
  CSM_REQUIRE_FIXTURE(dir, "tiny-a/orig");
  CSM_REQUIRE_FIXTURE(tokenizer, "llama3/tokenizer.json");
  CSM_REQUIRE_FIXTURE(expected_path, "tiny-a/expected/expected.safetensors");
  const std::string wav = csm::test::temp_dir("wav") + "/speech.wav";
  const auto r = csm::test::run_process(csm::test::tool("csm-stream") + " --model " + csm::test::shell_quote(dir) +
                                        " --tokenizer " + csm::test::shell_quote(tokenizer) +
                                        " --text 'Hello from the tiny model.' --temperature 0 --max-frames 12 --float"
                                        " --out " + csm::test::shell_quote(wav));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  csm::AudioReadOptions any;
  any.allow_silence = true;
  const auto audio = at::tensor(csm::read_audio_mono(wav, any));
  EXPECT_TRUE(csm::test::close(audio, csm::SafetensorsFile(expected_path).tensor("greedy_audio"), 0, 1e-4));
}

TEST(StreamAudio, ContextFlagsMustPairUp) {
  CSM_REQUIRE_FIXTURE(dir, "tiny-a/hf");
  CSM_REQUIRE_FIXTURE(clip, "tiny-a/audio/context.wav");
  const std::string base = csm::test::tool("csm-stream") + " --model " + csm::test::shell_quote(dir) +
                           " --text hi --out " + csm::test::temp_dir("ctx") + "/o.wav --context " +
                           csm::test::shell_quote(clip);
  const auto no_text = csm::test::run_process(base);
  EXPECT_EQ(no_text.exit_code, 2);
  EXPECT_NE(no_text.err.find("--context-text"), std::string::npos) << no_text.err;
  const auto missing_clip = csm::test::run_process(csm::test::tool("csm-stream") + " --model " +
                                                   csm::test::shell_quote(dir) +
                                                   " --text hi --codes-out /tmp/x.json --context /nonexistent.wav"
                                                   " --context-text hello");
  EXPECT_EQ(missing_clip.exit_code, 4);
  EXPECT_NE(missing_clip.err.find("/nonexistent.wav"), std::string::npos) << missing_clip.err;
}

}  // namespace

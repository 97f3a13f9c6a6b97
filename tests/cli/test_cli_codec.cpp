// csm-codec encode/decode driven from the command line against the reference.
#include <gtest/gtest.h>

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

TEST(CliCodec, EncodeThenDecodeMatchTheReference) {
  CSM_REQUIRE_FIXTURE(hf, "tiny-a/hf");
  CSM_REQUIRE_FIXTURE(orig, "tiny-a/orig");
  CSM_REQUIRE_FIXTURE(wav, "tiny-a/audio/context.wav");
  CSM_REQUIRE_FIXTURE(expected_path, "tiny-a/expected/expected.safetensors");
  const csm::SafetensorsFile expected(expected_path);
  const std::string dir = csm::test::temp_dir("codec");
  const auto enc = run_process(tool("csm-codec") + " encode " + shell_quote(wav) + " --model " + shell_quote(hf) +
                               " --codes-out " + shell_quote(dir + "/codes.json"));
  ASSERT_EQ(enc.exit_code, 0) << enc.err;
  const auto codes = csm::test::read_json(dir + "/codes.json").at("frames");
  const auto reference = expected.tensor("mimi_context_codes");  // [C, T]
  ASSERT_EQ(codes.size(), static_cast<size_t>(reference.size(1)));
  for (size_t t = 0; t < codes.size(); ++t)
    for (size_t k = 0; k < codes[t].size(); ++k)
      ASSERT_EQ(codes[t][k].get<int64_t>(), reference[k][t].item<int64_t>()) << "frame " << t << " code " << k;

  for (const std::string chunking : {"", " --chunk-frames 1", " --chunk-frames 4"}) {
    const std::string out = dir + "/out.wav";
    const auto dec = run_process(tool("csm-codec") + " decode " + shell_quote(dir + "/codes.json") + " --model " +
                                 shell_quote(orig) + " --float --out " + shell_quote(out) + chunking);
    ASSERT_EQ(dec.exit_code, 0) << dec.err;
    csm::AudioReadOptions any;
    any.allow_silence = true;
    const auto audio = at::tensor(csm::read_audio_mono(out, any));
    EXPECT_TRUE(csm::test::close(audio, expected.tensor("mimi_context_decode"), 0, 1e-4)) << chunking;
  }
  const auto pcm = run_process(tool("csm-codec") + " decode " + shell_quote(dir + "/codes.json") + " --model " +
                               shell_quote(hf) + " --out " + shell_quote(dir + "/pcm.wav"));
  ASSERT_EQ(pcm.exit_code, 0) << pcm.err;
  EXPECT_EQ(std::filesystem::file_size(dir + "/pcm.wav"), 44u + 2u * 17u * 1920u);
}

TEST(CliCodec, BadInputsAreClearErrors) {
  CSM_REQUIRE_FIXTURE(hf, "tiny-a/hf");
  const std::string dir = csm::test::temp_dir("codec");
  std::ofstream(dir + "/ragged.json") << R"({"frames": [[1,2,3],[1,2]]})";
  std::ofstream(dir + "/wide.json") << R"({"frames": [[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]]})";
  std::ofstream(dir + "/narrow.json") << R"({"frames": [[1,2,3]]})";
  std::ofstream(dir + "/special.json") << R"({"frames": [[2050,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]]})";
  std::ofstream(dir + "/clip.txt") << "hello";
  const auto run = [&](const std::string& args) { return run_process(tool("csm-codec") + " " + args); };
  const auto ragged = run("decode " + dir + "/ragged.json --model " + hf + " --out " + dir + "/o.wav");
  EXPECT_EQ(ragged.exit_code, 2);
  EXPECT_NE(ragged.err.find("frame 1 has 2 codes"), std::string::npos) << ragged.err;
  const auto wide = run("decode " + dir + "/wide.json --model " + hf + " --out " + dir + "/o.wav");
  EXPECT_EQ(wide.exit_code, 2);
  EXPECT_NE(wide.err.find("frames of 17 codes; this Mimi decodes 1..16"), std::string::npos) << wide.err;
  // Fewer codes than the codec's are its first codebooks (csm-stream --codebooks 3 writes such frames).
  const auto narrow = run("decode " + dir + "/narrow.json --model " + hf + " --out " + dir + "/n.wav");
  EXPECT_EQ(narrow.exit_code, 0) << narrow.err;
  const auto special = run("decode " + dir + "/special.json --model " + hf + " --out " + dir + "/o.wav");
  EXPECT_EQ(special.exit_code, 2);
  EXPECT_NE(special.err.find("2050"), std::string::npos) << special.err;
  const auto not_audio = run("encode " + dir + "/clip.txt --model " + hf + " --codes-out " + dir + "/c.json");
  EXPECT_EQ(not_audio.exit_code, 4);
  EXPECT_NE(not_audio.err.find("clip.txt"), std::string::npos) << not_audio.err;
  const auto no_mode = run("--model " + hf);
  EXPECT_EQ(no_mode.exit_code, 2);
  const auto no_codec = run("encode x.wav --model " + dir + " --codes-out c.json");
  EXPECT_NE(no_codec.exit_code, 0);
}

}  // namespace

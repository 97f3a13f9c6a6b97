// Mimi weights as users may hold them: weight-norm pairs (old and new style),
// Kyutai's tokenizer-*.safetensors file name, and clear errors.
#include <filesystem>

#include <gtest/gtest.h>

#include "csm/audio_file.h"
#include "csm/codec.h"
#include "csm/error.h"
#include "io/safetensors_file.h"
#include "support/fixtures.h"
#include "support/safetensors_writer.h"
#include "support/tensor_checks.h"

namespace {

std::map<std::string, at::Tensor> all_tensors(const std::string& path) {
  const csm::SafetensorsFile file(path);
  std::map<std::string, at::Tensor> out;
  for (const auto& [name, entry] : file.entries()) out[name] = file.tensor(name).clone();
  return out;
}

// Splits `name`'s weight into g (norm over every dim but 0) and v = 3 * weight.
void unfold(std::map<std::string, at::Tensor>& t, const std::string& name, const std::string& g_name,
            const std::string& v_name) {
  const auto w = t.at(name);
  std::vector<int64_t> dims;
  for (int64_t d = 1; d < w.dim(); ++d) dims.push_back(d);
  t[g_name] = w.norm(2, dims, true);
  t[v_name] = w * 3.0;
  t.erase(name);
}

std::vector<float> reference_decode(const csm::SafetensorsFile& expected, csm::Frames& frames) {
  const auto codes = expected.tensor("mimi_context_codes").t().contiguous();
  for (int64_t i = 0; i < codes.size(0); ++i) {
    std::vector<int32_t> f;
    for (int64_t k = 0; k < codes.size(1); ++k) f.push_back(static_cast<int32_t>(codes[i][k].item<int64_t>()));
    frames.push_back(f);
  }
  const auto ref = expected.tensor("mimi_context_decode");
  return {ref.data_ptr<float>(), ref.data_ptr<float>() + ref.numel()};
}

TEST(MimiLoading, FoldsOldStyleWeightNormInKyutaiFiles) {
  CSM_REQUIRE_FIXTURE(orig, "tiny-a/orig");
  CSM_REQUIRE_FIXTURE(expected_path, "tiny-a/expected/expected.safetensors");
  auto tensors = all_tensors(orig + "/mimi.safetensors");
  unfold(tensors, "decoder.model.0.conv.conv.weight", "decoder.model.0.conv.conv.weight_g",
         "decoder.model.0.conv.conv.weight_v");
  unfold(tensors, "decoder.model.2.convtr.convtr.weight", "decoder.model.2.convtr.convtr.weight_g",
         "decoder.model.2.convtr.convtr.weight_v");
  const std::string dir = csm::test::temp_dir("mimi");
  csm::test::write_safetensors(dir + "/tokenizer-e351c8d8-checkpoint125.safetensors", tensors);
  std::filesystem::copy_file(orig + "/mimi_config.json", dir + "/mimi_config.json");
  csm::CodecOptions options;
  options.codec = dir;
  const auto codec = csm::Codec::load(options);
  EXPECT_NE(codec->source().find("tokenizer-e351c8d8"), std::string::npos);
  csm::Frames frames;
  const auto reference = reference_decode(csm::SafetensorsFile(expected_path), frames);
  EXPECT_TRUE(csm::test::close(at::tensor(codec->decode(frames)), at::tensor(reference), 0, 1e-4));
}

TEST(MimiLoading, FoldsParametrizedWeightNormInHfFiles) {
  CSM_REQUIRE_FIXTURE(hf, "tiny-a/hf");
  CSM_REQUIRE_FIXTURE(expected_path, "tiny-a/expected/expected.safetensors");
  auto tensors = all_tensors(hf + "/model.safetensors");
  const std::string base = "codec_model.decoder.layers.14.conv";
  unfold(tensors, base + ".weight", base + ".parametrizations.weight.original0", base + ".parametrizations.weight.original1");
  const std::string dir = csm::test::temp_dir("mimi");
  csm::test::write_safetensors(dir + "/model.safetensors", tensors);
  std::filesystem::copy_file(hf + "/config.json", dir + "/config.json");
  csm::CodecOptions options;
  options.model = dir;
  const auto codec = csm::Codec::load(options);
  csm::Frames frames;
  const auto reference = reference_decode(csm::SafetensorsFile(expected_path), frames);
  EXPECT_TRUE(csm::test::close(at::tensor(codec->decode(frames)), at::tensor(reference), 0, 1e-4));
}

TEST(MimiLoading, MissingAndMisShapedTensorsAreNamed) {
  CSM_REQUIRE_FIXTURE(orig, "tiny-a/orig");
  auto tensors = all_tensors(orig + "/mimi.safetensors");
  tensors.erase("decoder_transformer.transformer.layers.1.linear2.weight");
  std::string dir = csm::test::temp_dir("mimi");
  csm::test::write_safetensors(dir + "/mimi.safetensors", tensors);
  std::filesystem::copy_file(orig + "/mimi_config.json", dir + "/mimi_config.json");
  csm::CodecOptions options;
  options.codec = dir + "/mimi.safetensors";
  try {
    csm::Codec::load(options);
    FAIL() << "no error";
  } catch (const csm::Error& e) {
    EXPECT_NE(std::string(e.what()).find("decoder_transformer.layers.1.mlp.fc2.weight"), std::string::npos) << e.what();
  }
  tensors = all_tensors(orig + "/mimi.safetensors");
  tensors["upsample.convtr.convtr.convtr.weight"] = at::zeros({16, 2, 4});
  csm::test::write_safetensors(dir + "/mimi.safetensors", tensors);
  try {
    csm::Codec::load(options);
    FAIL() << "no error";
  } catch (const csm::Error& e) {
    EXPECT_NE(std::string(e.what()).find("[16, 2, 4]"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("[16, 1, 4]"), std::string::npos) << e.what();
  }
}

}  // namespace

namespace {

TEST(MimiFormats, FlacAndOggClipsEncodeLikeTheWav) {
  CSM_REQUIRE_FIXTURE(hf, "tiny-a/hf");
  CSM_REQUIRE_FIXTURE(wav, "tiny-a/audio/context.wav");
  const std::string dir = csm::test::temp_dir("formats");
  ASSERT_EQ(std::system(("sox " + wav + " " + dir + "/clip.flac && sox " + wav + " " + dir + "/clip.ogg").c_str()), 0)
      << "sox is needed (apt-get install sox)";
  csm::CodecOptions options;
  options.model = hf;
  const auto codec = csm::Codec::load(options);
  const auto from_wav = codec->encode(csm::read_audio_mono(wav));
  EXPECT_EQ(codec->encode(csm::read_audio_mono(dir + "/clip.flac")), from_wav);  // lossless
  const auto from_ogg = codec->encode(csm::read_audio_mono(dir + "/clip.ogg"));
  EXPECT_EQ(from_ogg.size(), from_wav.size());
}

TEST(MimiFormats, StreamResetStartsAFreshStream) {
  CSM_REQUIRE_FIXTURE(hf, "tiny-a/hf");
  CSM_REQUIRE_FIXTURE(wav, "tiny-a/audio/context.wav");
  csm::CodecOptions options;
  options.model = hf;
  const auto codec = csm::Codec::load(options);
  const auto frames = codec->encode(csm::read_audio_mono(wav));
  auto stream = codec->stream();
  const auto first = stream->decode(frames);
  EXPECT_NE(stream->decode(frames), first);  // carried state changes the output
  stream->reset();
  EXPECT_EQ(stream->decode(frames), first);
}

}  // namespace

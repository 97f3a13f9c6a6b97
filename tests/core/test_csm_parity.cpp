// CSM backbone, heads, depth decoder and greedy frames against HF transformers'
// outputs on the tiny-a fixture, loaded from both checkpoint namings.
#include <gtest/gtest.h>

#include "csm/tokenizer.h"
#include "support/frame_runner.h"
#include "generate/prompt_builder.h"
#include "io/safetensors_file.h"
#include "io/tensor_store.h"
#include "model/csm_config.h"
#include "codec/mimi_config.h"
#include "model/csm_model.h"
#include "model/rope.h"
#include "csm/error.h"
#include "support/fixtures.h"
#include "support/tensor_checks.h"

namespace {

using csm::test::close;

// A fixture checkpoint folder, as a user's model folder is read.
std::shared_ptr<const csm::CsmModel> load_model(const std::string& dir, at::ScalarType dtype) {
  return csm::CsmModel::load(csm::TensorStore::open(dir), csm::load_csm_config(dir + "/config.json"), dtype, at::kCPU);
}
using csm::test::same_values;

class CsmParity : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = csm::test::fixture_path("tiny-a/" + GetParam());
    const std::string expected = csm::test::fixture_path("tiny-a/expected/expected.safetensors");
    if (dir_.empty() || expected.empty()) {
      if (csm::test::fixtures_required()) FAIL() << "tiny-a fixture missing";
      GTEST_SKIP() << "tiny-a fixture missing";
    }
    expected_ = std::make_unique<csm::SafetensorsFile>(expected);
    model_ = load_model(dir_, at::kFloat);
  }
  at::Tensor expect(const std::string& name) const { return expected_->tensor(name); }

  std::string dir_;
  std::unique_ptr<csm::SafetensorsFile> expected_;
  std::shared_ptr<const csm::CsmModel> model_;
};

TEST_P(CsmParity, PromptRowsEmbeddingsHiddenStatesAndLogits) {
  EXPECT_EQ(model_->source(), GetParam());
  const auto tokenizer = csm::load_tokenizer(csm::test::fixture_path("tiny-a/hf/tokenizer.json"));
  const auto prompt = csm::build_prompt(*tokenizer, {}, {0, "Hello from the tiny model.", {}},
                                        model_->config().num_codebooks, 2048);
  ASSERT_TRUE(same_values(prompt.rows, expect("prompt_tokens")));
  ASSERT_TRUE(same_values(prompt.mask, expect("prompt_mask")));
  const auto embeds = model_->embed_rows(prompt.rows.unsqueeze(0), prompt.mask.unsqueeze(0));
  EXPECT_TRUE(close(embeds[0], expect("prompt_embeds")));
  auto cache = model_->backbone().make_cache(1, 2048, at::kFloat);
  const auto hidden = model_->backbone().forward(embeds, 0, cache);
  EXPECT_TRUE(close(hidden[0], expect("prompt_hidden")));
  EXPECT_TRUE(close(model_->codebook0_logits(hidden[0][-1].unsqueeze(0))[0], expect("prompt_c0_logits")));
}

TEST_P(CsmParity, DepthDecoderStepByStep) {
  const auto h = expect("depth_backbone_h").unsqueeze(0);
  const auto c0 = expect("depth_c0");
  const auto expected_codes = expect("depth_codes");
  const auto expected_logits = expect("depth_logits");
  const auto expected_hidden = expect("depth_decoder_hidden");
  const int64_t cb = model_->config().num_codebooks;
  auto cache = model_->decoder().make_cache(1, cb, at::kFloat);
  auto input = model_->project(at::stack({h, model_->embed_audio(c0, 0)}, 1));
  int64_t pos = 0;
  for (int64_t i = 1; i < cb; ++i) {
    const auto out = model_->decoder().forward(input, pos, cache);
    pos += input.size(1);
    const auto last = out.select(1, out.size(1) - 1);
    EXPECT_TRUE(close(last[0], expected_hidden[i - 1])) << "codebook " << i;
    const auto logits = model_->codebook_logits(last, i);
    EXPECT_TRUE(close(logits[0], expected_logits[i - 1])) << "codebook " << i;
    const auto code = logits.argmax(-1);
    EXPECT_EQ(code.item<int64_t>(), expected_codes[i - 1].item<int64_t>()) << "codebook " << i;
    input = model_->project(model_->embed_audio(expected_codes[i - 1].unsqueeze(0), i)).unsqueeze(1);
  }
}

TEST_P(CsmParity, GreedyFramesLogitsAndStates) {
  const auto rows = expect("prompt_tokens").unsqueeze(0), mask = expect("prompt_mask").unsqueeze(0);
  const auto frames = expect("greedy_frames");
  csm::test::FrameRunner generator(model_, rows, mask, {0.0f, 50, 0}, frames.size(0));
  for (int64_t t = 0; t < frames.size(0); ++t) {
    const auto frame = generator.next_frame();
    EXPECT_TRUE(same_values(frame[0], frames[t])) << "frame " << t;
    EXPECT_TRUE(close(generator.last_c0_logits()[0], expect("greedy_c0_logits")[t])) << "frame " << t;
    EXPECT_TRUE(close(generator.last_backbone_hidden()[0], expect("greedy_backbone_hidden")[t])) << "frame " << t;
  }
}

TEST_P(CsmParity, VoiceContextPrompt) {
  const auto tokenizer = csm::load_tokenizer(csm::test::fixture_path("tiny-a/hf/tokenizer.json"));
  const auto codes = expect("context_codes").t().contiguous();  // [T, C]
  csm::Segment context{1, "This is the voice to copy.", {}};
  for (int64_t t = 0; t < codes.size(0); ++t) {
    std::vector<int32_t> frame;
    for (int64_t k = 0; k < codes.size(1); ++k) frame.push_back(static_cast<int32_t>(codes[t][k].item<int64_t>()));
    context.audio_frames.push_back(frame);
  }
  const auto prompt = csm::build_prompt(*tokenizer, {context}, {0, "Hello from the tiny model.", {}},
                                        model_->config().num_codebooks, 2048);
  ASSERT_TRUE(same_values(prompt.rows, expect("context_tokens")));
  ASSERT_TRUE(same_values(prompt.mask, expect("context_mask")));
  const auto frames = expect("context_greedy_frames");
  csm::test::FrameRunner generator(model_, prompt.rows.unsqueeze(0), prompt.mask.unsqueeze(0), {0.0f, 50, 0},
                                frames.size(0));
  for (int64_t t = 0; t < frames.size(0); ++t) {
    const auto frame = generator.next_frame();
    if (t == 0) EXPECT_TRUE(close(generator.last_c0_logits()[0], expect("context_c0_logits")));
    EXPECT_TRUE(same_values(frame[0], frames[t])) << "frame " << t;
  }
}

INSTANTIATE_TEST_SUITE_P(BothNamings, CsmParity, ::testing::Values("hf", "orig"));

TEST(Rope, Llama3ScaledFrequenciesMatchTheSpecBands) {
  // Spec §2.3 spot values for D = 64.
  const auto inv = csm::RopeTable::inverse_frequencies({500000.0, true, 32.0, 1.0, 4.0, 8192.0}, 64);
  EXPECT_NEAR(inv[15].item<float>(), 1.290548e-3, 1e-8);
  EXPECT_NEAR(inv[16].item<float>(), 4.295568e-4, 1e-9);
  EXPECT_NEAR(inv[17].item<float>(), 9.708288e-5, 1e-10);
  EXPECT_NEAR(inv[18].item<float>(), 1.946164e-5, 1e-11);
  // HF's rescaled spelling (32, 0.125, 0.5, 1024) is the same curve.
  const auto hf = csm::RopeTable::inverse_frequencies({500000.0, true, 32.0, 0.125, 0.5, 1024.0}, 64);
  EXPECT_TRUE(close(hf, inv, 1e-6, 0));
}

TEST(CsmConfigs, BuiltInFlavorsHaveTheRealShapes) {
  const auto c = csm::csm_1b_config();
  EXPECT_EQ(c.backbone.layers, 16);
  EXPECT_EQ(c.backbone.dim, 2048);
  EXPECT_EQ(c.backbone.kv_heads, 8);
  EXPECT_EQ(c.decoder.layers, 4);
  EXPECT_EQ(c.decoder.dim, 1024);
  EXPECT_EQ(c.decoder.head_dim, 128);
  EXPECT_EQ(c.num_codebooks, 32);
  const auto orig = csm::parse_csm_config(
      {{"backbone_flavor", "llama-1B"}, {"decoder_flavor", "llama-100M"}, {"text_vocab_size", 128256},
       {"audio_vocab_size", 2051}, {"audio_num_codebooks", 32}}, "config.json");
  EXPECT_EQ(orig.backbone.intermediate, 8192);
  EXPECT_EQ(orig.decoder.intermediate, 8192);
}

TEST(CsmConfigs, WrongTypesAndNonObjectsAreModelFileErrors) {
  // libFuzzer found that a bare number (and wrong-typed fields) escaped as JSON library errors.
  EXPECT_THROW(csm::parse_hf_mimi_config(nlohmann::json(1), "config.json"), csm::Error);
  EXPECT_THROW(csm::parse_orig_mimi_config(nlohmann::json(1), "config.json"), csm::Error);
  EXPECT_THROW(csm::parse_hf_mimi_config(nlohmann::json::parse(R"({"use_conv_shortcut": "yes"})"), "c"), csm::Error);
  EXPECT_THROW(csm::parse_hf_mimi_config(nlohmann::json::parse(R"({"hidden_size": "wide"})"), "c"), csm::Error);
  EXPECT_THROW(csm::parse_orig_mimi_config(nlohmann::json::parse(R"({"seanet": {"dimension": "wide"}})"), "c"),
               csm::Error);
  // Also found by libFuzzer: zero heads divided by zero; a tiny frame rate made an infinite stride.
  EXPECT_THROW(csm::parse_orig_mimi_config(nlohmann::json::parse(R"({"transformer": {"num_heads": 0}})"), "c"), csm::Error);
  EXPECT_THROW(csm::parse_hf_mimi_config(nlohmann::json::parse(R"({"num_attention_heads": 0})"), "c"), csm::Error);
  EXPECT_THROW(csm::parse_hf_mimi_config(nlohmann::json::parse(R"({"frame_rate": 1e-300})"), "c"), csm::Error);
  EXPECT_THROW(csm::parse_hf_mimi_config(nlohmann::json::parse(R"({"upsampling_ratios": [1000000, 1000000]})"), "c"),
               csm::Error);
  nlohmann::json hf = {{"model_type", "csm"}, {"hidden_size", 32}, {"num_hidden_layers", 1}, {"num_attention_heads", 4},
                       {"intermediate_size", 8}, {"rms_norm_eps", "small"}};
  EXPECT_THROW(csm::parse_csm_config(hf, "config.json"), csm::Error);
  EXPECT_THROW(csm::parse_csm_config(nlohmann::json::array(), "config.json"), csm::Error);
}

TEST(CsmConfigs, TransformersFourSpellingIsRead) {
  // transformers 4.5x: rope_theta + rope_scaling instead of rope_parameters.
  auto j = csm::test::read_json(csm::test::fixture_path("tiny-a/hf/config.json"));
  if (j.is_null()) GTEST_SKIP();
  const auto v5 = csm::parse_csm_config(j, "v5");
  for (auto* block : {&j, &j["depth_decoder_config"]}) {
    auto params = (*block)["rope_parameters"];
    (*block)["rope_theta"] = params["rope_theta"];
    params.erase("rope_theta");
    (*block)["rope_scaling"] = params;
    block->erase("rope_parameters");
  }
  const auto v4 = csm::parse_csm_config(j, "v4");
  EXPECT_EQ(v4.backbone.rope.low_freq_factor, v5.backbone.rope.low_freq_factor);
  EXPECT_EQ(v4.decoder.rope.original_max_positions, v5.decoder.rope.original_max_positions);
  EXPECT_EQ(v4.backbone.rope.theta, 500000.0);
  EXPECT_TRUE(v4.decoder.rope.llama3_scaling);
}

}  // namespace

namespace {

TEST(CsmBatching, EachStreamOfABatchEqualsItsUnbatchedRun) {
  CSM_REQUIRE_FIXTURE(dir, "tiny-a/hf");
  CSM_REQUIRE_FIXTURE(expected_path, "tiny-a/expected/expected.safetensors");
  const csm::SafetensorsFile expected(expected_path);
  const auto model = load_model(dir, at::kFloat);
  // Prompts of different lengths (11 and 41 rows), three streams.
  const std::vector<csm::PromptRows> prompts = {{expected.tensor("prompt_tokens"), expected.tensor("prompt_mask")},
                                                {expected.tensor("context_tokens"), expected.tensor("context_mask")},
                                                {expected.tensor("prompt_tokens"), expected.tensor("prompt_mask")}};
  csm::test::FrameRunner batch(model, prompts, {{0.0f, 50, 0}, 8, 0});
  const auto alone = expected.tensor("greedy_frames"), with_context = expected.tensor("context_greedy_frames");
  for (int64_t t = 0; t < 8; ++t) {
    const auto frame = batch.next_frame();
    ASSERT_EQ(frame.size(0), 3);
    EXPECT_TRUE(same_values(frame[0], alone[t])) << "frame " << t;
    EXPECT_TRUE(same_values(frame[1], with_context[t])) << "frame " << t;
    EXPECT_TRUE(same_values(frame[2], alone[t])) << "frame " << t;
  }
}

TEST(CsmBatching, CancelInsideAFrameReturnsNothing) {
  CSM_REQUIRE_FIXTURE(dir, "tiny-a/orig");
  const auto model = load_model(dir, at::kFloat);
  const auto rows = at::zeros({1, 3, 17}, at::kLong), mask = at::ones({1, 3, 17}, at::kBool);
  csm::test::FrameRunner generator(model, rows, mask, {0.9f, 50, 1}, 4);
  int checks = 0;
  EXPECT_FALSE(generator.next_frame([&] { return ++checks > 3; }).defined());
  EXPECT_EQ(checks, 4);  // asked between depth steps, stopped at the first "yes"
}

}  // namespace

namespace {

// bf16 weights and activations (the CUDA default), computed here on the CPU: the
// codebook-0 logits stay within a stated tolerance of the fp32 reference.
TEST(CsmBf16, Codebook0LogitsStayCloseToTheFp32Reference) {
  CSM_REQUIRE_FIXTURE(dir, "tiny-a/hf");
  CSM_REQUIRE_FIXTURE(expected_path, "tiny-a/expected/expected.safetensors");
  const csm::SafetensorsFile expected(expected_path);
  const auto model = load_model(dir, at::kBFloat16);
  csm::test::FrameRunner generator(model, expected.tensor("prompt_tokens").unsqueeze(0),
                                expected.tensor("prompt_mask").unsqueeze(0), {0.0f, 50, 0}, 4);
  (void)generator.next_frame();
  const auto logits = generator.last_c0_logits()[0];
  const auto reference = expected.tensor("prompt_c0_logits");
  const double scale = reference.abs().max().item<double>();
  const double worst = (logits - reference).abs().max().item<double>();
  // bf16 keeps 8 bits of mantissa: a few percent of the logit range, through 2+2 layers.
  EXPECT_LT(worst / scale, 0.05) << "max abs diff " << worst << " of range " << scale;
  EXPECT_EQ(logits.argmax().item<int64_t>(), reference.argmax().item<int64_t>());
}

}  // namespace

// Llama-3 byte-level BPE against HF tokenizers' ids on every public case.
#include <gtest/gtest.h>

#include "csm/error.h"
#include "csm/tokenizer.h"
#include "support/fixtures.h"

namespace {

class Llama3Tokenizer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string path = csm::test::fixture_path("llama3/tokenizer.json");
    if (!path.empty()) tokenizer_ = csm::load_tokenizer(path).release();
  }
  static void TearDownTestSuite() {
    delete tokenizer_;
    tokenizer_ = nullptr;
  }
  void SetUp() override {
    if (!tokenizer_) {
      if (csm::test::fixtures_required()) FAIL() << "llama3/tokenizer.json fixture missing";
      GTEST_SKIP() << "llama3/tokenizer.json fixture missing";
    }
  }
  static csm::Tokenizer* tokenizer_;
};
csm::Tokenizer* Llama3Tokenizer::tokenizer_ = nullptr;

TEST_F(Llama3Tokenizer, EveryPublicCaseMatchesTheReferenceIds) {
  CSM_REQUIRE_FIXTURE(cases_path, "tokenizer/tokenizer_cases.json");
  const auto cases = csm::test::read_json(cases_path).at("cases");
  ASSERT_GE(cases.size(), 40u);
  for (const auto& c : cases) {
    const std::string text = c.at("text");
    EXPECT_EQ(tokenizer_->encode(text), c.at("ids_no_special").get<std::vector<int32_t>>()) << text;
    EXPECT_EQ(tokenizer_->encode_framed(text), c.at("ids").get<std::vector<int32_t>>()) << text;
    EXPECT_EQ(tokenizer_->decode(c.at("ids_no_special").get<std::vector<int32_t>>()), c.at("decoded").get<std::string>())
        << text;
    const auto pieces = c.at("pieces").get<std::vector<std::string>>();
    const auto ids = c.at("ids_no_special").get<std::vector<int32_t>>();
    for (size_t i = 0; i < pieces.size() && i < ids.size(); ++i) EXPECT_EQ(tokenizer_->token_text(ids[i]), pieces[i]);
    if (c.contains("ids_no_special_with_encode_special_tokens_true")) {
      // Special-token spellings are matched inside user text (HF's default): each becomes one id.
      EXPECT_NE(tokenizer_->encode(text), c.at("ids_no_special_with_encode_special_tokens_true").get<std::vector<int32_t>>());
    }
  }
}

TEST_F(Llama3Tokenizer, SpecTestVector) {
  EXPECT_EQ(tokenizer_->encode_framed("[0]Hello, this is a test."),
            (std::vector<int32_t>{128000, 58, 15, 60, 9906, 11, 420, 374, 264, 1296, 13, 128001}));
  EXPECT_EQ(tokenizer_->bos_id(), 128000);
  EXPECT_EQ(tokenizer_->eos_id(), 128001);
  EXPECT_EQ(tokenizer_->vocab_size(), 128256);
}

TEST_F(Llama3Tokenizer, IgnoreMergesEmitsWholeVocabularyWords) {
  // llama.cpp PR #7193's example: merging by rank alone would split " Việt".
  EXPECT_EQ(tokenizer_->encode(" Việt"), (std::vector<int32_t>{101798}));
}

TEST_F(Llama3Tokenizer, SpecialTokenTextInsideUserTextBecomesOneId) {
  const auto hello = tokenizer_->encode("Hello");
  const auto world = tokenizer_->encode(" world");
  std::vector<int32_t> expected{128000};
  expected.insert(expected.end(), hello.begin(), hello.end());
  expected.push_back(128001);
  expected.insert(expected.end(), world.begin(), world.end());
  EXPECT_EQ(tokenizer_->encode("<|begin_of_text|>Hello<|end_of_text|> world"), expected);
  EXPECT_EQ(tokenizer_->decode(expected), "<|begin_of_text|>Hello<|end_of_text|> world");
  // A near miss is ordinary text.
  EXPECT_GT(tokenizer_->encode("<|begin_of_text>").size(), 1u);
}

TEST_F(Llama3Tokenizer, DecodeRoundTripsArbitraryText) {
  const std::vector<std::string> texts = {"Grüße aus Köln! 🎉", "tabs\tand\nnewlines\r\n", "  ", "x  y",
                                          "混合 text ١٢٣ numbers", "'S 'LL 'd"};
  for (const auto& t : texts) EXPECT_EQ(tokenizer_->decode(tokenizer_->encode(t)), t) << t;
}

TEST_F(Llama3Tokenizer, InvalidUtf8IsAClearError) {
  for (const std::string bad : {std::string("abc\xff"), std::string("\xc3"), std::string("\xed\xa0\x80"),
                                std::string("ok\xe2\x82")}) {
    try {
      tokenizer_->encode(bad);
      FAIL() << "no error for invalid UTF-8";
    } catch (const csm::Error& e) {
      EXPECT_EQ(e.code(), csm::ErrorCode::InvalidArgument);
      EXPECT_NE(std::string(e.what()).find("not valid UTF-8"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("byte offset"), std::string::npos) << e.what();
    }
  }
}

TEST_F(Llama3Tokenizer, DecodeRejectsIdsOutsideTheVocabulary) {
  EXPECT_THROW(tokenizer_->decode({1, 200000}), csm::Error);
  EXPECT_THROW(tokenizer_->decode({-1}), csm::Error);
}

TEST_F(Llama3Tokenizer, LongInputsEncodeInOnePass) {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "The quick brown fox jumps over the lazy dog. ";
  const auto ids = tokenizer_->encode(text);
  // Ten tokens a sentence, plus the trailing space on its own.
  EXPECT_EQ(ids.size(), 2000u * 10u + 1u);
  EXPECT_EQ(tokenizer_->decode(ids), text);
  std::string one_word(5000, 'a');  // a single pre-token thousands of bytes long
  EXPECT_EQ(tokenizer_->decode(tokenizer_->encode(one_word)), one_word);
}

}  // namespace

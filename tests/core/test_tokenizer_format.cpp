// tokenizer.json format handling on small hand-written files: both merge
// spellings, ignore_merges, templates, added-token flags and malformed files.
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "csm/error.h"
#include "csm/tokenizer.h"
#include "support/fixtures.h"

namespace {

using nlohmann::json;

// A byte-level vocabulary over "a", "b", "c", " " (Ġ) with a few merges.
json small_tokenizer(json merges, bool ignore_merges = false) {
  json vocab = {{"a", 0}, {"b", 1}, {"c", 2}, {"Ġ", 3}, {"ab", 4}, {"abc", 5}, {"bc", 6}, {"Ġa", 7}};
  return {{"version", "1.0"},
          {"added_tokens",
           json::array({{{"id", 8}, {"content", "<s>"}, {"special", true}},
                        {{"id", 9}, {"content", "</s>"}, {"special", true}},
                        {{"id", 10}, {"content", "<tag>"}, {"special", false}, {"lstrip", true}, {"rstrip", true}}})},
          {"normalizer", nullptr},
          {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}}},
          {"post_processor",
           {{"type", "TemplateProcessing"},
            {"single", json::array({{{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}},
                                    {{"Sequence", {{"id", "A"}, {"type_id", 0}}}},
                                    {{"SpecialToken", {{"id", "</s>"}, {"type_id", 0}}}}})},
            {"special_tokens", {{"<s>", {{"id", "<s>"}, {"ids", {8}}}}, {"</s>", {{"id", "</s>"}, {"ids", {9}}}}}}}},
          {"decoder", {{"type", "ByteLevel"}}},
          {"model",
           {{"type", "BPE"}, {"vocab", vocab}, {"merges", merges}, {"ignore_merges", ignore_merges}}}};
}

std::string write(const json& j, const std::string& name = "tokenizer.json") {
  const std::string path = csm::test::temp_dir("tok") + "/" + name;
  std::ofstream(path) << j.dump();
  return path;
}

std::string error_of(const std::string& path) {
  try {
    csm::load_tokenizer(path);
  } catch (const csm::Error& e) {
    return e.what();
  }
  return "";
}

TEST(TokenizerFormat, MergesAsStringsAndAsPairsGiveTheSameIds) {
  const auto as_strings = csm::load_tokenizer(write(small_tokenizer({"b c", "a b", "ab c", "Ġ a"})));
  const auto as_pairs = csm::load_tokenizer(
      write(small_tokenizer(json::array({{"b", "c"}, {"a", "b"}, {"ab", "c"}, {"Ġ", "a"}}))));
  for (const std::string text : {"abc", "ab", "cab", "a abc", "bca"}) {
    EXPECT_EQ(as_strings->encode(text), as_pairs->encode(text)) << text;
  }
  // "b c" ranks first, so "abc" merges to a + bc; "ab c" never applies.
  EXPECT_EQ(as_strings->encode("abc"), (std::vector<int32_t>{0, 6}));
  EXPECT_EQ(as_strings->encode(" a"), (std::vector<int32_t>{7}));
}

TEST(TokenizerFormat, IgnoreMergesLooksUpWholePiecesFirst) {
  const auto ranked = csm::load_tokenizer(write(small_tokenizer({"b c", "a b", "ab c"}, false)));
  const auto whole = csm::load_tokenizer(write(small_tokenizer({"b c", "a b", "ab c"}, true)));
  EXPECT_EQ(ranked->encode("abc"), (std::vector<int32_t>{0, 6}));
  EXPECT_EQ(whole->encode("abc"), (std::vector<int32_t>{5}));
}

TEST(TokenizerFormat, TemplateGivesBosAndEos) {
  const auto t = csm::load_tokenizer(write(small_tokenizer({"a b"})));
  EXPECT_EQ(t->bos_id(), 8);
  EXPECT_EQ(t->eos_id(), 9);
  EXPECT_EQ(t->encode_framed("ab"), (std::vector<int32_t>{8, 4, 9}));
}

TEST(TokenizerFormat, AddedTokenStripFlagsSwallowWhitespace) {
  const auto t = csm::load_tokenizer(write(small_tokenizer({"a b"})));
  EXPECT_EQ(t->encode("ab  <tag>  ab"), (std::vector<int32_t>{4, 10, 4}));
  EXPECT_EQ(t->encode("<s>ab</s>"), (std::vector<int32_t>{8, 4, 9}));
}

TEST(TokenizerFormat, MalformedFilesAreClearErrors) {
  EXPECT_NE(error_of("/nonexistent/tokenizer.json").find("cannot open"), std::string::npos);
  EXPECT_NE(error_of(write(json::parse("{\"model\": 3}"))).find("tokenizer"), std::string::npos);
  std::string truncated = small_tokenizer({"a b"}).dump();
  truncated.resize(truncated.size() / 2);
  const std::string path = csm::test::temp_dir("tok") + "/truncated.json";
  std::ofstream(path) << truncated;
  EXPECT_NE(error_of(path).find("not valid JSON"), std::string::npos);
  const std::string bad_merge = error_of(write(small_tokenizer({"a zz"})));
  EXPECT_NE(bad_merge.find("missing from the vocabulary"), std::string::npos) << bad_merge;
  EXPECT_NE(bad_merge.find("merge #0"), std::string::npos) << bad_merge;
  json bad_pre = small_tokenizer({"a b"});
  bad_pre["pre_tokenizer"] = {{"type", "Metaspace"}};
  EXPECT_NE(error_of(write(bad_pre)).find("Metaspace"), std::string::npos);
}

TEST(TokenizerFormat, HugeSparseIdsDoNotAllocateATableForEveryId) {
  json t = small_tokenizer({"b c"});
  t["model"]["vocab"]["bc"] = 900000000;  // a hostile file: one id near a billion
  const auto tokenizer = csm::load_tokenizer(write(t));
  EXPECT_EQ(tokenizer->token_text(900000000), "bc");
  EXPECT_EQ(tokenizer->encode("bc"), (std::vector<int32_t>{900000000}));
  EXPECT_EQ(tokenizer->decode({900000000}), "bc");
}

}  // namespace

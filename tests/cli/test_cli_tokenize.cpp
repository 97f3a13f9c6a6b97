// csm-tokenize driven as a user would drive them.
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/fixtures.h"
#include "support/process.h"

namespace {

using csm::test::run_process;
using csm::test::shell_quote;
using csm::test::tool;

TEST(CliTokenize, EncodesEveryFixtureCase) {
  CSM_REQUIRE_FIXTURE(tokenizer, "llama3/tokenizer.json");
  CSM_REQUIRE_FIXTURE(cases_path, "tokenizer/tokenizer_cases.json");
  const auto cases = csm::test::read_json(cases_path).at("cases");
  nlohmann::json texts = nlohmann::json::array();
  for (const auto& c : cases) texts.push_back(c.at("text"));

  const auto framed = run_process(tool("csm-tokenize") + " --tokenizer " + shell_quote(tokenizer), texts.dump());
  ASSERT_EQ(framed.exit_code, 0) << framed.err;
  const auto bare =
      run_process(tool("csm-tokenize") + " --no-special --tokenizer " + shell_quote(tokenizer), texts.dump());
  ASSERT_EQ(bare.exit_code, 0) << bare.err;
  const auto framed_ids = nlohmann::json::parse(framed.out), bare_ids = nlohmann::json::parse(bare.out);
  ASSERT_EQ(framed_ids.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(framed_ids[i], cases[i].at("ids")) << cases[i].at("text");
    EXPECT_EQ(bare_ids[i], cases[i].at("ids_no_special")) << cases[i].at("text");
  }
}

TEST(CliTokenize, BadInputGivesAMessageAndNonZeroExit) {
  CSM_REQUIRE_FIXTURE(tokenizer, "llama3/tokenizer.json");
  const std::string cmd = tool("csm-tokenize") + " --tokenizer " + shell_quote(tokenizer);
  const auto not_json = run_process(cmd, "hello");
  EXPECT_EQ(not_json.exit_code, 2);
  EXPECT_NE(not_json.err.find("not valid JSON"), std::string::npos) << not_json.err;
  const auto not_strings = run_process(cmd, "[1, 2]");
  EXPECT_EQ(not_strings.exit_code, 2);
  EXPECT_NE(not_strings.err.find("element 0"), std::string::npos) << not_strings.err;
  const auto missing = run_process(tool("csm-tokenize") + " --tokenizer /nonexistent.json", "[]");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("/nonexistent.json"), std::string::npos) << missing.err;
  const auto no_flag = run_process(tool("csm-tokenize"), "[]");
  EXPECT_EQ(no_flag.exit_code, 2);
  EXPECT_NE(no_flag.err.find("--tokenizer"), std::string::npos);
  const auto help = run_process(tool("csm-tokenize") + " --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--no-special"), std::string::npos);
}

}  // namespace

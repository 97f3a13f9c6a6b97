// csm-tokenize: JSON array of strings on stdin -> JSON array of id arrays on stdout.
#include <iostream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "common/cli_args.h"
#include "csm/error.h"
#include "csm/tokenizer.h"

namespace {

int tokenize_main(int argc, char** argv) {
  csm::cli::Args args("csm-tokenize",
                      "Reads a JSON array of strings on stdin and prints a JSON array of token-id arrays,\n"
                      "each framed as CSM frames a segment: [BOS] + ids + [EOS].",
                      {{"tokenizer", "FILE", "tokenizer.json (byte-level BPE) or SentencePiece .model"},
                       {"no-special", "", "bare ids, without the BOS/EOS framing"}});
  if (!args.parse(argc, argv)) return 0;
  args.expect_no_positional();
  if (!args.has("tokenizer"))
    throw csm::Error(csm::ErrorCode::InvalidArgument, "csm-tokenize: --tokenizer FILE is required");
  const auto tokenizer = csm::load_tokenizer(args.get("tokenizer"));
  const std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  nlohmann::json texts;
  try {
    texts = nlohmann::json::parse(input);
  } catch (const nlohmann::json::exception& e) {
    throw csm::Error(csm::ErrorCode::InvalidArgument, std::string("stdin is not valid JSON: ") + e.what(),
                     "give a JSON array of strings, e.g. [\"[0]Hello.\"]");
  }
  if (!texts.is_array())
    throw csm::Error(csm::ErrorCode::InvalidArgument, "stdin must be a JSON array of strings");
  const bool framed = !args.has("no-special");
  nlohmann::json out = nlohmann::json::array();
  for (size_t i = 0; i < texts.size(); ++i) {
    if (!texts[i].is_string())
      throw csm::Error(csm::ErrorCode::InvalidArgument, "element " + std::to_string(i) + " of the input is not a string");
    const auto& text = texts[i].get_ref<const std::string&>();
    out.push_back(framed ? tokenizer->encode_framed(text) : tokenizer->encode(text));
  }
  std::cout << out.dump() << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return csm::cli::run_main("csm-tokenize", tokenize_main, argc, argv); }

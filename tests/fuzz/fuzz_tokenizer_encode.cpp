// Fuzzes encoding of arbitrary text with a byte-level BPE tokenizer (the Llama-3
// pre-tokenizer, all 256 byte symbols, a few merges, one special token): invalid
// UTF-8 must be refused, and valid text must decode back to itself exactly.
#include <fstream>

#include <nlohmann/json.hpp>

#include "csm/tokenizer.h"
#include "fuzz_support.h"
#include "tokenizer/byte_unicode.h"

namespace {

const csm::Tokenizer& tokenizer() {
  static const auto t = [] {
    nlohmann::json vocab = nlohmann::json::object();
    int id = 0;
    for (const auto& symbol : csm::byte_to_unicode()) vocab[symbol] = id++;
    vocab["Ġt"] = id++;
    vocab["he"] = id++;
    vocab["Ġthe"] = id++;
    const nlohmann::json split = {
        {"type", "Split"},
        {"pattern",
         {{"Regex", R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)"}}},
        {"behavior", "Isolated"},
        {"invert", false}};
    const nlohmann::json j = {
        {"added_tokens", {{{"id", id}, {"content", "<|end|>"}, {"special", true}}}},
        {"normalizer", nullptr},
        {"pre_tokenizer",
         {{"type", "Sequence"},
          {"pretokenizers", {split, {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", false}}}}}},
        {"model", {{"type", "BPE"}, {"ignore_merges", true}, {"vocab", vocab}, {"merges", {"Ġ t", "h e", "Ġt he"}}}}};
    const std::string path = "/tmp/csm-fuzz-encode-tokenizer-" + std::to_string(getpid()) + ".json";
    std::ofstream(path) << j.dump();
    return csm::load_bpe_tokenizer(path);
  }();
  return *t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  return csm::fuzz::guarded([&] {
    const auto ids = tokenizer().encode(text);
    if (tokenizer().decode(ids) != text) std::abort();  // valid UTF-8 round-trips exactly
  });
}

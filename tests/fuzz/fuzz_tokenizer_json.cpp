// Fuzzes tokenizer.json loading, then encodes and decodes with what loaded.
#include "csm/tokenizer.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = csm::fuzz::write_input(data, size, "-tokenizer.json");
  return csm::fuzz::guarded([&] {
    const auto tokenizer = csm::load_bpe_tokenizer(path);
    for (const char* text : {"Hello world", "a  b\n\tc", "<s>x</s>", "ümlaut 🚀", ""}) {
      const auto ids = tokenizer->encode(text);
      (void)tokenizer->decode(ids);
    }
    (void)tokenizer->token_text(-1);
    (void)tokenizer->token_text(1 << 30);
  });
}

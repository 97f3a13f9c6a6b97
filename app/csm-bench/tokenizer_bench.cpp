#include "csm-bench/tokenizer_bench.h"

#include <chrono>

#include "csm/tokenizer.h"

namespace csm::bench {
namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

std::string sample_text() {
  const std::string paragraph =
      "[0]Conversational speech models need to handle hesitations, numbers like 3.14159 and 2024-05-20, "
      "names such as Zoë or Björk, and the occasional emoji 🚀 without slowing down. ";
  std::string text;
  for (int i = 0; i < 200; ++i) text += paragraph;
  return text;
}

}  // namespace

nlohmann::json tokenizer_report(const std::string& path) {
  auto t0 = Clock::now();
  const auto tokenizer = load_tokenizer(path);
  const double load_ms = ms_since(t0);
  const std::string text = sample_text();
  (void)tokenizer->encode(text);  // warm the piece cache as a long session would
  const int repeats = 20;
  size_t tokens = 0;
  t0 = Clock::now();
  for (int i = 0; i < repeats; ++i) tokens += tokenizer->encode(text).size();
  const double encode_ms = ms_since(t0);
  const double bytes = static_cast<double>(text.size()) * repeats;
  return {{"tokenizer", path},
          {"kind", tokenizer->kind()},
          {"vocab_size", tokenizer->vocab_size()},
          {"load_ms", load_ms},
          {"encode_tokens_per_s", tokens / (encode_ms / 1000.0)},
          {"encode_mb_per_s", bytes / 1e6 / (encode_ms / 1000.0)},
          {"encoded_bytes", bytes},
          {"encoded_tokens", tokens}};
}

}  // namespace csm::bench

// Fuzzes what csm-serve parses of a request head itself (Beast parses the HTTP):
// the Authorization header against the key, a multipart Content-Type with its
// boundary, and the live-sampling body. Only an ApiError (4xx) may come out of
// the parsers, and the key check may accept nothing but "Bearer KEY".
// The first byte picks the parser; for the key check, a newline splits header and key.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "csm-serve/api_key.h"
#include "csm-serve/multipart.h"
#include "csm-serve/openai_error.h"
#include "csm-serve/speech_request.h"
#include "fuzz_support.h"

namespace {

std::string trimmed(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return std::string(s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1));
}

void check_key(std::string_view input) {
  const auto newline = input.find('\n');
  const std::string_view header = input.substr(0, newline);
  const std::string_view key = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  if (csm::serve::constant_time_equal(header, key) != (header == key)) std::abort();
  if (!csm::serve::authorization_matches(header, key)) return;
  // Accepted: the header is "bearer" in some case, white space, the key, white space.
  std::string h = trimmed(header);
  std::string scheme = h.substr(0, 6);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char c) { return std::tolower(c); });
  if (key.empty() || scheme != "bearer" || trimmed(h.substr(6)) != key) {
    std::fprintf(stderr, "accepted a wrong key\n");
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  return csm::fuzz::guarded([&] {
    try {
      switch (data[0] % 3) {
        case 0:
          check_key(input);
          break;
        case 1: {
          const auto newline = input.find('\n');
          const std::string_view content_type = input.substr(0, newline);
          const std::string_view body = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
          (void)csm::serve::parse_multipart(content_type, body);
          break;
        }
        default: {
          const auto change = csm::serve::parse_sampling_change(input);
          if (!change.temperature && !change.top_k) std::abort();  // an empty change is a 400
        }
      }
    } catch (const csm::serve::ApiError& e) {
      if (e.status < 400 || e.status >= 500 || e.message.empty()) {
        std::fprintf(stderr, "bad ApiError: %d %s\n", e.status, e.message.c_str());
        std::abort();
      }
    }
  });
}

// Fuzzes csm-serve's parsers of request bodies: the POST /v1/audio/speech JSON
// (every problem must be an ApiError with a 4xx status, never anything else) and
// the multipart/form-data of POST /v1/audio/voices. The first byte picks which.
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "csm-serve/multipart.h"
#include "csm-serve/openai_error.h"
#include "csm-serve/speech_request.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  return csm::fuzz::guarded([&] {
    try {
      if (data[0] & 1) {
        (void)csm::serve::parse_multipart("multipart/form-data; boundary=XyZ", input);
      } else {
        csm::serve::SpeechLimits limits;
        const auto r = csm::serve::parse_speech_request(input, limits);
        // What it accepts is within the documented bounds.
        if (r.input.empty() || r.max_audio_ms < 80 || r.max_audio_ms > limits.max_audio_ms ||
            !csm::serve::valid_voice_name(r.voice) || (r.sampling.temperature && (*r.sampling.temperature < 0 || *r.sampling.temperature > 2)))
          std::abort();
      }
    } catch (const csm::serve::ApiError& e) {
      if (e.status < 400 || e.status >= 500 || e.message.empty()) {
        std::fprintf(stderr, "bad ApiError: %d %s\n", e.status, e.message.c_str());
        std::abort();
      }
    }
  });
}

// Fuzzes csm-serve's WebSocket message parser (GET /v1/audio/speech/stream): every
// message a client may send is taken or refused with an ApiError of status 400 and a
// message (which the session sends back as an error event), never anything else.
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "csm-serve/openai_error.h"
#include "csm-serve/socket_messages.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  return csm::fuzz::guarded([&] {
    csm::serve::SpeechLimits limits;
    try {
      const auto m = csm::serve::parse_client_message(input, limits);
      using Type = csm::serve::ClientMessage::Type;
      // What it accepts is within the documented bounds.
      if (m.type == Type::Start &&
          ((m.start.format != csm::serve::AudioFormat::Pcm && m.start.format != csm::serve::AudioFormat::Opus) ||
           !csm::serve::valid_voice_name(m.start.voice) || m.sample_rate < 0 ||
           csm::serve::text_characters(m.text) > limits.max_input_chars))
        std::abort();
      if (m.type != Type::Start && m.type != Type::TextDelta && !m.text.empty()) std::abort();
    } catch (const csm::serve::ApiError& e) {
      if (e.status != 400 || e.message.empty() || e.code.empty()) {
        std::fprintf(stderr, "bad ApiError: %d %s\n", e.status, e.message.c_str());
        std::abort();
      }
    }
  });
}

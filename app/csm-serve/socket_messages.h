#pragma once
// The WebSocket speech session's client messages (GET /v1/audio/speech/stream), each
// one JSON text message with a "type": session.start (the speech request's fields, the
// text streamed in after it), text.delta {text}, text.flush, text.done, cancel. Parsed
// and checked here, every problem an ApiError naming the field. No I/O: fuzzable.
#include <string>
#include <string_view>

#include "csm-serve/openai_error.h"
#include "csm-serve/speech_request.h"

namespace csm::serve {

struct ClientMessage {
  enum class Type { Start, TextDelta, TextFlush, TextDone, Cancel };
  Type type = Type::Cancel;
  SpeechRequest start;  // Start: response_format pcm (default) or opus
  int sample_rate = 0;  // Start: 0 when not given (the model's rate is the only one)
  std::string text;     // Start ('input', may be empty) and TextDelta
};

// The most bytes one client message may have (the WebSocket reader's limit too).
constexpr size_t kMaxClientMessageBytes = 64 * 1024;

// Throws ApiError (400): not JSON, not an object, an unknown type, a field of the wrong
// type or range (the speech request's rules for session.start).
ClientMessage parse_client_message(std::string_view message, const SpeechLimits& limits);

const char* to_string(ClientMessage::Type type);

}  // namespace csm::serve

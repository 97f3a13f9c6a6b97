#include "csm-serve/socket_messages.h"

#include <nlohmann/json.hpp>

namespace csm::serve {
namespace {

using nlohmann::json;

json parse_message(std::string_view message) {
  if (message.size() > kMaxClientMessageBytes)
    throw bad_request("a message may have at most " + std::to_string(kMaxClientMessageBytes) + " bytes", "",
                      "message_too_large");
  return parse_json_object(message, "the message");
}

std::string text_of(const json& m) {
  const auto it = m.find("text");
  if (it == m.end() || !it->is_string())
    throw bad_request("text.delta needs \"text\": a string", "text", it == m.end() ? "missing_field" : "invalid_type");
  return it->get<std::string>();
}

ClientMessage start_of(json m, const SpeechLimits& limits) {
  ClientMessage out;
  out.type = ClientMessage::Type::Start;
  int rate = 0;
  if (const auto it = m.find("sample_rate"); it != m.end()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 1 || it->get<int64_t>() > 384000)
      throw bad_request("'sample_rate' must be a positive integer", "sample_rate", "invalid_type");
    rate = static_cast<int>(it->get<int64_t>());
  }
  for (const char* http_only : {"stream_format", "include_codes"})
    if (m.contains(http_only))
      throw bad_request(std::string("'") + http_only + "' is not a session.start field (audio comes as binary messages)",
                        http_only, "unsupported_value");
  m.erase("type");
  m.erase("sample_rate");
  const bool format_given = m.contains("response_format");
  out.start = parse_speech_object(m, limits, TextArrives::Streamed);
  if (!format_given) out.start.format = AudioFormat::Pcm;
  if (out.start.format != AudioFormat::Pcm && out.start.format != AudioFormat::Opus)
    throw bad_request("response_format must be 'pcm' or 'opus' on the WebSocket", "response_format", "unsupported_value");
  out.sample_rate = rate;
  out.text = out.start.input;
  return out;
}

}  // namespace

ClientMessage parse_client_message(std::string_view message, const SpeechLimits& limits) {
  json m = parse_message(message);
  const auto type = m.find("type");
  if (type == m.end() || !type->is_string())
    throw bad_request("a message needs a \"type\": session.start, text.delta, text.flush, text.done or cancel", "type",
                      "missing_field");
  const std::string name = type->get<std::string>();
  ClientMessage out;
  if (name == "session.start") return start_of(std::move(m), limits);
  if (name == "text.delta") {
    out.type = ClientMessage::Type::TextDelta;
    out.text = text_of(m);
  } else if (name == "text.flush") {
    out.type = ClientMessage::Type::TextFlush;
  } else if (name == "text.done") {
    out.type = ClientMessage::Type::TextDone;
  } else if (name == "cancel") {
    out.type = ClientMessage::Type::Cancel;
  } else {
    throw bad_request("unknown message type '" + name.substr(0, 64) +
                          "' (session.start, text.delta, text.flush, text.done, cancel)",
                      "type", "unknown_type");
  }
  return out;
}

const char* to_string(ClientMessage::Type type) {
  switch (type) {
    case ClientMessage::Type::Start: return "session.start";
    case ClientMessage::Type::TextDelta: return "text.delta";
    case ClientMessage::Type::TextFlush: return "text.flush";
    case ClientMessage::Type::TextDone: return "text.done";
    case ClientMessage::Type::Cancel: return "cancel";
  }
  return "?";
}

}  // namespace csm::serve

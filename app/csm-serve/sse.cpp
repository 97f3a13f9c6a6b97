#include "csm-serve/sse.h"

namespace csm::serve {

std::string base64(const std::string& bytes) {
  static const char* const table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t v = (uint32_t(uint8_t(bytes[i])) << 16) | (uint32_t(uint8_t(bytes[i + 1])) << 8) | uint8_t(bytes[i + 2]);
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += table[(v >> 6) & 63];
    out += table[v & 63];
  }
  if (i + 1 == bytes.size()) {
    const uint32_t v = uint32_t(uint8_t(bytes[i])) << 16;
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    const uint32_t v = (uint32_t(uint8_t(bytes[i])) << 16) | (uint32_t(uint8_t(bytes[i + 1])) << 8);
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += table[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string sse_event(const nlohmann::json& event) {
  return "data: " + event.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n\n";
}

std::string sse_audio_delta(const std::string& bytes, const nlohmann::json& csm) {
  return sse_event({{"type", "speech.audio.delta"}, {"audio", base64(bytes)}, {"csm", csm}});
}

std::string sse_audio_done(const nlohmann::json& usage, const nlohmann::json& csm) {
  return sse_event({{"type", "speech.audio.done"}, {"usage", usage}, {"csm", csm}});
}

std::string sse_error(const std::string& error_json, const nlohmann::json& csm) {
  nlohmann::json e = nlohmann::json::parse(error_json, nullptr, false);
  if (e.is_discarded() || !e.contains("error")) e = {{"error", {{"message", error_json}}}};
  nlohmann::json event = {{"type", "error"}, {"error", e["error"]}};
  if (!csm.is_null()) event["csm"] = csm;
  return sse_event(event);
}

}  // namespace csm::serve

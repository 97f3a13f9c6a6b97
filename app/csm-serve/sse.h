#pragma once
// Server-sent events for stream_format "sse": OpenAI's speech.audio.delta /
// speech.audio.done events (plus an "error" event when a stream fails after its
// audio started), each a "data: {json}\n\n" block.
#include <string>

#include <nlohmann/json.hpp>

namespace csm::serve {

std::string base64(const std::string& bytes);
std::string sse_event(const nlohmann::json& event);
// {"type": "speech.audio.delta", "audio": base64(bytes), "csm": csm}
std::string sse_audio_delta(const std::string& bytes, const nlohmann::json& csm);
// {"type": "speech.audio.done", "usage": usage, "csm": csm}
std::string sse_audio_done(const nlohmann::json& usage, const nlohmann::json& csm);
// {"type": "error", "error": {...OpenAI error...}, "csm": csm (when given)}
std::string sse_error(const std::string& error_json, const nlohmann::json& csm = nullptr);

}  // namespace csm::serve

#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace csm::bench {
// Mimi decode speed: frame-by-frame streaming and one call, ms per 80 ms frame.
// `model`/`codec` as csm::CodecOptions takes them ("random:mimi" for full-size random weights).
nlohmann::json codec_report(const std::string& model, const std::string& codec, int frames);
}  // namespace csm::bench

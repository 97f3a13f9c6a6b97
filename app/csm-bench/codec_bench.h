#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace csm::bench {
// Mimi decode speed: frame-by-frame streaming and one call, ms per 80 ms frame, and
// streaming `stream_counts` streams at once (one batched call a frame): ms per stream-frame.
// `model`/`codec` as csm::CodecOptions takes them ("random:mimi" for full-size random weights).
nlohmann::json codec_report(const std::string& model, const std::string& codec, int frames, const std::string& device,
                            const std::vector<int>& stream_counts);
}  // namespace csm::bench

#pragma once
// Plain-C++ types that describe what to generate (no tensors above core/).
#include <cstdint>
#include <string>
#include <vector>

namespace csm {

// One turn of a conversation: a speaker id, its text, and (for context turns)
// the Mimi codes of what was said, frames x codebooks.
struct Segment {
  int speaker = 0;
  std::string text;
  std::vector<std::vector<int32_t>> audio_frames;
};

struct SamplingParams {
  float temperature = 0.9f;  // 0 = greedy (argmax)
  int top_k = 50;            // <= 0: no top-k filter
  uint64_t seed = 0;
};

}  // namespace csm

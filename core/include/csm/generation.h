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

// How each frame's codes are drawn: temperature, then top-k, then top-p (nucleus), as
// HF's generate composes them. Codebook 0 (the backbone's head) uses the first three;
// the depth decoder's codebooks 1..N-1 use the depth_* values, or codebook 0's where
// those are negative (the default: one setting for all, as before they existed).
struct SamplingParams {
  float temperature = 0.9f;  // 0 = greedy (argmax)
  int top_k = 50;            // <= 0: no top-k filter
  uint64_t seed = 0;
  float top_p = 1.0f;        // keep the fewest best codes whose probability reaches top_p; 1 = off
  float depth_temperature = -1.0f;
  int depth_top_k = -1;
  float depth_top_p = -1.0f;

  float decoder_temperature() const { return depth_temperature < 0 ? temperature : depth_temperature; }
  int decoder_top_k() const { return depth_top_k < 0 ? top_k : depth_top_k; }
  float decoder_top_p() const { return depth_top_p < 0 ? top_p : depth_top_p; }
  bool uses_top_p() const { return top_p < 1.0f || decoder_top_p() < 1.0f; }
};

}  // namespace csm

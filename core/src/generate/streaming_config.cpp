#include "csm/streaming_config.h"

#include <algorithm>
#include <cmath>

#include "csm/error.h"

namespace csm {

std::vector<std::string> StreamingConfig::problems() const {
  std::vector<std::string> out;
  const auto frame_multiple = [&](const char* name, int ms) {
    if (ms < kFrameMs || ms % kFrameMs != 0)
      out.push_back(std::string(name) + " must be a positive multiple of 80 ms (one frame), got " + std::to_string(ms));
  };
  frame_multiple("chunk_size_ms", chunk_size_ms);
  frame_multiple("first_chunk_ms", first_chunk_ms);
  if (first_chunk_ms > chunk_size_ms && chunk_size_ms >= kFrameMs)
    out.push_back("first_chunk_ms (" + std::to_string(first_chunk_ms) + ") may not exceed chunk_size_ms (" +
                  std::to_string(chunk_size_ms) + ")");
  if (frame_batch_size < 1 || frame_batch_size > 256)
    out.push_back("frame_batch_size must be 1..256, got " + std::to_string(frame_batch_size));
  if (!std::isfinite(sampling.temperature) || sampling.temperature < 0 || sampling.temperature > 10)
    out.push_back("temperature must be 0..10 (0 = greedy), got " + std::to_string(sampling.temperature));
  if (sampling.top_k < 0) out.push_back("top_k must be >= 0 (0 = no cut-off), got " + std::to_string(sampling.top_k));
  if (!std::isfinite(sampling.top_p) || sampling.top_p <= 0 || sampling.top_p > 1)
    out.push_back("top_p must be in (0, 1] (1 = off), got " + std::to_string(sampling.top_p));
  const float dt = sampling.depth_temperature, dp = sampling.depth_top_p;
  if (!std::isfinite(dt) || (dt >= 0 && dt > 10))
    out.push_back("depth_temperature must be 0..10 (negative: as temperature), got " + std::to_string(dt));
  if (!std::isfinite(dp) || dp == 0 || dp > 1)
    out.push_back("depth_top_p must be in (0, 1] (negative: as top_p), got " + std::to_string(dp));
  if (codebooks < 0 || codebooks > 64) out.push_back("codebooks must be 1..the model's (0 = all), got " + std::to_string(codebooks));
  if (text_wait_ms < 0 || text_wait_ms > 60000) out.push_back("text_wait_ms must be 0..60000, got " + std::to_string(text_wait_ms));
  if (!std::isfinite(length_guard) || length_guard < 0 || length_guard > 100)
    out.push_back("length_guard must be 0 (off) or a factor up to 100, got " + std::to_string(length_guard));
  if (max_audio_ms < kFrameMs) out.push_back("max_audio_ms must be at least 80, got " + std::to_string(max_audio_ms));
  if (!std::isfinite(rtf_target) || rtf_target <= 0) out.push_back("rtf_target must be positive");
  return out;
}

int64_t StreamingConfig::guard_frames(const std::string& text) const {
  if (length_guard <= 0) return 0;
  // About 14 characters a second of speech (English read aloud); at least two seconds.
  constexpr double kCharsPerSecond = 14.0, kFloorMs = 2000.0;
  const double expected_ms = 1000.0 * static_cast<double>(text.size()) / kCharsPerSecond;
  return static_cast<int64_t>(std::ceil(std::max(kFloorMs, length_guard * expected_ms) / kFrameMs));
}

void StreamingConfig::validate() const {
  const auto list = problems();
  if (list.empty()) return;
  std::string message = "invalid streaming settings:";
  for (const auto& p : list) message += "\n  - " + p;
  throw Error(ErrorCode::InvalidArgument, message);
}

}  // namespace csm

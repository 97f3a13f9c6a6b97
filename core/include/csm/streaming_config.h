#pragma once
// The knobs of a streaming run (the seed write-up's StreamingConfig), validated
// with one readable line per bad field.
#include <cstdint>
#include <string>
#include <vector>

#include "csm/generation.h"

namespace csm {

// What the next backbone row holds for the codebooks a stream does not generate
// (StreamingConfig::codebooks below all of them).
enum class CodebookFill { Mask, Pad };  // left out of the row's sum, as the text column is / the codebook pad id

struct StreamingConfig {
  int chunk_size_ms = 320;        // audio per chunk after the first; a multiple of 80 ms
  int first_chunk_ms = 80;        // the first chunk may be smaller to cut time to first audio
  int frame_batch_size = 4;       // frames Mimi decodes per call
  SamplingParams sampling;        // temperature (0 = greedy), top_k, top_p, seed, depth_*; live-changeable per stream
  int max_audio_ms = 90000;       // per stream
  // Codebooks generated per frame, 1..the model's (0: all). The depth decoder stops after
  // codebooks - 1 steps for this stream and Mimi decodes the first `codebooks` quantizers.
  int codebooks = 0;
  CodebookFill codebook_fill = CodebookFill::Mask;
  // A piece may run at most this many times the length its text should take (with a
  // 2-second floor), then the stream stops with stop reason length_guard. 0: off.
  double length_guard = 4.0;
  // Streamed text (Request::text_streamed): buffered text without a sentence end is cut
  // at a clause or word boundary after waiting this long.
  int text_wait_ms = 700;
  // A request: CUDA only. A frame runs eagerly while any live stream asked for no graphs;
  // the run's metrics say how frames ran.
  bool enable_cuda_graphs = true;
  double rtf_target = 0.3;          // what csm-bench's recommendation aims for

  static constexpr int kFrameMs = 80;
  int chunk_frames() const { return chunk_size_ms / kFrameMs; }
  int first_chunk_frames() const { return first_chunk_ms / kFrameMs; }
  int max_frames() const { return max_audio_ms / kFrameMs; }
  // The frames a piece of text may take under the length guard (0: no guard).
  int64_t guard_frames(const std::string& text) const;

  std::vector<std::string> problems() const;  // empty when valid
  void validate() const;                      // throws csm::Error listing every problem
};

}  // namespace csm

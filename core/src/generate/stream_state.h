#pragma once
// One stream's progress on the model thread: the pieces of its text still to say,
// the frames it made and not yet decoded, its Mimi state, its chunking, the sampling
// in effect (live changes last across pieces) and the metrics its chunks carry.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "codec/mimi_codec.h"
#include "csm/codec.h"
#include "csm/stream.h"
#include "generate/engine_parts.h"
#include "generate/piece_plan.h"
#include "generate/stream_channel.h"

namespace csm {

class StreamState {
 public:
  using Clock = std::chrono::steady_clock;
  // Plans the stream's pieces; the clock of its metrics starts now.
  StreamState(std::shared_ptr<StreamChannel> channel, const EngineParts& parts);

  // Starts the current piece: its prompt (after the last piece, as voice context)
  // and its frame budget. Throws csm::Error when it cannot fit the model.
  PiecePrompt begin_piece(const EngineParts& parts);
  // The sampling of the current piece: what is in effect, each piece with its own seed.
  SamplingParams piece_sampling() const;
  void change_sampling(const SamplingParams& sampling) { sampling_ = sampling; }

  struct Outcome {
    bool chunk_due = false;   // enough frames pending for the next chunk
    bool piece_done = false;  // the next piece starts (a later piece of a long text)
    bool finished = false;    // the stream ends with `stop`
    StopReason stop = StopReason::Running;
  };
  // A new frame of this stream, its generation time (shared by the batch) included.
  Outcome take(std::vector<int32_t> frame, double frame_ms);
  // Moves on to the next piece (after take() said piece_done).
  void start_next_piece();

  // Hands the pending frames, decoded, to the reader as a chunk with its metrics;
  // `frames_per_s` of all streams together. When decoding fails part way, what was
  // decoded still goes out (not as the last chunk), the rest stays pending, and the
  // failure is thrown.
  void emit(const EngineParts& parts, bool last, double frames_per_s);

  StreamChannel& channel() { return *channel_; }
  const std::shared_ptr<StreamChannel>& channel_ptr() const { return channel_; }
  const StreamingConfig& config() const { return channel_->config(); }

 private:
  std::shared_ptr<StreamChannel> channel_;
  std::vector<std::string> pieces_;  // what is left to say, in order (the first is being said)
  Segment previous_;                 // the last finished piece
  int64_t pieces_done_ = 0;
  SamplingParams sampling_;
  int64_t piece_limit_ = 0;          // frames the current piece may make
  MimiDecoderState decoder_;
  Frames pending_, piece_frames_;
  int64_t frames_ = 0, chunks_ = 0;
  double generate_ms_ = 0, first_audio_ms_ = -1;
  Clock::time_point started_;
  StreamSummary summary_;

  void deliver(AudioChunk chunk, const EngineParts& parts, Clock::time_point decode_start, double frames_per_s);
};

}  // namespace csm

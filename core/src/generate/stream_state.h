#pragma once
// One stream's progress on the model thread: the pieces of its text still to say (a
// long text's, planned at once, or a streamed text's, cut as it arrives), the frames it
// made, and the sampling in effect (live changes last across pieces). Its audio
// (decoding, chunks, their metrics) is the AudioDecoder's.
#include <cstdint>
#include <deque>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include "csm/codec.h"
#include "csm/stream.h"
#include "generate/engine_parts.h"
#include "generate/frame_step.h"
#include "generate/piece_plan.h"
#include "generate/stream_channel.h"

namespace csm {

class StreamState {
 public:
  // Plans the stream's pieces (a streamed text's come from its channel's feed).
  StreamState(std::shared_ptr<StreamChannel> channel, const EngineParts& parts);

  // The next piece to say, if one is ready now; and whether more may still come.
  std::optional<std::string> next_piece();
  bool more_text() const;
  // Starts `piece`: its prompt (after the last piece, as voice context) and its frame
  // budget. Throws csm::Error when it cannot fit the model.
  PiecePrompt begin_piece(const EngineParts& parts, const std::string& piece);
  int piece_index() const { return static_cast<int>(pieces_done_); }
  // Between pieces of a streamed text whose next piece is not there yet.
  bool waiting() const { return waiting_; }
  void set_waiting(bool waiting) { waiting_ = waiting; }
  // The sampling of the current piece: what is in effect, each piece with its own seed.
  SamplingParams piece_sampling() const;
  // The codebooks this stream generates (fixed for the stream) and how its rows fill the rest.
  SlotCodebooks codebooks(int64_t model_codebooks) const;
  const SamplingParams& sampling() const { return sampling_; }  // in effect
  void change_sampling(const SamplingParams& sampling) { sampling_ = sampling; }

  struct Outcome {
    bool speech = false;      // the frame is audio (not the end-of-speech frame)
    bool piece_done = false;  // the piece is over; the stream goes on with its next one
    bool finished = false;    // the stream ends with `stop`
    StopReason stop = StopReason::Running;
  };
  // A new frame of this stream.
  Outcome take(const std::vector<int32_t>& frame);
  // Ends the current piece (after take() said piece_done): it becomes the next one's context.
  void end_piece();

  StreamChannel& channel() { return *channel_; }
  const std::shared_ptr<StreamChannel>& channel_ptr() const { return channel_; }
  const StreamingConfig& config() const { return channel_->config(); }

 private:
  bool piece_cut() const;  // the length guard cut the current piece
  std::shared_ptr<StreamChannel> channel_;
  std::deque<std::string> planned_;  // a long text's pieces still to say, in order
  std::string current_;              // the piece being said
  Segment previous_;                 // the last finished piece
  bool waiting_ = false;
  int64_t pieces_done_ = 0;
  SamplingParams sampling_;
  int64_t piece_limit_ = 0;          // frames the current piece may make
  int64_t guard_limit_ = 0;          // ... of which the length guard allows (0: no guard)
  bool guard_cut_ = false;           // the length guard cut a piece of this stream
  Frames piece_frames_;
  int64_t frames_ = 0;
};

}  // namespace csm

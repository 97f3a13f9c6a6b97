#include "generate/stream_state.h"

#include <algorithm>

#include "csm/model.h"

namespace csm {

StreamState::StreamState(std::shared_ptr<StreamChannel> channel, const EngineParts& parts)
    : channel_(std::move(channel)), sampling_(channel_->sampling()) {
  pieces_ = plan_pieces(*parts.tokenizer, channel_->request().text);
}

PiecePrompt StreamState::begin_piece(const EngineParts& parts) {
  auto piece = piece_prompt(parts, channel_->request(), previous_, pieces_.front(), pieces_.size() > 1 || pieces_done_ > 0,
                            config().max_frames() - frames_, "this request");
  piece_limit_ = piece.frame_limit;
  guard_limit_ = config().guard_frames(pieces_.front());
  if (guard_limit_ > 0) piece_limit_ = std::min(piece_limit_, guard_limit_);
  piece_frames_.clear();
  return piece;
}

SlotCodebooks StreamState::codebooks(int64_t model_codebooks) const {
  const int64_t asked = config().codebooks;
  return {asked > 0 && asked < model_codebooks ? asked : 0, config().codebook_fill == CodebookFill::Pad};
}

SamplingParams StreamState::piece_sampling() const {
  SamplingParams s = sampling_;
  s.seed += static_cast<uint64_t>(pieces_done_);
  return s;
}

StreamState::Outcome StreamState::take(const std::vector<int32_t>& frame) {
  Outcome out;
  const bool eos = is_end_of_speech(frame);
  if (!eos) {
    piece_frames_.push_back(frame);
    ++frames_;
    out.speech = true;
  }
  const auto made = static_cast<int64_t>(piece_frames_.size());
  const bool piece_done = eos || made >= piece_limit_;
  const bool out_of_room = frames_ >= config().max_frames();
  // A piece that talks on far past what its text should take stops the stream.
  const bool runaway = !eos && guard_limit_ > 0 && made >= guard_limit_;
  if (runaway || (piece_done && (pieces_.size() <= 1 || out_of_room))) {
    out.finished = true;
    out.stop = eos ? StopReason::EndOfSpeech : runaway ? StopReason::LengthGuard : StopReason::MaxLength;
    return out;
  }
  out.piece_done = piece_done;
  return out;
}

void StreamState::start_next_piece() {
  previous_ = Segment{channel_->request().speaker, pieces_.front(), std::move(piece_frames_)};
  piece_frames_.clear();
  pieces_.erase(pieces_.begin());
  ++pieces_done_;
}

}  // namespace csm

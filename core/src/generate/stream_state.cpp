#include "generate/stream_state.h"

#include <algorithm>

#include "csm/model.h"

namespace csm {

StreamState::StreamState(std::shared_ptr<StreamChannel> channel, const EngineParts& parts)
    : channel_(std::move(channel)), sampling_(channel_->sampling()) {
  if (!channel_->feed()) {
    const auto pieces = plan_pieces(*parts.tokenizer, channel_->request().text);
    planned_.assign(pieces.begin(), pieces.end());
  }
}

std::optional<std::string> StreamState::next_piece() {
  if (TextFeed* feed = channel_->feed()) return feed->take(TextFeed::Clock::now());
  if (planned_.empty()) return std::nullopt;
  std::string piece = std::move(planned_.front());
  planned_.pop_front();
  return piece;
}

bool StreamState::more_text() const {
  if (TextFeed* feed = channel_->feed()) return !feed->exhausted();
  return !planned_.empty();
}

PiecePrompt StreamState::begin_piece(const EngineParts& parts, const std::string& piece) {
  // A streamed text never knows it is whole: its pieces are always cut short like a long text's.
  const bool split = channel_->feed() != nullptr || !planned_.empty() || pieces_done_ > 0;
  auto prompt = piece_prompt(parts, channel_->request(), previous_, piece, split, config().max_frames() - frames_,
                             "this request");
  current_ = piece;
  piece_limit_ = prompt.frame_limit;
  guard_limit_ = config().guard_frames(piece);
  if (guard_limit_ > 0) piece_limit_ = std::min(piece_limit_, guard_limit_);
  piece_frames_.clear();
  waiting_ = false;
  channel_->add_piece(piece);
  return prompt;
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
  // A piece that talks on far past what its text should take is cut there; the stream
  // goes on with its next piece (the text after it is the user's, not to be lost), and
  // ends with the guard's stop reason so that the cut is known.
  if (piece_cut()) guard_cut_ = true;
  if (piece_done && (!more_text() || out_of_room)) {
    out.finished = true;
    out.stop = guard_cut_ ? StopReason::LengthGuard : eos ? StopReason::EndOfSpeech : StopReason::MaxLength;
    return out;
  }
  out.piece_done = piece_done;
  return out;
}

// Speech frames (an end-of-speech frame is not kept) up to the guard: the piece cannot
// have ended on its own before, as its limit is at most the guard's.
bool StreamState::piece_cut() const {
  return guard_limit_ > 0 && static_cast<int64_t>(piece_frames_.size()) >= guard_limit_;
}

void StreamState::end_piece() {
  // A cut piece is no context for the next: its runaway audio would lead the next astray.
  if (!piece_cut()) previous_ = Segment{channel_->request().speaker, current_, std::move(piece_frames_)};
  piece_frames_.clear();
  ++pieces_done_;
}

}  // namespace csm

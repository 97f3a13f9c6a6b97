#include "generate/stream_state.h"

#include "csm/model.h"
#include "csm/system_info.h"
#include "generate/pending_decode.h"
#include "runtime/device_policy.h"

namespace csm {
namespace {

double ms_between(StreamState::Clock::time_point a, StreamState::Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

}  // namespace

StreamState::StreamState(std::shared_ptr<StreamChannel> channel, const EngineParts& parts)
    : channel_(std::move(channel)), sampling_(channel_->sampling()), started_(Clock::now()) {
  pieces_ = plan_pieces(*parts.tokenizer, channel_->request().text);
}

PiecePrompt StreamState::begin_piece(const EngineParts& parts) {
  auto piece = piece_prompt(parts, channel_->request(), previous_, pieces_.front(), pieces_.size() > 1 || pieces_done_ > 0,
                            config().max_frames() - frames_, "this request");
  piece_limit_ = piece.frame_limit;
  piece_frames_.clear();
  return piece;
}

SamplingParams StreamState::piece_sampling() const {
  SamplingParams s = sampling_;
  s.seed += static_cast<uint64_t>(pieces_done_);
  return s;
}

StreamState::Outcome StreamState::take(std::vector<int32_t> frame, double frame_ms) {
  Outcome out;
  generate_ms_ += frame_ms;
  const bool eos = is_end_of_speech(frame);
  if (!eos) {
    pending_.push_back(frame);
    piece_frames_.push_back(std::move(frame));
    ++frames_;
  }
  const bool piece_done = eos || static_cast<int64_t>(piece_frames_.size()) >= piece_limit_;
  const bool out_of_room = frames_ >= config().max_frames();
  if (piece_done && (pieces_.size() <= 1 || out_of_room)) {
    out.finished = true;
    out.stop = eos ? StopReason::EndOfSpeech : StopReason::MaxLength;
    return out;
  }
  const int64_t target = chunks_ == 0 ? config().first_chunk_frames() : config().chunk_frames();
  out.chunk_due = static_cast<int64_t>(pending_.size()) >= target;
  out.piece_done = piece_done;
  return out;
}

void StreamState::start_next_piece() {
  previous_ = Segment{channel_->request().speaker, pieces_.front(), std::move(piece_frames_)};
  piece_frames_.clear();
  pieces_.erase(pieces_.begin());
  ++pieces_done_;
}

void StreamState::emit(const EngineParts& parts, bool last, double frames_per_s) {
  AudioChunk chunk;
  chunk.first_frame = frames_ - static_cast<int64_t>(pending_.size());
  chunk.last = last;
  const auto t0 = Clock::now();
  try {
    decode_pending(*parts.mimi, pending_, decoder_, static_cast<size_t>(config().frame_batch_size),
                   parts.model->config().num_codebooks, chunk);
  } catch (...) {
    chunk.last = false;
    if (!chunk.codes.empty()) deliver(std::move(chunk), parts, t0, frames_per_s);
    throw;
  }
  deliver(std::move(chunk), parts, t0, frames_per_s);
}

void StreamState::deliver(AudioChunk chunk, const EngineParts& parts, Clock::time_point decode_start,
                          double frames_per_s) {
  const auto now = Clock::now();
  auto& m = chunk.metrics;
  m.decode_ms = ms_between(decode_start, now);
  m.generate_ms = generate_ms_;
  generate_ms_ = 0;
  m.elapsed_ms = ms_between(started_, now);
  summary_.frames = chunk.first_frame + static_cast<int64_t>(chunk.codes.size());  // heard so far
  summary_.audio_ms = summary_.frames * double(StreamingConfig::kFrameMs);
  m.rtf = summary_.audio_ms > 0 ? m.elapsed_ms / summary_.audio_ms : 0;
  if (first_audio_ms_ < 0 && !chunk.samples.empty()) first_audio_ms_ = m.elapsed_ms;
  m.first_audio_ms = first_audio_ms_;
  m.frames_per_s = frames_per_s;
  m.rss_bytes = resident_memory_bytes();
  m.device_bytes = device_memory_in_use(parts.model->device());
  m.temperature = sampling_.temperature;
  m.top_k = sampling_.top_k;
  ++chunks_;
  channel_->push(std::move(chunk), summary_);
}

}  // namespace csm

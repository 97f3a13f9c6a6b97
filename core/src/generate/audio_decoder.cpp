#include "generate/audio_decoder.h"

#include <algorithm>
#include <map>

#include "codec/code_frames.h"
#include "csm/system_info.h"
#include "runtime/device_policy.h"
#include "runtime/device_stream.h"
#include "runtime/torch_failure.h"

namespace csm {
namespace {

using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

}  // namespace

AudioDecoder::AudioDecoder(std::shared_ptr<const EngineParts> parts, int64_t slots, bool own_thread, std::string hint)
    : parts_(std::move(parts)), mimi_(*parts_->mimi), hint_(std::move(hint)),
      slots_(static_cast<size_t>(slots)), state_(mimi_.decoder_state(slots)), own_thread_(own_thread) {
  if (own_thread_) thread_ = std::thread([this] { run(); });
}

AudioDecoder::~AudioDecoder() {
  if (!own_thread_) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void AudioDecoder::submit(AudioWork work) {
  if (work.empty()) return;
  if (!own_thread_) {
    process(work);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(std::move(work));
  }
  cv_.notify_all();
}

void AudioDecoder::wait_idle() {
  if (!own_thread_) return;
  std::unique_lock<std::mutex> lock(mutex_);
  idle_cv_.wait(lock, [&] { return queue_.empty() && !busy_; });
}

void AudioDecoder::run() {
  use_own_device_stream(mimi_.device());
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything handed over is done
    AudioWork work = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    process(work);
    lock.lock();
    busy_ = false;
    if (queue_.empty()) idle_cv_.notify_all();
  }
}

void AudioDecoder::process(AudioWork& work) {
  for (auto& event : work) apply(event);
  decode_due();
  for (size_t i = 0; i < slots_.size(); ++i) {
    Slot& s = slots_[i];
    if (!s.channel) continue;
    const bool finishing = s.ending && s.undecoded.empty();
    const bool piece_over = s.piece_ending && s.undecoded.empty();
    for (;;) {
      const auto ready = static_cast<int64_t>(s.chunk.codes.size()), target = chunk_target(s);
      // A stream's (or piece's) final frames go out as its last chunk, however many.
      if (ready < target || ((finishing || piece_over) && ready == target)) break;
      hand_out(static_cast<int64_t>(i), false);
    }
    if (finishing) {
      end(static_cast<int64_t>(i));
    } else if (piece_over) {
      hand_out(static_cast<int64_t>(i), false, /*piece_end=*/true);
      s.piece_ending = false;
    }
  }
}

void AudioDecoder::apply(AudioEvent& e) {
  Slot& s = slots_.at(static_cast<size_t>(e.slot));
  switch (e.kind) {
    case AudioEvent::Kind::Begin:
      s = Slot{};
      s.channel = std::move(e.channel);
      s.sampling = s.channel->sampling();
      s.depth = std::min<int64_t>(s.channel->config().codebooks > 0 ? s.channel->config().codebooks : INT32_MAX,
                                  mimi_.config().num_quantizers);
      s.started = Clock::now();
      mimi_.reset_row(state_, e.slot);
      break;
    case AudioEvent::Kind::Frame:
      if (!s.channel || s.ending) return;  // a stream the decoder already ended (a failed decode)
      if (s.chunk.codes.empty() && s.undecoded.empty()) s.piece = e.piece;
      s.undecoded.push_back(std::move(e.codes));
      s.undecoded_entropy.push_back(e.entropy);
      s.generate_ms += e.frame_ms;
      s.sampling = e.sampling;
      s.frames_per_s = e.frames_per_s;
      break;
    case AudioEvent::Kind::PieceEnd:
      if (s.channel && !s.ending) s.piece_ending = true;
      break;
    case AudioEvent::Kind::End:
      if (!s.channel || s.ending) return;
      s.ending = true;
      s.stop = e.stop;
      s.error = e.error;
      break;
  }
}

int64_t AudioDecoder::chunk_target(const Slot& s) const {
  const auto& c = s.channel->config();
  return std::max<int64_t>(1, s.chunks == 0 ? c.first_chunk_frames() : c.chunk_frames());
}

bool AudioDecoder::due(const Slot& s) const {
  if (!s.channel || s.undecoded.empty()) return false;
  const auto waiting = static_cast<int64_t>(s.undecoded.size());
  return s.ending || s.piece_ending || waiting >= s.channel->config().frame_batch_size ||
         static_cast<int64_t>(s.chunk.codes.size()) + waiting >= chunk_target(s);
}

// Every slot that must decode now, in one batched call per frame count.
void AudioDecoder::decode_due() {
  for (;;) {
    std::map<int64_t, std::vector<int64_t>> by_frames;
    for (size_t i = 0; i < slots_.size(); ++i)
      if (due(slots_[i]))
        by_frames[std::min<int64_t>(static_cast<int64_t>(slots_[i].undecoded.size()), MimiCodec::kMaxFramesPerCall)]
            .push_back(static_cast<int64_t>(i));
    if (by_frames.empty()) return;
    for (const auto& [frames, slots] : by_frames) decode_group(slots, frames);
  }
}

void AudioDecoder::decode_group(const std::vector<int64_t>& slots, int64_t frames) {
  try {
    decode(slots, frames);
  } catch (...) {
    const auto error = as_error(std::current_exception(), "decoding", hint_);
    for (int64_t i : slots) fail_slot(i, error);
  }
}

void AudioDecoder::decode(const std::vector<int64_t>& slots, int64_t frames) {
  const int codebooks = mimi_.config().num_quantizers;
  std::vector<at::Tensor> codes;
  std::vector<int64_t> depth;
  for (int64_t i : slots) {
    const auto& s = slots_[static_cast<size_t>(i)];
    codes.push_back(to_codes(s.undecoded.begin(), s.undecoded.begin() + frames, codebooks));
    depth.push_back(s.depth);
  }
  const auto t0 = Clock::now();
  const auto audio =
      mimi_.decode_rows(at::cat(codes, 0), state_, slots, depth).to(at::kCPU, at::kFloat).contiguous();
  const double ms = ms_between(t0, Clock::now());
  const int64_t per_row = audio.size(-1);
  for (size_t k = 0; k < slots.size(); ++k) {
    Slot& s = slots_[static_cast<size_t>(slots[k])];
    const float* samples = audio.data_ptr<float>() + static_cast<int64_t>(k) * per_row;
    s.chunk.samples.insert(s.chunk.samples.end(), samples, samples + per_row);
    s.chunk.codes.insert(s.chunk.codes.end(), std::make_move_iterator(s.undecoded.begin()),
                         std::make_move_iterator(s.undecoded.begin() + frames));
    s.chunk.entropy.insert(s.chunk.entropy.end(), s.undecoded_entropy.begin(), s.undecoded_entropy.begin() + frames);
    s.undecoded.erase(s.undecoded.begin(), s.undecoded.begin() + frames);
    s.undecoded_entropy.erase(s.undecoded_entropy.begin(), s.undecoded_entropy.begin() + frames);
    s.decode_ms += ms;
  }
}

// Nothing made is lost: what was decoded goes out, the frames still undecoded are
// decoded alone into the last chunk (if even that fails, the last chunk is empty),
// then the error ends the stream.
void AudioDecoder::fail_slot(int64_t slot, std::exception_ptr error) {
  Slot& s = slots_[static_cast<size_t>(slot)];
  if (!s.chunk.codes.empty()) hand_out(slot, false);
  try {
    while (!s.undecoded.empty()) decode({slot}, std::min<int64_t>(s.undecoded.size(), MimiCodec::kMaxFramesPerCall));
  } catch (...) {
    s.undecoded.clear();  // it failed again: the last chunk holds what did decode
    s.undecoded_entropy.clear();
  }
  s.ending = true;
  s.stop = StopReason::Failed;
  s.error = error;
  end(slot);
}

void AudioDecoder::hand_out(int64_t slot, bool last, bool piece_end) {
  Slot& s = slots_[static_cast<size_t>(slot)];
  const auto ready = static_cast<int64_t>(s.chunk.codes.size());
  const int64_t take = last || piece_end ? ready : std::min(ready, chunk_target(s));
  const int64_t samples = take * mimi_.config().samples_per_frame();
  AudioChunk chunk;
  chunk.first_frame = s.summary.frames;
  chunk.last = last;
  chunk.piece = s.piece;
  chunk.piece_end = piece_end || last;
  chunk.codes.assign(s.chunk.codes.begin(), s.chunk.codes.begin() + take);
  chunk.entropy.assign(s.chunk.entropy.begin(), s.chunk.entropy.begin() + take);
  chunk.samples.assign(s.chunk.samples.begin(), s.chunk.samples.begin() + samples);
  s.chunk.codes.erase(s.chunk.codes.begin(), s.chunk.codes.begin() + take);
  s.chunk.entropy.erase(s.chunk.entropy.begin(), s.chunk.entropy.begin() + take);
  s.chunk.samples.erase(s.chunk.samples.begin(), s.chunk.samples.begin() + samples);
  const auto now = Clock::now();
  auto& m = chunk.metrics;
  m.decode_ms = s.decode_ms;
  m.generate_ms = s.generate_ms;
  s.decode_ms = s.generate_ms = 0;
  m.elapsed_ms = ms_between(s.started, now);
  s.summary.frames += take;  // heard so far
  s.summary.audio_ms = s.summary.frames * double(StreamingConfig::kFrameMs);
  m.rtf = s.summary.audio_ms > 0 ? m.elapsed_ms / s.summary.audio_ms : 0;
  if (s.first_audio_ms < 0 && !chunk.samples.empty()) s.first_audio_ms = m.elapsed_ms;
  m.first_audio_ms = s.first_audio_ms;
  m.frames_per_s = s.frames_per_s;
  m.rss_bytes = resident_memory_bytes();
  m.device_bytes = device_memory_in_use(parts_->model->device());
  m.temperature = s.sampling.temperature;
  m.top_k = s.sampling.top_k;
  m.top_p = s.sampling.top_p;
  m.depth_temperature = s.sampling.decoder_temperature();
  m.depth_top_k = s.sampling.decoder_top_k();
  m.depth_top_p = s.sampling.decoder_top_p();
  ++s.chunks;
  s.channel->push(std::move(chunk), s.summary);
}

// The stream's last chunk (what is left), then its end; the slot is free.
void AudioDecoder::end(int64_t slot) {
  Slot& s = slots_[static_cast<size_t>(slot)];
  hand_out(slot, true);
  s.channel->end(s.stop, s.error);
  s = Slot{};
}

}  // namespace csm

#include "generate/stream_channel.h"

namespace csm {
namespace {

double ms_since(StreamChannel::Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(StreamChannel::Clock::now() - t).count();
}

}  // namespace

StreamChannel::StreamChannel(Request request, const StreamingConfig& config)
    : request_(std::move(request)), config_(config), submitted_(Clock::now()), sampling_(config.sampling) {}

Stream::Poll StreamChannel::next(AudioChunk& out, std::chrono::milliseconds wait) {
  std::unique_lock<std::mutex> lock(mutex_);
  cv_.wait_for(lock, wait, [&] { return !chunks_.empty() || finished_; });
  if (!chunks_.empty()) {
    out = std::move(chunks_.front());
    chunks_.pop_front();
    return Poll::Chunk;
  }
  if (!finished_) return Poll::Timeout;
  if (error_ && !error_thrown_) {
    error_thrown_ = true;
    std::rethrow_exception(error_);
  }
  return Poll::Ended;
}

void StreamChannel::cancel() {
  cancel_.cancel();
  std::lock_guard<std::mutex> lock(mutex_);
  if (!started_ && !finished_) finish_locked(StopReason::Cancelled);  // still queued: ends now
}

void StreamChannel::set_sampling(const SamplingParams& sampling) {
  std::lock_guard<std::mutex> lock(mutex_);
  sampling_ = sampling;
  sampling_changed_ = true;
}

SamplingParams StreamChannel::sampling() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return sampling_;
}

StreamSummary StreamChannel::summary() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return summary_;
}

double StreamChannel::queued_ms() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return started_ ? queued_ms_ : ms_since(submitted_);
}

void StreamChannel::append_text(const std::string& fragment) {
  if (feed_) feed_->append(fragment);
}

void StreamChannel::flush_text() {
  if (feed_) feed_->flush();
}

void StreamChannel::end_text() {
  if (feed_) feed_->end();
}

std::vector<std::string> StreamChannel::pieces() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return pieces_;
}

void StreamChannel::add_piece(const std::string& text) {
  std::lock_guard<std::mutex> lock(mutex_);
  pieces_.push_back(text);
}

bool StreamChannel::begin() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (finished_) return false;
  started_ = true;
  queued_ms_ = ms_since(submitted_);
  return true;
}

std::optional<SamplingParams> StreamChannel::take_sampling_change() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!sampling_changed_) return std::nullopt;
  sampling_changed_ = false;
  return sampling_;
}

void StreamChannel::push(AudioChunk chunk, const StreamSummary& summary) {
  std::lock_guard<std::mutex> lock(mutex_);
  summary_ = summary;
  if (chunk.last) last_pushed_ = true;
  chunks_.push_back(std::move(chunk));
  cv_.notify_all();
}

void StreamChannel::end(StopReason stop, std::exception_ptr error) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (finished_) return;
  error_ = error;
  if (error) stop = StopReason::Failed;
  finish_locked(stop);
}

bool StreamChannel::finished() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return finished_;
}

void StreamChannel::finish_locked(StopReason stop) {
  if (!last_pushed_) {
    AudioChunk last;
    last.last = true;
    last.first_frame = summary_.frames;
    chunks_.push_back(std::move(last));
    last_pushed_ = true;
  }
  summary_.stop = stop;
  finished_ = true;
  cv_.notify_all();
}

}  // namespace csm

#include "csm-stream/pulse_player.h"

#include <pulse/error.h>
#include <pulse/simple.h>

#include "csm/error.h"

namespace csm::cli {

PulsePlayer::PulsePlayer(int sample_rate) {
  pa_sample_spec spec{};
  spec.format = PA_SAMPLE_FLOAT32LE;
  spec.rate = static_cast<uint32_t>(sample_rate);
  spec.channels = 1;
  int error = 0;
  stream_ = pa_simple_new(nullptr, "csm-stream", PA_STREAM_PLAYBACK, nullptr, "speech", &spec, nullptr, nullptr, &error);
  if (!stream_)
    throw Error(ErrorCode::DeviceUnavailable, std::string("cannot play: no audio server reachable (") +
                                                  pa_strerror(error) + ")",
                "start PulseAudio or PipeWire (pulseaudio --start), or write a file with --out instead");
  thread_ = std::thread([this] { run(); });
}

PulsePlayer::~PulsePlayer() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closing_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  pa_simple_free(static_cast<pa_simple*>(stream_));
}

void PulsePlayer::play(std::vector<float> samples) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(std::move(samples));
  }
  wake_.notify_all();
}

void PulsePlayer::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.clear();
    dropping_ = true;
  }
  pa_simple_flush(static_cast<pa_simple*>(stream_), nullptr);
}

void PulsePlayer::finish() {
  {
    std::unique_lock<std::mutex> lock(mutex_);
    closing_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (!dropping_) pa_simple_drain(static_cast<pa_simple*>(stream_), nullptr);
}

void PulsePlayer::run() {
  for (;;) {
    std::vector<float> block;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return closing_ || !queue_.empty(); });
      if (queue_.empty()) return;
      block = std::move(queue_.front());
      queue_.pop_front();
    }
    int error = 0;
    if (pa_simple_write(static_cast<pa_simple*>(stream_), block.data(), block.size() * sizeof(float), &error) < 0) return;
  }
}

}  // namespace csm::cli

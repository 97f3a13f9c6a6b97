#include "stream_playback.h"

#include "audio_ring.h"

void StreamPlayback::play(const std::vector<float>& samples) {
  if (ring_ && !samples.empty()) ring_->push(samples.data(), static_cast<int>(samples.size()));
}

void StreamPlayback::add(int stream, const float* samples, int count, bool last) {
  if (stream == playing_) play(std::vector<float>(samples, samples + count));
  else held_[stream].insert(held_[stream].end(), samples, samples + count);
  if (last) ended_[stream] = true;
  while (ended_[playing_] && playing_ + 1 < streams_) {
    ++playing_;
    play(held_[playing_]);
    held_.erase(playing_);
  }
}

#include "audio_ring.h"

#include <QMutexLocker>
#include <algorithm>

AudioRing::AudioRing(int capacity_samples) : data_(capacity_samples, 0.0f) {}

void AudioRing::push(const float* samples, int count) {
  QMutexLocker lock(&mutex_);
  for (int i = 0; i < count; ++i) {
    const int tail = (head_ + size_) % data_.size();
    data_[tail] = samples[i];
    if (size_ < data_.size()) ++size_;
    else head_ = (head_ + 1) % data_.size();
  }
  started_ = true;
}

int AudioRing::pull(float* out, int count) {
  int got = 0;
  {
    QMutexLocker lock(&mutex_);
    got = std::min(count, size_);
    for (int i = 0; i < got; ++i) out[i] = data_[(head_ + i) % data_.size()];
    head_ = (head_ + got) % data_.size();
    size_ -= got;
  }
  std::fill(out + got, out + count, 0.0f);
  played_ += got;
  if (got < count && started_ && !finished_) {
    ++underruns_;
    gap_samples_ += count - got;
  }
  return got;
}

void AudioRing::reset() {
  QMutexLocker lock(&mutex_);
  head_ = size_ = 0;
  underruns_ = 0;
  gap_samples_ = 0;
  played_ = 0;
  finished_ = false;
  started_ = false;
}

void AudioRing::markFinished() { finished_ = true; }

int AudioRing::available() const {
  QMutexLocker lock(&mutex_);
  return size_;
}

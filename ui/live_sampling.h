#pragma once
// The sampling knobs of the run in progress (codebook 0's temperature, top-k and
// top-p, and the depth decoder's): written by the window when a slider moves, read
// by the worker between chunks, so a running stream takes them from its next frame
// (in this process, or on a server that can). The seed is the run's and stays.
#include <QMutex>
#include <QMutexLocker>

#include "csm/generation.h"

class LiveSampling {
 public:
  explicit LiveSampling(const csm::SamplingParams& sampling) : sampling_(sampling) {}
  LiveSampling(double temperature, int top_k) {
    sampling_.temperature = static_cast<float>(temperature);
    sampling_.top_k = top_k;
  }
  void set(const csm::SamplingParams& sampling) {
    QMutexLocker lock(&mutex_);
    if (same(sampling, sampling_)) return;
    sampling_ = sampling;
    ++version_;
  }
  // Codebook 0's two classic knobs alone, the others as they are.
  void set(double temperature, int top_k) {
    csm::SamplingParams s = current();
    s.temperature = static_cast<float>(temperature);
    s.top_k = top_k;
    set(s);
  }
  csm::SamplingParams current() const {
    QMutexLocker lock(&mutex_);
    return sampling_;
  }
  // True, with the values, when they changed since the version in `seen` (then updated).
  bool changedSince(quint64& seen, csm::SamplingParams* sampling) const {
    QMutexLocker lock(&mutex_);
    if (seen == version_) return false;
    seen = version_;
    *sampling = sampling_;
    return true;
  }

 private:
  static bool same(const csm::SamplingParams& a, const csm::SamplingParams& b) {
    return a.temperature == b.temperature && a.top_k == b.top_k && a.top_p == b.top_p &&
           a.depth_temperature == b.depth_temperature && a.depth_top_k == b.depth_top_k &&
           a.depth_top_p == b.depth_top_p;
  }
  mutable QMutex mutex_;
  csm::SamplingParams sampling_;
  quint64 version_ = 0;
};

#pragma once
// Temperature and top-k of the run in progress: written by the window when a
// slider moves, read by the worker between chunks, so a running stream takes
// them from its next frame (in this process, or on a server that can).
#include <QMutex>
#include <QMutexLocker>

class LiveSampling {
 public:
  LiveSampling(double temperature, int top_k) : temperature_(temperature), top_k_(top_k) {}
  void set(double temperature, int top_k) {
    QMutexLocker lock(&mutex_);
    if (temperature == temperature_ && top_k == top_k_) return;
    temperature_ = temperature;
    top_k_ = top_k;
    ++version_;
  }
  // True, with the values, when they changed since the version in `seen` (then updated).
  bool changedSince(quint64& seen, double* temperature, int* top_k) const {
    QMutexLocker lock(&mutex_);
    if (seen == version_) return false;
    seen = version_;
    *temperature = temperature_;
    *top_k = top_k_;
    return true;
  }

 private:
  mutable QMutex mutex_;
  double temperature_;
  int top_k_;
  quint64 version_ = 0;
};

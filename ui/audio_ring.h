#pragma once
// The hand-off between the generation worker (writer) and the audio thread
// (reader): a bounded sample queue that counts every time the reader found it
// short while audio was still expected, since gaps are what users hear.
#include <QMutex>
#include <QVector>
#include <atomic>

class AudioRing {
 public:
  explicit AudioRing(int capacity_samples = 24000 * 600);
  void push(const float* samples, int count);  // drops the oldest beyond capacity
  // Copies up to `count` samples into `out`; pads with silence and counts an
  // underrun when fewer were there and the stream is not finished.
  int pull(float* out, int count);
  void reset();            // a new run
  void markFinished();     // no more samples are coming: silence is not a gap
  int available() const;
  int underruns() const { return underruns_; }
  qint64 gapSamples() const { return gap_samples_; }
  qint64 playedSamples() const { return played_; }
  bool started() const { return started_; }

 private:
  mutable QMutex mutex_;
  QVector<float> data_;
  int head_ = 0, size_ = 0;
  std::atomic<int> underruns_{0};
  std::atomic<qint64> gap_samples_{0}, played_{0};
  std::atomic<bool> finished_{false}, started_{false};
};

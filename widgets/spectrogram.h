#pragma once
// The log-magnitude short-time Fourier transform of a growing signal (FFTW3, single
// precision): a Hann window every `hop` samples, columns computed as soon as their
// window is complete, so it follows a live stream. Column j is centred on sample
// (j + 0.5) * hop, which puts it on the same time axis as the audio and its frames.
// Magnitudes are in dB relative to a full-scale sine (a sine of amplitude 1 peaks at 0 dB).
#include <cstddef>
#include <vector>

struct fftwf_plan_s;

class Spectrogram {
 public:
  explicit Spectrogram(int sample_rate = 24000, int window = 1024, int hop = 480);
  ~Spectrogram();
  Spectrogram(const Spectrogram&) = delete;
  Spectrogram& operator=(const Spectrogram&) = delete;

  void append(const float* samples, long count);
  // The signal has ended: the last columns, their windows zero-padded past the end.
  void finish();
  void clear();

  int columns() const { return columns_; }
  int bins() const { return window_ / 2 + 1; }
  float db(int column, int bin) const { return db_[static_cast<size_t>(column) * bins() + bin]; }
  int peakBin(int column) const;
  double columnSeconds(int column) const { return (column + 0.5) * hop_ / sample_rate_; }
  double binHz(int bin) const { return double(bin) * sample_rate_ / window_; }
  double nyquistHz() const { return sample_rate_ / 2.0; }
  double secondsPerColumn() const { return double(hop_) / sample_rate_; }
  long samples() const { return total_; }

 private:
  long windowStart(int column) const { return long(column) * hop_ + hop_ / 2 - window_ / 2; }
  void computeColumn();
  void dropUnneeded();

  int sample_rate_, window_, hop_;
  std::vector<float> hann_;
  float hann_sum_ = 0;
  float* in_ = nullptr;   // FFTW's aligned buffers
  void* out_ = nullptr;   // fftwf_complex[bins]
  fftwf_plan_s* plan_ = nullptr;
  std::vector<float> tail_;  // samples from absolute index tail_start_ on: what later windows still need
  long tail_start_ = 0, total_ = 0;
  int columns_ = 0;
  std::vector<float> db_;  // columns x bins
};

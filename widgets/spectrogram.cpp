#include "spectrogram.h"

#include <fftw3.h>

#include <algorithm>
#include <cmath>

namespace {
// The floor of the dB scale: silence is -120 dB, not minus infinity.
constexpr float kFloor = 1e-6f;
}  // namespace

Spectrogram::Spectrogram(int sample_rate, int window, int hop) : sample_rate_(sample_rate), window_(window), hop_(hop) {
  hann_.resize(window_);
  for (int i = 0; i < window_; ++i) {
    hann_[i] = 0.5f - 0.5f * static_cast<float>(std::cos(2 * M_PI * i / window_));
    hann_sum_ += hann_[i];
  }
  in_ = fftwf_alloc_real(window_);
  out_ = fftwf_alloc_complex(bins());
  // FFTW_ESTIMATE: no timing runs at start (a window opens at once); a 1024-point
  // transform takes microseconds either way.
  plan_ = fftwf_plan_dft_r2c_1d(window_, in_, static_cast<fftwf_complex*>(out_), FFTW_ESTIMATE);
}

Spectrogram::~Spectrogram() {
  fftwf_destroy_plan(plan_);
  fftwf_free(in_);
  fftwf_free(out_);
}

void Spectrogram::append(const float* samples, long count) {
  tail_.insert(tail_.end(), samples, samples + count);
  total_ += count;
  while (windowStart(columns_) + window_ <= total_) computeColumn();
  dropUnneeded();
}

void Spectrogram::finish() {
  while (long(columns_) * hop_ < total_) computeColumn();  // every column whose centre lies in the signal
  dropUnneeded();
}

void Spectrogram::clear() {
  tail_.clear();
  tail_start_ = total_ = 0;
  columns_ = 0;
  db_.clear();
}

// The next column: its window of samples (zeros before the start and past the end), Hann
// weighted, transformed, as dB.
void Spectrogram::computeColumn() {
  const long start = windowStart(columns_);
  for (int i = 0; i < window_; ++i) {
    const long at = start + i - tail_start_;
    const float x = at >= 0 && at < long(tail_.size()) && start + i >= 0 ? tail_[at] : 0.0f;
    in_[i] = x * hann_[i];
  }
  fftwf_execute(plan_);
  const auto* out = static_cast<const fftwf_complex*>(out_);
  for (int k = 0; k < bins(); ++k) {
    const float magnitude = std::hypot(out[k][0], out[k][1]) * 2.0f / hann_sum_;
    db_.push_back(20.0f * std::log10(std::max(magnitude, kFloor)));
  }
  ++columns_;
}

void Spectrogram::dropUnneeded() {
  const long keep_from = std::max(0L, windowStart(columns_));
  if (keep_from <= tail_start_) return;
  const long drop = std::min<long>(keep_from - tail_start_, long(tail_.size()));
  tail_.erase(tail_.begin(), tail_.begin() + drop);
  tail_start_ += drop;
}

int Spectrogram::peakBin(int column) const {
  const float* c = &db_[static_cast<size_t>(column) * bins()];
  return static_cast<int>(std::max_element(c, c + bins()) - c);
}

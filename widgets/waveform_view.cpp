#include "waveform_view.h"

#include <QPainter>
#include <algorithm>

WaveformView::WaveformView(QWidget* parent, int sample_rate)
    : QWidget(parent), sample_rate_(sample_rate), bucket_(sample_rate / 100) {
  setMinimumHeight(60);
  setAutoFillBackground(true);
}

void WaveformView::append(const float* samples, int count) {
  for (int i = 0; i < count; ++i) {
    if (in_bucket_ == 0) {
      minima_.push_back(samples[i]);
      maxima_.push_back(samples[i]);
    } else {
      minima_.back() = std::min(minima_.back(), samples[i]);
      maxima_.back() = std::max(maxima_.back(), samples[i]);
    }
    in_bucket_ = (in_bucket_ + 1) % bucket_;
  }
  total_ += count;
  update();
}

void WaveformView::setSamples(const QVector<float>& samples) {
  clear();
  append(samples.constData(), samples.size());
}

void WaveformView::clear() {
  minima_.clear();
  maxima_.clear();
  in_bucket_ = 0;
  total_ = 0;
  update();
}

double WaveformView::seconds() const { return double(total_) / sample_rate_; }

void WaveformView::setMargins(int left, int right) {
  left_ = left;
  right_ = right;
  update();
}

void WaveformView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), QColor(250, 250, 252));
  const int w = std::max(1, width() - left_ - right_), h = height(), mid = h / 2;
  p.translate(left_, 0);
  p.setPen(QColor(210, 210, 215));
  p.drawLine(0, mid, w, mid);
  if (minima_.isEmpty()) return;
  float peak = 1e-4f;
  for (int i = 0; i < minima_.size(); ++i) peak = std::max({peak, -minima_[i], maxima_[i]});
  p.setPen(QColor(40, 110, 200));
  const int n = minima_.size();
  for (int x = 0; x < w; ++x) {
    const int a = static_cast<int>(qint64(x) * n / w), b = std::max(a + 1, static_cast<int>(qint64(x + 1) * n / w));
    float lo = 0, hi = 0;
    for (int i = a; i < std::min(b, n); ++i) {
      lo = std::min(lo, minima_[i]);
      hi = std::max(hi, maxima_[i]);
    }
    p.drawLine(x, mid - static_cast<int>(hi / peak * (mid - 2)), x, mid - static_cast<int>(lo / peak * (mid - 2)));
  }
}

#pragma once
// A scrolling-free waveform: the min/max envelope of all audio so far, drawn to
// fit the widget. Appending is cheap (10 ms buckets), so it follows a live stream.
#include <QVector>
#include <QWidget>
#include <algorithm>

class WaveformView : public QWidget {
  Q_OBJECT
 public:
  explicit WaveformView(QWidget* parent = nullptr, int sample_rate = 24000);
  void append(const float* samples, int count);
  void setSamples(const QVector<float>& samples);
  void clear();
  double seconds() const;
  // Room left and right of the waveform, so it lines up with plots whose axes leave that room.
  void setMargins(int left, int right);
  QRect dataRect() const { return QRect(left_, 0, std::max(1, width() - left_ - right_), height()); }
  QSize sizeHint() const override { return {400, 90}; }

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  int sample_rate_;
  int bucket_;
  int left_ = 0, right_ = 0;
  QVector<float> minima_, maxima_;
  int in_bucket_ = 0;
  qint64 total_ = 0;
};

#pragma once
// The spectrogram of the run's audio so far, live: log-magnitude STFT (spectrogram.h)
// on QCustomPlot's colour map, time on the run's shared axis (timeline.h), so it lines
// up with the codes view and the waveform; frequency 0..12 kHz, dB on a colour scale.
#include <QString>
#include <QVector>
#include <QWidget>
#include <memory>

#include "spectrogram.h"

class QCPColorMap;
class QCPItemStraightLine;
class QCustomPlot;
class QLabel;
class QTimer;

class SpectrogramView : public QWidget {
  Q_OBJECT
 public:
  explicit SpectrogramView(const QString& title, QWidget* parent = nullptr);
  ~SpectrogramView() override;

  void append(const float* samples, int count);
  void setSamples(const QVector<float>& samples);  // a whole run (from the history): every column
  void finish();  // the run ended: its last columns
  void clear();
  void setTimeSpan(double seconds);  // the shared time axis shows [0, seconds] (at least the audio)
  void setCursorTime(double seconds);  // NaN: none
  QString readoutAt(double seconds, double hz) const;
  QString readout() const;

  void refreshNow();
  const Spectrogram& spectrogram() const { return *stft_; }
  double shownSeconds() const;
  QRect dataRect() const;  // the map's area, in this widget's coordinates
  bool exportTo(const QString& path, int width = 1200, int height = 420);
  QCustomPlot* plot() const { return plot_; }
  QCPColorMap* map() const { return map_; }

 signals:
  void hovered(double seconds);

 private:
  void scheduleRefresh();
  void refresh();
  void resizeMap();
  void onMouseMove(const QPoint& pos);

  std::unique_ptr<Spectrogram> stft_;
  int drawn_ = 0, capacity_ = 0;
  double span_ = 0;
  QCustomPlot* plot_;
  QCPColorMap* map_;
  QCPItemStraightLine* cursor_;
  QLabel* readout_;
  QTimer* refresh_timer_;
};

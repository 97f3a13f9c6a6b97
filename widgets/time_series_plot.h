#pragma once
// A live time-series plot on QCustomPlot: named series, an optional target line,
// replots coalesced so bursts of points never stall the GUI thread.
#include <QColor>
#include <QString>
#include <QWidget>

class QCustomPlot;
class QCPGraph;
class QCPItemStraightLine;
class QTimer;

class TimeSeriesPlot : public QWidget {
  Q_OBJECT
 public:
  TimeSeriesPlot(const QString& title, const QString& x_label, const QString& y_label, QWidget* parent = nullptr);

  int addSeries(const QString& name, const QColor& color, bool points_only = false);
  void addPoint(int series, double x, double y);
  void setSeriesData(int series, const QVector<double>& x, const QVector<double>& y);
  void setTarget(double y, const QString& label);  // a horizontal reference line; NaN hides it
  void clear();
  int pointCount(int series) const;
  // Writes the plot to `path`; the format follows the extension (png, jpg, pdf, bmp).
  bool exportTo(const QString& path, int width = 900, int height = 500);
  QCustomPlot* plot() const { return plot_; }

 private:
  void scheduleReplot();
  QCustomPlot* plot_;
  QVector<QCPGraph*> series_;
  QCPItemStraightLine* target_ = nullptr;
  QTimer* replot_timer_;
};

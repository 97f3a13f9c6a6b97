#include "time_series_plot.h"

#include <QFileInfo>
#include <QTimer>
#include <QVBoxLayout>
#include <cmath>

#include "plot_legend.h"
#include "qcustomplot.h"

TimeSeriesPlot::TimeSeriesPlot(const QString& title, const QString& x_label, const QString& y_label, QWidget* parent)
    : QWidget(parent), plot_(new QCustomPlot(this)), replot_timer_(new QTimer(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(plot_);
  plot_->plotLayout()->insertRow(0);
  plot_->plotLayout()->addElement(0, 0, new QCPTextElement(plot_, title, QFont(font().family(), 10, QFont::Bold)));
  plot_->xAxis->setLabel(x_label);
  plot_->yAxis->setLabel(y_label);
  plot_->legend->setFont(QFont(font().family(), 8));
  // Under the title, not over the data: inside the axes it hid chunk points and markers.
  placeLegendOutside(plot_, 1);
  plot_->plotLayout()->setRowStretchFactor(0, 0.001);
  plot_->setMinimumHeight(160);
  // Points arrive in bursts from the worker; one replot per 40 ms is plenty for the eye.
  replot_timer_->setSingleShot(true);
  replot_timer_->setInterval(40);
  connect(replot_timer_, &QTimer::timeout, this, [this] {
    plot_->rescaleAxes();
    // A little air around the data, so points at the extremes are not cut by the frame.
    plot_->xAxis->scaleRange(1.08, plot_->xAxis->range().center());
    plot_->yAxis->scaleRange(1.15, plot_->yAxis->range().center());
    if (target_) {
      const auto range = plot_->yAxis->range();
      const double y = target_->point1->coords().y();
      plot_->yAxis->setRange(std::min(range.lower, y * 0.9), std::max(range.upper, y * 1.1));
    }
    plot_->replot(QCustomPlot::rpQueuedReplot);
  });
}

int TimeSeriesPlot::addSeries(const QString& name, const QColor& color, bool points_only) {
  QCPGraph* graph = plot_->addGraph();
  graph->setName(name);
  graph->setPen(QPen(color, 2));
  if (points_only) {
    graph->setLineStyle(QCPGraph::lsNone);
    graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 6));
  }
  series_.push_back(graph);
  return series_.size() - 1;
}

void TimeSeriesPlot::addPoint(int series, double x, double y) {
  if (series < 0 || series >= series_.size() || !std::isfinite(y)) return;
  series_[series]->addData(x, y);
  scheduleReplot();
}

void TimeSeriesPlot::setSeriesData(int series, const QVector<double>& x, const QVector<double>& y) {
  if (series < 0 || series >= series_.size()) return;
  series_[series]->setData(x, y);
  scheduleReplot();
}

void TimeSeriesPlot::setTarget(double y, const QString& label) {
  if (!std::isfinite(y)) {
    if (target_) plot_->removeItem(target_);
    target_ = nullptr;
    scheduleReplot();
    return;
  }
  if (!target_) {
    target_ = new QCPItemStraightLine(plot_);
    target_->setPen(QPen(QColor(200, 40, 40), 1.5, Qt::DashLine));
  }
  target_->point1->setCoords(0, y);
  target_->point2->setCoords(1, y);
  target_->setObjectName(label);
  scheduleReplot();
}

void TimeSeriesPlot::clear() {
  for (auto* graph : series_) graph->data()->clear();
  scheduleReplot();
}

int TimeSeriesPlot::pointCount(int series) const {
  return series >= 0 && series < series_.size() ? series_[series]->dataCount() : 0;
}

bool TimeSeriesPlot::exportTo(const QString& path, int width, int height) {
  plot_->rescaleAxes();
  plot_->replot();
  const QString ext = QFileInfo(path).suffix().toLower();
  if (ext == "pdf") return plot_->savePdf(path, width, height);
  if (ext == "jpg" || ext == "jpeg") return plot_->saveJpg(path, width, height);
  if (ext == "bmp") return plot_->saveBmp(path, width, height);
  return plot_->savePng(path, width, height);
}

void TimeSeriesPlot::scheduleReplot() {
  if (!replot_timer_->isActive()) replot_timer_->start();
}

#include "spectrogram_view.h"

#include <QFileInfo>
#include <QLabel>
#include <QTimer>
#include <cmath>
#include <limits>

#include "qcustomplot.h"
#include "timeline.h"

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// The colour scale: 90 dB below a full-scale sine up to it. Fixed, so two runs compared
// side by side, or a run and its replay, read the same.
constexpr double kFloorDb = -90, kTopDb = 0;

}  // namespace

SpectrogramView::SpectrogramView(const QString& title, QWidget* parent)
    : QWidget(parent),
      stft_(std::make_unique<Spectrogram>(timeline::kSampleRate)),
      plot_(new QCustomPlot(this)),
      readout_(new QLabel(this)),
      refresh_timer_(new QTimer(this)) {
  timeline::layOutView(this, plot_, readout_, title,
                       tr("Point at the spectrogram: time, frequency and level show here."), 170);
  plot_->xAxis->setLabel(tr("time (s)"));
  plot_->yAxis->setLabel(tr("kHz"));
  plot_->yAxis->setRange(0, stft_->nyquistHz() / 1000);
  auto* scale = new QCPColorScale(plot_);
  plot_->plotLayout()->addElement(1, 1, scale);
  scale->axis()->setLabel(tr("dB"));
  scale->setBarWidth(10);
  map_ = new QCPColorMap(plot_->xAxis, plot_->yAxis);
  map_->removeFromLegend();
  map_->setColorScale(scale);
  QCPColorGradient gradient(QCPColorGradient::gpThermal);
  gradient.setNanHandling(QCPColorGradient::nhTransparent);
  map_->setGradient(gradient);
  map_->setDataRange(QCPRange(kFloorDb, kTopDb));
  timeline::alignRect(plot_->axisRect(), true);
  timeline::reserveScaleColumn(plot_, 0);  // beside the title
  auto* rows = new QCPMarginGroup(plot_);  // the scale's bar as tall as the map
  plot_->axisRect()->setMarginGroup(QCP::msTop | QCP::msBottom, rows);
  scale->setMarginGroup(QCP::msTop | QCP::msBottom, rows);
  cursor_ = new QCPItemStraightLine(plot_);
  cursor_->setPen(QPen(QColor(255, 255, 255), 1, Qt::DotLine));
  cursor_->setVisible(false);

  refresh_timer_->setSingleShot(true);
  refresh_timer_->setInterval(40);
  connect(refresh_timer_, &QTimer::timeout, this, &SpectrogramView::refresh);
  connect(plot_, &QCustomPlot::mouseMove, this, [this](QMouseEvent* e) { onMouseMove(e->pos()); });
  clear();
}

SpectrogramView::~SpectrogramView() = default;

void SpectrogramView::append(const float* samples, int count) {
  stft_->append(samples, count);
  scheduleRefresh();
}

void SpectrogramView::setSamples(const QVector<float>& samples) {
  clear();
  stft_->append(samples.constData(), samples.size());
  stft_->finish();
  scheduleRefresh();
}

void SpectrogramView::finish() {
  stft_->finish();
  scheduleRefresh();
}

void SpectrogramView::clear() {
  stft_->clear();
  drawn_ = capacity_ = 0;
  span_ = 0;
  map_->data()->clear();
  setCursorTime(kNaN);
  scheduleRefresh();
}

void SpectrogramView::setTimeSpan(double seconds) {
  span_ = seconds;
  scheduleRefresh();
}

QRect SpectrogramView::dataRect() const { return plot_->axisRect()->rect().translated(plot_->pos()); }

double SpectrogramView::shownSeconds() const { return plot_->xAxis->range().upper; }

void SpectrogramView::scheduleRefresh() {
  if (!refresh_timer_->isActive()) refresh_timer_->start();
}

void SpectrogramView::refreshNow() {
  refresh_timer_->stop();
  refresh();
}

void SpectrogramView::refresh() {
  if (stft_->columns() > capacity_) resizeMap();
  for (; drawn_ < stft_->columns(); ++drawn_)
    for (int k = 0; k < stft_->bins(); ++k) map_->data()->setCell(drawn_, k, stft_->db(drawn_, k));
  const double seconds = std::max(span_, double(stft_->samples()) / timeline::kSampleRate);
  plot_->xAxis->setRange(0, std::max(seconds, timeline::kFrameSeconds));
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

// Room for twice the columns so far, the rest NaN (transparent); all columns written again.
void SpectrogramView::resizeMap() {
  capacity_ = 256;
  while (capacity_ < stft_->columns()) capacity_ *= 2;
  const double dt = stft_->secondsPerColumn();
  map_->data()->setSize(capacity_, stft_->bins());
  map_->data()->setRange(QCPRange(0.5 * dt, (capacity_ - 0.5) * dt), QCPRange(0, stft_->nyquistHz() / 1000));
  map_->data()->fill(kNaN);
  drawn_ = 0;
}

QString SpectrogramView::readoutAt(double seconds, double hz) const {
  const int column = static_cast<int>(std::floor(seconds / stft_->secondsPerColumn()));
  if (!std::isfinite(seconds) || seconds < 0 || column >= stft_->columns()) return {};
  QString text = tr("%1 s").arg(seconds, 0, 'f', 2);
  const int bin = static_cast<int>(std::lround(hz / stft_->binHz(1)));
  if (hz >= 0 && bin < stft_->bins())
    text += tr(" · %1 kHz: %2 dB").arg(stft_->binHz(bin) / 1000, 0, 'f', 2).arg(stft_->db(column, bin), 0, 'f', 0);
  return text;
}

QString SpectrogramView::readout() const { return readout_->text(); }

void SpectrogramView::setCursorTime(double seconds) {
  const bool on = std::isfinite(seconds) && seconds >= 0;
  cursor_->setVisible(on);
  if (on) {
    cursor_->point1->setCoords(seconds, 0);
    cursor_->point2->setCoords(seconds, 1);
    const QString text = readoutAt(seconds, -1);
    if (!text.isEmpty()) readout_->setText(text);
  }
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

void SpectrogramView::onMouseMove(const QPoint& pos) {
  if (!plot_->axisRect()->rect().contains(pos)) {
    setCursorTime(kNaN);
    emit hovered(kNaN);
    return;
  }
  const double seconds = plot_->xAxis->pixelToCoord(pos.x()), hz = plot_->yAxis->pixelToCoord(pos.y()) * 1000;
  setCursorTime(seconds);
  const QString text = readoutAt(seconds, hz);
  if (!text.isEmpty()) readout_->setText(text);
  emit hovered(seconds);
}

bool SpectrogramView::exportTo(const QString& path, int width, int height) {
  refreshNow();
  plot_->replot();
  const QString ext = QFileInfo(path).suffix().toLower();
  if (ext == "pdf") return plot_->savePdf(path, width, height);
  if (ext == "jpg" || ext == "jpeg") return plot_->saveJpg(path, width, height);
  return plot_->savePng(path, width, height);
}

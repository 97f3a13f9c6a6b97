#include "codes_view.h"

#include <QFileInfo>
#include <QLabel>
#include <QTimer>
#include <cmath>
#include <limits>

#include "plot_legend.h"
#include "qcustomplot.h"
#include "timeline.h"

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kMaxCode = 2047;     // Mimi's codebooks hold 2048 codes
constexpr double kFullHeight = 1e9;   // an impulse this tall spans the entropy axes whatever their range

QCPGraph* marks(QCustomPlot* plot, const QString& name, const QPen& pen) {
  QCPGraph* g = plot->addGraph();
  g->setName(name);
  g->setLineStyle(QCPGraph::lsImpulse);
  g->setPen(pen);
  return g;
}

// Codebook ticks at least a label's height apart, on whole codebooks: 1, 2, 4, 8 or 16 apart.
QSharedPointer<QCPAxisTickerFixed> codebook_ticker(int rows, int pixels) {
  const double per_row = double(std::max(pixels, 1)) / rows;
  int step = 1;
  while (step < 16 && per_row * step < 14) step *= 2;
  QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
  ticker->setTickStep(step);
  ticker->setScaleStrategy(QCPAxisTickerFixed::ssNone);
  return ticker;
}

}  // namespace

CodesView::CodesView(const QString& title, QWidget* parent)
    : QWidget(parent), plot_(new QCustomPlot(this)), readout_(new QLabel(this)), refresh_timer_(new QTimer(this)) {
  timeline::layOutView(this, plot_, readout_, title,
                       tr("Point at the grid: the frame, codebook and code under the cursor show here."), 230);
  entropy_rect_ = plot_->axisRect();
  entropy_ = plot_->addGraph();
  entropy_->setName(tr("codebook-0 entropy"));
  entropy_->setPen(QPen(QColor(40, 110, 200), 1.5));
  chunk_marks_ = marks(plot_, tr("chunk starts"), QPen(QColor(150, 150, 150), 1, Qt::DashLine));
  text_marks_ = marks(plot_, tr("text starts"), QPen(QColor(220, 120, 20), 2));
  text_marks_->removeFromLegend();  // listed once a second text begins
  plot_->legend->setFont(QFont(font().family(), 8));
  placeLegendOutside(plot_, 1);
  entropy_rect_->axis(QCPAxis::atLeft)->setLabel(tr("nats"));
  entropy_rect_->axis(QCPAxis::atLeft)->ticker()->setTickCount(2);
  entropy_rect_->axis(QCPAxis::atBottom)->setTickLabels(false);

  codes_rect_ = new QCPAxisRect(plot_);
  scale_ = new QCPColorScale(plot_);
  plot_->plotLayout()->addElement(3, 0, codes_rect_);
  plot_->plotLayout()->addElement(3, 1, scale_);
  // The entropy line needs a strip, the grid the height: one row per codebook.
  entropy_rect_->setMinimumSize(0, 30);
  entropy_rect_->setMaximumSize(QWIDGETSIZE_MAX, 60);
  plot_->plotLayout()->setRowStretchFactor(2, 0.2);
  codes_rect_->axis(QCPAxis::atBottom)->setLabel(tr("time (s)"));
  codes_rect_->axis(QCPAxis::atLeft)->setLabel(tr("codebook"));
  codes_rect_->axis(QCPAxis::atLeft)->setRangeReversed(true);  // codebook 0 on top, under its entropy
  connect(codes_rect_->axis(QCPAxis::atBottom), qOverload<const QCPRange&>(&QCPAxis::rangeChanged),
          entropy_rect_->axis(QCPAxis::atBottom), qOverload<const QCPRange&>(&QCPAxis::setRange));
  map_ = new QCPColorMap(codes_rect_->axis(QCPAxis::atBottom), codes_rect_->axis(QCPAxis::atLeft));
  map_->removeFromLegend();
  map_->setInterpolate(false);
  map_->setColorScale(scale_);
  QCPColorGradient gradient(QCPColorGradient::gpSpectrum);
  gradient.setNanHandling(QCPColorGradient::nhTransparent);
  map_->setGradient(gradient);
  map_->setDataRange(QCPRange(0, kMaxCode));
  scale_->axis()->setLabel(tr("code"));
  scale_->setBarWidth(10);
  timeline::alignRect(entropy_rect_, true);
  timeline::alignRect(codes_rect_, true);
  timeline::reserveScaleColumn(plot_, 2);  // beside the entropy line
  // The scale's bar as tall as the grid beside it, not as its whole row.
  auto* rows = new QCPMarginGroup(plot_);
  codes_rect_->setMarginGroup(QCP::msTop | QCP::msBottom, rows);
  scale_->setMarginGroup(QCP::msTop | QCP::msBottom, rows);

  const QPen cursor(QColor(60, 60, 60), 1, Qt::DotLine);
  for (auto** line : {&cursor_codes_, &cursor_entropy_}) {
    *line = new QCPItemStraightLine(plot_);
    (*line)->setPen(cursor);
    (*line)->setVisible(false);
  }
  for (auto* p : {cursor_codes_->point1, cursor_codes_->point2}) p->setAxes(map_->keyAxis(), map_->valueAxis());
  cursor_codes_->setClipAxisRect(codes_rect_);
  note_item_ = new QCPItemText(plot_);
  note_item_->setClipAxisRect(codes_rect_);
  note_item_->position->setAxisRect(codes_rect_);
  note_item_->position->setType(QCPItemPosition::ptAxisRectRatio);
  note_item_->position->setCoords(0.5, 0.5);
  note_item_->setColor(QColor(120, 120, 120));
  note_item_->setVisible(false);

  refresh_timer_->setSingleShot(true);
  refresh_timer_->setInterval(40);  // points come in bursts; 25 redraws a second are plenty
  connect(refresh_timer_, &QTimer::timeout, this, &CodesView::refresh);
  connect(plot_, &QCustomPlot::mouseMove, this, [this](QMouseEvent* e) { onMouseMove(e->pos()); });
  reset(0);
}

void CodesView::reset(int codebooks) {
  grid_ = CodeGrid();
  grid_.setDepth(codebooks);
  drawn_ = capacity_ = marks_drawn_ = text_marks_drawn_ = 0;
  span_ = max_entropy_ = 0;
  map_->data()->clear();
  for (auto* g : {entropy_, chunk_marks_, text_marks_}) g->data()->clear();
  text_marks_->removeFromLegend();
  setNote({});
  showCursor(kNaN, -1);
  scheduleRefresh();
}

void CodesView::append(const QVector<int>& codes, int width, const QVector<float>& entropy, bool text_start) {
  grid_.append(codes, width, entropy, text_start);
  scheduleRefresh();
}

void CodesView::setGrid(const CodeGrid& grid) {
  reset(grid.depth());
  grid_ = grid;
  scheduleRefresh();
}

void CodesView::setNote(const QString& note) {
  note_ = note;
  note_item_->setText(note);
  scheduleRefresh();
}

void CodesView::setTimeSpan(double seconds) {
  span_ = seconds;
  scheduleRefresh();
}

int CodesView::rows() const { return map_->data()->valueSize(); }

QRect CodesView::dataRect() const { return codes_rect_->rect().translated(plot_->pos()); }

double CodesView::shownSeconds() const { return codes_rect_->axis(QCPAxis::atBottom)->range().upper; }

void CodesView::scheduleRefresh() {
  if (!refresh_timer_->isActive()) refresh_timer_->start();
}

void CodesView::refreshNow() {
  refresh_timer_->stop();
  refresh();
}

// What came since the last redraw: new columns, entropy points and marks, then the axes.
void CodesView::refresh() {
  if (grid_.frames() > capacity_ || rows() != grid_.depth()) resizeMap();
  drawNewFrames();
  const int rows = std::max(1, grid_.depth());
  const double seconds = std::max(span_, grid_.frames() * timeline::kFrameSeconds);
  codes_rect_->axis(QCPAxis::atBottom)->setRange(0, std::max(seconds, timeline::kFrameSeconds));
  codes_rect_->axis(QCPAxis::atLeft)->setRange(-0.5, rows - 0.5);
  codes_rect_->axis(QCPAxis::atLeft)->setTicker(codebook_ticker(rows, codes_rect_->height()));
  entropy_rect_->axis(QCPAxis::atLeft)->setRange(0, std::max(1.0, max_entropy_ * 1.1));
  note_item_->setVisible(!note_.isEmpty() && grid_.isEmpty());
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

// Room for twice the frames so far (at least 64), the cells past them NaN; every frame
// is written again. Doubling keeps a long run's redraws cheap.
void CodesView::resizeMap() {
  capacity_ = 64;
  while (capacity_ < grid_.frames()) capacity_ *= 2;
  const int rows = std::max(1, grid_.depth());
  map_->data()->setSize(capacity_, rows);
  map_->data()->setRange(QCPRange(0.5 * timeline::kFrameSeconds, (capacity_ - 0.5) * timeline::kFrameSeconds),
                         QCPRange(0, rows - 1));
  map_->data()->fill(kNaN);
  drawn_ = 0;
}

void CodesView::drawNewFrames() {
  for (; drawn_ < grid_.frames(); ++drawn_) {
    for (int c = 0; c < grid_.depth(); ++c) map_->data()->setCell(drawn_, c, grid_.code(drawn_, c));
    const double e = grid_.entropy(drawn_);
    if (std::isfinite(e)) max_entropy_ = std::max(max_entropy_, e);
    entropy_->addData((drawn_ + 0.5) * timeline::kFrameSeconds, e);  // NaN: a gap in the line
  }
  const auto& chunks = grid_.chunkStarts();
  for (; marks_drawn_ < chunks.size(); ++marks_drawn_)
    chunk_marks_->addData(chunks[marks_drawn_] * timeline::kFrameSeconds, kFullHeight);
  const auto& texts = grid_.textStarts();
  for (; text_marks_drawn_ < texts.size(); ++text_marks_drawn_) {
    if (texts[text_marks_drawn_] == 0) continue;  // the run's start is the axis itself
    text_marks_->addData(texts[text_marks_drawn_] * timeline::kFrameSeconds, kFullHeight);
    text_marks_->addToLegend();
  }
}

QString CodesView::readoutAt(double seconds, double codebook) const {
  if (!std::isfinite(seconds) || seconds < 0) return {};
  const int frame = static_cast<int>(std::floor(seconds / timeline::kFrameSeconds));
  if (frame >= grid_.frames()) return {};
  QString text = tr("frame %1 (%2 s)").arg(frame).arg(frame * timeline::kFrameSeconds, 0, 'f', 2);
  const int row = static_cast<int>(std::lround(codebook));
  if (codebook >= -0.5 && row >= 0 && row < grid_.depth())
    text += tr(" · codebook %1: code %2").arg(row).arg(grid_.code(frame, row));
  if (std::isfinite(grid_.entropy(frame)))
    text += tr(" · codebook-0 entropy %1 nats").arg(grid_.entropy(frame), 0, 'f', 2);
  return text;
}

QString CodesView::readout() const { return readout_->text(); }

void CodesView::showCursor(double seconds, double codebook) {
  const bool on = std::isfinite(seconds) && seconds >= 0 && seconds <= grid_.frames() * timeline::kFrameSeconds;
  for (auto* line : {cursor_codes_, cursor_entropy_}) {
    line->setVisible(on);
    if (!on) continue;
    line->point1->setCoords(seconds, 0);
    line->point2->setCoords(seconds, 1);
  }
  if (on) readout_->setText(readoutAt(seconds, codebook));
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

void CodesView::setCursorTime(double seconds) { showCursor(seconds, -1); }

void CodesView::onMouseMove(const QPoint& pos) {
  QCPAxisRect* rect = plot_->axisRectAt(pos);
  if (rect != codes_rect_ && rect != entropy_rect_) {
    showCursor(kNaN, -1);
    emit hovered(kNaN);
    return;
  }
  const double seconds = rect->axis(QCPAxis::atBottom)->pixelToCoord(pos.x());
  const double codebook = rect == codes_rect_ ? codes_rect_->axis(QCPAxis::atLeft)->pixelToCoord(pos.y()) : -1;
  showCursor(seconds, codebook);
  emit hovered(seconds);
}

bool CodesView::exportTo(const QString& path, int width, int height) {
  refreshNow();
  plot_->replot();
  const QString ext = QFileInfo(path).suffix().toLower();
  if (ext == "pdf") return plot_->savePdf(path, width, height);
  if (ext == "jpg" || ext == "jpeg") return plot_->saveJpg(path, width, height);
  return plot_->savePng(path, width, height);
}

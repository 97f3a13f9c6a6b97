#include "benchmark_compare_dialog.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPushButton>
#include <QSplitter>
#include <QTimer>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <functional>
#include <iterator>
#include <memory>

#include "qcustomplot.h"

namespace {

constexpr const char* kBenchmarkPath = "/v1/csm/benchmark";
// The file suffix of each figure in an export, in Figure order.
const char* const kExportSuffixes[BenchmarkCompareDialog::kFigureCount] = {"rtf", "first-audio", "stream-rtf",
                                                                          "streams"};

QColor seriesColor(int index) {
  static const QColor palette[] = {QColor(31, 119, 180), QColor(214, 39, 40),  QColor(44, 160, 44),
                                   QColor(255, 127, 14), QColor(148, 103, 189), QColor(140, 86, 75),
                                   QColor(227, 119, 194), QColor(23, 190, 207)};
  return palette[index % std::size(palette)];
}

// What each figure plots of a report: its points (best run per x) and the y of one of them.
struct FigureData {
  std::function<QVector<BestRun>(const BenchmarkReport&)> points;
  std::function<double(const BenchmarkRun&)> y;
};

FigureData figureData(BenchmarkCompareDialog::Figure figure) {
  using F = BenchmarkCompareDialog::Figure;
  const auto byChunk = [](const BenchmarkReport& r) { return r.bestPerChunkSize(); };
  const auto byStreams = [](const BenchmarkReport& r) { return r.bestPerStreamBatch(); };
  switch (figure) {
    case F::RtfByChunkSize: return {byChunk, [](const BenchmarkRun& r) { return r.rtf; }};
    case F::FirstAudioByChunkSize: return {byChunk, [](const BenchmarkRun& r) { return r.firstAudioMs; }};
    case F::RtfByStreamBatch: return {byStreams, [](const BenchmarkRun& r) { return r.rtf; }};
    case F::RealtimeStreamsByStreamBatch: return {byStreams, [](const BenchmarkRun& r) { return r.realtimeStreams; }};
  }
  return {byChunk, [](const BenchmarkRun& r) { return r.rtf; }};
}

// Whole-number ticks at the measured x values only (chunk sizes 80, 160, 320; batches 1, 2, 4).
void setTicksAt(QCustomPlot* plot, const QVector<double>& xs) {
  QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
  for (double x : xs) ticker->addTick(x, QString::number(x));
  plot->xAxis->setTicker(ticker);
}

}  // namespace

BenchmarkCompareDialog::BenchmarkCompareDialog(QWidget* parent)
    : QDialog(parent), network_(new QNetworkAccessManager(this)) {
  setWindowTitle(tr("Compare benchmark reports"));
  setModal(false);
  // MainWindow opens a new one per menu use; a closed one is gone, not hidden.
  setAttribute(Qt::WA_DeleteOnClose);
  resize(1200, 800);

  auto* add = new QPushButton(tr("Add reports…"), this);
  auto* fetch = new QPushButton(tr("Fetch from server…"), this);
  auto* remove = new QPushButton(tr("Remove"), this);
  auto* exportButton = new QPushButton(tr("Export…"), this);
  auto* close = new QPushButton(tr("Close"), this);
  connect(add, &QPushButton::clicked, this, &BenchmarkCompareDialog::chooseFiles);
  connect(fetch, &QPushButton::clicked, this, &BenchmarkCompareDialog::askServer);
  connect(remove, &QPushButton::clicked, this, [this] { removeReport(list_->currentRow()); });
  connect(exportButton, &QPushButton::clicked, this, &BenchmarkCompareDialog::chooseExport);
  connect(close, &QPushButton::clicked, this, &QDialog::close);

  list_ = new QListWidget(this);
  list_->setMaximumHeight(120);
  status_ = new QLabel(tr("Add csm-bench --benchmark JSON reports, or fetch one from a csm-serve server."), this);
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  auto* buttons = new QHBoxLayout;
  for (auto* b : {add, fetch, remove, exportButton}) buttons->addWidget(b);
  buttons->addStretch();
  buttons->addWidget(close);

  auto* grid = new QGridLayout;
  buildPlots();
  for (int i = 0; i < kFigureCount; ++i) grid->addWidget(plots_[i], i / 2, i % 2);

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(buttons);
  layout->addWidget(list_);
  layout->addWidget(status_);
  layout->addLayout(grid, 1);
}

void BenchmarkCompareDialog::buildPlots() {
  const QString best = tr("each point: the run with the lowest RTF at that x");
  plots_[int(Figure::RtfByChunkSize)] =
      makePlot(tr("RTF by chunk size (one stream; best run per size)"), tr("chunk size (ms)"), tr("RTF"));
  plots_[int(Figure::FirstAudioByChunkSize)] =
      makePlot(tr("Time to first audio by chunk size (one stream; run with the best RTF per size)"),
               tr("chunk size (ms)"), tr("first audio (ms)"));
  plots_[int(Figure::RtfByStreamBatch)] =
      makePlot(tr("RTF by streams at once (best run per batch)"), tr("streams at once"), tr("RTF"));
  plots_[int(Figure::RealtimeStreamsByStreamBatch)] =
      makePlot(tr("Real-time streams by streams at once (run with the best RTF per batch)"), tr("streams at once"),
               tr("real-time streams"));
  for (auto* plot : plots_) plot->setToolTip(best);
}

QCustomPlot* BenchmarkCompareDialog::makePlot(const QString& title, const QString& xLabel, const QString& yLabel) {
  auto* plot = new QCustomPlot(this);
  plot->plotLayout()->insertRow(0);
  plot->plotLayout()->addElement(0, 0, new QCPTextElement(plot, title, QFont(font().family(), 10, QFont::Bold)));
  plot->xAxis->setLabel(xLabel);
  plot->yAxis->setLabel(yLabel);
  plot->legend->setVisible(true);
  plot->legend->setFont(QFont(font().family(), 8));
  // The legend goes under the axes: machine names are long, and inside it would hide points.
  plot->axisRect()->insetLayout()->take(plot->legend);
  plot->plotLayout()->addElement(2, 0, plot->legend);
  plot->plotLayout()->setRowStretchFactor(2, 0.001);
  plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
  plot->legend->setWrap(2);
  plot->legend->setBorderPen(Qt::NoPen);
  plot->setMinimumSize(320, 220);
  plot->setMouseTracking(true);
  connect(plot, &QCustomPlot::mouseMove, this,
          [this, plot](QMouseEvent* event) { showPointToolTip(plot, event->pos()); });
  return plot;
}

bool BenchmarkCompareDialog::addReportFile(const QString& path, QString* error) {
  QString message;
  auto report = BenchmarkReport::fromFile(path, &message);
  return addLoaded(std::move(report), message, path, error);
}

bool BenchmarkCompareDialog::addReportJson(const QByteArray& json, const QString& sourceLabel, QString* error) {
  QString message;
  auto report = BenchmarkReport::fromJson(json, sourceLabel, &message);
  return addLoaded(std::move(report), message, sourceLabel, error);
}

bool BenchmarkCompareDialog::addLoaded(std::optional<BenchmarkReport> report, const QString& message,
                                       const QString& source, QString* error) {
  if (!report) {
    showStatus(message, true);
    if (error) *error = message;
    return false;
  }
  reports_.push_back(std::move(*report));
  showStatus(tr("Added %1").arg(source), false);
  replot();
  return true;
}

void BenchmarkCompareDialog::removeReport(int index) {
  if (index < 0 || index >= reports_.size()) return;
  reports_.remove(index);
  replot();
}

QString BenchmarkCompareDialog::benchmarkUrl(const QString& serverUrl) {
  QString url = serverUrl.trimmed();
  if (!url.contains("://")) url.prepend("http://");
  while (url.endsWith('/')) url.chop(1);
  if (!url.endsWith(kBenchmarkPath)) url += kBenchmarkPath;
  return url;
}

void BenchmarkCompareDialog::fetchFromServer(const QString& url, const QString& apiKey) {
  const QString server = url.trimmed();
  if (pending_) {
    const QString busy = tr("%1: another fetch is still running; try again when it ends").arg(server);
    showStatus(busy, true);
    emit fetched(false, busy);
    return;
  }
  const QUrl target(benchmarkUrl(server));
  if (!target.isValid() || target.host().isEmpty()) {
    const QString bad = tr("%1: not a server address (expected e.g. http://gpu-box:8000)").arg(server);
    showStatus(bad, true);
    emit fetched(false, bad);
    return;
  }
  QNetworkRequest request(target);
  if (!apiKey.isEmpty()) request.setRawHeader("Authorization", "Bearer " + apiKey.toUtf8());
  QNetworkReply* reply = network_->get(request);
  pending_ = reply;
  showStatus(tr("Fetching %1 …").arg(target.toString()), false);
  // Our own timer, not setTransferTimeout: the message must say "no answer", not "cancelled".
  auto* timer = new QTimer(reply);
  timer->setSingleShot(true);
  auto timedOut = std::make_shared<bool>(false);
  connect(timer, &QTimer::timeout, reply, [reply, timedOut] {
    *timedOut = true;
    reply->abort();
  });
  timer->start(kFetchTimeoutMs);
  const bool sentKey = !apiKey.isEmpty();
  connect(reply, &QNetworkReply::finished, this, [this, reply, server, timedOut, sentKey] {
    reply->deleteLater();
    pending_ = nullptr;
    const QString error = fetchError(reply, server, *timedOut, sentKey);
    if (!error.isEmpty()) {
      showStatus(error, true);
      emit fetched(false, error);
      return;
    }
    QString message;
    const bool ok = addReportJson(reply->readAll(), server, &message);
    emit fetched(ok, ok ? tr("Fetched the benchmark report of %1").arg(server) : message);
  });
}

// Empty when the reply carries a report body; else what went wrong, in the reader's terms.
QString BenchmarkCompareDialog::fetchError(QNetworkReply* reply, const QString& server, bool timedOut,
                                           bool sentKey) const {
  if (timedOut) return tr("%1: no answer within %2 s").arg(server).arg(kFetchTimeoutMs / 1000);
  const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
  if (status == 401)
    return sentKey ? tr("%1: the server refused the API key (HTTP 401)").arg(server)
                   : tr("%1: the server wants an API key (HTTP 401)").arg(server);
  if (status == 403) return tr("%1: the API key may not read the benchmark report (HTTP 403)").arg(server);
  if (status == 404)
    return tr("%1: the server has no benchmark report (start csm-serve with --benchmark-report FILE)").arg(server);
  if (status >= 400)
    return tr("%1: HTTP %2 %3")
        .arg(server)
        .arg(status)
        .arg(reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString());
  switch (reply->error()) {
    case QNetworkReply::NoError: return {};
    case QNetworkReply::ConnectionRefusedError:
      return tr("%1: connection refused (is csm-serve running there, on that port?)").arg(server);
    case QNetworkReply::HostNotFoundError: return tr("%1: host not found").arg(server);
    default: return tr("%1: %2").arg(server, reply->errorString());
  }
}

void BenchmarkCompareDialog::replot() {
  const QStringList labels = machineLabels();
  for (int f = 0; f < kFigureCount; ++f) {
    QCustomPlot* plot = plots_[f];
    const FigureData data = figureData(Figure(f));
    plot->clearGraphs();
    QVector<double> allX;
    for (int r = 0; r < reports_.size(); ++r) {
      QVector<double> xs, ys;
      for (const BestRun& point : data.points(reports_[r])) {
        xs << point.x;
        ys << data.y(point.run);
        if (!allX.contains(point.x)) allX << point.x;
      }
      QCPGraph* graph = plot->addGraph();
      graph->setName(labels.at(r));
      graph->setPen(QPen(seriesColor(r), 2));
      graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 7));
      graph->setData(xs, ys, true);
    }
    setTicksAt(plot, allX);
    plot->rescaleAxes();
    // A little air around the data, so points at the extremes are not cut by the frame.
    plot->xAxis->scaleRange(1.15, plot->xAxis->range().center());
    plot->yAxis->setRangeLower(0);
    plot->yAxis->setRangeUpper(plot->yAxis->range().upper * 1.15 + 1e-9);
    plot->replot();
  }
  refreshList();
}

void BenchmarkCompareDialog::showPointToolTip(QCustomPlot* plot, const QPoint& pos) {
  const int figure = int(std::find(std::begin(plots_), std::end(plots_), plot) - std::begin(plots_));
  if (figure >= kFigureCount) return;
  const FigureData data = figureData(Figure(figure));
  const QStringList labels = machineLabels();
  for (int r = 0; r < reports_.size() && r < plot->graphCount(); ++r) {
    for (const BestRun& point : data.points(reports_[r])) {
      const double px = plot->xAxis->coordToPixel(point.x), py = plot->yAxis->coordToPixel(data.y(point.run));
      if (std::abs(px - pos.x()) > 6 || std::abs(py - pos.y()) > 6) continue;
      const BenchmarkRun& run = point.run;
      QToolTip::showText(
          plot->mapToGlobal(pos),
          tr("%1\nchunk %2 ms, frame batch %3, CUDA graphs %4, %5 stream(s)\nRTF %6, first audio %7 ms, "
             "real-time streams %8\nbest RTF of %9 run(s) at this x")
              .arg(labels.at(r))
              .arg(run.chunkSizeMs)
              .arg(run.frameBatchSize)
              .arg(run.cudaGraphs ? tr("on") : tr("off"))
              .arg(run.streamBatch)
              .arg(run.rtf, 0, 'f', 3)
              .arg(run.firstAudioMs, 0, 'f', 1)
              .arg(run.realtimeStreams, 0, 'f', 2)
              .arg(point.candidates),
          plot);
      return;
    }
  }
  QToolTip::hideText();
}

void BenchmarkCompareDialog::refreshList() {
  const QStringList labels = machineLabels();
  list_->clear();
  for (int r = 0; r < reports_.size(); ++r) {
    const BenchmarkReport& report = reports_[r];
    auto* item = new QListWidgetItem(
        tr("%1 — %2, %3, %4 runs").arg(labels.at(r), report.model(), report.dtype()).arg(report.runs().size()), list_);
    item->setForeground(seriesColor(r));
    item->setToolTip(report.source());
  }
}

void BenchmarkCompareDialog::showStatus(const QString& message, bool isError) {
  status_->setText(message);
  status_->setStyleSheet(isError ? "color: #b00020;" : QString());
}

QString BenchmarkCompareDialog::statusText() const { return status_->text(); }

bool BenchmarkCompareDialog::exportPlots(const QString& stem, const QString& extension, QString* error) {
  const QString ext = extension.toLower();
  if (ext != "png" && ext != "pdf") {
    const QString message = tr("%1.%2: plots export as .png or .pdf").arg(stem, extension);
    showStatus(message, true);
    if (error) *error = message;
    return false;
  }
  for (int f = 0; f < kFigureCount; ++f) {
    const QString path = QString("%1-%2.%3").arg(stem, kExportSuffixes[f], ext);
    QCustomPlot* plot = plots_[f];
    plot->replot();
    const bool written = ext == "pdf" ? plot->savePdf(path, 900, 500) : plot->savePng(path, 900, 500);
    if (!written) {
      const QString message = tr("%1: could not write the plot").arg(path);
      showStatus(message, true);
      if (error) *error = message;
      return false;
    }
  }
  showStatus(tr("Exported %1 plots to %2-*.%3").arg(kFigureCount).arg(stem, ext), false);
  return true;
}

void BenchmarkCompareDialog::chooseFiles() {
  const QStringList paths = QFileDialog::getOpenFileNames(this, tr("Add benchmark reports"), {},
                                                          tr("csm-bench reports (*.json);;All files (*)"));
  QStringList errors;
  for (const QString& path : paths) {
    QString error;
    if (!addReportFile(path, &error)) errors << error;
  }
  // With several files, every failure stays visible, not only the last one.
  if (!errors.isEmpty()) showStatus(errors.join('\n'), true);
}

void BenchmarkCompareDialog::askServer() {
  QDialog ask(this);
  ask.setWindowTitle(tr("Fetch a benchmark report"));
  auto* url = new QLineEdit(suggested_url_, &ask);
  url->setPlaceholderText("http://gpu-box:8000");
  auto* key = new QLineEdit(suggested_key_, &ask);
  key->setEchoMode(QLineEdit::Password);
  key->setPlaceholderText(tr("optional"));
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &ask);
  connect(buttons, &QDialogButtonBox::accepted, &ask, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, &ask, &QDialog::reject);
  auto* form = new QFormLayout(&ask);
  form->addRow(tr("Server URL:"), url);
  form->addRow(tr("API key:"), key);
  form->addRow(buttons);
  if (ask.exec() == QDialog::Accepted && !url->text().trimmed().isEmpty()) fetchFromServer(url->text(), key->text());
}

void BenchmarkCompareDialog::chooseExport() {
  const QString path =
      QFileDialog::getSaveFileName(this, tr("Export plots"), "benchmarks.png", tr("PNG (*.png);;PDF (*.pdf)"));
  if (path.isEmpty()) return;
  const QFileInfo info(path);
  exportPlots(info.absolutePath() + "/" + info.completeBaseName(), info.suffix().isEmpty() ? "png" : info.suffix());
}

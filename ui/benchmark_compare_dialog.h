#pragma once
// Several `csm-bench --benchmark` reports (other GPU boxes, or remote csm-serve servers)
// plotted side by side, one series per machine; the plots export as PNG or PDF.
#include <QDialog>
#include <QPointer>
#include <QVector>
#include <optional>

#include "benchmark_report.h"

class QCustomPlot;
class QLabel;
class QListWidget;
class QNetworkAccessManager;
class QNetworkReply;

class BenchmarkCompareDialog : public QDialog {
  Q_OBJECT
 public:
  // The figures, in the order they are shown and exported.
  enum class Figure { RtfByChunkSize, FirstAudioByChunkSize, RtfByStreamBatch, RealtimeStreamsByStreamBatch };
  static constexpr int kFigureCount = 4;
  static constexpr int kFetchTimeoutMs = 10000;

  explicit BenchmarkCompareDialog(QWidget* parent = nullptr);

  // Each returns false with a message naming the file or source (also shown in the dialog).
  bool addReportFile(const QString& path, QString* error = nullptr);
  bool addReportJson(const QByteArray& json, const QString& sourceLabel, QString* error = nullptr);
  // GET <url>/v1/csm/benchmark (with "Authorization: Bearer <apiKey>" when a key is given);
  // fetched() tells the outcome. One fetch at a time: a second one while one runs is refused.
  void fetchFromServer(const QString& url, const QString& apiKey = {});
  // What "Fetch from server…" offers first: the studio's remote engine, when it has one.
  void suggestServer(const QString& url, const QString& apiKey) {
    suggested_url_ = url;
    suggested_key_ = apiKey;
  }
  void removeReport(int index);

  int reportCount() const { return reports_.size(); }
  const BenchmarkReport& report(int index) const { return reports_.at(index); }
  QStringList machineLabels() const { return distinctMachineLabels(reports_); }
  QCustomPlot* plot(Figure figure) const { return plots_[int(figure)]; }
  // The message the dialog shows under the list (the last error or success).
  QString statusText() const;
  // Writes <stem>-rtf, -first-audio, -stream-rtf and -streams .<extension> (png or pdf).
  bool exportPlots(const QString& stem, const QString& extension, QString* error = nullptr);
  // The request URL fetchFromServer uses for a server address typed by a person.
  static QString benchmarkUrl(const QString& serverUrl);

 signals:
  void fetched(bool ok, const QString& message);

 private:
  // A report just loaded (or why it could not be): listed and plotted, or the reason shown.
  bool addLoaded(std::optional<BenchmarkReport> report, const QString& message, const QString& source, QString* error);
  void buildPlots();
  QCustomPlot* makePlot(const QString& title, const QString& xLabel, const QString& yLabel);
  void replot();
  void showPointToolTip(QCustomPlot* plot, const QPoint& pos);
  void refreshList();
  void showStatus(const QString& message, bool isError);
  void chooseFiles();
  void askServer();
  void chooseExport();
  QString fetchError(QNetworkReply* reply, const QString& server, bool timedOut, bool sentKey) const;

  QVector<BenchmarkReport> reports_;
  QCustomPlot* plots_[kFigureCount] = {};
  QListWidget* list_ = nullptr;
  QLabel* status_ = nullptr;
  QNetworkAccessManager* network_ = nullptr;
  QPointer<QNetworkReply> pending_;
  QString suggested_url_, suggested_key_;
};

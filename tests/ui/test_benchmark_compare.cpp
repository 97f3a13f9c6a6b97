// Benchmark reports from several machines, compared: real csm-bench --benchmark reports load and
// plot one series per machine with the best run per x; bad input names its file; plots export;
// reports fetch from a (tiny, local) server, and the server's refusals read plainly.
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QNetworkProxy>
#include <QNetworkProxyFactory>
#include <QPointer>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>

#include "benchmark_compare_dialog.h"
#include "qcustomplot.h"

namespace {

using Figure = BenchmarkCompareDialog::Figure;

// Answers every HTTP request with one canned status and body, and remembers the last request.
class TinyHttpServer : public QObject {
 public:
  TinyHttpServer(int status, QByteArray body) : status_(status), body_(std::move(body)) {
    server_.listen(QHostAddress::LocalHost);
    connect(&server_, &QTcpServer::newConnection, this, [this] {
      while (QTcpSocket* socket = server_.nextPendingConnection()) serve(socket);
    });
  }
  QString url() const { return QString("http://127.0.0.1:%1").arg(server_.serverPort()); }
  QByteArray lastRequest;

 private:
  void serve(QTcpSocket* socket) {
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
      buffer_ += socket->readAll();
      if (!buffer_.contains("\r\n\r\n")) return;
      lastRequest = buffer_;
      buffer_.clear();
      const QByteArray reason = status_ == 200 ? "OK" : status_ == 401 ? "Unauthorized" : "Not Found";
      socket->write("HTTP/1.1 " + QByteArray::number(status_) + " " + reason +
                    "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body_.size()) +
                    "\r\nConnection: close\r\n\r\n" + body_);
      socket->disconnectFromHost();
    });
  }
  QTcpServer server_;
  int status_;
  QByteArray body_;
  QByteArray buffer_;
};

QJsonObject readJson(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) return {};
  return QJsonDocument::fromJson(file.readAll()).object();
}

bool writeBytes(const QString& path, const QByteArray& bytes) {
  QFile file(path);
  return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

QJsonObject run(int chunk, int frameBatch, int streams, double rtf, double firstAudio, double realtime) {
  return {{"chunk_size_ms", chunk}, {"first_chunk_ms", 80},        {"frame_batch_size", frameBatch},
          {"cuda_graphs", true},    {"stream_batch", streams},     {"rtf", rtf},
          {"first_audio_ms", firstAudio}, {"realtime_streams", realtime}, {"chunk_latency_p50_ms", 10.0}};
}

// A hand-made report with known numbers: two frame batches per chunk size, so "best per x" is visible.
QJsonObject handMadeReport(const QString& gpu) {
  const QJsonArray runs{run(80, 1, 1, 0.50, 120, 2.0),  run(80, 2, 1, 0.30, 150, 3.3),
                        run(160, 1, 1, 0.25, 200, 4.0), run(160, 2, 1, 0.40, 190, 2.5),
                        run(80, 2, 4, 0.60, 300, 6.6),  run(160, 1, 4, 0.45, 350, 8.8)};
  return {{"model", "/models/csm-1b"}, {"label", "csm-1b"}, {"device", "cuda"}, {"dtype", "bfloat16"},
          {"frames_per_run", 24}, {"runs", runs},
          {"system", QJsonObject{{"gpu", gpu}, {"cpu", "AMD EPYC 9654"}}}};
}

// (x, y) of every point of a graph.
QVector<QPointF> pointsOf(QCPGraph* graph) {
  QVector<QPointF> points;
  for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it) points << QPointF(it->key, it->value);
  return points;
}

// The lowest-RTF run per x of a report's raw JSON, computed independently of BenchmarkReport.
QMap<int, QJsonObject> bestByKey(const QJsonObject& report, const char* key, int onlyStreams) {
  QMap<int, QJsonObject> best;
  for (const auto& v : report["runs"].toArray()) {
    const QJsonObject r = v.toObject();
    if (onlyStreams > 0 && r["stream_batch"].toInt() != onlyStreams) continue;
    const int x = r[key].toInt();
    if (!best.contains(x) || r["rtf"].toDouble() < best[x]["rtf"].toDouble()) best[x] = r;
  }
  return best;
}

}  // namespace

class BenchmarkCompareTest : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() {
    // The tiny server is on 127.0.0.1: never through a proxy the environment may name.
    QNetworkProxyFactory::setUseSystemConfiguration(false);
    QNetworkProxy::setApplicationProxy(QNetworkProxy::NoProxy);
    QVERIFY(dir_.isValid());
    report_a_ = dir_.filePath("box-a.json");
    report_b_ = dir_.filePath("box-b.json");
    QVERIFY(runBench(report_a_, "1,2"));
    QVERIFY(runBench(report_b_, "1"));
  }

  // Two real reports of this one machine: two series, told apart by their file names.
  void realReportsPlotBestRunPerX() {
    BenchmarkCompareDialog dialog;
    QString error;
    QVERIFY2(dialog.addReportFile(report_a_, &error), qPrintable(error));
    QVERIFY2(dialog.addReportFile(report_b_, &error), qPrintable(error));
    QCOMPARE(dialog.reportCount(), 2);
    const QStringList labels = dialog.machineLabels();
    QVERIFY2(labels[0] != labels[1], qPrintable(labels.join(" | ")));
    QVERIFY2(labels[0].contains("box-a.json") && labels[1].contains("box-b.json"), qPrintable(labels.join(" | ")));
    QVERIFY2(labels[0].contains("(cpu)"), qPrintable(labels[0]));
    const QJsonObject a = readJson(report_a_);
    QVERIFY2(a["system"].toObject()["cpu"].toString().size() > 0, "csm-bench --benchmark reports its machine");
    QVERIFY(labels[0].startsWith(a["system"].toObject()["cpu"].toString().trimmed()));
    for (int f = 0; f < BenchmarkCompareDialog::kFigureCount; ++f) {
      QCOMPARE(dialog.plot(Figure(f))->graphCount(), 2);
      QCOMPARE(dialog.plot(Figure(f))->graph(0)->name(), labels[0]);
    }
    // Report A: 2 chunk sizes x 2 frame batches at 1 stream; its points are the best of each pair.
    const auto byChunk = bestByKey(a, "chunk_size_ms", 1);
    QCOMPARE(byChunk.size(), 2);
    const auto rtf = pointsOf(dialog.plot(Figure::RtfByChunkSize)->graph(0));
    const auto first = pointsOf(dialog.plot(Figure::FirstAudioByChunkSize)->graph(0));
    QCOMPARE(rtf.size(), 2);
    int i = 0;
    for (auto it = byChunk.begin(); it != byChunk.end(); ++it, ++i) {
      QCOMPARE(rtf[i].x(), double(it.key()));
      QCOMPARE(rtf[i].y(), it.value()["rtf"].toDouble());
      QCOMPARE(first[i].y(), it.value()["first_audio_ms"].toDouble());
    }
    const auto byStreams = bestByKey(a, "stream_batch", 0);
    QCOMPARE(byStreams.keys(), (QList<int>{1, 2}));
    const auto streams = pointsOf(dialog.plot(Figure::RealtimeStreamsByStreamBatch)->graph(0));
    const auto streamRtf = pointsOf(dialog.plot(Figure::RtfByStreamBatch)->graph(0));
    QCOMPARE(streams.size(), 2);
    QCOMPARE(streams[1].x(), 2.0);
    QCOMPARE(streams[1].y(), byStreams[2]["realtime_streams"].toDouble());
    QCOMPARE(streamRtf[0].y(), byStreams[1]["rtf"].toDouble());
    // Report B measured one stream batch only: one point on the stream-batch plots.
    QCOMPARE(dialog.plot(Figure::RealtimeStreamsByStreamBatch)->graph(1)->dataCount(), 1);

    dialog.removeReport(0);
    QCOMPARE(dialog.reportCount(), 1);
    QCOMPARE(dialog.plot(Figure::RtfByChunkSize)->graphCount(), 1);
    QVERIFY2(!dialog.machineLabels()[0].contains("box-b.json"), "a label alone needs no file name");
  }

  // Known numbers: the lowest-RTF run per x, whatever its frame batch; machines labelled by GPU.
  void handMadeReportsPlotTheLowestRtfPerX() {
    BenchmarkCompareDialog dialog;
    QString error;
    QVERIFY2(dialog.addReportJson(QJsonDocument(handMadeReport("NVIDIA H200")).toJson(), "h200.json", &error),
             qPrintable(error));
    QVERIFY2(dialog.addReportJson(QJsonDocument(handMadeReport("NVIDIA L4")).toJson(), "l4.json", &error),
             qPrintable(error));
    QCOMPARE(dialog.machineLabels(), (QStringList{"NVIDIA H200 (cuda)", "NVIDIA L4 (cuda)"}));
    QCOMPARE(pointsOf(dialog.plot(Figure::RtfByChunkSize)->graph(0)),
             (QVector<QPointF>{{80, 0.30}, {160, 0.25}}));
    QCOMPARE(pointsOf(dialog.plot(Figure::FirstAudioByChunkSize)->graph(0)),
             (QVector<QPointF>{{80, 150}, {160, 200}}));
    QCOMPARE(pointsOf(dialog.plot(Figure::RtfByStreamBatch)->graph(1)), (QVector<QPointF>{{1, 0.25}, {4, 0.45}}));
    QCOMPARE(pointsOf(dialog.plot(Figure::RealtimeStreamsByStreamBatch)->graph(1)),
             (QVector<QPointF>{{1, 4.0}, {4, 8.8}}));
    const auto best = dialog.report(0).bestPerChunkSize();
    QCOMPARE(best[0].candidates, 2);
    QCOMPARE(best[0].run.frameBatchSize, 2);

    // The same GPU twice, and then the same file name twice: still one label each.
    QVERIFY(dialog.addReportJson(QJsonDocument(handMadeReport("NVIDIA H200")).toJson(), "other/h200.json"));
    QCOMPARE(dialog.machineLabels(), (QStringList{"NVIDIA H200 (cuda) — h200.json #1", "NVIDIA L4 (cuda)",
                                                  "NVIDIA H200 (cuda) — h200.json #2"}));
  }

  void badInputNamesTheFile() {
    BenchmarkCompareDialog dialog;
    QString error;
    const QString missing = dir_.filePath("no-such-report.json");
    QVERIFY(!dialog.addReportFile(missing, &error));
    QVERIFY2(error.startsWith(missing + ": cannot open"), qPrintable(error));
    QCOMPARE(dialog.statusText(), error);

    const QString broken = dir_.filePath("broken.json");
    QVERIFY(writeBytes(broken, "{\"runs\": [ {\"rtf\": 0.3,"));
    QVERIFY(!dialog.addReportFile(broken, &error));
    QVERIFY2(error.startsWith(broken + ": not JSON"), qPrintable(error));

    // A JSON file of csm-bench, but not a --benchmark report.
    const QString other = QString(CSM_SOURCE_DIR) + "/bench/results/cpu-2core-epyc-2026-11-29.json";
    QVERIFY(QFileInfo::exists(other));
    QVERIFY(!dialog.addReportFile(other, &error));
    QVERIFY2(error.startsWith(other + ": not a csm-bench --benchmark report (no 'runs' array"), qPrintable(error));

    QVERIFY(!dialog.addReportJson("[1, 2]", "list.json", &error));
    QVERIFY2(error.startsWith("list.json: not a csm-bench --benchmark report"), qPrintable(error));
    QVERIFY(!dialog.addReportJson(R"({"runs": []})", "empty.json", &error));
    QCOMPARE(error, QString("empty.json: the report has no runs"));

    QJsonObject noRtf = handMadeReport("G");
    QJsonArray runs = noRtf["runs"].toArray();
    QJsonObject second = runs[1].toObject();
    second.remove("rtf");
    runs[1] = second;
    noRtf["runs"] = runs;
    QVERIFY(!dialog.addReportJson(QJsonDocument(noRtf).toJson(), "cut.json", &error));
    QCOMPARE(error, QString("cut.json: run 2 has no number 'rtf'"));
    QCOMPARE(dialog.reportCount(), 0);
    QCOMPARE(dialog.plot(Figure::RtfByChunkSize)->graphCount(), 0);
  }

  void exportWritesPngAndPdf() {
    BenchmarkCompareDialog dialog;
    QVERIFY(dialog.addReportFile(report_a_));
    QVERIFY(dialog.addReportJson(QJsonDocument(handMadeReport("NVIDIA H200")).toJson(), "h200.json"));
    const QString stem = dir_.filePath("compare");
    QString error;
    for (const QString ext : {"png", "pdf"}) {
      QVERIFY2(dialog.exportPlots(stem, ext, &error), qPrintable(error));
      for (const char* name : {"rtf", "first-audio", "stream-rtf", "streams"}) {
        const QFileInfo file(QString("%1-%2.%3").arg(stem, name, ext));
        QVERIFY2(file.exists() && file.size() > 1000, qPrintable(file.filePath()));
      }
    }
    QVERIFY(!dialog.exportPlots(stem, "svg", &error));
    QVERIFY2(error.contains(".png or .pdf"), qPrintable(error));
    QVERIFY(!dialog.exportPlots(dir_.filePath("no/such/folder/x"), "png", &error));
    QVERIFY2(error.contains("no/such/folder/x-rtf.png"), qPrintable(error));
  }

  void fetchesFromServer() {
    QFile file(report_a_);
    QVERIFY(file.open(QIODevice::ReadOnly));
    TinyHttpServer server(200, file.readAll());
    BenchmarkCompareDialog dialog;
    QSignalSpy fetched(&dialog, &BenchmarkCompareDialog::fetched);
    dialog.fetchFromServer(server.url() + "/", "secret-key");
    QVERIFY(fetched.wait(15000));
    QVERIFY2(fetched[0][0].toBool(), qPrintable(fetched[0][1].toString()));
    QVERIFY(server.lastRequest.startsWith("GET /v1/csm/benchmark HTTP/1.1\r\n"));
    QVERIFY2(server.lastRequest.contains("Authorization: Bearer secret-key\r\n"), server.lastRequest.constData());
    QCOMPARE(dialog.reportCount(), 1);
    QCOMPARE(dialog.report(0).source(), server.url() + "/");
    // The same machine's file beside the server's copy: the label names the server's host:port.
    QVERIFY(dialog.addReportFile(report_a_));
    const QString port = QString::number(QUrl(server.url()).port());
    QVERIFY2(dialog.machineLabels()[0].endsWith("127.0.0.1:" + port), qPrintable(dialog.machineLabels()[0]));

    // Without a key, no Authorization header at all.
    dialog.fetchFromServer(server.url());
    QVERIFY(fetched.wait(15000));
    QVERIFY(!server.lastRequest.contains("Authorization"));
  }

  void fetchErrorsReadPlainly() {
    TinyHttpServer notFound(404, R"({"error": "no benchmark report"})");
    TinyHttpServer unauthorized(401, R"({"error": "bad key"})");
    BenchmarkCompareDialog dialog;
    QSignalSpy fetched(&dialog, &BenchmarkCompareDialog::fetched);

    dialog.fetchFromServer(notFound.url());
    QVERIFY(fetched.wait(15000));
    QCOMPARE(fetched.last()[0].toBool(), false);
    QCOMPARE(fetched.last()[1].toString(),
             notFound.url() + ": the server has no benchmark report (start csm-serve with --benchmark-report FILE)");
    QCOMPARE(dialog.statusText(), fetched.last()[1].toString());

    dialog.fetchFromServer(unauthorized.url(), "wrong");
    QVERIFY(fetched.wait(15000));
    QCOMPARE(fetched.last()[1].toString(), unauthorized.url() + ": the server refused the API key (HTTP 401)");
    dialog.fetchFromServer(unauthorized.url());
    QVERIFY(fetched.wait(15000));
    QCOMPARE(fetched.last()[1].toString(), unauthorized.url() + ": the server wants an API key (HTTP 401)");

    // A port nobody listens on: bound, noted, closed.
    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost));
    const QString refusedUrl = QString("http://127.0.0.1:%1").arg(closed.serverPort());
    closed.close();
    dialog.fetchFromServer(refusedUrl);
    QVERIFY(fetched.wait(15000));
    QCOMPARE(fetched.last()[0].toBool(), false);
    QVERIFY2(fetched.last()[1].toString().startsWith(refusedUrl + ": connection refused"),
             qPrintable(fetched.last()[1].toString()));

    // A body that is no report: the parse error names the server.
    TinyHttpServer wrongBody(200, R"({"status": "ok"})");
    dialog.fetchFromServer(wrongBody.url());
    QVERIFY(fetched.wait(15000));
    QVERIFY2(fetched.last()[1].toString().startsWith(wrongBody.url() + ": not a csm-bench --benchmark report"),
             qPrintable(fetched.last()[1].toString()));
    QCOMPARE(dialog.reportCount(), 0);
  }

  void serverUrlsAreCompleted() {
    QCOMPARE(BenchmarkCompareDialog::benchmarkUrl("gpu-box:8000"), QString("http://gpu-box:8000/v1/csm/benchmark"));
    QCOMPARE(BenchmarkCompareDialog::benchmarkUrl(" https://gpu-box/ "), QString("https://gpu-box/v1/csm/benchmark"));
    QCOMPARE(BenchmarkCompareDialog::benchmarkUrl("http://h:1/v1/csm/benchmark"), QString("http://h:1/v1/csm/benchmark"));
  }

  // What MainWindow's menu entry does: new with a parent, show; closing deletes it.
  void opensFromAWindowAndDeletesOnClose() {
    QWidget window;
    QPointer<BenchmarkCompareDialog> dialog = new BenchmarkCompareDialog(&window);
    dialog->show();
    QVERIFY(dialog->isVisible());
    QVERIFY(!dialog->isModal());
    dialog->close();
    QTRY_VERIFY(dialog.isNull());
  }

 private:
  // A tiny real sweep: demo model, 8 frames, chunk sizes 80 and 160, frame batches 1 and 2.
  bool runBench(const QString& out, const QString& streamBatches) {
    QProcess bench;
    bench.start(CSM_BENCH_EXE, {"--benchmark", "--model", "demo", "--bench-frames", "8", "--chunk-sizes", "80,160",
                                "--frame-batches", "1,2", "--stream-batches", streamBatches, "--json-out", out});
    if (!bench.waitForFinished(300000) || bench.exitCode() != 0) {
      qWarning() << "csm-bench failed:" << bench.readAllStandardError();
      return false;
    }
    return QFileInfo(out).size() > 0;
  }

  QTemporaryDir dir_;
  QString report_a_, report_b_;
};

QTEST_MAIN(BenchmarkCompareTest)
#include "test_benchmark_compare.moc"

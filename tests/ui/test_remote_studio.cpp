// The studio against a real csm-serve on loopback (demo model), as a user on a
// laptop with the engine on a GPU box would have it: the worker's chunks arrive
// with the server's metrics and play in order, Stop cancels the stream on the
// server (its /metrics says so), temperature moved mid-run reaches the running
// stream (by the server's own name for it, where it gives one), more texts than
// the server's slots all complete (and ones it refuses as busy are a message), a
// run ends with the same stop labels as in this process,
// a server that is not there or refuses the key gives a message, and a server
// killed mid-run leaves what was received and a window ready for more.
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <sys/prctl.h>

#include <cmath>
#include <csignal>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPlainTextEdit>
#include <QProcess>
#include <QRegularExpression>
#include <QLabel>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include "audio_ring.h"
#include "generation_worker.h"
#include "main_window.h"
#include "run_settings_panel.h"
#include "sampling_moved_run.h"
#include "sse_reader.h"
#include "time_series_plot.h"

namespace {

// A csm-serve child process on a free loopback port.
class Serve {
 public:
  explicit Serve(const QStringList& extra = {}, bool keep_voices = true) {
    process_.setProcessChannelMode(QProcess::SeparateChannels);
    process_.setReadChannel(QProcess::StandardError);
    // The server dies with the test, even one killed by its watchdog or CTest's timeout.
    process_.setChildProcessModifier([] { prctl(PR_SET_PDEATHSIG, SIGKILL); });
    QStringList args{"--model", "demo", "--port", "0"};
    if (keep_voices) args << "--voices" << voices_.path();
    process_.start(CSM_SERVE_BIN, args + extra);
    QElapsedTimer t;
    t.start();
    const QRegularExpression listening("listening on (http://[0-9.]+:[0-9]+)");
    while (url_.isEmpty() && t.elapsed() < 60000 && process_.state() != QProcess::NotRunning) {
      process_.waitForReadyRead(200);
      log_ += process_.readAllStandardError();
      const auto m = listening.match(QString::fromUtf8(log_));
      if (m.hasMatch()) url_ = m.captured(1);
    }
    while (!url_.isEmpty() && get("/ready").first != 200 && t.elapsed() < 60000) QTest::qWait(100);
  }
  ~Serve() { kill(); }
  QString url() const { return url_; }
  void kill() {
    if (process_.state() == QProcess::NotRunning) return;
    process_.kill();
    process_.waitForFinished(10000);
  }
  // Status and body of a GET, or 0 when nothing answered.
  std::pair<int, QByteArray> get(const QString& path, const QByteArray& key = {}) const {
    QNetworkAccessManager net;
    QNetworkRequest r(QUrl(url_ + path));
    if (!key.isEmpty()) r.setRawHeader("Authorization", "Bearer " + key);
    r.setTransferTimeout(5000);
    std::unique_ptr<QNetworkReply> reply(net.get(r));
    QEventLoop loop;
    QObject::connect(reply.get(), &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    return {reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), reply->readAll()};
  }
  double metric(const QString& name) const {
    const QString text = QString::fromUtf8(get("/metrics").second);
    const auto m = QRegularExpression("^" + QRegularExpression::escape(name) + " ([0-9.e+-]+)$",
                                      QRegularExpression::MultilineOption)
                       .match(text);
    return m.hasMatch() ? m.captured(1).toDouble() : -1;
  }

 private:
  QTemporaryDir voices_;
  QProcess process_;
  QByteArray log_;
  QString url_;
};

// A stand-in for a csm-serve that names its streams itself (X-CSM-Stream-Id, as the
// hardened server does): it speaks one silent frame every 50 ms until the client goes,
// and notes every control request ("METHOD path").
class FakeServe : public QObject {
 public:
  FakeServe() {
    server_.listen(QHostAddress::LocalHost, 0);
    connect(&server_, &QTcpServer::newConnection, this, [this] {
      while (QTcpSocket* socket = server_.nextPendingConnection()) {
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onBytes(socket); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
          buffers_.remove(socket);
          socket->deleteLater();
        });
      }
    });
  }
  QString url() const { return QStringLiteral("http://127.0.0.1:%1").arg(server_.serverPort()); }
  QStringList controls;
  QByteArray sentRequestId;  // the X-Request-Id of the speech request

 private:
  void onBytes(QTcpSocket* socket) {
    QByteArray& buffer = buffers_[socket];
    buffer += socket->readAll();
    const qsizetype end = buffer.indexOf("\r\n\r\n");
    if (end < 0) return;
    const QList<QByteArray> lines = buffer.left(end).split('\n');
    const QList<QByteArray> request_line = lines.front().trimmed().split(' ');
    qsizetype length = 0;
    QByteArray request_id;
    for (const QByteArray& line : lines) {
      const QByteArray l = line.trimmed(), lower = l.toLower();
      if (lower.startsWith("content-length:")) length = l.mid(15).trimmed().toLongLong();
      if (lower.startsWith("x-request-id:")) request_id = l.mid(13).trimmed();
    }
    if (buffer.size() < end + 4 + length) return;
    buffer.clear();  // one request per connection: every answer closes it
    const QByteArray method = request_line.value(0), path = request_line.value(1);
    if (path == "/v1/csm/info")
      return answer(socket, R"({"engine": {"label": "fake", "device": "cpu", "demo": true}, )"
                            R"("server": {"live_sampling": true}, "machine": {}})");
    if (path == "/v1/audio/speech") return speak(socket, request_id);
    controls << QString::fromLatin1(method + ' ' + path);
    answer(socket, "{}");
  }
  static void answer(QTcpSocket* socket, const QByteArray& json) {
    socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
                  QByteArray::number(json.size()) + "\r\n\r\n" + json);
    socket->disconnectFromHost();
  }
  void speak(QTcpSocket* socket, const QByteArray& request_id) {
    sentRequestId = request_id;
    socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\nX-Request-Id: " +
                  request_id + "\r\nX-CSM-Stream-Id: srv-stream-1\r\n\r\n");
    auto* frames = new QTimer(socket);
    connect(frames, &QTimer::timeout, socket, [socket, frame = 0]() mutable {
      const QByteArray silence(1920 * 2, '\0');
      socket->write(R"(data: {"type": "speech.audio.delta", "audio": ")" + silence.toBase64() +
                    R"(", "csm": {"first_frame": )" + QByteArray::number(frame++) + R"(, "frames": 1}})" + "\n\n");
    });
    frames->start(50);
  }
  QHash<QTcpSocket*, QByteArray> buffers_;
  QTcpServer server_;  // after buffers_: its sockets, closing as it goes, still find them
};

RunRequest request_of(const QStringList& texts, int max_audio_ms) {
  RunRequest r;
  r.texts = texts;
  r.settings.max_audio_ms = max_audio_ms;
  r.settings.chunk_ms = 240;
  r.settings.stream_batch = 2;
  r.live = std::make_shared<LiveSampling>(r.settings.temperature, r.settings.top_k);
  return r;
}

bool wait_state(MainWindow& w, EngineState state, int ms = 60000) {
  QElapsedTimer t;
  t.start();
  while (w.state() != state && t.elapsed() < ms) QTest::qWait(20);
  return w.state() == state;
}

}  // namespace

class RemoteStudioTest : public QObject {
  Q_OBJECT
  QThread thread_;
  GenerationWorker* worker_ = nullptr;
  AudioRing ring_;
  QTemporaryDir dir_;

  void connectTo(const QString& url, const QString& key, bool expect_ok) {
    QSignalSpy loaded(worker_, &GenerationWorker::engineLoaded);
    QSignalSpy failed(worker_, &GenerationWorker::engineFailed);
    QMetaObject::invokeMethod(worker_, [=] { worker_->connectRemote(url, key); }, Qt::QueuedConnection);
    QVERIFY(QTest::qWaitFor([&] { return !loaded.isEmpty() || !failed.isEmpty(); }, 20000));
    if (expect_ok) QVERIFY2(failed.isEmpty(), qPrintable(failed.isEmpty() ? "" : failed.front().at(0).toString()));
    else QVERIFY(loaded.isEmpty());
  }
  void runOn(const RunRequest& r) {
    QMetaObject::invokeMethod(worker_, [=] { worker_->run(r); }, Qt::QueuedConnection);
  }

 private slots:
  void initTestCase() {
    qRegisterMetaType<ChunkStats>();
    qRegisterMetaType<ChunkCodes>();
    qRegisterMetaType<RunRequest>();
    qRegisterMetaType<RunResult>();
    QStandardPaths::setTestModeEnabled(true);
    qputenv("CSM_STUDIO_NO_DIALOGS", "1");
    QCoreApplication::setOrganizationName("csm-studio-remote-test");
    worker_ = new GenerationWorker(&ring_);
    worker_->moveToThread(&thread_);
    connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
    thread_.start();
  }
  void cleanupTestCase() {
    thread_.quit();
    thread_.wait();
  }

  // However the network cuts the bytes, the same events come out.
  void sseEventsSurviveAnyCut() {
    const QByteArray stream = "data: {\"a\":1}\n\n: a comment\n\ndata: {\"b\":\r\ndata: 2}\r\n\r\ndata: tail";
    const QList<QByteArray> whole = SseReader().feed(stream);
    QCOMPARE(whole, (QList<QByteArray>{"{\"a\":1}", "{\"b\":\n2}"}));
    for (int step = 1; step <= 5; ++step) {
      SseReader reader;
      QList<QByteArray> events;
      for (int at = 0; at < stream.size(); at += step) events += reader.feed(stream.mid(at, step));
      QCOMPARE(events, whole);
      QVERIFY(reader.pending());  // "data: tail" never ended
    }
  }

  void nothingListeningIsAMessageNotAHang() {
    QSignalSpy failed(worker_, &GenerationWorker::engineFailed);
    QElapsedTimer t;
    t.start();
    connectTo("http://127.0.0.1:9", {}, false);
    QVERIFY(t.elapsed() < 10000);
    QVERIFY2(failed.front().at(0).toString().contains("connection refused"), qPrintable(failed.front().at(0).toString()));
    QVERIFY(failed.front().at(1).toString().contains("ssh -N -L"));
    connectTo("not a url at all", {}, false);
  }

  void aWrongKeyIsRefusedWithAMessage() {
    Serve serve({"--api-key", "right-key"});
    QVERIFY(!serve.url().isEmpty());
    QSignalSpy failed(worker_, &GenerationWorker::engineFailed);
    connectTo(serve.url(), "wrong-key", false);
    QVERIFY2(failed.front().at(0).toString().contains("refused the API key"), qPrintable(failed.front().at(0).toString()));
    QSignalSpy loaded(worker_, &GenerationWorker::engineLoaded);
    connectTo(serve.url(), "right-key", true);
    QVERIFY(loaded.front().at(1).toString().startsWith("remote cpu"));
  }

  void chunksArriveWithTheServersMetricsAndPlayInOrder() {
    Serve serve;
    QSignalSpy loaded(worker_, &GenerationWorker::engineLoaded);
    connectTo(serve.url(), {}, true);
    QVERIFY(loaded.front().at(0).toString().contains(QUrl(serve.url()).authority()));
    QVERIFY(loaded.front().at(2).toBool());  // the demo model, said so
    ring_.reset();
    QSignalSpy chunks(worker_, &GenerationWorker::chunkReady);
    QSignalSpy finished(worker_, &GenerationWorker::runFinished);
    runOn(request_of({"First remote text.", "Second remote text."}, 960));
    QVERIFY(finished.wait(60000));
    qint64 next_frame[2] = {0, 0};
    QVector<float> by_stream[2];
    QVector<int> chunk_frames[2];
    int occupied = 0;
    for (const auto& args : chunks) {
      const auto stats = args.at(0).value<ChunkStats>();
      const auto samples = args.at(1).value<QVector<float>>();
      QVERIFY(stats.stream == 0 || stats.stream == 1);
      QCOMPARE(stats.firstFrame, next_frame[stats.stream]);
      QCOMPARE(samples.size(), stats.frames * 1920);
      QVERIFY(stats.generateMs > 0);
      QVERIFY(stats.rssBytes > 0);
      QCOMPARE(stats.maxStreams, 8);
      occupied = std::max(occupied, stats.activeStreams);
      next_frame[stats.stream] += stats.frames;
      by_stream[stats.stream] += samples;
      chunk_frames[stats.stream] << stats.frames;
    }
    QCOMPARE(next_frame[0], qint64(12));
    QCOMPARE(next_frame[1], qint64(12));
    // The window's chunk sizes reach the server: a first chunk of 80 ms, then 240 ms.
    QCOMPARE(chunk_frames[0], (QVector<int>{1, 3, 3, 3, 2}));
    QCOMPARE(chunk_frames[1], (QVector<int>{1, 3, 3, 3, 2}));
    QVERIFY(occupied >= 1);
    const auto result = finished.front().at(0).value<RunResult>();
    QCOMPARE(result.frames, qint64(24));
    QVERIFY(!result.cancelled);
    QVERIFY(result.firstAudioMs > 0);
    // Played one stream after the other, exactly what arrived (16-bit PCM on the wire).
    QVector<float> played(ring_.available());
    ring_.pull(played.data(), played.size());
    QCOMPARE(played, by_stream[0] + by_stream[1]);
  }

  void stopCancelsTheStreamOnTheServer() {
    Serve serve;
    connectTo(serve.url(), {}, true);
    const double before = serve.metric("csm_client_disconnects_total");
    QSignalSpy chunks(worker_, &GenerationWorker::chunkReady);
    QSignalSpy finished(worker_, &GenerationWorker::runFinished);
    RunRequest r = request_of({"A long text that is stopped early by the user."}, 60000);
    runOn(r);
    QVERIFY(chunks.wait(60000));
    QElapsedTimer t;
    t.start();
    r.cancel.cancel();
    QVERIFY(finished.wait(10000));
    QVERIFY(t.elapsed() < 2000);
    QVERIFY(finished.front().at(0).value<RunResult>().cancelled);
    QVERIFY(QTest::qWaitFor([&] { return serve.metric("csm_client_disconnects_total") == before + 1; }, 5000));
    QVERIFY(QTest::qWaitFor([&] { return serve.metric("csm_active_streams") == 0; }, 5000));
  }

  // A voice clip is uploaded once as the server's voice and sent as context:
  // greedy audio with the clip differs from greedy audio without it.
  void voiceClipsBecomeTheServersVoicesAndContext() {
    Serve serve;
    connectTo(serve.url(), {}, true);
    const auto greedy_run = [&](const QVector<VoiceClip>& clips, QString* failure) {
      QSignalSpy chunks(worker_, &GenerationWorker::chunkReady);
      QSignalSpy finished(worker_, &GenerationWorker::runFinished);
      QSignalSpy failed(worker_, &GenerationWorker::runFailed);
      RunRequest r = request_of({"With a voice."}, 800);
      r.settings.temperature = 0;
      r.clips = clips;
      runOn(r);
      if (!QTest::qWaitFor([&] { return !finished.isEmpty() || !failed.isEmpty(); }, 60000)) return QVector<float>();
      if (!failed.isEmpty()) *failure = failed.front().at(0).toString();
      QVector<float> audio;
      for (const auto& args : chunks) audio += args.at(1).value<QVector<float>>();
      return audio;
    };
    VoiceClip clip;
    clip.path = "tone.wav";
    clip.transcript = "A steady tone.";
    clip.speaker = 1;
    for (int i = 0; i < 24000; ++i) clip.samples << 0.3f * std::sin(2 * M_PI * 220 * i / 24000.0);
    QString failure;
    const QVector<float> plain = greedy_run({}, &failure), voiced = greedy_run({clip}, &failure),
                         again = greedy_run({clip}, &failure);
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    QCOMPARE(plain.size(), 10 * 1920);
    QCOMPARE(voiced.size(), 10 * 1920);
    QVERIFY(voiced != plain);
    QCOMPARE(again, voiced);
    int uploaded = 0;
    for (const auto& v : QJsonDocument::fromJson(serve.get("/v1/audio/voices").second)["data"].toArray())
      uploaded += v.toObject().value("name").toString().startsWith("studio-") ? 1 : 0;
    QCOMPARE(uploaded, 1);  // uploaded once, reused

    Serve no_voices(QStringList{}, false);
    connectTo(no_voices.url(), {}, true);
    greedy_run({clip}, &failure);
    QVERIFY2(failure.contains("keeps no voices"), qPrintable(failure));
  }

  // Greedy from the start, then sampled at temperature 1.5 from a frame in the
  // middle: the beginning equals a greedy run's, the rest does not.
  void temperatureMovedMidRunReachesTheRunningStream() {
    Serve serve;
    connectTo(serve.url(), {}, true);
    RunRequest r = request_of({"Live knobs."}, 8000);
    r.settings.temperature = 0;
    r.settings.chunk_ms = 80;
    const QVector<float> greedy = audio_of_run(worker_, r, false), moved = audio_of_run(worker_, r, true);
    QVERIFY(greedy.size() > 10 * 1920);
    QVERIFY(moved.size() > 1920);
    QCOMPARE(moved.mid(0, 1920), greedy.mid(0, 1920));
    const qsizetype common = std::min(moved.size(), greedy.size());
    QVERIFY(moved.mid(0, common) != greedy.mid(0, common));
  }

  // A server with two slots and five texts: the studio posts all five at once,
  // the server's queue holds three, and all complete in order with the run's
  // chunk sizes and length, played in text order.
  void moreTextsThanTheServersSlotsAllCompleteInOrder() {
    Serve serve({"--max-streams", "2"});
    connectTo(serve.url(), {}, true);
    ring_.reset();
    QSignalSpy chunks(worker_, &GenerationWorker::chunkReady);
    QSignalSpy finished(worker_, &GenerationWorker::runFinished);
    QSignalSpy failed(worker_, &GenerationWorker::runFailed);
    RunRequest r = request_of({"One.", "Two.", "Three.", "Four.", "Five."}, 480);
    runOn(r);
    QVERIFY(QTest::qWaitFor([&] { return !finished.isEmpty() || !failed.isEmpty(); }, 180000));
    QVERIFY2(failed.isEmpty(), qPrintable(failed.isEmpty() ? "" : failed.front().at(0).toString()));
    QVector<QVector<int>> chunk_frames(5);
    QVector<QVector<float>> audio(5);
    for (const auto& args : chunks) {
      const auto stats = args.at(0).value<ChunkStats>();
      QVERIFY(stats.stream >= 0 && stats.stream < 5);
      QCOMPARE(stats.maxStreams, 2);
      QVERIFY(stats.activeStreams <= 2);
      chunk_frames[stats.stream] << stats.frames;
      audio[stats.stream] += args.at(1).value<QVector<float>>();
    }
    QVector<float> in_text_order;
    for (int i = 0; i < 5; ++i) {
      QCOMPARE(chunk_frames[i], (QVector<int>{1, 3, 2}));
      in_text_order += audio[i];
    }
    const auto result = finished.front().at(0).value<RunResult>();
    QCOMPARE(result.frames, qint64(30));
    QCOMPARE(result.stops, QStringList(5, "max_length"));
    QVector<float> played(ring_.available());
    ring_.pull(played.data(), played.size());
    QCOMPARE(played, in_text_order);
  }

  // One slot and room for one more in the queue, four texts: the server speaks
  // what fits (two, or one when the second comes before the first left the queue)
  // and refuses the rest; the run says how many, and what was spoken is kept.
  void textsTheServerRefusesAsBusyAreAClearMessage() {
    Serve serve({"--max-streams", "1", "--max-queue", "1"});
    connectTo(serve.url(), {}, true);
    QSignalSpy chunks(worker_, &GenerationWorker::chunkReady);
    QSignalSpy failed(worker_, &GenerationWorker::runFailed);
    runOn(request_of({"One.", "Two.", "Three.", "Four."}, 4000));
    QVERIFY(QTest::qWaitFor([&] { return !failed.isEmpty(); }, 180000));
    const QString message = failed.front().at(0).toString();
    const auto said = QRegularExpression("busy: it spoke ([12]) of the 4 texts").match(message);
    QVERIFY2(said.hasMatch(), qPrintable(message));
    QVERIFY(failed.front().at(1).toString().contains("--max-queue"));
    QSet<int> spoken;
    for (const auto& args : chunks) spoken << args.at(0).value<ChunkStats>().stream;
    QCOMPARE(spoken.size(), said.captured(1).toInt());
  }

  // A server that names its streams (X-CSM-Stream-Id): a moved slider and Stop reach
  // the stream by that name, not by the X-Request-Id the studio sent.
  void liveSamplingAndStopNameTheStreamByTheServersId() {
    FakeServe fake;
    connectTo(fake.url(), {}, true);
    QSignalSpy chunks(worker_, &GenerationWorker::chunkReady);
    QSignalSpy finished(worker_, &GenerationWorker::runFinished);
    RunRequest r = request_of({"Named by the server."}, 60000);
    runOn(r);
    QVERIFY(chunks.wait(20000));
    r.live->set(1.2, 40);
    QVERIFY(QTest::qWaitFor([&] { return !fake.controls.isEmpty(); }, 5000));
    r.cancel.cancel();
    QVERIFY(finished.wait(10000));
    QVERIFY(finished.front().at(0).value<RunResult>().cancelled);
    QVERIFY(QTest::qWaitFor([&] { return fake.controls.size() >= 2; }, 5000));
    QCOMPARE(fake.controls,
             (QStringList{"POST /v1/csm/streams/srv-stream-1/sampling", "DELETE /v1/csm/streams/srv-stream-1"}));
    QVERIFY2(fake.sentRequestId.startsWith("studio-"), fake.sentRequestId.constData());
  }

  // The same run, in this process and on a server, ends with the same stop labels.
  // The research knobs reach csm-serve (the chunks say what the server used) and its SSE
  // deltas bring each frame's codes and codebook-0 entropy back for the codes view: 8
  // codebooks leave the other 24 of every frame zero.
  void theKnobsReachTheServerAndTheCodesComeBack() {
    Serve serve;
    connectTo(serve.url(), {}, true);
    QSignalSpy chunks(worker_, &GenerationWorker::chunkReady);
    QSignalSpy finished(worker_, &GenerationWorker::runFinished);
    RunRequest r = request_of({"Codes over the wire."}, 960);
    r.settings.codebooks = 8;
    r.settings.top_p = 0.8;
    r.settings.depth_temperature = 0.5;
    r.settings.depth_top_k = 7;
    r.settings.length_guard = 0;
    r.live = std::make_shared<LiveSampling>(r.settings.sampling());
    runOn(r);
    QVERIFY(finished.wait(60000));
    int frames = 0, past_eight = 0, in_seventh = 0;
    for (const auto& args : chunks) {
      const auto stats = args.at(0).value<ChunkStats>();
      const auto codes = args.at(2).value<ChunkCodes>();
      if (stats.frames == 0) continue;
      QVERIFY(std::abs(stats.topP - 0.8) < 1e-6);
      QVERIFY(std::abs(stats.depthTemperature - 0.5) < 1e-6);
      QCOMPARE(stats.depthTopK, 7);
      QCOMPARE(stats.depthTopP, stats.topP);  // left to follow codebook 0
      QCOMPARE(codes.width, 32);
      QCOMPARE(codes.frames(), stats.frames);
      QCOMPARE(codes.entropy.size(), stats.frames);
      for (int f = 0; f < codes.frames(); ++f) {
        in_seventh += codes.codes[f * 32 + 7] != 0;
        for (int c = 8; c < 32; ++c) past_eight += codes.codes[f * 32 + c] != 0;
      }
      frames += codes.frames();
    }
    QCOMPARE(frames, 12);
    QCOMPARE(past_eight, 0);
    QVERIFY(in_seventh > 6);
    QCOMPARE(finished.front().at(0).value<RunResult>().stops, QStringList{"max_length"});
  }

  void theSameRunEndsWithTheSameStopLabelsLocallyAndRemotely() {
    QThread local_thread;
    auto* local = new GenerationWorker(nullptr);
    local->moveToThread(&local_thread);
    connect(&local_thread, &QThread::finished, local, &QObject::deleteLater);
    local_thread.start();
    QSignalSpy loaded(local, &GenerationWorker::engineLoaded);
    QMetaObject::invokeMethod(local, [local] { local->loadEngine("demo"); }, Qt::QueuedConnection);
    QVERIFY(loaded.wait(30000));
    Serve serve;
    connectTo(serve.url(), {}, true);
    const auto stops_of = [](GenerationWorker* worker, const RunRequest& r, bool stop_after_first_chunk) {
      QSignalSpy chunks(worker, &GenerationWorker::chunkReady);
      QSignalSpy finished(worker, &GenerationWorker::runFinished);
      QMetaObject::invokeMethod(worker, [worker, r] { worker->run(r); }, Qt::QueuedConnection);
      if (stop_after_first_chunk && chunks.wait(60000)) r.cancel.cancel();
      if (!QTest::qWaitFor([&] { return !finished.isEmpty(); }, 180000)) return QStringList{"no end"};
      return finished.front().at(0).value<RunResult>().stops;
    };
    const RunRequest to_the_end = request_of({"Said to the end.", "Said to the end, too."}, 960);
    const QStringList local_stops = stops_of(local, to_the_end, false);
    QCOMPARE(local_stops, QStringList(2, "max_length"));
    QCOMPARE(stops_of(worker_, to_the_end, false), local_stops);
    QCOMPARE(stops_of(local, request_of({"Stopped early."}, 60000), true), QStringList{"cancelled"});
    QCOMPARE(stops_of(worker_, request_of({"Stopped early."}, 60000), true), QStringList{"cancelled"});
    // A runaway text: the guard's own stop, in both (the server counts it too).
    QCOMPARE(stops_of(local, request_of({"Hi."}, 20000), false), QStringList{"length_guard"});
    QCOMPARE(stops_of(worker_, request_of({"Hi."}, 20000), false), QStringList{"length_guard"});
    local_thread.quit();
    local_thread.wait();
  }

  void aServerKilledMidRunLeavesWhatArrivedAndAClearMessage() {
    auto serve = std::make_unique<Serve>();
    connectTo(serve->url(), {}, true);
    QSignalSpy chunks(worker_, &GenerationWorker::chunkReady);
    QSignalSpy failed(worker_, &GenerationWorker::runFailed);
    runOn(request_of({"The server goes away while this is spoken."}, 60000));
    QVERIFY(chunks.wait(60000));
    QSignalSpy finished(worker_, &GenerationWorker::runFinished);
    serve->kill();  // the worker may fail while this waits for the process to end
    QVERIFY(QTest::qWaitFor([&] { return !failed.isEmpty() || !finished.isEmpty(); }, 15000));
    QVERIFY2(finished.isEmpty(), "the run claims it finished though the server went away");
    QVERIFY2(failed.front().at(0).toString().contains("lost mid-run"), qPrintable(failed.front().at(0).toString()));
    QVERIFY(!chunks.isEmpty());
    // The next run says the server is gone, quickly.
    failed.clear();
    runOn(request_of({"Anyone there?"}, 960));
    QVERIFY(QTest::qWaitFor([&] { return !failed.isEmpty(); }, 15000));
    QVERIFY2(failed.front().at(0).toString().contains("connection refused"), qPrintable(failed.front().at(0).toString()));
  }

  // The window, remote: a run plots and lands in the history; a server killed
  // mid-run leaves a window that is ready, with the audio it got kept.
  void theWindowRunsRemotelyAndSurvivesTheServerGoingAway() {
    auto serve = std::make_unique<Serve>();
    MainWindow w("remote:" + serve->url(), dir_.filePath("remote.sqlite"), false);
    QVERIFY(wait_state(w, EngineState::Ready));
    RunSettings settings;
    settings.max_audio_ms = 2000;  // the slider's steps are whole seconds
    w.settingsPanel()->setSettings(settings);
    w.textEdit()->setPlainText("The window, remotely.");
    QSignalSpy done(&w, &MainWindow::runCompleted);
    w.generate();
    QVERIFY(done.wait(60000));
    QCOMPARE(w.lastAudio().size(), 25 * 1920);
    QVERIFY(w.rtfPlot()->pointCount(0) > 0);
    QCOMPARE(w.history().list().size(), 1);
    QCOMPARE(w.history().list().front().model, "remote:" + serve->url());

    settings.max_audio_ms = 60000;
    w.settingsPanel()->setSettings(settings);
    w.generate();
    QVERIFY(QTest::qWaitFor([&] { return !w.lastAudio().isEmpty(); }, 60000));
    serve->kill();
    QVERIFY(wait_state(w, EngineState::Ready, 15000));
    QCOMPARE(w.history().list().size(), 2);
    QVERIFY(w.history().list().front().summary.contains("failure"));
    QVERIFY(!w.lastAudio().isEmpty());
  }

  // Under Xvfb: the window mid-run on a remote engine, saved for a person to look at.
  void screenshotOfARemoteRun() {
    const QByteArray out = qgetenv("CSM_SCREENSHOT_OUT");
    if (out.isEmpty()) QSKIP("set CSM_SCREENSHOT_OUT (the Xvfb screenshot test does)");
    Serve serve;
    MainWindow w("remote:" + serve.url(), dir_.filePath("shot.sqlite"), false);
    w.resize(1400, 860);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(wait_state(w, EngineState::Ready));
    RunSettings s;
    s.max_audio_ms = 8000;
    w.settingsPanel()->setSettings(s);
    w.textEdit()->setPlainText("The engine runs on another machine; the studio plots its numbers live.");
    w.generate();
    QTRY_VERIFY_WITH_TIMEOUT(w.rtfPlot()->pointCount(1) >= 8, 60000);  // mid-run
    QTest::qWait(200);
    const QImage shot = w.grab().toImage();
    QVERIFY(shot.save(QString::fromLocal8Bit(out)));
    const QString status = w.statusBar()->findChildren<QLabel*>().isEmpty() ? QString() : [&] {
      QString all;
      for (auto* label : w.statusBar()->findChildren<QLabel*>()) all += label->text() + " | ";
      return all;
    }();
    QVERIFY2(status.contains("remote cpu"), qPrintable(status));
    QVERIFY2(status.contains(QUrl(serve.url()).authority()), qPrintable(status));
    w.stop();
    QVERIFY(wait_state(w, EngineState::Ready, 10000));
  }
};

QTEST_MAIN(RemoteStudioTest)
#include "test_remote_studio.moc"

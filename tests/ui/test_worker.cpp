// The generation worker on its own thread: chunks and stats arrive in order,
// Stop ends a run within a frame, failures come back as signals.
#include <QSignalSpy>
#include <QThread>
#include <QtTest>

#include "generation_worker.h"

class WorkerTest : public QObject {
  Q_OBJECT
  QThread thread_;
  GenerationWorker* worker_ = nullptr;

 private slots:
  void initTestCase() {
    qRegisterMetaType<ChunkStats>();
    qRegisterMetaType<RunRequest>();
    qRegisterMetaType<RunResult>();
    worker_ = new GenerationWorker(nullptr);
    worker_->moveToThread(&thread_);
    connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
    thread_.start();
  }
  void cleanupTestCase() {
    thread_.quit();
    thread_.wait();
  }

  void runBeforeLoadingFails() {
    QSignalSpy failed(worker_, &GenerationWorker::runFailed);
    RunRequest request;
    request.texts = {"hello"};
    QMetaObject::invokeMethod(worker_, [this, request] { worker_->run(request); }, Qt::QueuedConnection);
    QVERIFY(QTest::qWaitFor([&] { return !failed.isEmpty(); }, 5000));  // may come before a wait() would start
    QVERIFY(failed.front().at(0).toString().contains("No model"));
  }

  void loadsTheDemo() {
    QSignalSpy loaded(worker_, &GenerationWorker::engineLoaded);
    QMetaObject::invokeMethod(worker_, [this] { worker_->loadEngine("demo"); }, Qt::QueuedConnection);
    QVERIFY(loaded.wait(30000));
    QVERIFY(loaded.front().at(0).toString().contains("noise, not speech"));
    QVERIFY(loaded.front().at(2).toBool());
  }

  void chunksArriveInOrderWithStats() {
    QSignalSpy chunks(worker_, &GenerationWorker::chunkReady);
    QSignalSpy finished(worker_, &GenerationWorker::runFinished);
    RunRequest request;
    request.texts = {"First text.", "Second text."};
    request.settings.max_audio_ms = 960;
    request.settings.chunk_ms = 240;
    request.settings.stream_batch = 2;
    QMetaObject::invokeMethod(worker_, [this, request] { worker_->run(request); }, Qt::QueuedConnection);
    QVERIFY(finished.wait(60000));
    qint64 next_frame[2] = {0, 0};
    int last_seen[2] = {0, 0};
    for (const auto& args : chunks) {
      const auto stats = args.at(0).value<ChunkStats>();
      const auto samples = args.at(1).value<QVector<float>>();
      QVERIFY(stats.stream == 0 || stats.stream == 1);
      QCOMPARE(stats.firstFrame, next_frame[stats.stream]);
      QCOMPARE(samples.size(), stats.frames * 1920);
      QVERIFY(stats.elapsedMs > 0);
      next_frame[stats.stream] += stats.frames;
      last_seen[stats.stream] += stats.last ? 1 : 0;
    }
    QCOMPARE(next_frame[0], qint64(12));
    QCOMPARE(next_frame[1], qint64(12));
    QCOMPARE(last_seen[0], 1);
    QCOMPARE(last_seen[1], 1);
    const auto result = finished.front().at(0).value<RunResult>();
    QCOMPARE(result.frames, qint64(24));
    QVERIFY(!result.cancelled);
    QVERIFY(result.firstAudioMs > 0);
  }

  void stopsOnRequest() {
    QSignalSpy chunks(worker_, &GenerationWorker::chunkReady);
    QSignalSpy finished(worker_, &GenerationWorker::runFinished);
    RunRequest request;
    request.texts = {"A run that is stopped early."};
    request.settings.max_audio_ms = 120000;
    request.settings.chunk_ms = 80;
    const csm::CancelToken cancel = request.cancel;
    QMetaObject::invokeMethod(worker_, [this, request] { worker_->run(request); }, Qt::QueuedConnection);
    QVERIFY(chunks.wait(30000));
    cancel.cancel();  // from this (the GUI) thread, as the Stop button does
    QVERIFY(finished.wait(10000));
    const auto result = finished.front().at(0).value<RunResult>();
    QVERIFY(result.cancelled);
    QVERIFY(result.frames < 1500);
    QVERIFY(chunks.back().at(0).value<ChunkStats>().last);
  }

  // Greedy from the start, temperature 1.5 from the slider moved after the
  // first chunk: the first chunk equals a greedy run's, the rest does not.
  void temperatureMovedMidRunReachesTheRunningStream() {
    const auto run_collecting = [this](bool move) {
      QSignalSpy chunks(worker_, &GenerationWorker::chunkReady);
      QSignalSpy finished(worker_, &GenerationWorker::runFinished);
      RunRequest request;
      request.texts = {"Live knobs, locally."};
      request.settings.max_audio_ms = 4000;
      request.settings.chunk_ms = 80;
      request.settings.temperature = 0;
      request.live = std::make_shared<LiveSampling>(0.0, request.settings.top_k);
      const auto live = request.live;
      QMetaObject::invokeMethod(worker_, [this, request] { worker_->run(request); }, Qt::QueuedConnection);
      if (move) {
        if (!chunks.wait(30000)) return QVector<float>();
        live->set(1.5, 50);
      }
      if (!QTest::qWaitFor([&] { return !finished.isEmpty(); }, 60000)) return QVector<float>();
      QVector<float> audio;
      for (const auto& args : chunks) audio += args.at(1).value<QVector<float>>();
      return audio;
    };
    const QVector<float> greedy = run_collecting(false), moved = run_collecting(true);
    QVERIFY(greedy.size() > 10 * 1920);
    QVERIFY(moved.size() > 1920);
    QCOMPARE(moved.mid(0, 1920), greedy.mid(0, 1920));
    const qsizetype common = std::min(moved.size(), greedy.size());
    QVERIFY(moved.mid(0, common) != greedy.mid(0, common));
  }

  // Two texts one after the other (streams at once: 1): temperature moved during
  // the first reaches the second too, which then is not the greedy one.
  void temperatureMovedDuringOneTextReachesTheNextText() {
    const auto second_text = [this](bool move) {
      QSignalSpy chunks(worker_, &GenerationWorker::chunkReady);
      QSignalSpy finished(worker_, &GenerationWorker::runFinished);
      RunRequest request;
      request.texts = {"The first text.", "The second text."};
      request.settings.max_audio_ms = 1600;
      request.settings.chunk_ms = 80;
      request.settings.stream_batch = 1;
      request.settings.temperature = 0;
      request.live = std::make_shared<LiveSampling>(0.0, request.settings.top_k);
      const auto live = request.live;
      QMetaObject::invokeMethod(worker_, [this, request] { worker_->run(request); }, Qt::QueuedConnection);
      if (move) {
        if (!chunks.wait(30000)) return QVector<float>();
        live->set(1.5, 50);
      }
      if (!QTest::qWaitFor([&] { return !finished.isEmpty(); }, 60000)) return QVector<float>();
      QVector<float> audio;
      for (const auto& args : chunks)
        if (args.at(0).value<ChunkStats>().stream == 1) audio += args.at(1).value<QVector<float>>();
      return audio;
    };
    const QVector<float> greedy = second_text(false), moved = second_text(true);
    QCOMPARE(greedy.size(), 20 * 1920);
    QCOMPARE(moved.size(), 20 * 1920);
    QVERIFY(moved != greedy);
  }
};

QTEST_GUILESS_MAIN(WorkerTest)
#include "test_worker.moc"

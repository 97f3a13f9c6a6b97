// The generation worker on its own thread: chunks and stats arrive in order,
// Stop ends a run within a frame, failures come back as signals, and every text
// of a run goes to the engine at once.
#include <QSignalSpy>
#include <QThread>
#include <QtTest>

#include "audio_ring.h"
#include "generation_worker.h"
#include "sampling_moved_run.h"

class WorkerTest : public QObject {
  Q_OBJECT
  QThread thread_;
  AudioRing ring_;
  GenerationWorker* worker_ = nullptr;

 private slots:
  void initTestCase() {
    qRegisterMetaType<ChunkStats>();
    qRegisterMetaType<RunRequest>();
    qRegisterMetaType<RunResult>();
    worker_ = new GenerationWorker(&ring_);
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
    RunRequest request;
    request.texts = {"Live knobs, locally."};
    request.settings.max_audio_ms = 4000;
    request.settings.chunk_ms = 80;
    request.settings.temperature = 0;
    const QVector<float> greedy = audio_of_run(worker_, request, false), moved = audio_of_run(worker_, request, true);
    QVERIFY(greedy.size() > 10 * 1920);
    QVERIFY(moved.size() > 1920);
    QCOMPARE(moved.mid(0, 1920), greedy.mid(0, 1920));
    const qsizetype common = std::min(moved.size(), greedy.size());
    QVERIFY(moved.mid(0, common) != greedy.mid(0, common));
  }

  // Two texts one after the other (streams at once: 1): temperature moved during
  // the first reaches the second too, which then is not the greedy one.
  void temperatureMovedDuringOneTextReachesTheNextText() {
    RunRequest request;
    request.texts = {"The first text.", "The second text."};
    request.settings.max_audio_ms = 1600;
    request.settings.chunk_ms = 80;
    request.settings.stream_batch = 1;
    request.settings.temperature = 0;
    const QVector<float> greedy = audio_of_run(worker_, request, false, 1), moved = audio_of_run(worker_, request, true, 1);
    QCOMPARE(greedy.size(), 20 * 1920);
    QCOMPARE(moved.size(), 20 * 1920);
    QVERIFY(moved != greedy);
  }

  // Five texts, two streams at once: the worker hands all five to the engine at
  // once (its scheduler does the grouping); each completes with the run's chunk
  // sizes and length, in order, and plays in text order.
  void moreTextsThanStreamsAtOnceAllCompleteInOrder() {
    QSignalSpy chunks(worker_, &GenerationWorker::chunkReady);
    QSignalSpy finished(worker_, &GenerationWorker::runFinished);
    RunRequest request;
    request.texts = {"One.", "Two.", "Three.", "Four.", "Five."};
    request.settings.max_audio_ms = 480;
    request.settings.chunk_ms = 240;
    request.settings.stream_batch = 2;
    ring_.reset();
    QMetaObject::invokeMethod(worker_, [this, request] { worker_->run(request); }, Qt::QueuedConnection);
    QVERIFY(finished.wait(180000));
    QVector<QVector<int>> chunk_frames(5);
    QVector<QVector<float>> audio(5);
    QVector<qint64> next_frame(5, 0);
    for (const auto& args : chunks) {
      const auto stats = args.at(0).value<ChunkStats>();
      QVERIFY(stats.stream >= 0 && stats.stream < 5);
      QCOMPARE(stats.firstFrame, next_frame[stats.stream]);
      next_frame[stats.stream] += stats.frames;
      chunk_frames[stats.stream] << stats.frames;
      audio[stats.stream] += args.at(1).value<QVector<float>>();
    }
    QVector<float> in_text_order;
    for (int i = 0; i < 5; ++i) {
      QCOMPARE(chunk_frames[i], (QVector<int>{1, 3, 2}));  // first chunk 80 ms, then 240 ms, up to 480 ms
      in_text_order += audio[i];
    }
    const auto result = finished.front().at(0).value<RunResult>();
    QCOMPARE(result.frames, qint64(30));
    QCOMPARE(result.stops, QStringList(5, "max_length"));
    QVector<float> played(ring_.available());
    ring_.pull(played.data(), played.size());
    QCOMPARE(played, in_text_order);
  }
};

QTEST_GUILESS_MAIN(WorkerTest)
#include "test_worker.moc"

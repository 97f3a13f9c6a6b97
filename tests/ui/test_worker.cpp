// The generation worker on its own thread: chunks and stats arrive in order,
// Stop ends a run within a frame, failures come back as signals, every text
// of a run goes to the engine at once, chunks carry their codes (none past the
// run's codebooks) and entropy, the length guard ends a runaway text, and the
// depth decoder's knobs moved mid-run reach the running stream.
#include <QSignalSpy>
#include <QThread>
#include <QtTest>

#include <cmath>
#include <utility>

#include "audio_ring.h"
#include "generation_worker.h"
#include "sampling_moved_run.h"

class WorkerTest : public QObject {
  Q_OBJECT
  QThread thread_;
  AudioRing ring_;
  GenerationWorker* worker_ = nullptr;

 private slots:
  // The chunks of a finished run of `request` (stats, codes), or nothing in time.
  QVector<std::pair<ChunkStats, ChunkCodes>> chunks_of(const RunRequest& request, RunResult* result) {
    QSignalSpy chunks(worker_, &GenerationWorker::chunkReady);
    QSignalSpy finished(worker_, &GenerationWorker::runFinished);
    QMetaObject::invokeMethod(worker_, [this, request] { worker_->run(request); }, Qt::QueuedConnection);
    if (!QTest::qWaitFor([&] { return !finished.isEmpty(); }, 180000)) return {};
    *result = finished.front().at(0).value<RunResult>();
    QVector<std::pair<ChunkStats, ChunkCodes>> out;
    for (const auto& args : chunks) out.push_back({args.at(0).value<ChunkStats>(), args.at(2).value<ChunkCodes>()});
    return out;
  }

  void initTestCase() {
    qRegisterMetaType<ChunkStats>();
    qRegisterMetaType<ChunkCodes>();
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

  // Codebooks 8: every frame of every chunk has its 8 codes and zeros past them, with
  // codebook 0's entropy; the same run at all 32 codebooks has codes past 8.
  void codebooksEightLeaveTheOthersZero() {
    RunRequest request;
    request.texts = {"Eight codebooks."};
    request.settings.max_audio_ms = 960;
    request.settings.chunk_ms = 240;
    const auto codes_past = [](const QVector<std::pair<ChunkStats, ChunkCodes>>& chunks, int from, int* frames) {
      int nonzero = 0;
      for (const auto& [stats, codes] : chunks) {
        if (stats.frames == 0) continue;
        if (codes.width != 32 || codes.frames() != stats.frames || codes.entropy.size() != stats.frames) return -1;
        for (float e : codes.entropy)
          if (!(e > 0 && e < 8)) return -1;  // nats over 2048 codes: at most ln 2048 = 7.6
        for (int f = 0; f < codes.frames(); ++f)
          for (int c = from; c < 32; ++c) nonzero += codes.codes[f * 32 + c] != 0;
        *frames += codes.frames();
      }
      return nonzero;
    };
    RunResult result;
    int frames = 0;
    request.settings.codebooks = 8;
    const auto eight = chunks_of(request, &result);
    QCOMPARE(codes_past(eight, 8, &frames), 0);
    QCOMPARE(frames, 12);
    frames = 0;
    QVERIFY2(codes_past(eight, 7, &frames) > 6, "codebook 7 was not generated");  // 2048 codes: hardly ever 0
    request.settings.codebooks = 0;  // all
    frames = 0;
    QVERIFY(codes_past(chunks_of(request, &result), 8, &frames) > 12 * 20);
  }

  // The demo never ends its sentence: a short text stops at the guard's 2-second floor
  // (25 frames) with its own stop label; with the guard off it runs to max length.
  void theLengthGuardEndsARunawayText() {
    RunRequest request;
    request.texts = {"Hi."};
    request.settings.max_audio_ms = 20000;
    request.settings.chunk_ms = 400;
    RunResult result;
    QVERIFY(!chunks_of(request, &result).isEmpty());
    QCOMPARE(result.stops, QStringList{"length_guard"});
    QCOMPARE(result.frames, qint64(25));
    request.settings.length_guard = 0;
    request.settings.max_audio_ms = 2400;
    QVERIFY(!chunks_of(request, &result).isEmpty());
    QCOMPARE(result.stops, QStringList{"max_length"});
    QCOMPARE(result.frames, qint64(30));
  }

  // Greedy everywhere, then only the depth decoder's temperature moved to 1.5 after the
  // first chunk: the chunks say so (codebook 0 stays greedy), and codebook 0's codes of
  // the chunks made before the move equal the greedy run's.
  void depthKnobsMovedMidRunReachTheRunningStream() {
    RunRequest request;
    request.texts = {"Depth knobs, live."};
    request.settings.max_audio_ms = 2400;
    request.settings.chunk_ms = 80;
    request.settings.temperature = 0;
    request.live = std::make_shared<LiveSampling>(request.settings.sampling());
    QSignalSpy chunks(worker_, &GenerationWorker::chunkReady);
    QSignalSpy finished(worker_, &GenerationWorker::runFinished);
    QMetaObject::invokeMethod(worker_, [this, request] { worker_->run(request); }, Qt::QueuedConnection);
    QVERIFY(chunks.wait(120000));
    csm::SamplingParams moved = request.live->current();
    moved.depth_temperature = 1.5f;
    moved.depth_top_p = 0.9f;
    request.live->set(moved);
    QVERIFY(QTest::qWaitFor([&] { return !finished.isEmpty(); }, 180000));
    const ChunkStats first = chunks.front().at(0).value<ChunkStats>(), last = chunks.back().at(0).value<ChunkStats>();
    QCOMPARE(first.depthTemperature, 0.0);
    QCOMPARE(first.depthTopP, 1.0);
    QVERIFY2(std::abs(last.depthTemperature - 1.5) < 1e-6, qPrintable(QString::number(last.depthTemperature)));
    QVERIFY(std::abs(last.depthTopP - 0.9) < 1e-6);
    QCOMPARE(last.temperature, 0.0);  // codebook 0's knobs did not move
    QCOMPARE(last.topK, 50);
  }
};

QTEST_GUILESS_MAIN(WorkerTest)
#include "test_worker.moc"

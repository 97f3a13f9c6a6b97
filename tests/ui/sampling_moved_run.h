#pragma once
// The "greedy, then temperature moved after the first chunk" run, for the local
// and the remote worker alike: the same request, run on `worker` with its
// temperature left alone or moved to 1.5 (top-k 50) as soon as the first chunk
// arrives, as a user moving the slider would. Returns the audio of `stream` (every
// stream when -1), or nothing when the run did not finish in time (generous: two cores
// shared with other builds make a demo run of a few seconds take a minute or more).
#include <QSignalSpy>
#include <QtTest>
#include <memory>

#include "generation_worker.h"

inline QVector<float> audio_of_run(GenerationWorker* worker, RunRequest request, bool move_after_first_chunk,
                                   int stream = -1) {
  QSignalSpy chunks(worker, &GenerationWorker::chunkReady);
  QSignalSpy finished(worker, &GenerationWorker::runFinished);
  request.live = std::make_shared<LiveSampling>(request.settings.temperature, request.settings.top_k);
  const auto live = request.live;
  QMetaObject::invokeMethod(worker, [worker, request] { worker->run(request); }, Qt::QueuedConnection);
  if (move_after_first_chunk) {
    if (!chunks.wait(120000)) return {};
    live->set(1.5, 50);
  }
  if (!QTest::qWaitFor([&] { return !finished.isEmpty(); }, 180000)) return {};
  QVector<float> audio;
  for (const auto& args : chunks)
    if (stream < 0 || args.at(0).value<ChunkStats>().stream == stream) audio += args.at(1).value<QVector<float>>();
  return audio;
}

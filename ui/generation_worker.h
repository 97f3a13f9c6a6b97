#pragma once
// Runs the engine on its own thread and talks to the window only through queued
// signals: chunks with their stats, and how each run ended. Audio goes straight
// into the playback ring, stream after stream. The engine is local (in this
// process) or remote (a csm-serve over HTTP); one run loop drives either, and
// the window cannot tell them apart.
#include <QObject>
#include <memory>

#include "run_types.h"

class AudioRing;
class EngineRun;
class StreamPlayback;
class StudioEngine;
struct EngineChunk;

class GenerationWorker : public QObject {
  Q_OBJECT
 public:
  explicit GenerationWorker(AudioRing* ring = nullptr, QObject* parent = nullptr);
  ~GenerationWorker() override;

 public slots:
  void loadEngine(const QString& model);
  void connectRemote(const QString& url, const QString& key);
  void run(const RunRequest& request);

 signals:
  void engineLoaded(const QString& label, const QString& device, bool demo);
  void engineFailed(const QString& message, const QString& hint);
  // `codes` is empty when the engine sent none (an older csm-serve).
  void chunkReady(const ChunkStats& stats, const QVector<float>& samples, const ChunkCodes& codes);
  void runFinished(const RunResult& result);
  void runFailed(const QString& message, const QString& hint);

 private:
  void useEngine(std::unique_ptr<StudioEngine> engine);
  RunResult drive(const RunRequest& request);
  void deliver(const EngineChunk& chunk, StreamPlayback& playback);
  AudioRing* ring_;
  std::unique_ptr<StudioEngine> engine_;
};

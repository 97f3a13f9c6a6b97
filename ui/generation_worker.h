#pragma once
// Runs the engine on its own thread and talks to the window only through queued
// signals: chunks with their stats, and how each run ended. Audio goes straight
// into the playback ring, stream after stream.
#include <QObject>
#include <memory>

#include "run_types.h"

class AudioRing;

class GenerationWorker : public QObject {
  Q_OBJECT
 public:
  explicit GenerationWorker(AudioRing* ring = nullptr, QObject* parent = nullptr);

 public slots:
  void loadEngine(const QString& model);
  void run(const RunRequest& request);

 signals:
  void engineLoaded(const QString& label, const QString& device, bool demo);
  void engineFailed(const QString& message, const QString& hint);
  void chunkReady(const ChunkStats& stats, const QVector<float>& samples);
  void runFinished(const RunResult& result);
  void runFailed(const QString& message, const QString& hint);

 private:
  std::vector<csm::Segment> context(const RunRequest& request) const;
  AudioRing* ring_;
  std::shared_ptr<const csm::Engine> engine_;
};

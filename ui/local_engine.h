#pragma once
// The studio's engine in this process: core's csm::Engine, whose scheduler runs
// "streams at once" of a run's texts together and lets the others join as slots free.
#include <memory>

#include "studio_engine.h"

class LocalEngine : public StudioEngine {
 public:
  // Throws csm::Error naming the file, tensor or setting at fault.
  static std::unique_ptr<LocalEngine> load(const QString& model);

  QString label() const override;
  QString device() const override;
  bool demo() const override;
  std::unique_ptr<EngineRun> start(const RunRequest& request) override;

 private:
  explicit LocalEngine(std::shared_ptr<const csm::Engine> engine) : engine_(std::move(engine)) {}
  std::vector<csm::Segment> context(const QVector<VoiceClip>& clips) const;
  std::shared_ptr<const csm::Engine> engine_;
};

#include "generation_worker.h"

#include "audio_ring.h"
#include "csm/error.h"
#include "local_engine.h"
#include "remote_engine.h"
#include "stream_playback.h"
#include "studio_engine.h"

namespace {

// How long the run loop waits for a chunk before it looks at the sliders again.
constexpr std::chrono::milliseconds kSamplingLook{10};

// A slider moved since the last look reaches every stream of the run.
void apply_live_sampling(const RunRequest& request, quint64& seen, EngineRun& run) {
  csm::SamplingParams sampling;
  if (request.live && request.live->changedSince(seen, &sampling)) run.setSampling(sampling);
}

}  // namespace

GenerationWorker::GenerationWorker(AudioRing* ring, QObject* parent) : QObject(parent), ring_(ring) {}

GenerationWorker::~GenerationWorker() = default;

void GenerationWorker::useEngine(std::unique_ptr<StudioEngine> engine) {
  engine_ = std::move(engine);
  emit engineLoaded(engine_->label(), engine_->device(), engine_->demo());
}

void GenerationWorker::connectRemote(const QString& url, const QString& key) {
  engine_.reset();  // the old engine's memory goes before a new one is asked for
  try {
    useEngine(RemoteEngine::connect(url, key));
  } catch (const csm::Error& e) {
    emit engineFailed(QString::fromStdString(e.what()), QString::fromStdString(e.hint()));
  }
}

void GenerationWorker::loadEngine(const QString& model) {
  engine_.reset();
  try {
    useEngine(LocalEngine::load(model));
  } catch (const csm::Error& e) {
    emit engineFailed(QString::fromStdString(e.what()), QString::fromStdString(e.hint()));
  } catch (const std::exception& e) {
    emit engineFailed(QString::fromStdString(e.what()), {});
  }
}

void GenerationWorker::deliver(const EngineChunk& chunk, StreamPlayback& playback) {
  playback.add(chunk.stats.stream, chunk.samples.constData(), chunk.samples.size(), chunk.stats.last);
  if (chunk.audio) emit chunkReady(chunk.stats, chunk.samples, chunk.codes);
}

// The one run loop, local or remote: every text starts at once; chunks of any
// stream come as they are made; sliders reach the run between chunks.
RunResult GenerationWorker::drive(const RunRequest& request) {
  const std::unique_ptr<EngineRun> run = engine_->start(request);
  StreamPlayback playback(ring_, static_cast<int>(request.texts.size()));
  quint64 sampling_seen = 0;
  EngineChunk chunk;
  for (;;) {
    const EngineRun::Poll poll = run->next(chunk, kSamplingLook);
    if (poll == EngineRun::Poll::Ended) break;
    if (poll == EngineRun::Poll::Chunk) deliver(chunk, playback);
    apply_live_sampling(request, sampling_seen, *run);
  }
  return run->result();
}

void GenerationWorker::run(const RunRequest& request) {
  if (!engine_) {
    emit runFailed(tr("No model is loaded."), tr("Pick a model (the demo model needs no download)."));
    return;
  }
  try {
    const RunResult result = drive(request);
    if (ring_) ring_->markFinished();
    emit runFinished(result);
  } catch (const csm::Error& e) {
    if (ring_) ring_->markFinished();
    emit runFailed(QString::fromStdString(e.what()), QString::fromStdString(e.hint()));
  } catch (const std::exception& e) {
    if (ring_) ring_->markFinished();
    emit runFailed(QString::fromStdString(e.what()), {});
  }
}

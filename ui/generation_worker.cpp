#include "generation_worker.h"

#include <algorithm>

#include "audio_ring.h"
#include "csm/error.h"
#include "remote_engine.h"
#include "stream_playback.h"

namespace {

ChunkStats stats_of(const csm::AudioChunk& chunk) {
  ChunkStats s;
  const auto& m = chunk.metrics;
  s.stream = chunk.stream;
  s.firstFrame = chunk.first_frame;
  s.frames = static_cast<int>(chunk.codes.size());
  s.generateMs = m.generate_ms;
  s.decodeMs = m.decode_ms;
  s.elapsedMs = m.elapsed_ms;
  s.rtf = m.rtf;
  s.firstAudioMs = m.first_audio_ms;
  s.framesPerS = m.frames_per_s;
  s.rssBytes = m.rss_bytes;
  s.deviceBytes = m.device_bytes;
  s.last = chunk.last;
  return s;
}

}  // namespace

GenerationWorker::GenerationWorker(AudioRing* ring, QObject* parent) : QObject(parent), ring_(ring) {}

GenerationWorker::~GenerationWorker() = default;

void GenerationWorker::connectRemote(const QString& url, const QString& key) {
  try {
    engine_.reset();
    remote_.reset();
    remote_ = RemoteEngine::connect(url, key);
    emit engineLoaded(remote_->label(), remote_->device(), remote_->demo());
  } catch (const csm::Error& e) {
    emit engineFailed(QString::fromStdString(e.what()), QString::fromStdString(e.hint()));
  }
}

void GenerationWorker::loadEngine(const QString& model) {
  try {
    remote_.reset();
    engine_.reset();
    csm::EngineOptions options;
    options.model = model.toStdString();
    engine_ = csm::Engine::load(options);
    const auto& info = engine_->info();
    emit engineLoaded(QString::fromStdString(info.label), QString::fromStdString(info.device), info.demo);
  } catch (const csm::Error& e) {
    emit engineFailed(QString::fromStdString(e.what()), QString::fromStdString(e.hint()));
  } catch (const std::exception& e) {
    emit engineFailed(QString::fromStdString(e.what()), {});
  }
}

std::vector<csm::Segment> GenerationWorker::context(const RunRequest& request) const {
  std::vector<csm::Segment> turns;
  for (const auto& clip : request.clips) {
    csm::Segment s;
    s.speaker = clip.speaker;
    s.text = clip.transcript.toStdString();
    s.audio_frames = engine_->encode_audio(std::vector<float>(clip.samples.begin(), clip.samples.end()), 24000);
    turns.push_back(std::move(s));
  }
  return turns;
}

// Between chunks: a slider moved since the last look reaches the running streams.
static void apply_live_sampling(const RunRequest& request, quint64& seen, csm::Session& session) {
  double temperature = 0;
  int top_k = 0;
  if (!request.live || !request.live->changedSince(seen, &temperature, &top_k)) return;
  csm::SamplingParams sampling;
  sampling.temperature = static_cast<float>(temperature);
  sampling.top_k = top_k;
  sampling.seed = static_cast<uint64_t>(request.settings.seed);
  session.set_sampling(sampling);
}

RunResult GenerationWorker::runLocal(const RunRequest& request) {
  RunResult result;
  const auto turns = context(request);
  const csm::StreamingConfig config = request.settings.toConfig();
  const int group = std::max(1, request.settings.stream_batch);
  for (int offset = 0; offset < request.texts.size() && !request.cancel.cancelled(); offset += group) {
    std::vector<csm::Request> requests;
    for (int i = offset; i < std::min<int>(request.texts.size(), offset + group); ++i)
      requests.push_back({request.texts[i].toStdString(), request.speaker, turns});
    auto session = engine_->start(requests, config, request.cancel);
    quint64 sampling_seen = 0;  // a later group starts with the knobs as they are now
    apply_live_sampling(request, sampling_seen, *session);
    StreamPlayback playback(ring_, static_cast<int>(requests.size()));
    while (auto chunk = session->next()) {
      ChunkStats stats = stats_of(*chunk);
      stats.stream += offset;
      playback.add(chunk->stream, chunk->samples.data(), static_cast<int>(chunk->samples.size()), chunk->last);
      emit chunkReady(stats, QVector<float>(chunk->samples.begin(), chunk->samples.end()));
      apply_live_sampling(request, sampling_seen, *session);
    }
    const auto& summary = session->summary();
    result.wallMs += summary.wall_ms;
    if (result.firstAudioMs <= 0) result.firstAudioMs = summary.first_audio_ms;
    result.peakRssBytes = std::max<qint64>(result.peakRssBytes, summary.peak_rss_bytes);
    for (const auto& s : summary.streams) {
      result.frames += s.frames;
      result.audioMs += s.audio_ms;
      result.stops << QString::fromUtf8(csm::to_string(s.stop));
      result.cancelled = result.cancelled || s.stop == csm::StopReason::Cancelled;
    }
  }
  result.deriveRates();
  return result;
}

RunResult GenerationWorker::runRemote(const RunRequest& request) {
  return remote_->run(request, ring_, [this](const ChunkStats& stats, const QVector<float>& samples) {
    emit chunkReady(stats, samples);
  });
}

void GenerationWorker::run(const RunRequest& request) {
  if (!engine_ && !remote_) {
    emit runFailed(tr("No model is loaded."), tr("Pick a model (the demo model needs no download)."));
    return;
  }
  try {
    const RunResult result = remote_ ? runRemote(request) : runLocal(request);
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

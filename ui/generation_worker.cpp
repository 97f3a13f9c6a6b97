#include "generation_worker.h"

#include <map>

#include "audio_ring.h"
#include "csm/error.h"

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

void GenerationWorker::loadEngine(const QString& model) {
  try {
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

void GenerationWorker::run(const RunRequest& request) {
  if (!engine_) {
    emit runFailed(tr("No model is loaded."), tr("Pick a model (the demo model needs no download)."));
    return;
  }
  RunResult result;
  try {
    const auto turns = context(request);
    const csm::StreamingConfig config = request.settings.toConfig();
    const int group = std::max(1, request.settings.stream_batch);
    int offset = 0;  // stream numbers across groups
    while (offset < request.texts.size() && !request.cancel.cancelled()) {
      std::vector<csm::Request> requests;
      for (int i = offset; i < std::min<int>(request.texts.size(), offset + group); ++i)
        requests.push_back({request.texts[i].toStdString(), request.speaker, turns});
      auto session = engine_->start(requests, config, request.cancel);
      // Streams play one after another: the first live, the rest held until their turn.
      std::map<int, std::vector<float>> held;
      std::map<int, bool> done;
      int playing = 0;
      const auto play = [&](const std::vector<float>& s) {
        if (ring_ && !s.empty()) ring_->push(s.data(), static_cast<int>(s.size()));
      };
      while (auto chunk = session->next()) {
        ChunkStats stats = stats_of(*chunk);
        stats.stream += offset;
        if (chunk->stream == playing) play(chunk->samples);
        else held[chunk->stream].insert(held[chunk->stream].end(), chunk->samples.begin(), chunk->samples.end());
        if (chunk->last) done[chunk->stream] = true;
        while (done[playing] && playing + 1 < static_cast<int>(requests.size())) {
          ++playing;
          play(held[playing]);
          held.erase(playing);
        }
        emit chunkReady(stats, QVector<float>(chunk->samples.begin(), chunk->samples.end()));
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
      offset += static_cast<int>(requests.size());
    }
    result.rtf = result.audioMs > 0 ? result.wallMs / result.audioMs : 0;
    result.realtimeStreams = result.wallMs > 0 ? result.audioMs / result.wallMs : 0;
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

#include "local_engine.h"

#include <algorithm>

namespace {

ChunkStats stats_of(const csm::AudioChunk& chunk) {
  ChunkStats s;
  const auto& m = chunk.metrics;
  s.stream = chunk.stream;
  s.piece = chunk.piece;
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
  s.temperature = m.temperature;
  s.topK = m.top_k;
  s.topP = m.top_p;
  s.depthTemperature = m.depth_temperature;
  s.depthTopK = m.depth_top_k;
  s.depthTopP = m.depth_top_p;
  s.last = chunk.last;
  return s;
}

ChunkCodes codes_of(const csm::AudioChunk& chunk) {
  ChunkCodes c;
  c.width = chunk.codes.empty() ? 0 : static_cast<int>(chunk.codes.front().size());
  c.codes.reserve(static_cast<qsizetype>(chunk.codes.size()) * c.width);
  for (const auto& frame : chunk.codes) c.codes += QVector<int>(frame.begin(), frame.end());
  c.entropy = QVector<float>(chunk.entropy.begin(), chunk.entropy.end());
  return c;
}

// The slots of the engine's scheduler: how many of a run's texts generate together
// (the rest wait for a free slot). The one place the studio sets them.
void set_streams_at_once(const csm::Engine& engine, int streams) { engine.scheduler().set_max_streams(streams); }

// A typed text goes straight into core's stream from the window's thread (its text
// calls are thread-safe): the worker sits in session->next() meanwhile, waiting for
// the chunks that text will make.
void feed_stream(csm::Stream& stream, TypedText::Op op, const QString& text) {
  switch (op) {
    case TypedText::Op::Append: stream.append_text(text.toStdString()); break;
    case TypedText::Op::Flush: stream.flush_text(); break;
    case TypedText::Op::End: stream.end_text(); break;
  }
}

class LocalRun : public EngineRun {
 public:
  LocalRun(std::unique_ptr<csm::Session> session, uint64_t seed, std::shared_ptr<TypedText> typed)
      : session_(std::move(session)), seed_(seed), typed_(std::move(typed)) {
    if (!typed_) return;
    csm::Stream& stream = session_->stream(0);
    typed_->attach([&stream](TypedText::Op op, const QString& text) { feed_stream(stream, op, text); });
  }
  ~LocalRun() override {
    if (typed_) typed_->detach();  // before the session (and its stream) goes
  }

  // Core's session has no timed wait: it returns when a chunk is ready, within a frame or a chunk.
  Poll next(EngineChunk& out, std::chrono::milliseconds) override {
    auto chunk = session_->next();
    if (!chunk) return Poll::Ended;
    out.stats = stats_of(*chunk);
    out.samples = QVector<float>(chunk->samples.begin(), chunk->samples.end());
    out.codes = codes_of(*chunk);
    out.audio = true;
    return Poll::Chunk;
  }

  void setSampling(const csm::SamplingParams& sampling) override {
    csm::SamplingParams moved = sampling;
    moved.seed = seed_;  // the run's seed stays: only the knobs move
    session_->set_sampling(moved);
  }

  RunResult result() const override {
    const auto& summary = session_->summary();
    RunResult result;
    result.wallMs = summary.wall_ms;
    result.firstAudioMs = summary.first_audio_ms;
    result.peakRssBytes = summary.peak_rss_bytes;
    for (const auto& s : summary.streams) {
      result.frames += s.frames;
      result.audioMs += s.audio_ms;
      result.stops << QString::fromUtf8(csm::to_string(s.stop));
      result.cancelled = result.cancelled || s.stop == csm::StopReason::Cancelled;
    }
    result.deriveRates();
    return result;
  }

 private:
  std::unique_ptr<csm::Session> session_;
  uint64_t seed_;
  std::shared_ptr<TypedText> typed_;
};

}  // namespace

std::unique_ptr<LocalEngine> LocalEngine::load(const QString& model) {
  csm::EngineOptions options;
  options.model = model.toStdString();
  return std::unique_ptr<LocalEngine>(new LocalEngine(csm::Engine::load(options)));
}

QString LocalEngine::label() const { return QString::fromStdString(engine_->info().label); }

QString LocalEngine::device() const { return QString::fromStdString(engine_->info().device); }

bool LocalEngine::demo() const { return engine_->info().demo; }

std::vector<csm::Segment> LocalEngine::context(const QVector<VoiceClip>& clips) const {
  std::vector<csm::Segment> turns;
  for (const auto& clip : clips) {
    csm::Segment s;
    s.speaker = clip.speaker;
    s.text = clip.transcript.toStdString();
    s.audio_frames = engine_->encode_audio(std::vector<float>(clip.samples.begin(), clip.samples.end()), 24000);
    turns.push_back(std::move(s));
  }
  return turns;
}

std::unique_ptr<EngineRun> LocalEngine::start(const RunRequest& request) {
  const auto turns = context(request.clips);
  std::vector<csm::Request> requests;
  for (const auto& text : request.texts)
    requests.push_back({text.toStdString(), request.speaker, turns, request.typed != nullptr});
  // No more slots than texts: every slot costs a row of work in every frame, live or not.
  set_streams_at_once(*engine_, std::max(1, std::min(request.settings.stream_batch, static_cast<int>(requests.size()))));
  const csm::StreamingConfig config = request.settings.toConfig();
  return std::make_unique<LocalRun>(engine_->start(std::move(requests), config, request.cancel), config.sampling.seed,
                                    request.typed);
}

#include "remote_run.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTimer>
#include <QUuid>
#include <QtEndian>
#include <algorithm>

#include "remote_engine.h"
#include "sse_reader.h"
#include "stop_label.h"

using csm::Error;
using csm::ErrorCode;

// One text being spoken by the server.
struct RemoteStream {
  int index = 0;      // the text's number in the run
  QByteArray sent_id;  // the X-Request-Id it was posted with
  QByteArray id;       // the server's id for it (X-CSM-Stream-Id): empty until its answer starts
  // Its own manager: Qt opens at most six connections to one host per manager, and
  // every text must reach the server at once for the server's slots to batch them.
  std::unique_ptr<QNetworkAccessManager> net;
  QNetworkReply* reply = nullptr;
  SseReader sse;
  QElapsedTimer since_bytes;
  qint64 frames = 0;
  bool done = false, ended = false, refused = false;
  QString stop;
  std::unique_ptr<Error> failure;
};

namespace {

// No byte for this long on a stream the server has started: the server or the tunnel
// is gone. A stream waiting in the server's queue sends nothing and may wait longer.
constexpr int kStreamSilenceMs = 60000;

std::string str(const QString& s) { return s.toStdString(); }

QVector<float> pcm16_samples(const QByteArray& bytes) {
  QVector<float> out(bytes.size() / 2);
  for (int i = 0; i < out.size(); ++i) out[i] = qFromLittleEndian<qint16>(bytes.constData() + 2 * i) / 32768.0f;
  return out;
}

ChunkStats stats_of(const QJsonObject& m, int stream, int samples) {
  ChunkStats s;
  s.stream = stream;
  s.firstFrame = m.value("first_frame").toInteger();
  s.frames = m.value("frames").toInt(samples / 1920);
  s.generateMs = m.value("generate_ms").toDouble();
  s.decodeMs = m.value("decode_ms").toDouble();
  s.elapsedMs = m.value("elapsed_ms").toDouble();
  s.rtf = m.value("rtf").toDouble();
  s.firstAudioMs = m.value("first_audio_ms").toDouble();
  s.framesPerS = m.value("frames_per_s").toDouble();
  s.rssBytes = m.value("rss_bytes").toInteger();
  s.deviceBytes = m.value("device_bytes").toInteger();
  s.activeStreams = m.value("active_streams").toInt();
  s.maxStreams = m.value("max_streams").toInt();
  s.temperature = m.value("temperature").toDouble();
  s.topK = m.value("top_k").toInt();
  s.topP = m.value("top_p").toDouble(1);
  s.depthTemperature = m.value("depth_temperature").toDouble(s.temperature);
  s.depthTopK = m.value("depth_top_k").toInt(s.topK);
  s.depthTopP = m.value("depth_top_p").toDouble(s.topP);
  return s;
}

// The codes and entropy a server sends with include_codes; nothing from one that does
// not (the codes view then says so), and nothing from a malformed answer.
ChunkCodes codes_of(const QJsonObject& m) {
  ChunkCodes c;
  const QJsonArray frames = m.value("codes").toArray();
  if (frames.isEmpty() || !frames.first().isArray()) return c;
  c.width = static_cast<int>(frames.first().toArray().size());
  for (const auto& frame : frames) {
    const QJsonArray row = frame.toArray();
    if (row.size() != c.width) return {};
    for (const auto& code : row) c.codes << code.toInt();
  }
  for (const auto& e : m.value("entropy").toArray()) c.entropy << static_cast<float>(e.toDouble());
  if (c.entropy.size() != c.frames()) c.entropy.clear();
  return c;
}

QJsonObject speech_body(const RunSettings& s, int speaker, const QString& text, const QStringList& context,
                        bool research_knobs) {
  QJsonObject body{{"model", "csm-1b"},
                   {"input", text},
                   {"voice", "alloy"},  // any built-in voice: `speaker` says who speaks
                   {"response_format", "pcm"},
                   {"stream_format", "sse"},
                   {"temperature", s.temperature},
                   {"top_k", s.top_k},
                   {"seed", s.seed},
                   {"max_audio_ms", s.max_audio_ms},
                   {"chunk_size_ms", s.chunk_ms},
                   {"first_chunk_ms", std::min(s.first_chunk_ms, s.chunk_ms)},
                   {"speaker", speaker}};
  if (!context.isEmpty()) body.insert("context", QJsonArray::fromStringList(context));
  if (!research_knobs) return body;  // an older server would ignore them: the run says what it got
  body.insert("top_p", s.top_p);
  // Negative: as codebook 0, which is the server's default when the field is left out.
  if (s.depth_temperature >= 0) body.insert("depth_temperature", s.depth_temperature);
  if (s.depth_top_k >= 0) body.insert("depth_top_k", s.depth_top_k);
  if (s.depth_top_p >= 0) body.insert("depth_top_p", s.depth_top_p);
  if (s.codebooks > 0) body.insert("codebooks", s.codebooks);
  body.insert("codebook_fill", s.codebook_fill);
  body.insert("length_guard", s.length_guard);
  body.insert("include_codes", true);  // for the codes view
  return body;
}

int status_of(QNetworkReply* reply) { return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(); }

bool busy(QNetworkReply* reply) { return status_of(reply) == 429 || status_of(reply) == 503; }

}  // namespace

RemoteRun::RemoteRun(RemoteEngine& engine, const RunRequest& request, const QStringList& context)
    : engine_(engine), cancel_(request.cancel) {
  clock_.start();
  for (int i = 0; i < request.texts.size(); ++i) {
    auto stream = std::make_unique<RemoteStream>();
    stream->index = i;
    const QJsonObject body =
        speech_body(request.settings, request.speaker, request.texts[i], context, engine.researchKnobs());
    post(*stream, QJsonDocument(body).toJson(QJsonDocument::Compact));
    streams_.push_back(std::move(stream));
  }
  open_ = static_cast<int>(streams_.size());
}

RemoteRun::~RemoteRun() {
  for (auto& s : streams_)
    if (s->reply) {
      QObject::disconnect(s->reply, nullptr, nullptr, nullptr);
      if (!s->ended) s->reply->abort();
      delete s->reply;
    }
}

void RemoteRun::post(RemoteStream& stream, const QByteArray& body) {
  stream.sent_id = "studio-" + QUuid::createUuid().toByteArray(QUuid::WithoutBraces);
  stream.net = std::make_unique<QNetworkAccessManager>();
  QNetworkRequest r = engine_.httpRequest("/v1/audio/speech");
  r.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
  r.setRawHeader("X-Request-Id", stream.sent_id);
  stream.reply = stream.net->post(r, body);
  stream.since_bytes.start();
  QObject::connect(stream.reply, &QNetworkReply::metaDataChanged, stream.reply, [this, &stream] { takeStreamId(stream); });
  QObject::connect(stream.reply, &QNetworkReply::readyRead, stream.reply, [this, &stream] { onBytes(stream); });
  QObject::connect(stream.reply, &QNetworkReply::finished, stream.reply, [this, &stream] { onFinished(stream); });
}

// The id the control routes accept: the server's own, or (an older server that
// gives none) the one it was posted with. Knobs moved before it was known follow.
void RemoteRun::takeStreamId(RemoteStream& stream) {
  if (!stream.id.isEmpty() || status_of(stream.reply) != 200) return;
  const QByteArray given = stream.reply->rawHeader("X-CSM-Stream-Id");
  stream.id = given.isEmpty() ? stream.sent_id : given;
  if (moved_knobs_ && engine_.liveSampling()) engine_.sendSampling(stream.id, *moved_knobs_);
}

void RemoteRun::onBytes(RemoteStream& stream) {
  if (status_of(stream.reply) != 200) return;  // an error answer: read when it has finished
  takeStreamId(stream);
  stream.since_bytes.restart();
  for (const QByteArray& event : stream.sse.feed(stream.reply->readAll())) takeEvent(stream, event);
}

// What one SSE event of a running stream means for it and for the run.
void RemoteRun::takeEvent(RemoteStream& stream, const QByteArray& data) {
  const QJsonObject event = QJsonDocument::fromJson(data).object();
  const QString type = event.value("type").toString();
  if (type == "speech.audio.delta") {
    EngineChunk chunk;
    chunk.samples = pcm16_samples(QByteArray::fromBase64(event.value("audio").toString().toLatin1()));
    const QJsonObject metrics = event.value("csm").toObject();
    chunk.stats = stats_of(metrics, stream.index, chunk.samples.size());
    chunk.codes = codes_of(metrics);
    // The run's clock, not the server's: a text that waited in the server's queue starts
    // its own clock late, and the memory plot puts every stream on one time axis.
    chunk.stats.elapsedMs = clock_.nsecsElapsed() / 1e6;
    stream.frames += chunk.stats.frames;
    if (!chunk.samples.isEmpty() && first_audio_ms_ <= 0) first_audio_ms_ = clock_.nsecsElapsed() / 1e6;
    ready_.push_back(std::move(chunk));
    wake();
  } else if (type == "speech.audio.done") {
    stream.done = true;
    stream.stop = stopLabel(event.value("csm").toObject().value("stop").toString("end_of_speech"));
  } else if (type == "error") {
    stream.failure = std::make_unique<Error>(
        ErrorCode::Internal,
        str(QStringLiteral("the server failed mid-run: %1").arg(event.value("error").toObject().value("message").toString())),
        "The audio received so far is kept");
  }
}

void RemoteRun::onFinished(RemoteStream& stream) {
  if (stream.ended) return;
  stream.ended = true;
  --open_;
  if (!stream.done && !stream.failure && !cancelled_) {
    stream.refused = busy(stream.reply);
    stream.failure = std::make_unique<Error>(engine_.lost(stream.reply, stream.frames));
  }
  if (stream.stop.isEmpty())
    stream.stop = QString::fromUtf8(csm::to_string(cancelled_ ? csm::StopReason::Cancelled : csm::StopReason::Failed));
  EngineChunk end;  // the next stream's audio may play now
  end.stats.stream = stream.index;
  end.stats.last = true;
  end.audio = false;
  ready_.push_back(std::move(end));
  wake();
}

void RemoteRun::cancelAll() {
  cancelled_ = true;
  for (auto& s : streams_) {
    if (s->ended) continue;
    s->reply->abort();  // ends the run here at once; the server sees its client go
    if (!s->id.isEmpty()) engine_.cancelStream(s->id);  // ... and, behind a proxy, hears it by name
  }
}

void RemoteRun::setSampling(const csm::SamplingParams& sampling) {
  moved_knobs_ = sampling;
  if (!engine_.liveSampling()) return;
  for (auto& s : streams_)
    if (!s->ended && !s->id.isEmpty()) engine_.sendSampling(s->id, sampling);
}

void RemoteRun::wake() {
  if (waiting_) waiting_->quit();
}

// Runs the network until a chunk or a stream's end arrives, or `wait` passes.
void RemoteRun::waitForNews(std::chrono::milliseconds wait) {
  QEventLoop loop;
  QTimer::singleShot(wait, &loop, &QEventLoop::quit);
  waiting_ = &loop;
  loop.exec();
  waiting_ = nullptr;
  for (auto& s : streams_)
    if (!s->ended && !s->id.isEmpty() && s->since_bytes.elapsed() > kStreamSilenceMs) s->reply->abort();
}

EngineRun::Poll RemoteRun::next(EngineChunk& out, std::chrono::milliseconds wait) {
  if (cancel_.cancelled() && !cancelled_) cancelAll();
  if (ready_.empty() && open_ > 0) waitForNews(wait);
  if (!ready_.empty()) {
    out = std::move(ready_.front());
    ready_.pop_front();
    return Poll::Chunk;
  }
  if (open_ > 0) return Poll::Timeout;
  if (wall_ms_ <= 0) wall_ms_ = clock_.nsecsElapsed() / 1e6;
  throwFailure();
  return Poll::Ended;
}

// Once every stream has ended: a stream that failed fails the run (what arrived is
// kept by the caller); texts the server refused as busy say how many.
void RemoteRun::throwFailure() const {
  int refused = 0;
  const Error* busy_error = nullptr;
  for (const auto& s : streams_) {
    if (!s->failure) continue;
    if (!s->refused) throw *s->failure;
    ++refused;
    if (!busy_error) busy_error = s->failure.get();
  }
  if (!busy_error) return;
  if (refused == static_cast<int>(streams_.size())) throw *busy_error;
  throw Error(ErrorCode::Busy,
              str(QStringLiteral("the server was busy: it spoke %1 of the %2 texts and refused the others (%3)")
                      .arg(streams_.size() - refused)
                      .arg(streams_.size())
                      .arg(QString::fromStdString(busy_error->what()))),
              "The audio of the texts it spoke is kept. Send fewer lines at once, or start csm-serve with a "
              "larger --max-queue");
}

RunResult RemoteRun::result() const {
  RunResult result;
  for (const auto& s : streams_) {
    result.frames += s->frames;
    result.stops << s->stop;
  }
  result.cancelled = cancelled_;
  result.firstAudioMs = first_audio_ms_;
  result.wallMs = wall_ms_;
  result.audioMs = result.frames * double(csm::StreamingConfig::kFrameMs);
  result.deriveRates();
  return result;
}

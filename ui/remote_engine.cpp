#include "remote_engine.h"

#include <QCryptographicHash>
#include <QEventLoop>
#include <QHttpMultiPart>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QtEndian>
#include <algorithm>
#include <cmath>
#include <cstring>

#include "csm/error.h"
#include "remote_run.h"

using csm::Error;
using csm::ErrorCode;

namespace {

constexpr int kInfoTimeoutMs = 8000;
constexpr int kUploadTimeoutMs = 120000;
constexpr int kSampleRate = 24000;

std::string str(const QString& s) { return s.toStdString(); }

QString tunnel_hint(const QUrl& base) {
  return QStringLiteral("Start csm-serve on the GPU box (scripts/setup-gpu-box.sh --serve) and the tunnel on this "
                        "machine: ssh -N -L %1:localhost:%1 user@gpu-box")
      .arg(base.port(8000));
}

// What went wrong with a finished reply, for a user: the server's own error
// message where it sent one, else what the network said.
Error reply_error(QNetworkReply* reply, const QUrl& base, const QString& what) {
  const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
  const QString where = base.toString();
  if (status == 0) {
    switch (reply->error()) {
      case QNetworkReply::ConnectionRefusedError:
        return Error(ErrorCode::DeviceUnavailable, str(QStringLiteral("no csm-serve answers at %1 (connection refused)").arg(where)),
                     str(tunnel_hint(base)));
      case QNetworkReply::HostNotFoundError:
        return Error(ErrorCode::DeviceUnavailable, str(QStringLiteral("the host of %1 is not known").arg(where)),
                     "Check the URL (with an ssh tunnel it is http://localhost:PORT)");
      case QNetworkReply::OperationCanceledError:
      case QNetworkReply::TimeoutError:
        return Error(ErrorCode::DeviceUnavailable, str(QStringLiteral("%1 did not answer in time (%2)").arg(where, what)),
                     str(tunnel_hint(base)));
      default:
        return Error(ErrorCode::DeviceUnavailable,
                     str(QStringLiteral("%1 failed: %2 (%3)").arg(what, reply->errorString(), where)),
                     str(tunnel_hint(base)));
    }
  }
  const QJsonObject error = QJsonDocument::fromJson(reply->readAll()).object().value("error").toObject();
  const QString message = error.value("message").toString(reply->errorString());
  if (status == 401)
    return Error(ErrorCode::InvalidArgument, str(QStringLiteral("%1 refused the API key: %2").arg(where, message)),
                 "Enter the key csm-serve was started with (setup-gpu-box.sh --serve prints it)");
  if (status == 429 || status == 503) {
    const QByteArray retry = reply->rawHeader("Retry-After");
    return Error(ErrorCode::Busy, str(QStringLiteral("the server is busy: %1").arg(message)),
                 str(QStringLiteral("Try again%1").arg(retry.isEmpty() ? QString() : " in " + retry + " s")));
  }
  return Error(status < 500 ? ErrorCode::InvalidArgument : ErrorCode::Internal,
               str(QStringLiteral("%1: the server answered %2: %3").arg(what).arg(status).arg(message)));
}

void wait_for(QNetworkReply* reply) {
  if (reply->isFinished()) return;
  QEventLoop loop;
  QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
  loop.exec();
}

QUrl normalised(QString url) {
  url = url.trimmed();
  if (!url.contains("://")) url.prepend("http://");
  while (url.endsWith('/')) url.chop(1);
  return QUrl(url, QUrl::StrictMode);
}

QByteArray wav_bytes(const QVector<float>& samples) {
  QByteArray out(44, '\0');
  const quint32 data = static_cast<quint32>(samples.size() * 2);
  char* h = out.data();
  std::memcpy(h, "RIFF", 4);
  qToLittleEndian<quint32>(36 + data, h + 4);
  std::memcpy(h + 8, "WAVEfmt ", 8);
  qToLittleEndian<quint32>(16, h + 16);
  qToLittleEndian<quint16>(1, h + 20);  // PCM
  qToLittleEndian<quint16>(1, h + 22);  // mono
  qToLittleEndian<quint32>(kSampleRate, h + 24);
  qToLittleEndian<quint32>(kSampleRate * 2, h + 28);
  qToLittleEndian<quint16>(2, h + 32);
  qToLittleEndian<quint16>(16, h + 34);
  std::memcpy(h + 36, "data", 4);
  qToLittleEndian<quint32>(data, h + 40);
  out.reserve(44 + data);
  for (float s : samples) {
    const qint16 v = static_cast<qint16>(std::lround(std::clamp(s, -1.0f, 1.0f) * 32767.0f));
    char le[2];
    qToLittleEndian<qint16>(v, le);
    out.append(le, 2);
  }
  return out;
}

}  // namespace

RemoteEngine::RemoteEngine(const QUrl& base, const QString& key)
    : base_(base), key_(key.trimmed().toUtf8()), net_(std::make_unique<QNetworkAccessManager>()) {}

RemoteEngine::~RemoteEngine() = default;

std::unique_ptr<RemoteEngine> RemoteEngine::connect(const QString& url, const QString& key) {
  const QUrl base = normalised(url);
  if (!base.isValid() || base.host().isEmpty() || (base.scheme() != "http" && base.scheme() != "https"))
    throw Error(ErrorCode::InvalidArgument, str(QStringLiteral("'%1' is not a server URL").arg(url)),
                "Give it as http://HOST:PORT, e.g. http://localhost:8000 through an ssh tunnel");
  std::unique_ptr<RemoteEngine> engine(new RemoteEngine(base, key));
  engine->info_ = engine->getJson("/v1/csm/info", kInfoTimeoutMs);
  if (!engine->info_.value("engine").isObject())
    throw Error(ErrorCode::InvalidArgument, str(QStringLiteral("%1 answered, but it is not csm-serve (no engine in "
                                                               "/v1/csm/info)").arg(base.toString())),
                "Check the URL and port");
  return engine;
}

QNetworkRequest RemoteEngine::httpRequest(const QString& path) const {
  QUrl url = base_;
  url.setPath(base_.path() + path);
  QNetworkRequest r(url);
  if (!key_.isEmpty()) r.setRawHeader("Authorization", "Bearer " + key_);
  r.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
  return r;
}

QJsonObject RemoteEngine::getJson(const QString& path, int timeout_ms) {
  QNetworkRequest r = httpRequest(path);
  r.setTransferTimeout(timeout_ms);
  std::unique_ptr<QNetworkReply> reply(net_->get(r));
  wait_for(reply.get());
  if (reply->error() != QNetworkReply::NoError) throw replyError(reply.get(), "GET " + path);
  QJsonParseError parse{};
  const QJsonDocument doc = QJsonDocument::fromJson(reply->readAll(), &parse);
  if (!doc.isObject())
    throw Error(ErrorCode::InvalidArgument,
                str(QStringLiteral("%1%2 did not answer with JSON (%3)").arg(base_.toString(), path, parse.errorString())),
                "Check that the URL points at csm-serve");
  return doc.object();
}

QString RemoteEngine::label() const {
  return QStringLiteral("%1 @ %2").arg(info_["engine"].toObject().value("label").toString(), base_.authority());
}

QString RemoteEngine::device() const {
  const QJsonObject engine = info_["engine"].toObject(), machine = info_["machine"].toObject();
  QString d = QStringLiteral("remote %1").arg(engine.value("device").toString());
  if (machine.value("cuda_devices").toInt() > 0) d += " · " + machine.value("gpu").toString();
  else d += " · " + machine.value("cpu").toString();
  return d;
}

bool RemoteEngine::demo() const { return info_["engine"].toObject().value("demo").toBool(); }

bool RemoteEngine::liveSampling() const { return info_["server"].toObject().value("live_sampling").toBool(); }

bool RemoteEngine::researchKnobs() const { return info_["server"].toObject().value("research_knobs").toBool(); }

QString RemoteEngine::uploadClip(const VoiceClip& clip) {
  QCryptographicHash digest(QCryptographicHash::Sha256);
  digest.addData(QByteArray::number(clip.speaker) + '\n' + clip.transcript.toUtf8() + '\n');
  digest.addData(QByteArrayView(reinterpret_cast<const char*>(clip.samples.constData()),
                                clip.samples.size() * qsizetype(sizeof(float))));
  const QByteArray key = digest.result();
  if (uploaded_.contains(key)) return uploaded_.value(key);
  const QString name = "studio-" + QString::fromLatin1(key.toHex().left(16));

  auto* form = new QHttpMultiPart(QHttpMultiPart::FormDataType);
  const auto field = [&](const char* field_name, const QByteArray& value, const char* file_name = nullptr) {
    QHttpPart part;
    QByteArray disposition = QByteArray("form-data; name=\"") + field_name + '"';
    if (file_name) {
      disposition += QByteArray("; filename=\"") + file_name + '"';
      part.setHeader(QNetworkRequest::ContentTypeHeader, "audio/wav");
    }
    part.setHeader(QNetworkRequest::ContentDispositionHeader, disposition);
    part.setBody(value);
    form->append(part);
  };
  field("name", name.toUtf8());
  field("transcript", clip.transcript.toUtf8());
  field("speaker", QByteArray::number(clip.speaker));
  field("file", wav_bytes(clip.samples), "clip.wav");
  QNetworkRequest r = httpRequest("/v1/audio/voices");
  r.setTransferTimeout(kUploadTimeoutMs);
  std::unique_ptr<QNetworkReply> reply(net_->post(r, form));
  form->setParent(reply.get());
  wait_for(reply.get());
  const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
  if (status == 501)
    throw Error(ErrorCode::InvalidArgument, "the server keeps no voices, so voice clips cannot be used remotely",
                "Start csm-serve with --voices DIR (setup-gpu-box.sh --serve does), or remove the clips");
  // 409: the same clip (same name, from its digest) is there from an earlier run.
  if (status != 201 && status != 200 && status != 409)
    throw replyError(reply.get(), QStringLiteral("uploading the voice clip %1").arg(clip.path));
  uploaded_.insert(key, name);
  return name;
}

QStringList RemoteEngine::uploadClips(const QVector<VoiceClip>& clips) {
  QStringList names;
  for (const auto& clip : clips) names << uploadClip(clip);
  return names;
}

Error RemoteEngine::replyError(QNetworkReply* reply, const QString& what) const { return reply_error(reply, base_, what); }

Error RemoteEngine::lost(QNetworkReply* reply, qint64 frames) const {
  if (reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() != 200) return replyError(reply, "speech");
  return Error(ErrorCode::DeviceUnavailable,
               str(QStringLiteral("the connection to %1 was lost mid-run, after %2 s of audio (%3)")
                       .arg(base_.toString())
                       .arg(frames * 0.08, 0, 'f', 2)
                       .arg(reply->error() == QNetworkReply::NoError ? QStringLiteral("the stream ended early")
                                                                     : reply->errorString())),
               "The audio received so far is kept. Check that csm-serve still runs and the ssh tunnel is up");
}

namespace {

// A float knob as the user set it: 0.9, not 0.8999999761581421.
double tidy(float v) { return std::round(static_cast<double>(v) * 1e6) / 1e6; }

// Every knob at once (an older server knows only the first two). The route takes no
// "as codebook 0" value, so the depth decoder's are sent resolved: following codebook 0
// means being sent its values, again whenever they move.
QJsonObject sampling_body(const csm::SamplingParams& s, bool research_knobs) {
  QJsonObject body{{"temperature", tidy(s.temperature)}, {"top_k", s.top_k}};
  if (!research_knobs) return body;
  body.insert("top_p", tidy(s.top_p));
  body.insert("depth_temperature", tidy(s.decoder_temperature()));
  body.insert("depth_top_k", s.decoder_top_k());
  body.insert("depth_top_p", tidy(s.decoder_top_p()));
  return body;
}

}  // namespace

void RemoteEngine::sendSampling(const QByteArray& stream_id, const csm::SamplingParams& sampling) {
  QNetworkRequest r = httpRequest("/v1/csm/streams/" + QString::fromLatin1(stream_id) + "/sampling");
  r.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
  r.setTransferTimeout(kInfoTimeoutMs);
  const QJsonObject body = sampling_body(sampling, researchKnobs());
  // Fire and forget: a stream that ended meanwhile answers 404, which is fine.
  QNetworkReply* reply = net_->post(r, QJsonDocument(body).toJson(QJsonDocument::Compact));
  QObject::connect(reply, &QNetworkReply::finished, reply, &QObject::deleteLater);
}

void RemoteEngine::cancelStream(const QByteArray& stream_id) {
  QNetworkRequest r = httpRequest("/v1/csm/streams/" + QString::fromLatin1(stream_id));
  r.setTransferTimeout(kInfoTimeoutMs);
  // Fire and forget, as above: a stream whose connection already closed has ended.
  QNetworkReply* reply = net_->deleteResource(r);
  QObject::connect(reply, &QNetworkReply::finished, reply, &QObject::deleteLater);
}

std::unique_ptr<EngineRun> RemoteEngine::start(const RunRequest& request) {
  if (request.typed)
    throw Error(ErrorCode::InvalidArgument, "type to speak is not available with a remote csm-serve yet",
                "Use a local model for type to speak");
  const QStringList context = uploadClips(request.clips);
  return std::make_unique<RemoteRun>(*this, request, context);
}

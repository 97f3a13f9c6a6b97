#pragma once
// The studio's engine on another machine: a csm-serve reached over HTTP
// (typically through `ssh -L 8000:localhost:8000 gpu-box`). A run (RemoteRun)
// posts every text at once and the server's slots and queue batch them; speech
// comes as SSE events of 16-bit PCM with the server's per-chunk metrics. Lives on
// the worker thread and blocks it while a run goes on, like the local engine does.
// Every failure is a csm::Error whose message says what happened and whose hint
// says what to check.
#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QUrl>
#include <memory>

#include "csm/error.h"
#include "csm/generation.h"
#include "studio_engine.h"

class QNetworkAccessManager;
class QNetworkReply;
class QNetworkRequest;

class RemoteEngine : public StudioEngine {
 public:
  // Asks the server who it is (GET /v1/csm/info). Throws when nothing answers,
  // the key is refused or the answer is not csm-serve's.
  static std::unique_ptr<RemoteEngine> connect(const QString& url, const QString& key);
  ~RemoteEngine() override;

  QString url() const { return base_.toString(); }
  QString label() const override;
  QString device() const override;  // the remote device and GPU
  bool demo() const override;
  bool liveSampling() const;  // the server can change a running stream's sampling
  // The server takes issue #23's knobs (depth-decoder sampling, top-p, codebooks, length
  // guard) and sends a chunk's codes when asked (include_codes).
  bool researchKnobs() const;
  const QJsonObject& info() const { return info_; }
  // Uploads the request's voice clips (once each), then posts every text.
  std::unique_ptr<EngineRun> start(const RunRequest& request) override;

  // For its runs: requests to this server, what a failed reply means, and the
  // control routes, which name a stream by the id the server gave it.
  QNetworkRequest httpRequest(const QString& path) const;
  csm::Error replyError(QNetworkReply* reply, const QString& what) const;
  csm::Error lost(QNetworkReply* reply, qint64 frames) const;
  void sendSampling(const QByteArray& stream_id, const csm::SamplingParams& sampling);
  void cancelStream(const QByteArray& stream_id);

 private:
  RemoteEngine(const QUrl& base, const QString& key);
  QJsonObject getJson(const QString& path, int timeout_ms);
  QStringList uploadClips(const QVector<VoiceClip>& clips);
  QString uploadClip(const VoiceClip& clip);

  QUrl base_;
  QByteArray key_;
  QJsonObject info_;
  std::unique_ptr<QNetworkAccessManager> net_;
  QHash<QByteArray, QString> uploaded_;  // clip digest -> the server's voice name
};

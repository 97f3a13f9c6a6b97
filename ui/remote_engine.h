#pragma once
// The studio's engine on another machine: a csm-serve reached over HTTP
// (typically through `ssh -L 8000:localhost:8000 gpu-box`). Speech comes as
// SSE events of 16-bit PCM with the server's per-chunk metrics; Stop drops the
// connections, which cancels the streams on the server. Lives on the worker
// thread and blocks it while a run goes on, like the local engine does.
// Every failure is a csm::Error whose message says what happened and whose
// hint says what to check.
#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QUrl>
#include <functional>
#include <memory>

#include "csm/error.h"
#include "run_types.h"

class AudioRing;
class QNetworkAccessManager;
class QNetworkReply;
class QNetworkRequest;

class RemoteEngine {
 public:
  // Asks the server who it is (GET /v1/csm/info). Throws when nothing answers,
  // the key is refused or the answer is not csm-serve's.
  static std::unique_ptr<RemoteEngine> connect(const QString& url, const QString& key);
  ~RemoteEngine();

  QString url() const { return base_.toString(); }
  QString label() const;   // the model, and where it runs
  QString device() const;  // the remote device and GPU, for the status bar
  bool demo() const;
  bool liveSampling() const;  // the server can change a running stream's sampling
  const QJsonObject& info() const { return info_; }

  using ChunkHandler = std::function<void(const ChunkStats&, const QVector<float>&)>;
  // Speaks the request's texts, stream_batch at a time (the server batches
  // them). Chunks handed to `on_chunk` before a failure stay with the caller.
  // Audio goes into `ring` (may be null) as it arrives, one stream after another.
  RunResult run(const RunRequest& request, AudioRing* ring, const ChunkHandler& on_chunk);

 private:
  RemoteEngine(const QUrl& base, const QString& key);
  QNetworkRequest httpRequest(const QString& path) const;
  QJsonObject getJson(const QString& path, int timeout_ms);
  QStringList uploadClips(const QVector<VoiceClip>& clips);
  void sendSampling(const QByteArray& id, double temperature, int top_k);
  csm::Error lost(QNetworkReply* reply, qint64 frames) const;
  QString uploadClip(const VoiceClip& clip);

  QUrl base_;
  QByteArray key_;
  QJsonObject info_;
  std::unique_ptr<QNetworkAccessManager> net_;
  QHash<QByteArray, QString> uploaded_;  // clip digest -> the server's voice name
};

#pragma once
// One run on a csm-serve: every text posted at once, one speech request each;
// the server's slots generate some together and its queue holds the rest.
// Chunks of any stream are handed out as their SSE events arrive. Stop drops the
// connections (the server cancels a stream whose client went away) and cancels
// each stream by the id the server gave it; a text the server refused as busy
// ends its stream, and the run then fails with what the others made kept.
#include <QElapsedTimer>
#include <QStringList>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "studio_engine.h"

class QEventLoop;
class RemoteEngine;
struct RemoteStream;

class RemoteRun : public EngineRun {
 public:
  RemoteRun(RemoteEngine& engine, const RunRequest& request, const QStringList& context);
  ~RemoteRun() override;

  Poll next(EngineChunk& out, std::chrono::milliseconds wait) override;
  void setSampling(const csm::SamplingParams& sampling) override;
  RunResult result() const override;

 private:
  void post(RemoteStream& stream, const QByteArray& body);
  void onBytes(RemoteStream& stream);
  void onFinished(RemoteStream& stream);
  void takeStreamId(RemoteStream& stream);
  void takeEvent(RemoteStream& stream, const QByteArray& data);
  void cancelAll();
  void waitForNews(std::chrono::milliseconds wait);
  void wake();
  void throwFailure() const;

  RemoteEngine& engine_;
  csm::CancelToken cancel_;
  bool cancelled_ = false;
  std::vector<std::unique_ptr<RemoteStream>> streams_;
  int open_ = 0;  // streams whose connection has not finished
  std::deque<EngineChunk> ready_;
  std::optional<csm::SamplingParams> moved_knobs_;  // the knobs as last moved during the run
  QElapsedTimer clock_;
  double first_audio_ms_ = 0, wall_ms_ = 0;
  QEventLoop* waiting_ = nullptr;
};

#pragma once
// Values that travel between the generation worker and the window through
// queued signals: small, copyable, registered with Qt's meta-type system.
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

#include <memory>

#include "csm/engine.h"
#include "live_sampling.h"
#include "run_settings.h"
#include "voice_clip_panel.h"

struct ChunkStats {
  int stream = 0;
  qint64 firstFrame = 0;
  int frames = 0;
  double generateMs = 0, decodeMs = 0, elapsedMs = 0, rtf = 0, firstAudioMs = 0, framesPerS = 0;
  qint64 rssBytes = 0, deviceBytes = 0;
  int activeStreams = 0, maxStreams = 0;  // a server's batch occupancy; 0 when local
  bool last = false;
  double audioMs() const { return frames * 80.0; }
  double chunkRtf() const { return frames > 0 ? (generateMs + decodeMs) / audioMs() : 0; }
};

struct RunRequest {
  QStringList texts;  // one stream per entry
  int speaker = 0;
  QVector<VoiceClip> clips;
  RunSettings settings;
  csm::CancelToken cancel;
  std::shared_ptr<LiveSampling> live;  // temperature / top-k moved while the run goes on
};

struct RunResult {
  double wallMs = 0, firstAudioMs = 0, rtf = 0, realtimeStreams = 0, audioMs = 0;
  qint64 peakRssBytes = 0, frames = 0;
  QStringList stops;  // per stream
  bool cancelled = false;
  // rtf and realtimeStreams from wall time and audio time.
  void deriveRates() {
    rtf = audioMs > 0 ? wallMs / audioMs : 0;
    realtimeStreams = wallMs > 0 ? audioMs / wallMs : 0;
  }
};

Q_DECLARE_METATYPE(ChunkStats)
Q_DECLARE_METATYPE(RunRequest)
Q_DECLARE_METATYPE(RunResult)

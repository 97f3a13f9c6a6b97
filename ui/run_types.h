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
#include "typed_text.h"
#include "voice_clip_panel.h"

struct ChunkStats {
  int stream = 0;
  int piece = 0;  // which piece of the stream's text (a long text's, or a typed text's as cut)
  qint64 firstFrame = 0;
  int frames = 0;
  double generateMs = 0, decodeMs = 0, elapsedMs = 0, rtf = 0, firstAudioMs = 0, framesPerS = 0;
  qint64 rssBytes = 0, deviceBytes = 0;
  int activeStreams = 0, maxStreams = 0;  // a server's batch occupancy; 0 when local
  // The sampling this chunk's frames were made with (codebook 0's, then the depth
  // decoder's, resolved): live changes show here from the chunk after them.
  double temperature = 0, topP = 1, depthTemperature = 0, depthTopP = 1;
  int topK = 0, depthTopK = 0;
  bool last = false;
  double audioMs() const { return frames * 80.0; }
  double chunkRtf() const { return frames > 0 ? (generateMs + decodeMs) / audioMs() : 0; }
};

// A chunk's codes for the codes view: `width` codes per frame (the model's codebooks;
// 0 past a stream's depth), row-major, and codebook 0's entropy (nats) per frame.
// Empty when the engine sent none (a csm-serve without include_codes).
struct ChunkCodes {
  int width = 0;
  QVector<int> codes;      // frames x width
  QVector<float> entropy;  // per frame; may be empty while codes are not
  int frames() const { return width > 0 ? static_cast<int>(codes.size() / width) : 0; }
  bool isEmpty() const { return codes.isEmpty(); }
};

struct RunRequest {
  QStringList texts;  // one stream per entry
  int speaker = 0;
  QVector<VoiceClip> clips;
  RunSettings settings;
  csm::CancelToken cancel;
  std::shared_ptr<LiveSampling> live;  // sampling knobs moved while the run goes on
  // "Type to speak": one stream whose text arrives through this as it is typed
  // (texts then holds its start, possibly empty); null for an ordinary run.
  std::shared_ptr<TypedText> typed;
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
Q_DECLARE_METATYPE(ChunkCodes)
Q_DECLARE_METATYPE(RunRequest)
Q_DECLARE_METATYPE(RunResult)

#pragma once
// What the knobs of the studio hold, as plain values: turned into the engine's
// StreamingConfig for each run, saved as presets (JSON) and in QSettings.
#include <QJsonObject>
#include <QString>

#include "csm/streaming_config.h"

struct RunSettings {
  int chunk_ms = 320;
  int first_chunk_ms = 80;
  int frame_batch = 4;
  int stream_batch = 4;  // texts generated together when several are queued (one per line)
  double temperature = 0.9;
  int top_k = 50;
  int seed = 0;
  int max_audio_ms = 20000;
  double rtf_target = 0.3;

  csm::StreamingConfig toConfig() const;
  QJsonObject toJson() const;
  // Missing fields keep their defaults; "topk" (presets and settings saved before top_k) still reads.
  static RunSettings fromJson(const QJsonObject& json);
  bool operator==(const RunSettings& other) const { return toJson() == other.toJson(); }
};

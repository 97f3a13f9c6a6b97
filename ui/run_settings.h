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
  double top_p = 1.0;               // 1 = off
  double depth_temperature = -1;    // the depth decoder's (codebooks 1..N-1); negative: as codebook 0's
  int depth_top_k = -1;
  double depth_top_p = -1;
  int seed = 0;
  int max_audio_ms = 20000;
  int codebooks = 0;                // 1..32 generated per frame; 0 = all
  QString codebook_fill = "mask";   // what the next backbone row holds for the others: "mask" or "pad"
  double length_guard = 4.0;        // times the text's expected length; 0 = off
  double rtf_target = 0.3;

  csm::StreamingConfig toConfig() const;
  // The live-changeable part (seed included): what a running stream takes when a slider moves.
  csm::SamplingParams sampling() const;
  QJsonObject toJson() const;
  // Missing fields keep their defaults; "topk" (presets and settings saved before top_k) still reads.
  static RunSettings fromJson(const QJsonObject& json);
  bool operator==(const RunSettings& other) const { return toJson() == other.toJson(); }
};

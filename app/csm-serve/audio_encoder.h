#pragma once
// Streaming audio encoders: mono float samples in, bytes ready to send out, as
// they are made (no seeking back). WAV streamed with unknown length carries
// 0xFFFFFFFF sizes; PCM is raw 16-bit little-endian; FLAC, Ogg/Opus and MP3
// come from libsndfile writing through its virtual I/O into memory.
#include <memory>
#include <string>

#include "csm-serve/speech_request.h"

namespace csm::serve {

class AudioEncoder {
 public:
  virtual ~AudioEncoder() = default;
  // Encodes `count` samples in [-1, 1]; returns the bytes that are ready (may be empty).
  virtual std::string encode(const float* samples, size_t count) = 0;
  // Flushes the end of the stream; returns the remaining bytes.
  virtual std::string finish() = 0;
};

// Throws csm::Error when this libsndfile cannot write `format`.
std::unique_ptr<AudioEncoder> make_encoder(AudioFormat format, int sample_rate);

}  // namespace csm::serve

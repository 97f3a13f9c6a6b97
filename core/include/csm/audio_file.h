#pragma once
// Audio files in and out: any format libsndfile reads, mixed to mono and
// resampled (libsoxr) to the codec's rate; WAV out as 16-bit PCM or float,
// with the header kept valid after every write so a killed run leaves a
// playable file.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace csm {

struct AudioReadOptions {
  int target_rate = 24000;
  double max_seconds = 600.0;  // longer input is refused, not silently truncated
  bool allow_silence = false;
};

// Throws csm::Error (BadAudioFile / Io) for unreadable, empty, silent,
// non-finite or overlong input, naming the file.
std::vector<float> read_audio_mono(const std::string& path, const AudioReadOptions& options = {});

// Band-limited rate conversion of mono samples.
std::vector<float> resample(const std::vector<float>& samples, int from_rate, int to_rate);

enum class WavFormat { Pcm16, Float32 };

class WavWriter {
 public:
  // Creates (truncates) `path`. Throws csm::Error naming the file.
  WavWriter(const std::string& path, int sample_rate, WavFormat format = WavFormat::Pcm16);
  ~WavWriter();
  WavWriter(const WavWriter&) = delete;
  WavWriter& operator=(const WavWriter&) = delete;

  // Appends mono samples in [-1, 1] (clipped for PCM) and refreshes the header.
  // Throws csm::Error (Io) when the disk refuses; what was written stays valid.
  void write(const float* samples, size_t count);
  void write(const std::vector<float>& samples) { write(samples.data(), samples.size()); }
  void close();
  int64_t frames_written() const { return written_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  void* file_ = nullptr;  // SNDFILE*
  int64_t written_ = 0;
};

void write_wav(const std::string& path, const std::vector<float>& samples, int sample_rate,
               WavFormat format = WavFormat::Pcm16);

}  // namespace csm

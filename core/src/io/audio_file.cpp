#include "csm/audio_file.h"

#include <sndfile.h>
#include <soxr.h>

#include <cmath>
#include <cstdio>
#include <cstring>

#include "csm/error.h"

namespace csm {

std::vector<float> resample(const std::vector<float>& in, int from_rate, int to_rate) {
  if (from_rate == to_rate || in.empty()) return in;
  if (from_rate <= 0 || to_rate <= 0) throw Error(ErrorCode::InvalidArgument, "sample rates must be positive");
  const size_t out_len = static_cast<size_t>(std::llround(double(in.size()) * to_rate / from_rate));
  std::vector<float> out(out_len + 16);
  size_t done = 0;
  const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
  const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_VHQ, 0);
  const soxr_error_t error = soxr_oneshot(from_rate, to_rate, 1, in.data(), in.size(), nullptr, out.data(), out.size(),
                                          &done, &io, &quality, nullptr);
  if (error) throw Error(ErrorCode::Internal, std::string("resampling failed: ") + error);
  out.resize(std::min(done, out_len));
  out.resize(out_len, 0.0f);
  return out;
}

std::vector<float> read_audio_mono(const std::string& path, const AudioReadOptions& options) {
  SF_INFO info{};
  SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
  if (!file)
    throw Error(ErrorCode::BadAudioFile, "cannot read audio file " + path + ": " + sf_strerror(nullptr),
                "use WAV, FLAC or OGG");
  const auto close = [&] { sf_close(file); };
  if (info.channels < 1 || info.samplerate < 1) {
    close();
    throw Error(ErrorCode::BadAudioFile, path + " reports " + std::to_string(info.channels) + " channels at " +
                                             std::to_string(info.samplerate) + " Hz");
  }
  if (info.channels > 64 || info.samplerate > 768000) {
    close();
    throw Error(ErrorCode::BadAudioFile, path + " reports " + std::to_string(info.channels) + " channels at " +
                                             std::to_string(info.samplerate) + " Hz, which is not a voice recording");
  }
  if (info.frames <= 0) {
    close();
    throw Error(ErrorCode::BadAudioFile, path + " holds no audio (0 samples)");
  }
  const double seconds = double(info.frames) / info.samplerate;
  if (seconds > options.max_seconds) {
    close();
    char length[64];
    std::snprintf(length, sizeof length, "%.0f s long; the limit is %.0f s", seconds, options.max_seconds);
    throw Error(ErrorCode::BadAudioFile, path + " is " + length, "trim the clip (a few seconds of clear speech is enough)");
  }
  std::vector<float> interleaved(static_cast<size_t>(info.frames) * info.channels);
  const sf_count_t got = sf_readf_float(file, interleaved.data(), info.frames);
  close();
  if (got <= 0) throw Error(ErrorCode::BadAudioFile, path + " could not be decoded");
  std::vector<float> mono(static_cast<size_t>(got));
  for (sf_count_t i = 0; i < got; ++i) {
    double sum = 0;
    for (int c = 0; c < info.channels; ++c) sum += interleaved[static_cast<size_t>(i) * info.channels + c];
    mono[static_cast<size_t>(i)] = static_cast<float>(sum / info.channels);
  }
  bool audible = false;
  for (size_t i = 0; i < mono.size(); ++i) {
    if (!std::isfinite(mono[i]))
      throw Error(ErrorCode::BadAudioFile, path + " contains a non-finite sample (NaN or infinity) at sample " +
                                               std::to_string(i));
    audible = audible || mono[i] != 0.0f;
  }
  if (!audible && !options.allow_silence) throw Error(ErrorCode::BadAudioFile, path + " is silent (every sample is 0)");
  return resample(mono, info.samplerate, options.target_rate);
}

WavWriter::WavWriter(const std::string& path, int sample_rate, WavFormat format) : path_(path) {
  SF_INFO info{};
  info.samplerate = sample_rate;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | (format == WavFormat::Pcm16 ? SF_FORMAT_PCM_16 : SF_FORMAT_FLOAT);
  SNDFILE* file = sf_open(path.c_str(), SFM_WRITE, &info);
  if (!file) throw Error(ErrorCode::Io, "cannot create " + path + ": " + sf_strerror(nullptr));
  // Float input beyond [-1, 1] is clipped rather than wrapped when stored as PCM.
  sf_command(file, SFC_SET_CLIPPING, nullptr, SF_TRUE);
  file_ = file;
  sf_command(file, SFC_UPDATE_HEADER_NOW, nullptr, 0);
}

WavWriter::~WavWriter() { close(); }

void WavWriter::write(const float* samples, size_t count) {
  if (!file_) throw Error(ErrorCode::Internal, "write to closed WAV file " + path_);
  auto* file = static_cast<SNDFILE*>(file_);
  const sf_count_t done = sf_writef_float(file, samples, static_cast<sf_count_t>(count));
  if (done > 0) written_ += done;
  // Refresh the header so the file is complete up to here even if the process dies.
  sf_command(file, SFC_UPDATE_HEADER_NOW, nullptr, 0);
  if (done != static_cast<sf_count_t>(count))
    throw Error(ErrorCode::Io, "writing " + path_ + " failed after " + std::to_string(written_) + " samples: " +
                                   sf_strerror(file), "is the disk full? the samples written so far are kept");
}

void WavWriter::close() {
  if (!file_) return;
  sf_close(static_cast<SNDFILE*>(file_));
  file_ = nullptr;
}

void write_wav(const std::string& path, const std::vector<float>& samples, int sample_rate, WavFormat format) {
  WavWriter writer(path, sample_rate, format);
  writer.write(samples);
  writer.close();
}

}  // namespace csm

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

namespace {

// Rate conversion block by block, so that only the converted samples are kept:
// a clip's memory is bounded by its length at the target rate, whatever its header says.
class BlockResampler {
 public:
  BlockResampler(int from_rate, int to_rate) : from_(from_rate), to_(to_rate) {
    if (from_ == to_) return;
    const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
    const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_VHQ, 0);
    soxr_error_t error = nullptr;
    soxr_ = soxr_create(from_, to_, 1, &error, &io, &quality, nullptr);
    if (error || !soxr_) throw Error(ErrorCode::Internal, std::string("resampling failed: ") + (error ? error : "?"));
  }
  ~BlockResampler() {
    if (soxr_) soxr_delete(soxr_);
  }
  BlockResampler(const BlockResampler&) = delete;
  BlockResampler& operator=(const BlockResampler&) = delete;

  void push(const float* in, size_t count) {
    consumed_ += count;
    if (!soxr_) {
      out_.insert(out_.end(), in, in + count);
      return;
    }
    while (count > 0) {
      size_t used = 0;
      run(in, count, &used);
      in += used;
      count -= used;
    }
  }
  // The converted samples, as many as the input's length at the target rate.
  std::vector<float> finish() {
    if (soxr_)
      for (;;) {
        const size_t before = out_.size();
        run(nullptr, 0, nullptr);
        if (out_.size() == before) break;
      }
    const auto length = static_cast<size_t>(std::llround(double(consumed_) * to_ / from_));
    out_.resize(length, 0.0f);
    return std::move(out_);
  }

 private:
  void run(const float* in, size_t count, size_t* used) {
    float block[8192];
    size_t made = 0;
    const soxr_error_t error = soxr_process(soxr_, in, count, used, block, sizeof block / sizeof *block, &made);
    if (error) throw Error(ErrorCode::Internal, std::string("resampling failed: ") + error);
    out_.insert(out_.end(), block, block + made);
  }

  int from_, to_;
  soxr_t soxr_ = nullptr;
  size_t consumed_ = 0;
  std::vector<float> out_;
};

std::string describe_seconds(double seconds, double limit) {
  char length[96];
  std::snprintf(length, sizeof length, "%.0f s long; the limit is %.0f s", std::min(seconds, 1e12), limit);
  return length;
}

}  // namespace

std::vector<float> read_audio_mono(const std::string& path, const AudioReadOptions& options) {
  SF_INFO info{};
  SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
  if (!file)
    throw Error(ErrorCode::BadAudioFile, "cannot read audio file " + path + ": " + sf_strerror(nullptr),
                "use WAV, FLAC or OGG");
  struct Closer {
    SNDFILE* f;
    ~Closer() { sf_close(f); }
  } closer{file};
  if (info.channels < 1 || info.samplerate < 1)
    throw Error(ErrorCode::BadAudioFile, path + " reports " + std::to_string(info.channels) + " channels at " +
                                             std::to_string(info.samplerate) + " Hz");
  if (info.channels > 64 || info.samplerate > 768000)
    throw Error(ErrorCode::BadAudioFile, path + " reports " + std::to_string(info.channels) + " channels at " +
                                             std::to_string(info.samplerate) + " Hz, which is not a voice recording");
  if (info.frames <= 0) throw Error(ErrorCode::BadAudioFile, path + " holds no audio (0 samples)");
  const char* trim = "trim the clip (a few seconds of clear speech is enough)";
  // The declared length is checked first; nothing is allocated from it. The
  // decoded length is checked again while reading, as a header may lie.
  if (double(info.frames) / info.samplerate > options.max_seconds)
    throw Error(ErrorCode::BadAudioFile, path + " is " + describe_seconds(double(info.frames) / info.samplerate, options.max_seconds), trim);
  const auto max_frames = static_cast<sf_count_t>(options.max_seconds * info.samplerate);

  constexpr sf_count_t kBlockFrames = 4096;
  std::vector<float> interleaved(static_cast<size_t>(kBlockFrames) * info.channels);
  std::vector<float> mono(static_cast<size_t>(kBlockFrames));
  BlockResampler resampler(info.samplerate, options.target_rate);
  sf_count_t total = 0;
  bool audible = false;
  for (;;) {
    const sf_count_t got = sf_readf_float(file, interleaved.data(), kBlockFrames);
    if (got <= 0) break;
    if (total + got > max_frames) {
      char limit[64];
      std::snprintf(limit, sizeof limit, "%.0f s", options.max_seconds);
      throw Error(ErrorCode::BadAudioFile, path + " decodes to more than its header says, beyond the limit of " + limit, trim);
    }
    for (sf_count_t i = 0; i < got; ++i) {
      double sum = 0;
      for (int c = 0; c < info.channels; ++c) sum += interleaved[static_cast<size_t>(i) * info.channels + c];
      const float sample = static_cast<float>(sum / info.channels);
      if (!std::isfinite(sample))
        throw Error(ErrorCode::BadAudioFile, path + " contains a non-finite sample (NaN or infinity) at sample " +
                                                 std::to_string(total + i));
      audible = audible || sample != 0.0f;
      mono[static_cast<size_t>(i)] = sample;
    }
    resampler.push(mono.data(), static_cast<size_t>(got));
    total += got;
  }
  if (total <= 0) throw Error(ErrorCode::BadAudioFile, path + " could not be decoded");
  if (!audible && !options.allow_silence) throw Error(ErrorCode::BadAudioFile, path + " is silent (every sample is 0)");
  return resampler.finish();
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

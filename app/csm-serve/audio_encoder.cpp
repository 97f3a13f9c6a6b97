#include "csm-serve/audio_encoder.h"

#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "csm/error.h"

namespace csm::serve {
namespace {

void append_le(std::string& out, uint32_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void append_s16(std::string& out, const float* samples, size_t count) {
  const size_t at = out.size();
  out.resize(at + 2 * count);
  for (size_t i = 0; i < count; ++i) {
    float x = samples[i];
    if (!std::isfinite(x)) x = 0;
    x = std::clamp(x, -1.0f, 1.0f);
    const auto v = static_cast<int16_t>(std::lrint(x * 32767.0f));
    const auto u = static_cast<uint16_t>(v);
    out[at + 2 * i] = static_cast<char>(u & 0xFF);
    out[at + 2 * i + 1] = static_cast<char>(u >> 8);
  }
}

class PcmEncoder : public AudioEncoder {
 public:
  std::string encode(const float* samples, size_t count) override {
    std::string out;
    append_s16(out, samples, count);
    return out;
  }
  std::string finish() override { return {}; }
};

// RIFF/WAVE, 16-bit mono, length unknown when the header goes out: 0xFFFFFFFF sizes.
class WavEncoder : public AudioEncoder {
 public:
  explicit WavEncoder(int rate) : rate_(rate) {}
  std::string encode(const float* samples, size_t count) override {
    std::string out;
    if (!header_sent_) {
      header_sent_ = true;
      out += "RIFF";
      append_le(out, 0xFFFFFFFFu, 4);
      out += "WAVEfmt ";
      append_le(out, 16, 4);
      append_le(out, 1, 2);  // PCM
      append_le(out, 1, 2);  // mono
      append_le(out, static_cast<uint32_t>(rate_), 4);
      append_le(out, static_cast<uint32_t>(rate_ * 2), 4);
      append_le(out, 2, 2);
      append_le(out, 16, 2);
      out += "data";
      append_le(out, 0xFFFFFFFFu, 4);
    }
    append_s16(out, samples, count);
    return out;
  }
  std::string finish() override { return header_sent_ ? std::string() : encode(nullptr, 0); }

 private:
  int rate_;
  bool header_sent_ = false;
};

// libsndfile writing into memory. Bytes before `sent_` are gone; a write there
// (a header update at close) is dropped, which is what a stream of unknown length allows.
class SndfileEncoder : public AudioEncoder {
 public:
  SndfileEncoder(int format, int rate, const char* name) {
    SF_INFO info{};
    info.samplerate = rate;
    info.channels = 1;
    info.format = format;
    SF_VIRTUAL_IO io{};
    io.get_filelen = [](void* self) -> sf_count_t { return static_cast<SndfileEncoder*>(self)->length(); };
    io.seek = [](sf_count_t offset, int whence, void* self) -> sf_count_t {
      return static_cast<SndfileEncoder*>(self)->seek(offset, whence);
    };
    io.read = [](void*, sf_count_t, void*) -> sf_count_t { return 0; };
    io.write = [](const void* data, sf_count_t count, void* self) -> sf_count_t {
      return static_cast<SndfileEncoder*>(self)->write(static_cast<const char*>(data), count);
    };
    io.tell = [](void* self) -> sf_count_t { return static_cast<SndfileEncoder*>(self)->pos_; };
    file_ = sf_open_virtual(&io, SFM_WRITE, &info, this);
    if (!file_)
      throw Error(ErrorCode::Internal, std::string("this libsndfile cannot write ") + name + ": " + sf_strerror(nullptr));
    if (format == (SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III)) {
      int mode = SF_BITRATE_MODE_CONSTANT;
      sf_command(file_, SFC_SET_BITRATE_MODE, &mode, sizeof mode);
    }
  }
  ~SndfileEncoder() override {
    if (file_) sf_close(file_);
  }
  std::string encode(const float* samples, size_t count) override {
    if (count) sf_write_float(file_, samples, static_cast<sf_count_t>(count));
    return take();
  }
  std::string finish() override {
    if (file_) {
      sf_write_sync(file_);
      sf_close(file_);
      file_ = nullptr;
    }
    return take();
  }

 private:
  sf_count_t length() const { return std::max<sf_count_t>(end_, pos_); }
  sf_count_t seek(sf_count_t offset, int whence) {
    sf_count_t to = offset;
    if (whence == SEEK_CUR) to = pos_ + offset;
    else if (whence == SEEK_END) to = end_ + offset;
    pos_ = std::max<sf_count_t>(0, to);
    return pos_;
  }
  sf_count_t write(const char* data, sf_count_t count) {
    sf_count_t from = pos_;
    const sf_count_t until = pos_ + count;
    if (from < sent_) {  // already on the wire: dropped
      data += std::min(count, sent_ - from);
      from = sent_;
    }
    if (until > from) {
      const size_t at = static_cast<size_t>(from - sent_);
      if (buffer_.size() < at + static_cast<size_t>(until - from)) buffer_.resize(at + static_cast<size_t>(until - from));
      std::memcpy(&buffer_[at], data, static_cast<size_t>(until - from));
    }
    pos_ = until;
    end_ = std::max(end_, until);
    return count;
  }
  std::string take() {
    std::string out;
    out.swap(buffer_);
    sent_ += static_cast<sf_count_t>(out.size());
    return out;
  }

  SNDFILE* file_ = nullptr;
  std::string buffer_;  // bytes [sent_, sent_ + size)
  sf_count_t pos_ = 0, end_ = 0, sent_ = 0;
};

}  // namespace

std::unique_ptr<AudioEncoder> make_encoder(AudioFormat format, int sample_rate) {
  switch (format) {
    case AudioFormat::Pcm: return std::make_unique<PcmEncoder>();
    case AudioFormat::Wav: return std::make_unique<WavEncoder>(sample_rate);
    case AudioFormat::Flac: return std::make_unique<SndfileEncoder>(SF_FORMAT_FLAC | SF_FORMAT_PCM_16, sample_rate, "FLAC");
    case AudioFormat::Opus: return std::make_unique<SndfileEncoder>(SF_FORMAT_OGG | SF_FORMAT_OPUS, sample_rate, "Ogg/Opus");
    case AudioFormat::Mp3:
      return std::make_unique<SndfileEncoder>(SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, sample_rate, "MP3");
  }
  throw Error(ErrorCode::Internal, "unknown audio format");
}

}  // namespace csm::serve

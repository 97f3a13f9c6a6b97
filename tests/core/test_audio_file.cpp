// Reading clips (mixdown, resampling, refusal of bad files) and writing WAVs.
#include <sndfile.h>
#include <sys/resource.h>

#include <cmath>
#include <fstream>
#include <limits>

#include <gtest/gtest.h>

#include "csm/audio_file.h"
#include "csm/error.h"
#include "io/safetensors_file.h"
#include "support/fixtures.h"
#include "support/tensor_checks.h"

namespace {

std::string error_of(const std::string& path, csm::AudioReadOptions options = {}) {
  try {
    csm::read_audio_mono(path, options);
  } catch (const csm::Error& e) {
    EXPECT_EQ(e.code(), csm::ErrorCode::BadAudioFile) << e.what();
    return e.what();
  }
  return "";
}

TEST(AudioFile, ReadsTheContextClipExactly) {
  CSM_REQUIRE_FIXTURE(wav, "tiny-a/audio/context.wav");
  CSM_REQUIRE_FIXTURE(expected, "tiny-a/expected/expected.safetensors");
  const auto samples = csm::read_audio_mono(wav);
  const auto reference = csm::SafetensorsFile(expected).tensor("context_waveform");
  EXPECT_TRUE(csm::test::close(at::tensor(samples), reference, 0, 0));
}

TEST(AudioFile, MixesDownAndResamples44kStereo) {
  CSM_REQUIRE_FIXTURE(wav, "tiny-a/audio/context_44k_stereo.wav");
  CSM_REQUIRE_FIXTURE(expected, "tiny-a/expected/expected.safetensors");
  const auto samples = at::tensor(csm::read_audio_mono(wav));
  const auto reference = csm::SafetensorsFile(expected).tensor("context_44k_downmix_resampled_24k");
  ASSERT_EQ(samples.numel(), reference.numel());
  // Different (both band-limited) resamplers: compare energy of the difference, not samples.
  const double error = (samples - reference).pow(2).mean().sqrt().item<double>();
  const double level = reference.pow(2).mean().sqrt().item<double>();
  EXPECT_LT(error / level, 0.05) << "relative RMS difference";
}

TEST(AudioFile, RefusesUnusableInputWithTheFileNamed) {
  const std::string dir = csm::test::temp_dir("audio");
  EXPECT_NE(error_of(dir + "/missing.wav").find("missing.wav"), std::string::npos);
  std::ofstream(dir + "/text.wav") << "not audio at all";
  EXPECT_NE(error_of(dir + "/text.wav").find("cannot read audio file"), std::string::npos);
  csm::write_wav(dir + "/empty.wav", {}, 24000);
  EXPECT_NE(error_of(dir + "/empty.wav").find("no audio"), std::string::npos);
  csm::write_wav(dir + "/silent.wav", std::vector<float>(2400, 0.0f), 24000);
  EXPECT_NE(error_of(dir + "/silent.wav").find("silent"), std::string::npos);
  std::vector<float> bad(2400, 0.1f);
  bad[100] = std::numeric_limits<float>::quiet_NaN();
  csm::write_wav(dir + "/nan.wav", bad, 24000, csm::WavFormat::Float32);
  EXPECT_NE(error_of(dir + "/nan.wav").find("non-finite"), std::string::npos);
  csm::write_wav(dir + "/long.wav", std::vector<float>(24000 * 3, 0.1f), 24000);
  csm::AudioReadOptions strict;
  strict.max_seconds = 2;
  EXPECT_NE(error_of(dir + "/long.wav", strict).find("limit"), std::string::npos);
}

TEST(AudioFile, AbsurdHeadersAreRefusedBeforeAllocating) {
  // A WAV header claiming 2 GHz and 1000 channels over a few bytes of data.
  const std::string path = csm::test::temp_dir("audio") + "/absurd.wav";
  std::ofstream out(path, std::ios::binary);
  const auto u32 = [&](uint32_t v) { out.write(reinterpret_cast<const char*>(&v), 4); };
  const auto u16 = [&](uint16_t v) { out.write(reinterpret_cast<const char*>(&v), 2); };
  out << "RIFF";
  u32(36 + 8);
  out << "WAVEfmt ";
  u32(16);
  u16(1);
  u16(1000);
  u32(2000000000u);
  u32(4000000000u);
  u16(2000);
  u16(16);
  out << "data";
  u32(8);
  u32(0x12345678);
  u32(0x9abcdef0);
  out.close();
  const std::string message = error_of(path);
  EXPECT_NE(message.find("absurd.wav"), std::string::npos) << message;
}

// A 42-byte FLAC header (issue #21): 8 channels at 655 kHz for 60 s, within the
// declared-length limit, but no audio behind it. The reader once allocated the
// 1.2 GB the header claims; now memory follows what really decodes.
TEST(AudioFile, AHeaderBombCostsNoMemory) {
  const std::string path = csm::test::temp_dir("audio") + "/bomb.flac";
  const uint64_t rate = 655350, channels = 8, bits = 16, frames = 60 * rate - 1;
  std::string bytes = "fLaC";
  bytes += std::string("\x80\x00\x00\x22", 4);  // the last metadata block: STREAMINFO, 34 bytes
  bytes += std::string("\x10\x00\x10\x00", 4);  // block sizes 4096
  bytes += std::string(6, '\0');                // frame sizes unknown
  const uint64_t packed = (rate << 44) | ((channels - 1) << 41) | ((bits - 1) << 36) | frames;
  for (int shift = 56; shift >= 0; shift -= 8) bytes += static_cast<char>((packed >> shift) & 0xff);
  bytes += std::string(16, '\0');  // MD5
  ASSERT_EQ(bytes.size(), 42u);
  std::ofstream(path, std::ios::binary) << bytes;
  rusage before{};
  getrusage(RUSAGE_SELF, &before);
  const std::string message = error_of(path, {24000, 60.0, false});
  rusage after{};
  getrusage(RUSAGE_SELF, &after);
  EXPECT_NE(message.find("bomb.flac"), std::string::npos) << message;
  EXPECT_LT(after.ru_maxrss - before.ru_maxrss, 100 * 1024) << "peak RSS grew by " << (after.ru_maxrss - before.ru_maxrss) / 1024 << " MB";
}

// What really decodes counts against the limit too, not only what the header says.
TEST(AudioFile, TheLengthLimitHoldsForTheDecodedAudio) {
  const std::string dir = csm::test::temp_dir("audio");
  csm::write_wav(dir + "/three.wav", std::vector<float>(24000 * 3, 0.1f), 24000);
  csm::AudioReadOptions options;
  options.max_seconds = 3.0;
  EXPECT_EQ(csm::read_audio_mono(dir + "/three.wav", options).size(), 24000u * 3);
  options.target_rate = 16000;
  EXPECT_EQ(csm::read_audio_mono(dir + "/three.wav", options).size(), 16000u * 3);
}

TEST(AudioFile, FuzzFoundAbsurdDurationIsAMessageNotUndefinedBehaviour) {
  // libFuzzer found this FLAC header: a duration beyond int range made the message's
  // cast undefined (UBSan: float-cast-overflow). It must simply be refused.
  const std::string path = std::string(CSM_SOURCE_DIR) + "/tests/fuzz/corpus/audio_file/regression-float-cast-overflow";
  const std::string message = error_of(path);
  EXPECT_FALSE(message.empty());
  EXPECT_NE(message.find("regression-float-cast-overflow"), std::string::npos) << message;
}

TEST(AudioFile, WavHeaderIsValidAfterEveryWrite) {
  const std::string path = csm::test::temp_dir("audio") + "/growing.wav";
  csm::WavWriter writer(path, 24000);
  for (int chunk = 1; chunk <= 3; ++chunk) {
    writer.write(std::vector<float>(1920, 0.25f));
    SF_INFO info{};
    SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);  // as another program would, mid-run
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(info.frames, 1920 * chunk);
    sf_close(f);
  }
}

TEST(AudioFile, PcmAndFloatRoundTrip) {
  const std::string dir = csm::test::temp_dir("audio");
  std::vector<float> tone(4800);
  for (size_t i = 0; i < tone.size(); ++i) tone[i] = 0.5f * std::sin(0.05f * i);
  tone[10] = 1.7f;  // out of range: clipped in PCM, kept in float
  csm::write_wav(dir + "/f.wav", tone, 24000, csm::WavFormat::Float32);
  csm::write_wav(dir + "/p.wav", tone, 24000, csm::WavFormat::Pcm16);
  const auto f = csm::read_audio_mono(dir + "/f.wav"), p = csm::read_audio_mono(dir + "/p.wav");
  EXPECT_EQ(f, tone);
  ASSERT_EQ(p.size(), tone.size());
  EXPECT_NEAR(p[10], 1.0f, 1e-4);
  EXPECT_NEAR(p[100], tone[100], 1.0 / 32768 + 1e-6);
}

TEST(AudioFile, ResamplingKeepsDurationAndPitch) {
  std::vector<float> tone(48000);
  for (size_t i = 0; i < tone.size(); ++i) tone[i] = std::sin(2 * M_PI * 440.0 * i / 48000.0);
  const auto out = csm::resample(tone, 48000, 24000);
  ASSERT_EQ(out.size(), 24000u);
  // Zero crossings of a 440 Hz tone over one second: about 880.
  int crossings = 0;
  for (size_t i = 1; i < out.size(); ++i) crossings += (out[i - 1] < 0) != (out[i] < 0);
  EXPECT_NEAR(crossings, 880, 4);
}

}  // namespace

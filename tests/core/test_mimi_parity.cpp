// Mimi encode/decode against HF transformers on tiny-a, from both weight layouts,
// and the streaming decoder against the one-call decode.
#include <gtest/gtest.h>

#include "codec/mimi_codec.h"
#include "codec/mimi_config.h"
#include "csm/error.h"
#include "io/safetensors_file.h"
#include "io/tensor_store.h"
#include "support/fixtures.h"
#include "support/tensor_checks.h"

namespace {

using csm::test::close;
using csm::test::same_values;

class MimiParity : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    const std::string dir = csm::test::fixture_path("tiny-a/" + GetParam());
    const std::string expected = csm::test::fixture_path("tiny-a/expected/expected.safetensors");
    if (dir.empty() || expected.empty()) {
      if (csm::test::fixtures_required()) FAIL() << "tiny-a fixture missing";
      GTEST_SKIP() << "tiny-a fixture missing";
    }
    expected_ = std::make_unique<csm::SafetensorsFile>(expected);
    const bool hf = GetParam() == "hf";
    const auto config = csm::load_mimi_config(dir + (hf ? "/config.json" : "/mimi_config.json"));
    const auto store = csm::TensorStore::open(dir + (hf ? "/model.safetensors" : "/mimi.safetensors"));
    codec_ = csm::MimiCodec::load(store, config, at::kCPU);
  }
  at::Tensor expect(const std::string& name) const { return expected_->tensor(name); }
  static at::Tensor as_batch(const at::Tensor& codes) { return codes.unsqueeze(0); }  // [C, T] -> [1, C, T]

  std::unique_ptr<csm::SafetensorsFile> expected_;
  std::shared_ptr<const csm::MimiCodec> codec_;
};

TEST_P(MimiParity, EncodeGivesTheReferenceCodes) {
  const auto codes = codec_->encode(expect("context_waveform").view({1, 1, -1}));
  EXPECT_TRUE(same_values(codes[0], expect("mimi_context_codes")));
}

TEST_P(MimiParity, DecodeMatchesTheReferenceAudio) {
  EXPECT_TRUE(close(codec_->decode(as_batch(expect("mimi_context_codes"))).flatten(), expect("mimi_context_decode"), 0, 1e-4));
  EXPECT_TRUE(close(codec_->decode(as_batch(expect("greedy_frames").t())).flatten(), expect("greedy_audio"), 0, 1e-4));
}

TEST_P(MimiParity, LongDecodeHonoursThe250StepWindow) {
  const auto audio = codec_->decode(as_batch(expect("mimi_long_codes"))).flatten();
  EXPECT_TRUE(close(audio, expect("mimi_long_decode"), 0, 1e-4));
  EXPECT_FALSE(close(audio, expect("mimi_long_decode_nowindow"), 0, 1e-3)) << "the window made no difference";
}

TEST_P(MimiParity, StreamingDecodeEqualsOneCallForAnyChunking) {
  const auto codes = as_batch(expect("mimi_long_codes"));
  const auto whole = codec_->decode(codes);
  for (const std::vector<int64_t>& chunks :
       {std::vector<int64_t>{1}, std::vector<int64_t>{3}, std::vector<int64_t>{7, 1, 2, 13, 5}}) {
    csm::MimiDecoderState state;
    std::vector<at::Tensor> pieces;
    int64_t t = 0;
    for (size_t i = 0; t < codes.size(2); ++i) {
      const int64_t n = std::min(chunks[i % chunks.size()], codes.size(2) - t);
      pieces.push_back(codec_->decode_step(codes.narrow(2, t, n), state));
      EXPECT_EQ(pieces.back().size(2), n * 1920);
      t += n;
    }
    EXPECT_TRUE(close(at::cat(pieces, 2), whole, 0, 1e-5)) << "chunks starting " << chunks[0];
  }
}

TEST_P(MimiParity, SeparateStatesAreSeparateStreams) {
  const auto a = as_batch(expect("mimi_context_codes")), b = as_batch(expect("greedy_frames").t());
  csm::MimiDecoderState sa, sb;
  std::vector<at::Tensor> pa, pb;
  for (int64_t t = 0; t < 12; ++t) {  // interleaved frame by frame
    pa.push_back(codec_->decode_step(a.narrow(2, t, 1), sa));
    pb.push_back(codec_->decode_step(b.narrow(2, t, 1), sb));
  }
  EXPECT_TRUE(close(at::cat(pa, 2), codec_->decode(a.narrow(2, 0, 12)), 0, 1e-5));
  EXPECT_TRUE(close(at::cat(pb, 2), codec_->decode(b), 0, 1e-5));
}

// Streams that join at different frames and decode in one batched call (some rows at a
// time, the others left alone) hear bit for bit what each hears decoded on its own with
// the same calls; and, within 1e-5, what frame-by-frame decoding gives it.
TEST_P(MimiParity, BatchedDecodeAcrossStreamsEqualsEachStreamAlone) {
  const auto long_codes = as_batch(expect("mimi_long_codes"));
  const std::vector<at::Tensor> streams{long_codes.narrow(2, 0, 40), as_batch(expect("greedy_frames").t()),
                                        long_codes.narrow(2, 40, 40)};
  const std::vector<int64_t> joins{0, 5, 9};  // the frame of the batch at which each stream starts
  auto bank = codec_->decoder_state(3);
  std::vector<std::vector<at::Tensor>> heard(3);
  for (int64_t frame = 0; frame < 60; ++frame) {
    std::vector<int64_t> rows;
    std::vector<at::Tensor> codes;
    for (int64_t s = 0; s < 3; ++s) {
      const int64_t t = frame - joins[s];
      if (t < 0 || t >= streams[s].size(2)) continue;
      if (t == 0) codec_->reset_row(bank, s);
      // Two frames at once every third frame, as a stream that waited for its chunk would.
      if (t % 3 == 1 && t + 1 < streams[s].size(2)) continue;
      const int64_t from = t % 3 == 2 ? t - 1 : t;
      rows.push_back(s);
      codes.push_back(streams[s].narrow(2, from, t - from + 1));
    }
    // Rows with the same number of frames go together, as the engine's decoder batches them.
    for (int64_t n : {1, 2}) {
      std::vector<int64_t> group;
      std::vector<at::Tensor> group_codes;
      for (size_t i = 0; i < rows.size(); ++i)
        if (codes[i].size(2) == n) {
          group.push_back(rows[i]);
          group_codes.push_back(codes[i]);
        }
      if (group.empty()) continue;
      const auto audio = codec_->decode_rows(at::cat(group_codes, 0), bank, group);
      for (size_t i = 0; i < group.size(); ++i) heard[group[i]].push_back(audio[i]);
    }
  }
  for (int64_t s = 0; s < 3; ++s) {
    const int64_t n = streams[s].size(2);
    csm::MimiDecoderState alone, frame_by_frame;
    std::vector<at::Tensor> same_calls, one_frame_calls;
    for (int64_t t = 0; t < n; ++t) {
      one_frame_calls.push_back(codec_->decode_step(streams[s].narrow(2, t, 1), frame_by_frame)[0]);
      if (t % 3 == 1 && t + 1 < n) continue;
      const int64_t from = t % 3 == 2 ? t - 1 : t;
      same_calls.push_back(codec_->decode_step(streams[s].narrow(2, from, t - from + 1), alone)[0]);
    }
    const auto got = at::cat(heard[s], -1), want = at::cat(same_calls, -1), stepwise = at::cat(one_frame_calls, -1);
    ASSERT_EQ(got.size(-1), want.size(-1)) << "stream " << s;
    EXPECT_TRUE(at::equal(got, want)) << "stream " << s << ": max difference "
                                      << (got - want).abs().max().item<double>();
    EXPECT_TRUE(close(got, stepwise, 0, 1e-5)) << "stream " << s;
  }
}

TEST_P(MimiParity, BadCodesAreRefused) {
  EXPECT_THROW(codec_->decode(at::full({1, 16, 2}, 2050, at::kLong)), csm::Error);
  EXPECT_THROW(codec_->decode(at::zeros({1, 8, 2}, at::kLong)), csm::Error);
}

INSTANTIATE_TEST_SUITE_P(BothLayouts, MimiParity, ::testing::Values("hf", "orig"));

}  // namespace

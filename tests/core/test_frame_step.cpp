// The one frame step: the same frames as a plain reference loop (the test oracle
// below), per-slot seeds that draw the same in any slot, slots that are released
// and reused, and a frame that is capturable by construction: no host syncs, the
// same operators on the same shapes every frame, buffers that never move.
#include <map>

#include <gtest/gtest.h>

#include "csm/error.h"
#include "generate/demo_model.h"
#include "generate/frame_census.h"
#include "support/frame_runner.h"
#include "generate/frame_step.h"
#include "model/csm_model.h"
#include "runtime/op_census.h"
#include "support/tensor_checks.h"
#include "support/text_prompt.h"

namespace {

using csm::test::same_values;
using csm::test::text_prompt;

std::shared_ptr<const csm::CsmModel> demo_model() {
  return csm::CsmModel::random(csm::demo_csm_config(), csm::kDemoSeed, at::kFloat, at::kCPU);
}


// The test oracle: spec §2.6 written plainly, one stream, greedy, full causal
// attention over exactly the positions so far (no window, no mask, no fused step).
std::vector<at::Tensor> reference_greedy_frames(const csm::CsmModel& m, const csm::PromptRows& prompt, int frames) {
  const int64_t cb = m.config().num_codebooks;
  auto cache = m.backbone().make_cache(1, m.config().backbone.max_positions, m.dtype());
  auto x = m.embed_rows(prompt.rows.unsqueeze(0), prompt.mask.unsqueeze(0));
  int64_t pos = 0;
  std::vector<at::Tensor> out;
  for (int t = 0; t < frames; ++t) {
    const auto hs = m.backbone().forward(x, pos, cache);
    pos += x.size(1);
    const auto h = hs.select(1, hs.size(1) - 1);
    std::vector<at::Tensor> codes{m.codebook0_logits(h).argmax(-1)};
    auto dcache = m.decoder().make_cache(1, cb, m.dtype());
    auto input = m.project(at::stack({h, m.embed_audio(codes[0], 0)}, 1));
    int64_t dpos = 0;
    for (int64_t i = 1; i < cb; ++i) {
      const auto o = m.decoder().forward(input, dpos, dcache);
      dpos += input.size(1);
      codes.push_back(m.codebook_logits(o.select(1, o.size(1) - 1), i).argmax(-1));
      input = m.project(m.embed_audio(codes.back(), i)).unsqueeze(1);
    }
    const auto frame = at::stack(codes, 1);  // [1, C]
    out.push_back(frame[0]);
    auto row = at::cat({frame, at::zeros({1, 1}, at::kLong)}, 1).unsqueeze(1);
    auto mask = at::ones({1, 1, cb + 1}, at::kBool);
    mask.select(2, cb).fill_(false);
    x = m.embed_rows(row, mask);
  }
  return out;
}

TEST(FrameStep, GreedyFramesEqualThePlainReferenceAcrossAnAttentionWindowBoundary) {
  const auto model = demo_model();
  const int cb = model->config().num_codebooks;
  // 250 prompt rows: frames 6.. are written past position 256, the first window bucket.
  const auto prompt = text_prompt(250, 1, cb);
  const auto expected = reference_greedy_frames(*model, prompt, 12);
  csm::test::FrameRunner generator(model, {prompt}, {{0.0f, 50, 0}, 12, 0, true});
  for (int t = 0; t < 12; ++t) EXPECT_TRUE(same_values(generator.next_frame()[0], expected[t])) << "frame " << t;
  EXPECT_EQ(generator.step().position(0), 250 + 12);
}

TEST(FrameStep, OneSeedSamplesTheSameCodesInEverySlotAndAlone) {
  const auto model = demo_model();
  const int cb = model->config().num_codebooks;
  const auto prompt = text_prompt(20, 5, cb);
  const csm::SamplingParams sampling{0.9f, 50, 1234};
  csm::test::FrameRunner alone(model, {prompt}, {sampling, 6, 2048, true});
  // Four slots: the same prompt and seed in slots 0 and 2, other seeds between.
  csm::FrameStep step(model, {4, 2048, true});
  step.prefill(0, prompt, sampling);
  step.prefill(1, prompt, {0.9f, 50, 99});
  step.prefill(2, prompt, sampling);
  step.prefill(3, text_prompt(33, 9, cb), {0.9f, 50, 1234});
  bool differed = false;
  for (int t = 0; t < 6; ++t) {
    const auto solo = alone.next_frame()[0];
    ASSERT_TRUE(step.run());
    const auto codes = step.codes();
    EXPECT_TRUE(same_values(codes[0], solo)) << "frame " << t;
    EXPECT_TRUE(same_values(codes[2], solo)) << "frame " << t;
    differed = differed || !at::equal(codes[1], solo);
  }
  EXPECT_TRUE(differed) << "another seed should draw other codes";
}

TEST(FrameStep, AReleasedSlotIsReusedAsIfNew) {
  const auto model = demo_model();
  const int cb = model->config().num_codebooks;
  const csm::SamplingParams sampling{0.9f, 50, 7};
  const auto fresh_prompt = text_prompt(15, 2, cb);
  csm::test::FrameRunner fresh(model, {fresh_prompt}, {sampling, 5, 2048, true});
  csm::FrameStep step(model, {2, 2048, true});
  step.prefill(0, text_prompt(40, 3, cb), {0.9f, 50, 1});
  step.prefill(1, text_prompt(60, 4, cb), {0.9f, 50, 2});
  for (int t = 0; t < 4; ++t) ASSERT_TRUE(step.run());
  step.release(0);
  const int64_t held = step.position(1);
  step.prefill(0, fresh_prompt, sampling);  // a new stream joins between two frames
  for (int t = 0; t < 5; ++t) {
    ASSERT_TRUE(step.run());
    EXPECT_TRUE(same_values(step.codes()[0], fresh.next_frame()[0])) << "frame " << t;
  }
  EXPECT_EQ(step.position(1), held + 5);
}

// Codebook depth (issue #23): a stream that generates N codebooks gets its first N of
// the frame, zeros beyond; it draws the same among deeper streams as alone; its first
// frame is the full-depth stream's first N codes (the depth decoder is causal), and
// what the next backbone row holds for the rest (left out or the pad id) changes what
// follows.
TEST(FrameStep, AShallowStreamGetsItsFirstCodebooksAmongDeeperOnesAsAlone) {
  const auto model = demo_model();
  const int cb = model->config().num_codebooks;
  const int64_t depth = cb / 2;
  const auto prompt = text_prompt(18, 4, cb);
  const csm::SamplingParams sampling{0.9f, 50, 321};
  const auto frames_of = [&](csm::FrameStep& step, int64_t slot, int count) {
    std::vector<at::Tensor> out;
    for (int t = 0; t < count; ++t) {
      EXPECT_TRUE(step.run());
      out.push_back(step.codes()[slot].clone());
    }
    return out;
  };
  csm::FrameStep alone(model, {1, 2048, true});
  alone.prefill(0, prompt, sampling, {depth, false});
  const auto shallow = frames_of(alone, 0, 5);
  csm::FrameStep mixed(model, {3, 2048, true});
  mixed.prefill(0, text_prompt(30, 8, cb), {0.9f, 50, 5});
  mixed.prefill(1, prompt, sampling, {depth, false});
  mixed.prefill(2, text_prompt(11, 2, cb), {0.9f, 50, 6}, {cb - 1, true});
  const auto among = frames_of(mixed, 1, 5);
  for (int t = 0; t < 5; ++t) {
    EXPECT_TRUE(same_values(among[t], shallow[t])) << "frame " << t;
    EXPECT_EQ(shallow[t].narrow(0, depth, cb - depth).abs().sum().item<int64_t>(), 0) << "frame " << t;
  }
  csm::FrameStep full(model, {1, 2048, true});
  full.prefill(0, prompt, sampling);
  const auto deep = frames_of(full, 0, 5);
  EXPECT_TRUE(same_values(deep[0].narrow(0, 0, depth), shallow[0].narrow(0, 0, depth)));
  csm::FrameStep padded(model, {1, 2048, true});
  padded.prefill(0, prompt, sampling, {depth, true});
  const auto pad = frames_of(padded, 0, 5);
  EXPECT_TRUE(same_values(pad[0], shallow[0]));
  bool differed = false;
  for (int t = 1; t < 5; ++t) differed = differed || !at::equal(pad[t], shallow[t]);
  EXPECT_TRUE(differed) << "the pad id in the backbone row made no difference";
}

// Depth-decoder sampling of its own (issue #23): codebook 0 sampled, the depth decoder
// greedy. Then codebooks 1.. do not depend on the seed given codebook 0: two seeds that
// draw the same codebook 0 agree on the whole frame, and a greedy run agrees with a
// run whose depth decoder alone is greedy wherever their codebook 0 agrees.
TEST(FrameStep, TheDepthDecodersSamplingIsItsOwn) {
  const auto model = demo_model();
  const int cb = model->config().num_codebooks;
  const auto prompt = text_prompt(25, 3, cb);
  csm::SamplingParams depth_greedy{1.5f, 2, 11};  // codebook 0 one of two: seeds collide
  depth_greedy.depth_temperature = 0.0f;
  csm::FrameStep sampled(model, {1, 2048, true}), greedy(model, {1, 2048, true});
  sampled.prefill(0, prompt, depth_greedy);
  greedy.prefill(0, prompt, {0.0f, 50, 11});
  ASSERT_TRUE(sampled.run());
  ASSERT_TRUE(greedy.run());
  const auto a = sampled.codes()[0].clone(), g = greedy.codes()[0].clone();
  if (a[0].item<int64_t>() == g[0].item<int64_t>()) EXPECT_TRUE(same_values(a, g));
  // Across many seeds the frame follows codebook 0 alone: equal c0, equal frame.
  std::map<int64_t, at::Tensor> by_c0;
  int compared = 0;
  for (uint64_t seed = 0; seed < 24; ++seed) {
    csm::FrameStep step(model, {1, 2048, true});
    depth_greedy.seed = seed;
    step.prefill(0, prompt, depth_greedy);
    ASSERT_TRUE(step.run());
    const auto frame = step.codes()[0].clone();
    const auto c0 = frame[0].item<int64_t>();
    if (by_c0.count(c0)) {
      EXPECT_TRUE(same_values(frame, by_c0[c0])) << "seed " << seed;
      ++compared;
    } else {
      by_c0[c0] = frame;
    }
  }
  EXPECT_GT(compared, 0) << "no two seeds drew the same codebook 0: the test compared nothing";
  EXPECT_GT(by_c0.size(), 1u) << "codebook 0 was not sampled";
}

TEST(FrameStep, CancelInsideAFrameDropsItAndAdvancesNothing) {
  const auto model = demo_model();
  csm::FrameStep step(model, {1, 2048, true});
  step.prefill(0, text_prompt(10, 1, model->config().num_codebooks), {0.0f, 50, 0});
  int checks = 0;
  EXPECT_FALSE(step.run([&] { return ++checks > 3; }));
  EXPECT_EQ(checks, 4);  // asked between depth steps, stopped at the first "yes"
  EXPECT_EQ(step.position(0), 10);
}

// The census is able to fail: an operator that reads a device value on the host is seen.
TEST(FrameCensus, TheObserverSeesAHostRead) {
  csm::OpCensus census;
  census.begin();
  const auto x = at::arange(10, at::kLong);
  (void)x.sum().item<int64_t>();
  const auto record = census.end();
  EXPECT_FALSE(record.ops.empty());
  ASSERT_EQ(record.host_syncs.size(), 1u);
  EXPECT_NE(record.host_syncs[0].find("_local_scalar_dense"), std::string::npos);
}

TEST(FrameCensus, AFrameHasNoHostSyncsAndIsStaticAtBatchOneAndEight) {
  const auto model = demo_model();
  const int cb = model->config().num_codebooks;
  for (int batch : {1, 8}) {
    std::vector<csm::PromptRows> prompts;
    for (int b = 0; b < batch; ++b) prompts.push_back(text_prompt(12 + 3 * b, b, cb));
    const auto census = csm::take_frame_census(model, prompts, 2048);
    EXPECT_EQ(census.host_syncs_per_frame, 0) << "batch " << batch << ": " << census.host_sync_ops.size()
                                              << " syncs, first: "
                                              << (census.host_sync_ops.empty() ? "" : census.host_sync_ops[0]);
    EXPECT_TRUE(census.frame_is_static) << "batch " << batch << ": " << census.first_difference;
    EXPECT_GT(census.aten_ops_per_frame, 100) << "batch " << batch;
    // Kernels: fewer than operators (views and nesting do not launch), every part has some.
    EXPECT_GT(census.kernels_per_frame, 100) << "batch " << batch;
    EXPECT_LT(census.kernels_per_frame, census.aten_ops_per_frame) << "batch " << batch;
    int64_t parts = 0;
    for (const char* part : {"backbone", "depth_decoder", "sampler", "other"}) {
      ASSERT_TRUE(census.kernels_by_part.count(part)) << part;
      EXPECT_GT(census.kernels_by_part.at(part), 0) << part;
      parts += census.kernels_by_part.at(part);
    }
    EXPECT_EQ(parts, census.kernels_per_frame);
  }
}

TEST(OpCensus, CountsKernelsAsLeafOperatorsThatWriteMemoryByPart) {
  const auto a = at::ones({4, 4}), b = at::ones({4, 4});
  csm::OpCensus census;
  census.begin();
  {
    csm::OpCensus::Part part("maths");
    (void)a.add(b);                // one kernel
    (void)a.view({16}).select(0, 3);  // views: none
  }
  (void)a.t().contiguous();  // a copy inside contiguous: one kernel, outside any part
  const auto record = census.end();
  EXPECT_EQ(record.kernels_by_part.at("maths"), 1);
  EXPECT_EQ(record.kernels_by_part.at("other"), 1);
  EXPECT_EQ(record.kernels(), 2);
}

}  // namespace

// The frame step on a real GPU (run by scripts/gpu-check.sh; skipped without CUDA):
// fp32 codes equal the reference fixtures, a replayed CUDA graph makes exactly the
// frames eager runs make (fp32) or agrees with them (bf16), bf16 stays within a stated
// tolerance of the fp32 reference, and a frame reads nothing back to the host.
#include <gtest/gtest.h>

#include "generate/demo_model.h"
#include "generate/frame_census.h"
#include "support/frame_runner.h"
#include "generate/frame_step.h"
#include "io/safetensors_file.h"
#include "io/tensor_store.h"
#include "model/csm_config.h"
#include "model/csm_model.h"
#include "runtime/cuda_graph.h"
#include "support/fixtures.h"
#include "support/tensor_checks.h"
#include "support/text_prompt.h"

namespace {

using csm::test::same_values;
using csm::test::text_prompt;

#define CSM_REQUIRE_CUDA()                                                    \
  if (!csm::cuda_graphs_supported()) GTEST_SKIP() << "no CUDA build or no CUDA device"

std::shared_ptr<const csm::CsmModel> fixture_model(const std::string& dir, at::ScalarType dtype) {
  return csm::CsmModel::load(csm::TensorStore::open(dir), csm::load_csm_config(dir + "/config.json"), dtype,
                             at::Device(at::kCUDA, 0));
}


TEST(CudaFrameStep, GreedyFramesInFp32EqualTheFixtureWithGraphsAndWithout) {
  CSM_REQUIRE_CUDA();
  CSM_REQUIRE_FIXTURE(dir, "tiny-a/hf");
  CSM_REQUIRE_FIXTURE(expected_path, "tiny-a/expected/expected.safetensors");
  const csm::SafetensorsFile expected(expected_path);
  const auto model = fixture_model(dir, at::kFloat);
  const auto frames = expected.tensor("greedy_frames");
  const csm::PromptRows prompt{expected.tensor("prompt_tokens"), expected.tensor("prompt_mask")};
  for (bool graphs : {true, false}) {
    csm::test::FrameRunner generator(model, {prompt}, {{0.0f, 50, 0}, frames.size(0), 0, graphs});
    for (int64_t t = 0; t < frames.size(0); ++t)
      EXPECT_TRUE(same_values(generator.next_frame()[0], frames[t])) << "frame " << t << (graphs ? " (graph)" : "");
    EXPECT_EQ(generator.step().graphed_last(), graphs) << generator.step().graph_note();
    // A replayed frame says how many nodes (kernels and copies) its graph launches.
    if (graphs) EXPECT_GT(generator.step().graph_nodes(), 0);
  }
}

TEST(CudaFrameStep, AReplayedGraphSamplesExactlyWhatEagerSamples) {
  CSM_REQUIRE_CUDA();
  const auto model = csm::CsmModel::random(csm::demo_csm_config(), csm::kDemoSeed, at::kFloat, at::Device(at::kCUDA, 0));
  const int cb = model->config().num_codebooks;
  std::vector<at::Tensor> runs[2];
  for (int graphs = 0; graphs < 2; ++graphs) {
    csm::FrameStep step(model, {4, 2048, graphs == 1});
    for (int b = 0; b < 4; ++b) step.prefill(b, text_prompt(20 + 9 * b, b, cb), {0.9f, 50, uint64_t(77 + b)});
    for (int t = 0; t < 16; ++t) {
      ASSERT_TRUE(step.run());
      runs[graphs].push_back(step.codes().clone());
    }
    EXPECT_EQ(step.graphed_last(), graphs == 1) << step.graph_note();
  }
  for (int t = 0; t < 16; ++t) EXPECT_TRUE(same_values(runs[1][t], runs[0][t])) << "frame " << t;
}

TEST(CudaFrameStep, Bf16Codebook0LogitsStayWithinFivePercentOfTheFp32Reference) {
  CSM_REQUIRE_CUDA();
  CSM_REQUIRE_FIXTURE(dir, "tiny-a/hf");
  CSM_REQUIRE_FIXTURE(expected_path, "tiny-a/expected/expected.safetensors");
  const csm::SafetensorsFile expected(expected_path);
  const auto model = fixture_model(dir, at::kBFloat16);
  csm::FrameStep step(model, {1, 0, true});
  step.prefill(0, {expected.tensor("prompt_tokens"), expected.tensor("prompt_mask")}, {0.0f, 50, 0});
  ASSERT_TRUE(step.run());
  const auto logits = step.c0_logits()[0].to(at::kCPU);
  const auto reference = expected.tensor("prompt_c0_logits");
  const double scale = reference.abs().max().item<double>();
  const double worst = (logits - reference).abs().max().item<double>();
  EXPECT_LT(worst / scale, 0.05) << "max abs diff " << worst << " of range " << scale;
  EXPECT_EQ(logits.argmax().item<int64_t>(), reference.argmax().item<int64_t>());
}

// bf16 with graphs, the way a GPU user runs: the replayed frames agree with eager ones.
// Not bit for bit (a captured GEMM may pick another cuBLAS algorithm than an eager
// one, and one flipped code sends a sampled stream elsewhere), so: the first frame's
// codebook-0 logits within 2 % of their range, its codebook-0 codes in 3 of 4 streams,
// and every code of every frame a decodable one.
TEST(CudaFrameStep, Bf16GraphsReplayWhatEagerFramesMake) {
  CSM_REQUIRE_CUDA();
  const auto model =
      csm::CsmModel::random(csm::demo_csm_config(), csm::kDemoSeed, at::kBFloat16, at::Device(at::kCUDA, 0));
  const int cb = model->config().num_codebooks;
  std::vector<at::Tensor> codes[2], logits[2];
  for (int graphs = 0; graphs < 2; ++graphs) {
    csm::FrameStep step(model, {4, 2048, graphs == 1});
    for (int b = 0; b < 4; ++b) step.prefill(b, text_prompt(20 + 9 * b, b, cb), {0.9f, 50, uint64_t(77 + b)});
    for (int t = 0; t < 8; ++t) {
      ASSERT_TRUE(step.run());
      codes[graphs].push_back(step.codes().clone());
      logits[graphs].push_back(step.c0_logits().to(at::kCPU).clone());
    }
    EXPECT_EQ(step.graphed_last(), graphs == 1) << step.graph_note();
    for (const auto& frame : codes[graphs]) EXPECT_LT(frame.max().item<int64_t>(), 2048);
  }
  const double range = logits[0][0].abs().max().item<double>();
  EXPECT_LT((logits[1][0] - logits[0][0]).abs().max().item<double>() / range, 0.02);
  EXPECT_GE(codes[1][0].select(1, 0).eq(codes[0][0].select(1, 0)).sum().item<int64_t>(), 3);
}

TEST(CudaFrameStep, AFrameReadsNothingBackAndIsStatic) {
  CSM_REQUIRE_CUDA();
  const auto model =
      csm::CsmModel::random(csm::demo_csm_config(), csm::kDemoSeed, at::kBFloat16, at::Device(at::kCUDA, 0));
  for (int batch : {1, 8}) {
    std::vector<csm::PromptRows> prompts;
    for (int b = 0; b < batch; ++b) prompts.push_back(text_prompt(12 + 3 * b, b, model->config().num_codebooks));
    const auto census = csm::take_frame_census(model, prompts, 2048);
    EXPECT_EQ(census.host_syncs_per_frame, 0)
        << "batch " << batch << ": " << (census.host_sync_ops.empty() ? "" : census.host_sync_ops[0]);
    EXPECT_TRUE(census.frame_is_static) << "batch " << batch << ": " << census.first_difference;
  }
}

}  // namespace

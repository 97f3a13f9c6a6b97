// Mimi on the GPU (run by scripts/gpu-check.sh; skipped without CUDA): the decode
// matches the fixture and the CPU, streams decoded batched on the device hear what
// each hears alone, and an engine on CUDA streams audio through its decode thread.
#include <gtest/gtest.h>

#include "codec/mimi_codec.h"
#include "codec/mimi_config.h"
#include "csm/engine.h"
#include "io/safetensors_file.h"
#include "io/tensor_store.h"
#include "runtime/cuda_graph.h"
#include "support/fixtures.h"
#include "support/tensor_checks.h"

namespace {

using csm::test::close;

#define CSM_REQUIRE_CUDA() \
  if (!csm::cuda_graphs_supported()) GTEST_SKIP() << "no CUDA build or no CUDA device"

std::shared_ptr<const csm::MimiCodec> fixture_mimi(const std::string& dir, at::Device device) {
  return csm::MimiCodec::load(csm::TensorStore::open(dir + "/model.safetensors"),
                              csm::load_mimi_config(dir + "/config.json"), device);
}

TEST(CudaMimi, DecodeOnTheGpuMatchesTheReferenceAndTheCpu) {
  CSM_REQUIRE_CUDA();
  CSM_REQUIRE_FIXTURE(dir, "tiny-a/hf");
  CSM_REQUIRE_FIXTURE(expected_path, "tiny-a/expected/expected.safetensors");
  const csm::SafetensorsFile expected(expected_path);
  const auto gpu = fixture_mimi(dir, at::Device(at::kCUDA, 0));
  const auto codes = expected.tensor("mimi_long_codes").unsqueeze(0);
  const auto on_gpu = gpu->decode(codes).to(at::kCPU);
  EXPECT_TRUE(close(on_gpu.flatten(), expected.tensor("mimi_long_decode"), 0, 1e-4));
  EXPECT_TRUE(close(on_gpu, fixture_mimi(dir, at::kCPU)->decode(codes), 0, 1e-4));
  // Encoding a clip on the GPU gives the reference codes.
  const auto encoded = gpu->encode(expected.tensor("context_waveform").view({1, 1, -1}).to(at::Device(at::kCUDA, 0)));
  EXPECT_TRUE(csm::test::same_values(encoded[0].to(at::kCPU), expected.tensor("mimi_context_codes")));
}

TEST(CudaMimi, StreamsDecodedTogetherOnTheGpuHearWhatEachHearsAlone) {
  CSM_REQUIRE_CUDA();
  CSM_REQUIRE_FIXTURE(dir, "tiny-a/hf");
  CSM_REQUIRE_FIXTURE(expected_path, "tiny-a/expected/expected.safetensors");
  const csm::SafetensorsFile expected(expected_path);
  const auto mimi = fixture_mimi(dir, at::Device(at::kCUDA, 0));
  const auto codes = expected.tensor("mimi_long_codes").unsqueeze(0);
  const std::vector<at::Tensor> streams{codes.narrow(2, 0, 24), codes.narrow(2, 24, 24), codes.narrow(2, 48, 24)};
  auto bank = mimi->decoder_state(3);
  std::vector<std::vector<at::Tensor>> heard(3);
  for (int64_t t = 0; t < 24 + 4; ++t) {  // stream s joins at frame 2s
    std::vector<int64_t> rows;
    std::vector<at::Tensor> frame;
    for (int64_t s = 0; s < 3; ++s) {
      const int64_t own = t - 2 * s;
      if (own < 0 || own >= 24) continue;
      if (own == 0) mimi->reset_row(bank, s);
      rows.push_back(s);
      frame.push_back(streams[s].narrow(2, own, 1));
    }
    const auto audio = mimi->decode_rows(at::cat(frame, 0), bank, rows).to(at::kCPU);
    for (size_t i = 0; i < rows.size(); ++i) heard[rows[i]].push_back(audio[i]);
  }
  for (int64_t s = 0; s < 3; ++s) {
    csm::MimiDecoderState alone;
    std::vector<at::Tensor> want;
    for (int64_t t = 0; t < 24; ++t) want.push_back(mimi->decode_step(streams[s].narrow(2, t, 1), alone)[0].to(at::kCPU));
    EXPECT_TRUE(close(at::cat(heard[s], -1), at::cat(want, -1), 0, 1e-4)) << "stream " << s;
  }
}

TEST(CudaMimi, AnEngineOnCudaStreamsAudioThroughItsDecodeThread) {
  CSM_REQUIRE_CUDA();
  csm::EngineOptions options;
  options.model = "demo";
  options.device = "cuda";
  options.max_streams = 4;
  const auto engine = csm::Engine::load(options);
  csm::StreamingConfig config;
  config.max_audio_ms = 1600;
  std::vector<csm::Request> requests;
  for (int i = 0; i < 3; ++i) requests.push_back({"Three at once on the GPU.", i, {}});
  auto session = engine->start(requests, config);
  std::vector<size_t> samples(3, 0), frames(3, 0);
  while (auto chunk = session->next()) {
    samples[static_cast<size_t>(chunk->stream)] += chunk->samples.size();
    frames[static_cast<size_t>(chunk->stream)] += chunk->codes.size();
  }
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(frames[i], 20u) << "stream " << i;
    EXPECT_EQ(samples[i], frames[i] * 1920) << "stream " << i;
  }
}

}  // namespace

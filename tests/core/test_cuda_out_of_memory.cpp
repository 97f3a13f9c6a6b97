// Out of memory on a real GPU: the CUDA caching allocator is capped a little above
// what the loaded model holds, so a big batch's caches cannot fit. The error must
// say so, and the same engine must then run a small batch. Skipped without CUDA.
#include <gtest/gtest.h>

#include "csm/engine.h"
#include "csm/error.h"
#include "runtime/torch_compat.h"

#if defined(CSM_WITH_CUDA)
#include <c10/cuda/CUDACachingAllocator.h>
#endif

namespace {

TEST(CudaOutOfMemory, TooManyStreamsFailClearlyAndFewerRunOnTheSameEngine) {
#if !defined(CSM_WITH_CUDA)
  GTEST_SKIP() << "this LibTorch has no CUDA";
#else
  if (!at::hasCUDA()) GTEST_SKIP() << "no CUDA device";
  // Full-size CSM in bf16 (~2 GiB); each stream's backbone cache is ~64 MiB.
  const auto engine = csm::Engine::load({"random:csm-1b", "", "", "cuda", "bfloat16", {}});
  size_t free_bytes = 0, total_bytes = 0;
  ASSERT_EQ(cudaMemGetInfo(&free_bytes, &total_bytes), cudaSuccess);
  const int64_t held = csm::compat::device_memory_allocated(0);
  ASSERT_GT(held, int64_t(1) << 30) << "the model is not on the GPU";
  const double fraction = double(held + (int64_t(1) << 30)) / double(total_bytes);  // 1 GiB of room
  c10::cuda::CUDACachingAllocator::setMemoryFraction(fraction, 0);

  csm::StreamingConfig config;
  config.max_audio_ms = 400;
  std::vector<csm::Request> many;
  for (int i = 0; i < 64; ++i) many.push_back({"Sixty-four streams do not fit in one gigabyte.", 0, {}});
  try {
    auto session = engine->start(many, config);
    while (session->next()) {
    }
    ADD_FAILURE() << "64 streams fit in 1 GiB";
  } catch (const csm::Error& e) {
    EXPECT_EQ(e.code(), csm::ErrorCode::OutOfMemory) << e.what();
    EXPECT_NE(std::string(e.what()).find("out of memory while"), std::string::npos) << e.what();
    EXPECT_NE(e.hint().find("fewer streams"), std::string::npos) << e.hint();
  }

  std::vector<csm::Request> two(2, csm::Request{"Two streams fit.", 0, {}});
  auto session = engine->start(two, config);
  int64_t samples = 0;
  while (auto chunk = session->next()) samples += static_cast<int64_t>(chunk->samples.size());
  c10::cuda::CUDACachingAllocator::setMemoryFraction(1.0, 0);
  EXPECT_EQ(samples, 2 * 5 * 1920);
#endif
}

}  // namespace

// One engine, many threads: sessions generated, cancelled and destroyed at the
// same time from different threads. Run under TSan by scripts/tsan.sh.
#include <atomic>
#include <cmath>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "csm/engine.h"

namespace {

TEST(Concurrency, SessionsRunCancelAndDieOnManyThreadsAtOnce) {
  const auto engine = csm::Engine::load({"demo"});
  std::atomic<int> finished{0}, cancelled{0}, destroyed_early{0}, bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      for (int run = 0; run < 3; ++run) {
        csm::StreamingConfig config;
        config.max_audio_ms = 80 * (4 + static_cast<int>(rng() % 8));
        config.chunk_size_ms = 80 * (1 + static_cast<int>(rng() % 3));
        config.sampling.seed = rng();
        csm::CancelToken cancel;
        auto session = engine->start({{"Thread " + std::to_string(t) + " run " + std::to_string(run), t % 3, {}}},
                                     config, cancel);
        const int mode = static_cast<int>(rng() % 3);  // 0: to the end, 1: cancelled by another thread, 2: dropped
        std::thread canceller;
        if (mode == 1) canceller = std::thread([cancel] {
          std::this_thread::sleep_for(std::chrono::milliseconds(30));
          cancel.cancel();
        });
        int64_t frames = 0;
        while (auto chunk = session->next()) {
          frames += static_cast<int64_t>(chunk->codes.size());
          if (chunk->samples.size() != chunk->codes.size() * 1920) ++bad;
          for (float s : chunk->samples)
            if (!std::isfinite(s)) {
              ++bad;
              break;
            }
          if (mode == 2 && frames >= 2) break;  // destroy the session mid-run
        }
        if (canceller.joinable()) canceller.join();
        if (mode == 2) ++destroyed_early;
        else if (session->summary().streams[0].stop == csm::StopReason::Cancelled) ++cancelled;
        else ++finished;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(finished + cancelled + destroyed_early, 12);
  // The engine is still usable afterwards.
  csm::StreamingConfig config;
  config.max_audio_ms = 160;
  auto session = engine->start({{"After the storm.", 0, {}}}, config);
  int64_t frames = 0;
  while (auto chunk = session->next()) frames += static_cast<int64_t>(chunk->codes.size());
  EXPECT_EQ(frames, 2);
}

}  // namespace

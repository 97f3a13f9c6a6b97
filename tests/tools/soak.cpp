// soak SECONDS [MODEL]: generates continuously with the streaming engine (the demo
// model by default), checking every run's output, and watching memory. After a
// warm-up, resident memory must stay flat. Prints one JSON line per run, then a
// summary line, and exits non-zero on a bad run or growing memory.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "csm/engine.h"
#include "csm/error.h"
#include "csm/system_info.h"

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::stod(argv[1]) : 60;
  const std::string model = argc > 2 ? argv[2] : "demo";
  try {
    const auto engine = csm::Engine::load({model});
    std::mt19937 rng(1);
    const auto start = std::chrono::steady_clock::now();
    const auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
    std::vector<double> rss_mib;
    int runs = 0, bad = 0;
    while (elapsed() < seconds || runs < 6) {
      csm::StreamingConfig config;
      config.chunk_size_ms = 80 * (1 + static_cast<int>(rng() % 4));
      config.first_chunk_ms = 80;
      config.frame_batch_size = 1 + static_cast<int>(rng() % 4);
      config.max_audio_ms = 80 * (10 + static_cast<int>(rng() % 20));
      config.seed = rng();
      std::vector<csm::Request> requests;
      const int streams = 1 + static_cast<int>(rng() % 3);
      for (int s = 0; s < streams; ++s) requests.push_back({"Soak run " + std::to_string(runs) + ", stream " + std::to_string(s), s, {}});
      auto session = engine->start(requests, config);
      int64_t frames = 0, samples = 0;
      bool finite = true;
      while (auto chunk = session->next()) {
        frames += static_cast<int64_t>(chunk->codes.size());
        samples += static_cast<int64_t>(chunk->samples.size());
        for (float v : chunk->samples) finite = finite && std::isfinite(v);
      }
      const bool ok = finite && samples == frames * 1920 && frames == streams * (config.max_audio_ms / 80);
      bad += ok ? 0 : 1;
      rss_mib.push_back(csm::resident_memory_bytes() / (1024.0 * 1024.0));
      std::printf("{\"run\": %d, \"streams\": %d, \"frames\": %lld, \"ok\": %s, \"rss_mib\": %.1f, \"rtf\": %.3f}\n", runs,
                  streams, static_cast<long long>(frames), ok ? "true" : "false", rss_mib.back(), session->summary().rtf);
      ++runs;
    }
    // Flat after warm-up: the last third may not exceed the first post-warm-up third by more than 5%.
    const size_t warm = rss_mib.size() / 3;
    double early = 0, late = 0;
    for (size_t i = warm; i < 2 * warm; ++i) early = std::max(early, rss_mib[i]);
    for (size_t i = 2 * warm; i < rss_mib.size(); ++i) late = std::max(late, rss_mib[i]);
    const bool flat = late <= early * 1.05 + 8;
    std::printf("{\"summary\": true, \"runs\": %d, \"bad_runs\": %d, \"rss_early_mib\": %.1f, \"rss_late_mib\": %.1f, "
                "\"memory_flat\": %s, \"seconds\": %.1f}\n",
                runs, bad, early, late, flat ? "true" : "false", elapsed());
    if (bad == 0 && flat) std::printf("1 passed, 0 failed\n");
    return bad == 0 && flat ? 0 : 1;
  } catch (const csm::Error& e) {
    std::fprintf(stderr, "soak: %s\n", e.what());
    return 1;
  }
}

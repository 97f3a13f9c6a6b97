// soak SECONDS [MODEL [DEVICE]]: generates continuously with the streaming engine
// (the demo model on the CPU by default), checking every run's output, and watching
// memory. After a warm-up, resident and device memory must stay flat. Prints one
// JSON line per run, then a summary line, and exits non-zero on a bad run or
// growing memory.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "csm/engine.h"
#include "csm/error.h"
#include "csm/system_info.h"

namespace {

// Flat after warm-up: the last third may not exceed the middle third by more than 5% (+8 MiB).
struct Flatness {
  double early = 0, late = 0;
  bool flat = true;
};
Flatness flatness(const std::vector<double>& mib) {
  Flatness f;
  const size_t warm = mib.size() / 3;
  for (size_t i = warm; i < 2 * warm; ++i) f.early = std::max(f.early, mib[i]);
  for (size_t i = 2 * warm; i < mib.size(); ++i) f.late = std::max(f.late, mib[i]);
  f.flat = f.late <= f.early * 1.05 + 8;
  return f;
}

// A run is good when every sample is finite, every frame decoded, and each stream
// stopped as a model may (its end of speech, or the length asked for).
bool run_is_good(const csm::RunSummary& summary, int64_t frames, int64_t samples, bool finite, int64_t max_frames) {
  int64_t counted = 0;
  for (const auto& s : summary.streams) {
    counted += s.frames;
    if (s.stop != csm::StopReason::EndOfSpeech && s.stop != csm::StopReason::MaxLength) return false;
    if (s.stop == csm::StopReason::MaxLength && s.frames != max_frames) return false;
  }
  return finite && samples == frames * 1920 && frames == counted;
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::stod(argv[1]) : 60;
  const std::string model = argc > 2 ? argv[2] : "demo";
  const std::string device = argc > 3 ? argv[3] : "cpu";
  try {
    csm::EngineOptions options;
    options.model = model;
    options.device = device;
    const auto engine = csm::Engine::load(options);
    std::mt19937 rng(1);
    const auto start = std::chrono::steady_clock::now();
    const auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
    std::vector<double> rss_mib, device_mib;
    int runs = 0, bad = 0;
    while (elapsed() < seconds || runs < 6) {
      csm::StreamingConfig config;
      config.chunk_size_ms = 80 * (1 + static_cast<int>(rng() % 4));
      config.first_chunk_ms = 80;
      config.frame_batch_size = 1 + static_cast<int>(rng() % 4);
      config.max_audio_ms = 80 * (10 + static_cast<int>(rng() % 20));
      config.sampling.seed = rng();
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
      const auto& summary = session->summary();
      const bool ok = run_is_good(summary, frames, samples, finite, config.max_frames());
      bad += ok ? 0 : 1;
      rss_mib.push_back(csm::resident_memory_bytes() / (1024.0 * 1024.0));
      device_mib.push_back(summary.peak_device_bytes / (1024.0 * 1024.0));
      std::printf("{\"run\": %d, \"streams\": %d, \"frames\": %lld, \"ok\": %s, \"rss_mib\": %.1f, "
                  "\"device_mib\": %.1f, \"rtf\": %.3f}\n",
                  runs, streams, static_cast<long long>(frames), ok ? "true" : "false", rss_mib.back(),
                  device_mib.back(), summary.rtf);
      ++runs;
    }
    const Flatness rss = flatness(rss_mib), dev = flatness(device_mib);
    const bool flat = rss.flat && dev.flat;
    std::printf("{\"summary\": true, \"model\": \"%s\", \"device\": \"%s\", \"runs\": %d, \"bad_runs\": %d, "
                "\"rss_early_mib\": %.1f, \"rss_late_mib\": %.1f, \"device_early_mib\": %.1f, \"device_late_mib\": %.1f, "
                "\"memory_flat\": %s, \"seconds\": %.1f}\n",
                engine->info().model.c_str(), engine->info().device.c_str(), runs, bad, rss.early, rss.late, dev.early,
                dev.late, flat ? "true" : "false", elapsed());
    if (bad == 0 && flat) std::printf("1 passed, 0 failed\n");
    return bad == 0 && flat ? 0 : 1;
  } catch (const csm::Error& e) {
    std::fprintf(stderr, "soak: %s\n", e.what());
    return 1;
  }
}

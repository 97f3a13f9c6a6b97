#include "csm-bench/memory_bandwidth.h"

#include <chrono>

#include <ATen/ATen.h>

namespace csm::bench {

double measure_read_bandwidth_gbs() {
  const int64_t elements = int64_t(1) << 28;  // 1 GiB of float32
  const auto buffer = at::ones({elements}, at::kFloat);
  (void)buffer.sum().item<float>();  // touch every page once before timing
  double best = 0;
  for (int i = 0; i < 5; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    (void)buffer.sum().item<float>();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::max(best, elements * 4.0 / s / 1e9);
  }
  return best;
}

}  // namespace csm::bench

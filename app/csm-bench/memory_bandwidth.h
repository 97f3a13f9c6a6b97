#pragma once

namespace csm::bench {
// Sustained read bandwidth of main memory in GB/s, from summing a buffer far
// larger than the caches with every LibTorch thread (as weight reads do).
double measure_read_bandwidth_gbs();
}  // namespace csm::bench

#pragma once
// csm-bench --benchmark: sweeps chunk size x frame batch x (CUDA graphs) x stream
// batch on one engine, measures each run, and recommends settings.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace csm::bench {

struct SweepOptions {
  std::string model, tokenizer, codec, device = "cpu", dtype = "auto", attention;
  std::vector<int> chunk_sizes_ms{80, 160, 320};
  std::vector<int> frame_batches{1, 2, 4};
  std::vector<int> stream_batches{1, 2, 4};
  int frames = 24;  // audio per stream per run
  double rtf_target = 0.3;
};

// Rows (one per configuration) and a recommendation.
nlohmann::json run_sweep(const SweepOptions& options);
std::string sweep_csv(const nlohmann::json& report);
std::string sweep_table(const nlohmann::json& report);
std::vector<int> parse_int_list(const std::string& text, const std::string& flag);

}  // namespace csm::bench

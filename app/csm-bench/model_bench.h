#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace csm::bench {

struct ModelBenchOptions {
  std::string model;      // folder, HF cache folder or random:csm-1b
  std::string tokenizer;
  std::string device = "cpu";
  std::string dtype = "auto";
  std::string attention;  // --sdpa
  int warmup_frames = 1;
  int frames = 3;
  // Batches whose frame step is watched (operators, host syncs, static shapes) and
  // timed for `frames` frames: the frame-level batch sweep. Empty: none.
  std::vector<int> census_batches{1, 8};
  // Codebook depths timed at batch 1 (ms per frame, depth decoder ms). Empty: none.
  std::vector<int> codebooks;
  bool cuda_graphs = true;
};

// ms per frame split into backbone and depth decoder, next to the memory-bandwidth
// floor of this machine measured in the same run.
nlohmann::json model_report(const ModelBenchOptions& options);

}  // namespace csm::bench

#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace csm::bench {

// csm-bench --compare-hf: HF transformers' eager generate() (tools/hf_cpu_bench.py, run with `python`)
// and our csm::Model on the same CPU, the same random weights (saved by the Python side to a
// temporary folder, removed afterwards), the same 30-id prompt, sampling and thread count.
struct HfCompareOptions {
  int frames = 3;        // timed frames on both sides
  std::string python;    // "" = $CSM_TORCH_PYTHON, else <repo>/.venv-torch/bin/python, else python3
  std::string tool;      // "" = tools/hf_cpu_bench.py found beside the binary's checkout or the cwd
  bool tiny = false;     // a 2-layer, dim-64 CSM (the test), instead of CSM-1B
  double goal = 3.0;     // HF ms/frame over ours that the issue asks for
};

nlohmann::json hf_compare_report(const HfCompareOptions& options);
std::string hf_compare_table(const nlohmann::json& report);

}  // namespace csm::bench

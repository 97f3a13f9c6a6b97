// csm-bench: system report and measurements (tokenizer now; model and streaming as they land).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>

#include <nlohmann/json.hpp>

#include "common/cli_args.h"
#include "csm-bench/codec_bench.h"
#include "csm-bench/hf_compare.h"
#include "csm-bench/model_bench.h"
#include "csm/system_info.h"
#include "csm-bench/streaming_bench.h"
#include "common/system_report.h"
#include "csm-bench/tokenizer_bench.h"
#include "csm/error.h"

namespace {

void print(const nlohmann::json& report, bool as_json) {
  if (as_json) {
    std::cout << report.dump(2) << "\n";
    return;
  }
  for (const auto& [key, value] : report.items()) {
    std::cout << std::left << std::setw(24) << key << " ";
    if (value.is_string()) std::cout << value.get<std::string>() << "\n";
    else std::cout << value.dump() << "\n";
  }
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  if (!out) throw csm::Error(csm::ErrorCode::Io, "cannot write " + path);
}

int bench_main(int argc, char** argv) {
  csm::cli::Args args("csm-bench", "Reports this machine and measures the engine's parts.",
                      {{"info", "", "system report: CPU, memory, GPU, LibTorch/CUDA versions"},
                       {"tokenizer", "FILE", "measure tokenizer load time and encode throughput"},
                       {"model", "DIR", "time frame generation: a model folder, HF cache folder, or random:csm-1b"},
                       {"device", "DEV", "cpu or cuda (with --model or --mimi)", "cpu"},
                       {"dtype", "TYPE", "auto, float32, bfloat16, float16 (with --model)", "auto"},
                       {"sdpa", "NAME", "attention kernels: auto (any but cuDNN's), cudnn, flash, efficient or math (default: $CSM_SDPA, else auto)"},
                       {"frames", "N", "timed frames (with --model)", "3"},
                       {"warmup", "N", "untimed frames first, prefill included (with --model)", "1"},
                       {"census-batches", "LIST", "--model: batches whose frame step is watched and timed ('' = none)",
                        "1,8"},
                       {"no-cuda-graphs", "", "--model: time the frame step eagerly on CUDA"},
                       {"mimi", "SPEC", "time Mimi decoding: a model folder, a Mimi file/folder, or random:mimi"},
                       {"codebooks", "LIST", "--model: also time the frame generating these many codebooks (e.g. 8,16,24,32)"},
                       {"mimi-streams", "LIST", "Mimi: streams decoded together, one batched call a frame", "1,8,32"},
                       {"benchmark", "", "sweep streaming settings on --model (default: HF cache, else demo)"},
                       {"chunk-sizes", "LIST", "--benchmark chunk sizes in ms", "80,160,320"},
                       {"frame-batches", "LIST", "--benchmark Mimi frame batches", "1,2,4"},
                       {"stream-batches", "LIST", "--benchmark streams generated together", "1,2,4"},
                       {"bench-frames", "N", "--benchmark frames per stream per run", "24"},
                       {"rtf-target", "R", "--benchmark: the RTF the recommendation must meet", "0.3"},
                       {"codec", "PATH", "Mimi weights when the model folder has none"},
                       {"json-out", "FILE", "--benchmark or --model: write the full report as JSON"},
                       {"csv-out", "FILE", "--benchmark: write one CSV row per configuration"},
                       {"compare-hf", "", "HF transformers eager generate() vs ours on this CPU, same random weights"},
                       {"python", "PATH", "--compare-hf: Python with torch + transformers (default: .venv-torch)"},
                       {"hf-tool", "PATH", "--compare-hf: tools/hf_cpu_bench.py (default: found in the checkout)"},
                       {"tiny", "", "--compare-hf: a 2-layer, dim-64 CSM instead of CSM-1B (seconds)"},
                       {"json", "", "print JSON instead of text"}});
  if (!args.parse(argc, argv)) return 0;
  args.expect_no_positional();
  const bool as_json = args.has("json");
  bool did_something = false;
  if (args.has("info")) {
    auto report = csm::cli::system_report();
    report["sdpa_backend"] = csm::use_attention_kernels(args.get("sdpa"));
    print(report, as_json);
    did_something = true;
  }
  if (args.has("tokenizer") && !args.has("model")) {
    print(csm::bench::tokenizer_report(args.get("tokenizer")), as_json);
    did_something = true;
  }
  if (args.has("compare-hf")) {
    csm::bench::HfCompareOptions o;
    o.frames = static_cast<int>(*args.integer("frames"));
    o.python = args.get("python");
    o.tool = args.get("hf-tool");
    o.tiny = args.has("tiny");
    const auto report = csm::bench::hf_compare_report(o);
    if (as_json) std::cout << report.dump(2) << "\n";
    else std::cout << csm::bench::hf_compare_table(report);
    return 0;
  }
  if (args.has("benchmark")) {
    csm::bench::SweepOptions o;
    o.model = args.get("model");
    o.tokenizer = args.get("tokenizer");
    o.codec = args.get("codec");
    o.device = args.get("device");
    o.dtype = args.get("dtype");
    o.attention = args.get("sdpa");
    o.chunk_sizes_ms = csm::bench::parse_int_list(args.get("chunk-sizes"), "chunk-sizes");
    o.frame_batches = csm::bench::parse_int_list(args.get("frame-batches"), "frame-batches");
    o.stream_batches = csm::bench::parse_int_list(args.get("stream-batches"), "stream-batches");
    o.frames = static_cast<int>(*args.integer("bench-frames"));
    o.rtf_target = *args.number("rtf-target");
    auto report = csm::bench::run_sweep(o);
    // The machine beside its numbers: reports from several boxes are compared side by side (the studio's
    // benchmark comparison labels each one by its GPU or CPU).
    report["system"] = csm::cli::system_report();
    if (args.has("json-out")) write_file(args.get("json-out"), report.dump(2) + "\n");
    if (args.has("csv-out")) write_file(args.get("csv-out"), csm::bench::sweep_csv(report));
    if (as_json) std::cout << report.dump(2) << "\n";
    else std::cout << csm::bench::sweep_table(report);
    return 0;
  }
  const auto mimi_streams = csm::bench::parse_int_list(args.get("mimi-streams"), "mimi-streams");
  if (args.has("model")) {
    csm::bench::ModelBenchOptions options;
    options.model = args.get("model");
    options.tokenizer = args.get("tokenizer");
    options.device = args.get("device");
    options.dtype = args.get("dtype");
    options.attention = args.get("sdpa");
    options.frames = static_cast<int>(*args.integer("frames"));
    options.warmup_frames = static_cast<int>(*args.integer("warmup"));
    options.census_batches = args.get("census-batches").empty() ? std::vector<int>{} : csm::bench::parse_int_list(args.get("census-batches"), "census-batches");
    options.cuda_graphs = !args.has("no-cuda-graphs");
    if (!args.get("codebooks").empty())
      options.codebooks = csm::bench::parse_int_list(args.get("codebooks"), "codebooks");
    auto report = csm::bench::model_report(options);
    try {  // the codec beside the model, when there is one
      report.update(csm::bench::codec_report(options.model, "", std::max(options.frames, 2) * 4, options.device,
                                             mimi_streams));
    } catch (const csm::Error& e) {
      report["mimi"] = std::string("not measured: ") + e.what();
    }
    if (args.has("json-out")) write_file(args.get("json-out"), report.dump(2) + "\n");
    print(report, as_json);
    did_something = true;
  }
  if (args.has("mimi")) {
    const std::string spec = args.get("mimi");
    const bool is_model = !spec.empty() && spec.rfind("random:", 0) != 0 && std::filesystem::is_directory(spec) &&
                          std::filesystem::exists(spec + "/config.json") &&
                          !std::filesystem::exists(spec + "/mimi_config.json");
    print(csm::bench::codec_report(is_model ? spec : "", is_model ? "" : spec,
                                   static_cast<int>(std::max<long long>(2, *args.integer("frames") * 4)),
                                   args.get("device"), mimi_streams),
          as_json);
    did_something = true;
  }
  if (!did_something)
    throw csm::Error(csm::ErrorCode::InvalidArgument, "csm-bench: nothing to do", "try csm-bench --info, or --help");
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return csm::cli::run_main("csm-bench", bench_main, argc, argv); }

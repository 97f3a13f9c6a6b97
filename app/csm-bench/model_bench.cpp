#include "csm-bench/model_bench.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "csm-bench/memory_bandwidth.h"
#include "csm/error.h"
#include "csm/model.h"

namespace csm::bench {
namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

// A 30-token prompt framed as CSM frames text: ids are arbitrary ordinary tokens.
std::vector<int32_t> synthetic_prompt() {
  std::vector<int32_t> ids{128000};
  for (int i = 0; i < 28; ++i) ids.push_back(1000 + 37 * i);
  ids.push_back(128001);
  return ids;
}

// A frame's kernels by part, in all and per unit (a backbone layer, a depth-decoder
// step, a draw), which is what an optimisation of one of them changes.
nlohmann::json kernels_by_part(const FrameCensus& c, const ModelInfo& info) {
  const auto count = [&](const char* part) {
    const auto it = c.kernels_by_part.find(part);
    return it == c.kernels_by_part.end() ? int64_t{0} : it->second;
  };
  const auto per = [](int64_t n, int64_t units) { return units > 0 ? double(n) / double(units) : 0.0; };
  return {{"backbone", count("backbone")},
          {"backbone_per_layer", per(count("backbone"), info.backbone_layers)},
          {"depth_decoder", count("depth_decoder")},
          {"depth_decoder_per_step", per(count("depth_decoder"), info.num_codebooks - 1)},
          {"sampler", count("sampler")},
          {"sampler_per_draw", per(count("sampler"), info.num_codebooks)},
          {"other", count("other")}};
}

// Watches and times the frame step at each census batch; the headline fields are
// the worst over all batches (host syncs), all of them (static), and batch 1 (ops, kernels).
void add_census(const Model& model, const ModelBenchOptions& o, double bandwidth, nlohmann::json& report) {
  if (o.census_batches.empty()) return;
  nlohmann::json rows = nlohmann::json::array();
  int64_t syncs = 0;
  bool is_static = true;
  for (int batch : o.census_batches) {
    std::fprintf(stderr, "csm-bench: watching the frame step at batch %d ...\n", batch);
    const FrameCensus c = model.census(synthetic_prompt(), batch, o.frames, o.cuda_graphs);
    syncs = std::max(syncs, c.host_syncs_per_frame);
    is_static = is_static && c.frame_is_static;
    if (rows.empty()) {
      report["aten_ops_per_frame"] = c.aten_ops_per_frame;
      report["kernels_per_frame"] = c.kernels_per_frame;
    }
    rows.push_back({{"batch", batch},
                    {"aten_ops_per_frame", c.aten_ops_per_frame},
                    {"kernels_per_frame", c.kernels_per_frame},
                    {"kernels_by_part", kernels_by_part(c, model.info())},
                    {"kernels_by_op", c.kernels_by_op},
                    {"host_syncs_per_frame", c.host_syncs_per_frame},
                    {"host_sync_ops", c.host_sync_ops},
                    {"frame_is_static", c.frame_is_static},
                    {"first_difference", c.first_difference},
                    {"ms_per_frame", c.ms_per_frame},
                    {"rtf", c.ms_per_frame / 80.0},
                    {"realtime_streams", c.ms_per_frame > 0 ? batch * 80.0 / c.ms_per_frame : 0.0},
                    {"cuda_graphs", c.cuda_graphs},
                    {"graph_nodes", c.graph_nodes},
                    {"cuda_graphs_note", c.graph_note}});
  }
  report["host_syncs_per_frame"] = syncs;
  report["frame_is_static"] = is_static;
  report["cuda_graphs"] = rows[0]["cuda_graphs"];
  report["graph_nodes"] = rows[0]["graph_nodes"];
  report["cuda_graphs_note"] = rows[0]["cuda_graphs_note"];
  report["batches"] = rows;
  (void)bandwidth;
}

// The frame at each codebook depth, batch 1: the depth decoder's cost scales with it.
void add_depth_sweep(const Model& model, const ModelBenchOptions& o, nlohmann::json& report) {
  if (o.codebooks.empty()) return;
  nlohmann::json rows = nlohmann::json::array();
  for (int depth : o.codebooks) {
    std::fprintf(stderr, "csm-bench: timing the frame at %d codebooks ...\n", depth);
    const FrameCensus c = model.census(synthetic_prompt(), 1, o.frames, o.cuda_graphs, depth);
    rows.push_back({{"codebooks", depth},
                    {"ms_per_frame", c.ms_per_frame},
                    {"depth_decoder_ms_per_frame", c.decoder_ms_per_frame},
                    {"kernels_per_frame", c.kernels_per_frame}});
  }
  report["codebook_sweep"] = rows;
}

}  // namespace

nlohmann::json model_report(const ModelBenchOptions& o) {
  if (o.frames < 1 || o.warmup_frames < 0)
    throw Error(ErrorCode::InvalidArgument, "csm-bench: --frames must be >= 1 and --warmup >= 0");
  ModelOptions options;
  options.model = o.model;
  options.tokenizer = o.tokenizer;
  options.device = o.device;
  options.dtype = o.dtype;
  options.attention = o.attention;
  std::fprintf(stderr, "csm-bench: building %s ...\n", o.model.c_str());
  auto t0 = Clock::now();
  const auto model = Model::load(options);
  const double load_ms = ms_since(t0);
  const ModelInfo& info = model->info();

  std::fprintf(stderr, "csm-bench: measuring memory bandwidth ...\n");
  const double bandwidth = measure_read_bandwidth_gbs();
  const double floor_ms = info.bytes_per_frame / (bandwidth * 1e9) * 1e3;

  SamplingParams sampling;  // the reference defaults: temperature 0.9, top-k 50
  sampling.seed = 1;
  auto stream = model->start_from_ids(synthetic_prompt(), sampling, o.warmup_frames + o.frames);
  std::vector<double> total, backbone, decoder;
  for (int i = 0; i < o.warmup_frames + o.frames; ++i) {
    std::fprintf(stderr, "csm-bench: frame %d/%d\n", i + 1, o.warmup_frames + o.frames);
    t0 = Clock::now();
    if (!stream->next()) break;  // end of speech: rare with random weights
    const double ms = ms_since(t0);
    if (i < o.warmup_frames) continue;  // the first frame also pays the prompt prefill
    total.push_back(ms);
    backbone.push_back(stream->last_timing().backbone_ms);
    decoder.push_back(stream->last_timing().decoder_ms);
  }
  if (total.empty()) throw Error(ErrorCode::Internal, "the model stopped before any timed frame");
  const auto mean = [](const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return s / v.size();
  };
  const double ms = mean(total);
  nlohmann::json report = {{"model", info.name},
          {"format", info.format},
          {"device", info.device},
          {"dtype", info.dtype},
          {"sdpa_backend", info.attention},
          {"parameters", info.parameters},
          {"load_ms", load_ms},
          {"frames_timed", total.size()},
          {"ms_per_frame", ms},
          {"min_ms_per_frame", *std::min_element(total.begin(), total.end())},
          {"backbone_ms_per_frame", mean(backbone)},
          {"depth_decoder_ms_per_frame", mean(decoder)},
          {"rtf", ms / 80.0},
          {"weight_bytes_per_frame", info.bytes_per_frame},
          {"memory_read_gb_per_s", bandwidth},
          {"bandwidth_floor_ms_per_frame", floor_ms},
          {"times_the_floor", ms / floor_ms}};
  add_census(*model, o, bandwidth, report);
  add_depth_sweep(*model, o, report);
  return report;
}

}  // namespace csm::bench

#include "generate/frame_census.h"

#include <chrono>

#include "generate/frame_step.h"
#include "runtime/op_census.h"

namespace csm {
namespace {

std::unique_ptr<FrameStep> prefilled_step(std::shared_ptr<const CsmModel> model, const std::vector<PromptRows>& prompts,
                         int64_t decodable_codes, bool cuda_graphs, int64_t codebooks = 0) {
  FrameStepOptions options;
  options.slots = static_cast<int64_t>(prompts.size());
  options.decodable_codes = decodable_codes;
  options.cuda_graphs = cuda_graphs;
  auto step = std::make_unique<FrameStep>(std::move(model), options);
  SamplingParams sampling;  // the reference defaults
  for (size_t b = 0; b < prompts.size(); ++b) {
    sampling.seed = b;
    step->prefill(static_cast<int64_t>(b), prompts[b], sampling, {codebooks, false});
  }
  return step;
}

}  // namespace

void time_frame_step(std::shared_ptr<const CsmModel> model, const std::vector<PromptRows>& prompts,
                     int64_t decodable_codes, int frames, bool cuda_graphs, FrameCensus& out, int64_t codebooks) {
  auto step = prefilled_step(std::move(model), prompts, decodable_codes, cuda_graphs, codebooks);
  step->run();
  (void)step->codes();  // the device is idle from here
  const auto t0 = std::chrono::steady_clock::now();
  double decoder_ms = 0;
  for (int i = 0; i < frames; ++i) {
    step->run();
    decoder_ms += step->last_decoder_ms();
  }
  (void)step->codes();
  out.timed_frames = frames;
  out.decoder_ms_per_frame = step->graphed_last() ? 0 : decoder_ms / frames;
  out.ms_per_frame = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / frames;
  out.cuda_graphs = step->graphed_last();
  out.graph_nodes = step->graph_nodes();
  out.graph_note = step->graph_note();
}

FrameCensus take_frame_census(std::shared_ptr<const CsmModel> model, const std::vector<PromptRows>& prompts,
                              int64_t decodable_codes, int warmup, int64_t codebooks) {
  // Eager: watch the operators a graph would capture.
  auto holder = prefilled_step(std::move(model), prompts, decodable_codes, false, codebooks);
  FrameStep& step = *holder;
  for (int i = 0; i < warmup; ++i) step.run();
  OpCensus census;
  const auto before = step.buffer_addresses();
  census.begin();
  step.run();
  const auto first = census.end();
  census.begin();
  step.run();
  const auto second = census.end();
  FrameCensus out;
  out.batch = static_cast<int>(prompts.size());
  out.aten_ops_per_frame = static_cast<int64_t>(second.ops.size());
  out.kernels_per_frame = second.kernels();
  out.kernels_by_part = second.kernels_by_part;
  out.kernels_by_op = second.kernels_by_op;
  out.host_syncs_per_frame = static_cast<int64_t>(std::max(first.host_syncs.size(), second.host_syncs.size()));
  out.host_sync_ops = first.host_syncs;
  out.host_sync_ops.insert(out.host_sync_ops.end(), second.host_syncs.begin(), second.host_syncs.end());
  out.frame_is_static = first.ops == second.ops && before == step.buffer_addresses();
  if (first.ops != second.ops) {
    for (size_t i = 0; i < std::min(first.ops.size(), second.ops.size()); ++i)
      if (first.ops[i] != second.ops[i]) {
        out.first_difference = "op " + std::to_string(i) + ": " + first.ops[i] + " then " + second.ops[i];
        break;
      }
    if (out.first_difference.empty()) out.first_difference = "the two frames ran different numbers of operators";
  } else if (before != step.buffer_addresses()) {
    out.first_difference = "a state buffer moved";
  }
  out.graph_note = step.graph_note();
  return out;
}

}  // namespace csm

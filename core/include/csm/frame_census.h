#pragma once
// What one frame step costs, for csm-bench: operators, host syncs, whether the
// frame is static, and its time.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace csm {

// What one frame step launches, watched over two steady-state frames (eager, so
// every operator a CUDA graph would capture is seen).
struct FrameCensus {
  int batch = 1;
  int64_t aten_ops_per_frame = 0;     // operators launched (nested ones included)
  // What a GPU launches a kernel for: leaf operators that write memory (views,
  // reshapes without a copy and allocations excluded), in all and by part of the
  // frame: "backbone" (all layers), "depth_decoder" (all steps), "sampler" (all
  // draws), "other" (heads, embeddings, projections, bookkeeping).
  int64_t kernels_per_frame = 0;
  std::map<std::string, int64_t> kernels_by_part;
  std::map<std::string, int64_t> kernels_by_op;  // the same, by operator ("aten::mm": n)
  int64_t host_syncs_per_frame = 0;   // operators that make the host wait for the device
  std::vector<std::string> host_sync_ops;
  bool frame_is_static = false;       // same operators on the same shapes, buffers unmoved
  std::string first_difference;       // when not static: where the two frames differ
  // Timed frames, unobserved, as a run makes them (CUDA graphs when asked and possible).
  int timed_frames = 0;
  int codebooks = 0;                  // generated per frame while timed (0: all)
  double ms_per_frame = 0;
  double decoder_ms_per_frame = 0;    // of which the depth decoder (eager frames only)
  bool cuda_graphs = false;
  int64_t graph_nodes = 0;            // nodes of the replayed graph (CUDA; 0 when eager)
  std::string graph_note;
};

}  // namespace csm

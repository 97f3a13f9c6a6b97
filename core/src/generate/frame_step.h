#pragma once
// The one frame step (spec §2.6) for a fixed number of slots, each slot a stream:
// codebook-0 head -> sample -> the depth decoder's unrolled steps with sampling
// -> the frame's backbone row -> the backbone step that makes the next frame's state.
// Every tensor it touches is allocated once (KV caches, positions, seeds, draw
// counters, settings, codes, flags) and written in place; nothing inside a frame
// reads a device value on the host. That makes a frame capturable as one CUDA graph
// (per attention window, depth and sampling kind), and on the CPU keeps it free of
// host round trips.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include <ATen/ATen.h>

#include "csm/generation.h"
#include "generate/prefix_cache.h"
#include "generate/prompt_builder.h"
#include "generate/sampler.h"
#include "model/csm_model.h"
#include "runtime/cuda_graph.h"
#include "runtime/host_copy.h"

namespace csm {

struct FrameStepOptions {
  int64_t slots = 1;
  // When > 0, ids >= this are never sampled (the heads are narrowed to them): Mimi has
  // only this many codewords, and CSM's extra ids 2048..2050 carry no audio. (A
  // deliberate deviation from the reference, which does not mask; the trained model
  // does not pick them.)
  int64_t decodable_codes = 0;
  bool cuda_graphs = true;  // a request: used on CUDA builds with a CUDA model
  size_t voice_cache_bytes = 0;  // voices' prompt keys and values kept (PrefixCache); 0: none
};

// The codebooks a slot's stream generates: the first `count` (0: all). The frame's
// other codes are 0; in the next backbone row they are left out (as the text column
// is) or, with `pad`, stand for the codebook pad id.
struct SlotCodebooks {
  int64_t count = 0;
  bool pad = false;
};

class FrameStep {
 public:
  FrameStep(std::shared_ptr<const CsmModel> model, const FrameStepOptions& options);
  ~FrameStep();

  // Between frames: runs the prompt through the backbone (eagerly) into `slot`'s cache
  // and makes the slot a live stream with its own sampling settings, seed and depth.
  void prefill(int64_t slot, const PromptRows& prompt, const SamplingParams& sampling, SlotCodebooks codebooks = {});
  void set_sampling(int64_t slot, const SamplingParams& sampling);
  // Hits, misses and bytes of the voices' kept keys and values (see PrefixCache).
  PrefixCacheStats voice_cache() const;
  // The slot stops advancing; its row still rides along until it is prefilled again.
  void release(int64_t slot);

  // One frame for every slot: the depth decoder runs as deep as the deepest live
  // stream. Eager runs check `cancelled` between depth steps and return false when it
  // fired (the frame is then dropped, nothing advanced).
  bool run(const std::function<bool()>& cancelled = {});
  // The last frame's codes [slots, C] int64 on the host, after the frame is done.
  const at::Tensor& codes();
  // Starts copying the last frame's codes (and entropies) to the host without waiting,
  // and waits for that copy: on CUDA the host may read frame t while the device makes t+1.
  void start_copy();
  const at::Tensor& wait_copy();
  // With the codes, after codes() or wait_copy(): each slot's codebook-0 entropy [slots] fp32.
  const at::Tensor& entropy() const { return host_entropy_.host(); }
  // Eager runs only (the host clock says nothing about queued device work): the last
  // frame's time in the backbone and codebook-0 head, and in the depth decoder.
  double last_backbone_ms() const { return backbone_ms_; }
  double last_decoder_ms() const { return decoder_ms_; }

  // For tests and benchmarks: the last frame's codebook-0 logits [slots, V'] fp32 (V' the
  // decodable ids) and the backbone state they came from [slots, dim], on the device.
  const at::Tensor& c0_logits() const { return c0_logits_; }
  const at::Tensor& hidden_used() const { return hidden_used_; }

  int64_t slots() const { return slots_; }
  int64_t position(int64_t slot) const { return host_positions_.at(slot); }  // rows in the slot's cache
  int64_t capacity() const { return capacity_; }
  bool live(int64_t slot) const { return live_.at(slot); }
  // Graphs for the frames run from now on (a request may ask for none; CUDA only).
  void allow_graphs(bool allowed) { graphs_allowed_ = allowed; }
  // Captures, between frames, the graph of every window bucket the live slots reach
  // up to `position`, so no stream stalls for a capture at a bucket boundary.
  void prepare_graphs(int64_t position);
  // Whether the last frame replayed a CUDA graph, and how frames run (graphs, or why not).
  bool graphed_last() const { return graphed_last_; }
  // Nodes of the graph the last frame replayed (what a GPU launches per frame; 0 when eager or unknown).
  int64_t graph_nodes() const { return graph_nodes_; }
  const std::string& graph_note() const { return graph_note_; }
  // Addresses of every state buffer: the same before and after a frame when static.
  std::vector<const void*> buffer_addresses() const;

 private:
  // What a frame's work depends on, besides the slots' device state: one graph each.
  struct Shape {
    int64_t window = 0;  // attention window bucket covering every live position
    int64_t depth = 0;   // codebooks the deepest live stream generates
    bool nucleus = false;  // a live stream samples with top-p
    bool operator<(const Shape& o) const {
      return std::tie(window, depth, nucleus) < std::tie(o.window, o.depth, o.nucleus);
    }
  };
  Shape shape() const;
  bool graphs_wanted() const;
  int64_t restore_voice(const PromptRows& prompt, KvCache& cache);
  void keep_voice(const PromptRows& prompt, const KvCache& cache);
  void note_how_frames_run();
  void compute(const std::function<bool()>& cancelled, bool* completed);
  void draw(int64_t codebook, const at::Tensor& logits, const at::Tensor& noise);
  void try_capture(const Shape& shape);

  std::shared_ptr<const CsmModel> model_;
  FrameStepOptions options_;
  int64_t slots_ = 0, capacity_ = 0, codebooks_ = 0, vocab_ = 0;
  KvCache backbone_cache_, decoder_cache_;
  at::Tensor hidden_, hidden_used_, c0_logits_, entropy_;
  at::Tensor decoder_start_;  // [slots, 2, decoder dim]: the depth decoder's first two positions
  at::Tensor codes_;          // [C, slots]: the frame, and the backbone's next row
  at::Tensor beyond_;         // [C, slots]: codebooks the slot's stream does not generate
  at::Tensor row_weights_;    // [slots, 1, C]: which codes the backbone row sums
  at::Tensor row_bias_;       // [slots, 1, dim]: the pad ids' embeddings, for pad-filled rows
  at::Tensor positions_;
  at::Tensor running_;  // per slot: prefilled, not released, no end of speech yet
  SamplingRows sampling_;
  DrawSettings draw_settings_;  // derived from sampling_ when it changes
  at::Tensor lanes_, draws_;  // arange(vocabulary), arange(C)
  std::vector<int64_t> host_positions_, host_depth_;
  std::vector<bool> live_, host_nucleus_;
  PrefixCache voices_;
  HostCopy host_codes_, host_entropy_;
  at::Tensor host_frame_;  // [slots, C]: the host copy seen frame by frame
  bool copy_started_ = false;
  Shape current_;  // what compute() runs
  std::map<Shape, std::unique_ptr<GraphedStep>> graphs_;
  GraphPool graph_pool_;  // one memory pool for all of this step's graphs (never replayed at once)
  bool graphs_failed_ = false, graphs_allowed_ = true, graphed_last_ = false;
  int64_t graph_nodes_ = 0;
  std::string graph_note_, capture_failure_;
  double backbone_ms_ = 0, decoder_ms_ = 0;
};

}  // namespace csm

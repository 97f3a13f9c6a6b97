#pragma once
// One frame step captured as a CUDA graph and replayed (cuda-path.md §1). The
// step must read and write only tensors allocated before capture, with no host
// sync inside. Built for real only with CSM_WITH_CUDA; elsewhere capture() says
// why it cannot and the caller runs the step eagerly.
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace csm {

// A memory pool shared by several captured graphs (they never replay at once, so
// their intermediates may share memory). Empty until the first capture fills it in.
struct GraphPool {
  unsigned long long first = 0, second = 0;
  bool empty() const { return first == 0 && second == 0; }
};

class GraphedStep {
 public:
  using Fn = std::function<void()>;
  virtual ~GraphedStep() = default;
  // Warm-up (`warmup` eager runs on a side stream: cuBLAS handles, workspaces,
  // autotuning), then one capture on that stream in thread-local capture mode.
  // `save` is called before the warm-up and `restore` after the warm-up and after
  // the capture, so the state the warm-up advanced is put back. Returns nullptr
  // and sets *why when capture is impossible (no CUDA build, CPU device, a capture
  // error); the caller then falls back to eager and reports *why. With `pool`, the
  // graph allocates from that pool (an empty one is made and written back).
  static std::unique_ptr<GraphedStep> capture(const Fn& step, const Fn& save, const Fn& restore, int device_index,
                                              int warmup, std::string* why, GraphPool* pool = nullptr);
  // Launches the captured frame on the current CUDA stream (asynchronous).
  virtual void replay() = 0;
  // The captured graph's nodes: what one replay launches (0 where LibTorch cannot say).
  virtual size_t nodes() const = 0;
};

// True when this build can capture CUDA graphs and a CUDA device is present.
bool cuda_graphs_supported();

}  // namespace csm

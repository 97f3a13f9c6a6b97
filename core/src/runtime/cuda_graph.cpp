// CUDA graph capture and replay of one frame step (cuda-path.md §1). Real only in a
// build against a CUDA LibTorch (CSM_WITH_CUDA); Debian's CPU LibTorch lacks the
// generated c10/cuda headers, so nothing CUDA is included there.
#include "runtime/cuda_graph.h"

#include "runtime/torch_compat.h"

#if defined(CSM_WITH_CUDA)
#include <ATen/cuda/CUDAEvent.h>
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <c10/util/Exception.h>
#include <cuda_runtime_api.h>
#if CSM_TORCH_AT_LEAST(2, 11)
#include <ATen/core/CachingHostAllocator.h>
#endif
#endif

#include <exception>
#include <utility>

namespace csm {

#if defined(CSM_WITH_CUDA)
namespace {

// at::cuda::CUDAGraph with a look at whether capture_end() got as far as ending the
// capture (its own reset() then releases the memory pool).
struct Graph : at::cuda::CUDAGraph {
#if CSM_TORCH_AT_LEAST(2, 7)
  // The graph is kept after instantiation, to count its nodes.
  Graph() : at::cuda::CUDAGraph(/*keep_graph=*/true) {}
#endif
  bool capture_ended() const { return capture_ended_; }
  // Counts the nodes, then makes the graph launchable.
  size_t finish() {
    size_t nodes = 0;
#if CSM_TORCH_AT_LEAST(2, 7)
    if (cudaGraphGetNodes(raw_cuda_graph(), nullptr, &nodes) != cudaSuccess) {
      (void)cudaGetLastError();
      nodes = 0;
    }
    instantiate();
#endif
    return nodes;
  }
};

class CudaGraphedStep final : public GraphedStep {
 public:
  CudaGraphedStep(std::unique_ptr<Graph> graph, c10::DeviceIndex device)
      : graph_(std::move(graph)), device_(device), nodes_(graph_->finish()) {}
  ~CudaGraphedStep() override {
    // The graph's memory pool goes back to the caching allocator with the graph; a replay
    // still in flight (on whichever stream) would then write memory handed out again.
    try {
      c10::cuda::CUDAGuard on_device(device_);
      c10::cuda::device_synchronize();
    } catch (...) {
    }
  }
  void replay() override {
    c10::cuda::CUDAGuard on_device(device_);
    graph_->replay();  // on the current stream of device_
  }
  size_t nodes() const override { return nodes_; }

 private:
  std::unique_ptr<Graph> graph_;
  c10::DeviceIndex device_;
  size_t nodes_ = 0;
};

bool set_why(std::string* why, std::string text) {
  if (why) *why = std::move(text);
  return false;
}

// The first line of a c10::Error (the rest is a C++ backtrace).
std::string brief(const std::exception& e) {
  if (const auto* c10_error = dynamic_cast<const c10::Error*>(&e)) return c10_error->what_without_backtrace();
  return e.what();
}

}  // namespace

std::unique_ptr<GraphedStep> GraphedStep::capture(const Fn& step, const Fn& save, const Fn& restore, int device_index,
                                                  int warmup, std::string* why, GraphPool* shared) {
  if (!step) {
    set_why(why, "no step to capture");
    return nullptr;
  }
  try {
    if (!at::hasCUDA() || c10::cuda::device_count() == 0) {
      set_why(why, "no CUDA device is available");
      return nullptr;
    }
    if (device_index < 0 || device_index >= c10::cuda::device_count()) {
      set_why(why, "CUDA device " + std::to_string(device_index) + " does not exist (" +
                       std::to_string(static_cast<int>(c10::cuda::device_count())) + " present)");
      return nullptr;
    }
  } catch (const std::exception& e) {
    set_why(why, std::string("CUDA is not usable: ") + brief(e));
    return nullptr;
  }

  const auto device = static_cast<c10::DeviceIndex>(device_index);
  c10::cuda::CUDAGuard on_device(device);
  const c10::cuda::CUDAStream caller = c10::cuda::getCurrentCUDAStream(device);
  const c10::cuda::CUDAStream side = c10::cuda::getStreamFromPool(/*isHighPriority=*/false, device);
  std::unique_ptr<Graph> graph;
  at::cuda::MempoolId_t pool{0, 0};
  bool capturing = false;
  const char* phase = "warm-up";
  try {
    if (save) save();
    // The side stream starts after everything the caller queued (weights, KV cache, inputs).
    at::cuda::CUDAEvent ready;
    ready.record(caller);
    ready.block(side);
    {
      c10::cuda::CUDAStreamGuard on_side(side);
      // Eager runs on the capture stream: cuBLAS handles and workspaces, cuDNN autotuning
      // and lazy module loads happen here, not inside the capture.
      for (int i = 0; i < warmup; ++i) step();
      if (restore) restore();
      side.synchronize();

      phase = "capture";
      graph = std::make_unique<Graph>();
      // A shared pool: the graphs of one step never replay at once, so they share memory.
      pool = shared && !shared->empty() ? at::cuda::MempoolId_t{shared->first, shared->second}
                                        : at::cuda::graph_pool_handle();
#if CSM_TORCH_AT_LEAST(2, 1)
      // Thread-local: the audio, GUI and decode threads may touch CUDA meanwhile.
      graph->capture_begin(pool, cudaStreamCaptureModeThreadLocal);
#else
      graph->capture_begin(pool);
#endif
      capturing = true;
      step();  // recorded, not run
      capturing = false;
      graph->capture_end();
    }
    phase = "restore";
    // The caller's stream waits for the side stream's work (warm-up, restore, pool allocations).
    at::cuda::CUDAEvent done;
    done.record(side);
    done.block(caller);
    if (restore) restore();
    if (shared) *shared = GraphPool{pool.first, pool.second};
    return std::make_unique<CudaGraphedStep>(std::move(graph), device);
  } catch (const std::exception& e) {
    std::string reason = std::string("CUDA graph ") + phase + " failed: " + brief(e);
    // A step that failed mid-capture leaves the side stream capturing: end the capture
    // (it fails: the capture was invalidated) so the stream and the allocator work again.
    if (capturing && graph) {
      try {
        c10::cuda::CUDAStreamGuard on_side(side);
        graph->capture_end();
      } catch (const std::exception&) {
      }
    }
    if (graph && !graph->capture_ended() && (pool.first != 0 || pool.second != 0)) {
      // capture_end() stopped before handing the pool back: do it here, or the caching
      // allocator believes a capture is still under way and defers every free.
      try {
        c10::cuda::CUDACachingAllocator::endAllocateToPool(device, pool);
      } catch (const std::exception&) {
      }
#if CSM_TORCH_AT_LEAST(2, 11)
      try {
        at::getHostAllocator(at::kCUDA)->end_allocate_to_pool(pool);
      } catch (const std::exception&) {
      }
#endif
      try {
        c10::cuda::CUDACachingAllocator::releasePool(device, pool);
      } catch (const std::exception&) {
      }
    }
    (void)cudaGetLastError();  // a capture error is not sticky; clear it for the eager path
    graph.reset();
    try {
      side.synchronize();
      at::cuda::CUDAEvent done;
      done.record(side);
      done.block(caller);
      if (restore) restore();
    } catch (const std::exception& e2) {
      reason += std::string("; restoring the state afterwards failed too: ") + brief(e2);
    }
    set_why(why, std::move(reason));
    return nullptr;
  }
}

bool cuda_graphs_supported() {
  try {
    return at::hasCUDA() && c10::cuda::device_count() > 0;
  } catch (const std::exception&) {
    return false;
  }
}

#else  // !CSM_WITH_CUDA

std::unique_ptr<GraphedStep> GraphedStep::capture(const Fn& step, const Fn& save, const Fn& restore, int device_index,
                                                  int warmup, std::string* why, GraphPool* shared) {
  (void)step;
  (void)save;
  (void)restore;
  (void)device_index;
  (void)warmup;
  (void)shared;
  if (why) *why = "this build has no CUDA (LibTorch without CUDA)";
  return nullptr;
}

bool cuda_graphs_supported() { return false; }

#endif

}  // namespace csm

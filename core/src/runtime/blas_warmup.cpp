#include "runtime/blas_warmup.h"

#include <cstdlib>
#include <mutex>
#include <thread>

#include <sys/mman.h>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include "csm/error.h"

namespace csm {
namespace {

// OpenBLAS's buffer is 128 MiB per thread; with room for the caller's thread.
constexpr size_t kBufferBytes = size_t(136) << 20;

// Asks the kernel for the room first: if even that is refused, say so instead of
// letting the BLAS retry its own allocation forever.
void check_room_for_buffers() {
  const size_t bytes = kBufferBytes * static_cast<size_t>(at::get_num_threads() + 1);
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    throw Error(ErrorCode::OutOfMemory,
                "the matrix library's work buffers (" +
                    std::to_string(bytes >> 20) + " MiB of address space) do not fit",
                "raise the memory limit (ulimit -d / -v), or use fewer threads (OMP_NUM_THREADS)");
  munmap(p, bytes);
}

}  // namespace

void reserve_blas_buffers() {
  static std::once_flag once;
  std::call_once(once, [] {
    const char* asked = std::getenv("OMP_NUM_THREADS");
    const auto cores = static_cast<int>(std::thread::hardware_concurrency());
    if ((!asked || !*asked) && cores > at::get_num_threads()) at::set_num_threads(cores);
  });
  thread_local bool reserved = false;
  if (reserved) return;
  check_room_for_buffers();
  // Large enough that the BLAS splits it over all its threads; each thread (and its
  // OpenMP team) then holds its buffer. The vector product covers gemv's own path.
  const auto a = at::ones({512, 512}, at::kFloat);
  (void)at::mm(a, a);
  (void)at::mv(a, a[0]);
  reserved = true;
}

}  // namespace csm

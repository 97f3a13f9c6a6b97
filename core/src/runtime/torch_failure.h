#pragma once
// LibTorch reports every failure as c10::Error; users get a csm::Error, with an
// allocation failure (CPU or GPU) told apart, because that one they can fix by
// asking for less.
#include <exception>
#include <string>

#include <c10/util/Exception.h>

#include "csm/error.h"

namespace csm {

bool is_out_of_memory(const c10::Error& error);

// The csm::Error for a LibTorch failure while `doing` ("loading Mimi", "generating").
// An out-of-memory failure also hands cached device memory back, so that a smaller
// run right after it can get the memory the failed one held.
Error from_torch_failure(const c10::Error& error, const std::string& doing, const std::string& oom_hint);

// Any failure as a csm::Error (LibTorch's made readable, running out of memory with
// `oom_hint` when it has none), for handing to another thread.
std::exception_ptr as_error(std::exception_ptr failure, const std::string& doing, const std::string& oom_hint);

// Runs `work`, turning a LibTorch failure into the csm::Error above.
template <class Work>
auto guard_torch(const std::string& doing, const std::string& oom_hint, Work&& work) -> decltype(work()) {
  try {
    return work();
  } catch (const c10::Error& e) {
    throw from_torch_failure(e, doing, oom_hint);
  }
}

}  // namespace csm

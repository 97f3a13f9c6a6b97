#pragma once
// Runs a piece of heavy LibTorch work (loading, encoding a clip) on a thread of its
// own that ends with it. Why: with OpenMP (Debian's LibTorch), every thread that
// runs parallel operators keeps a team of worker threads for as long as it lives, and
// once the process holds more of them than there are cores, libgomp stops spinning
// between parallel regions and sleeps instead. A frame launches thousands of small
// regions, so the model thread's frames ran 2-3x slower once the caller's thread had
// loaded the model (measured on 2 cores: 110 ms instead of 40 ms per demo frame).
// Work done here leaves no team behind: only the model thread keeps one.
#include <exception>
#include <optional>
#include <thread>
#include <utility>

namespace csm {

template <typename Work>
auto on_passing_thread(Work&& work) -> decltype(work()) {
  using Result = decltype(work());
  std::optional<Result> result;
  std::exception_ptr failure;
  std::thread([&] {
    try {
      result.emplace(work());
    } catch (...) {
      failure = std::current_exception();
    }
  }).join();
  if (failure) std::rethrow_exception(failure);
  return std::move(*result);
}

}  // namespace csm

#include "runtime/torch_failure.h"

#include "runtime/torch_compat.h"

namespace csm {

bool is_out_of_memory(const c10::Error& error) {
  if (dynamic_cast<const c10::OutOfMemoryError*>(&error)) return true;  // CUDA's caching allocator
  // The CPU allocator throws a plain c10::Error; its wording differs across versions.
  const std::string what = error.what_without_backtrace();
  for (const char* words : {"out of memory", "can't allocate memory", "not enough memory"})
    if (what.find(words) != std::string::npos) return true;
  return false;
}

namespace {

// "[enforce fail at alloc_cpu.cpp:75] err == 0. DefaultCPUAllocator: ..." -> "DefaultCPUAllocator: ...":
// the source line and the failed check say nothing to a user.
std::string plain_message(const c10::Error& error) {
  std::string what = error.what_without_backtrace();
  if (what.rfind("[enforce fail at ", 0) == 0) {
    const auto end = what.find("] ");
    if (end != std::string::npos) what.erase(0, end + 2);
    const auto check_end = what.find(". ");
    if (check_end != std::string::npos && what.find("==") < check_end) what.erase(0, check_end + 2);
  }
  return what;
}

}  // namespace

Error from_torch_failure(const c10::Error& error, const std::string& doing, const std::string& oom_hint) {
  const std::string what = plain_message(error);
  if (is_out_of_memory(error)) {
    compat::release_cached_device_memory();
    return Error(ErrorCode::OutOfMemory, "out of memory while " + doing + ": " + what, oom_hint);
  }
  return Error(ErrorCode::Internal, "LibTorch failed while " + doing + ": " + what);
}

std::exception_ptr as_error(std::exception_ptr e, const std::string& doing, const std::string& hint) {
  try {
    std::rethrow_exception(e);
  } catch (const Error& x) {
    if (x.code() == ErrorCode::OutOfMemory && x.hint().empty())
      return std::make_exception_ptr(Error(x.code(), x.what(), hint));
    return e;
  } catch (const c10::Error& x) {
    return std::make_exception_ptr(from_torch_failure(x, doing, hint));
  } catch (const std::bad_alloc&) {
    return std::make_exception_ptr(Error(ErrorCode::OutOfMemory, "out of memory while " + doing, hint));
  } catch (const std::exception& x) {
    return std::make_exception_ptr(Error(ErrorCode::Internal, x.what()));
  } catch (...) {
    return std::make_exception_ptr(Error(ErrorCode::Internal, "unknown failure while " + doing));
  }
}

}  // namespace csm

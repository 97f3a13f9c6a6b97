#pragma once
// A CPU allocator with a budget, put in front of LibTorch's own while it lives:
// an allocation past the budget fails the way the real allocator fails when the
// machine runs out, so out-of-memory handling is testable on any machine.
// (No LibTorch in this header: Qt tests include it, and Qt's `slots` clashes.)
#include <cstdint>
#include <memory>

namespace csm::test {

class LimitedCpuAllocator {
 public:
  explicit LimitedCpuAllocator(int64_t budget_bytes = INT64_MAX);
  ~LimitedCpuAllocator();  // the real allocator is back
  LimitedCpuAllocator(const LimitedCpuAllocator&) = delete;
  LimitedCpuAllocator& operator=(const LimitedCpuAllocator&) = delete;

  // Only bytes allocated while this allocator is installed count.
  void set_budget(int64_t bytes);
  // The n-th allocation from now (1: the next) fails, once, whatever the budget.
  void fail_nth(int64_t n);
  int64_t live_bytes() const;
  int64_t peak_bytes() const;
  int64_t allocations() const;
  int64_t refused() const;

  struct State;
  class Installed;

 private:
  std::shared_ptr<State> state_;  // outlives us in blocks still alive
  std::unique_ptr<Installed> installed_;
};

}  // namespace csm::test

#include "support/limited_cpu_allocator.h"

#include <atomic>
#include <mutex>
#include <unordered_map>

#include <c10/core/CPUAllocator.h>

#include "runtime/torch_compat.h"

namespace csm::test {

struct LimitedCpuAllocator::State {
  std::atomic<int64_t> budget{INT64_MAX}, live{0}, peak{0}, allocations{0}, refused{0}, fail_countdown{0};
};

namespace {

// Above LibTorch's own registration (0), so ours wins until we put it back.
constexpr uint8_t kPriority = 200;

// LibTorch asks some allocations raw (context == data), so every block is one, and
// what it needs at free time is kept here, for the blocks of every allocator.
struct Block {
  int64_t bytes;
  c10::DeleterFnPtr real_free;
  std::shared_ptr<LimitedCpuAllocator::State> state;
};
std::mutex g_blocks_mutex;
std::unordered_map<void*, Block>& blocks() {
  static auto* map = new std::unordered_map<void*, Block>;  // never destroyed: frees may come at exit
  return *map;
}

void free_block(void* data) {
  Block block;
  {
    std::lock_guard<std::mutex> lock(g_blocks_mutex);
    const auto it = blocks().find(data);
    if (it == blocks().end()) return;
    block = std::move(it->second);
    blocks().erase(it);
  }
  block.state->live -= block.bytes;
  block.real_free(data);
}

}  // namespace

class LimitedCpuAllocator::Installed final : public compat::AllocatorBase {
 public:
  explicit Installed(std::shared_ptr<State> state) : state_(std::move(state)), real_(c10::GetCPUAllocator()) {
    c10::SetCPUAllocator(this, kPriority);
  }
  ~Installed() override { c10::SetCPUAllocator(real_, kPriority); }

  c10::DeleterFnPtr raw_deleter() const override { return &free_block; }

  c10::DataPtr allocate_bytes(size_t bytes) override {
    const auto n = static_cast<int64_t>(bytes);
    const bool forced = state_->fail_countdown > 0 && --state_->fail_countdown == 0;
    if (forced || state_->live + n > state_->budget) {
      ++state_->refused;
      // The words of LibTorch's own CPU allocator when malloc fails.
      TORCH_CHECK(false, "DefaultCPUAllocator: can't allocate memory: you tried to allocate ", bytes,
                  " bytes. Error code 12 (Cannot allocate memory)");
    }
    void* data = real_->raw_allocate(bytes);
    ++state_->allocations;  // zero-byte ones too: fail_nth counts them
    const c10::Device cpu(c10::DeviceType::CPU);
    if (!data) return {nullptr, nullptr, &free_block, cpu};  // zero bytes
    {
      std::lock_guard<std::mutex> lock(g_blocks_mutex);
      blocks()[data] = Block{n, real_->raw_deleter(), state_};
    }
    const int64_t live = state_->live += n;
    for (int64_t peak = state_->peak; live > peak && !state_->peak.compare_exchange_weak(peak, live);) {
    }
    return {data, data, &free_block, cpu};
  }

 private:
  std::shared_ptr<State> state_;
  c10::Allocator* real_;
};

LimitedCpuAllocator::LimitedCpuAllocator(int64_t budget_bytes)
    : state_(std::make_shared<State>()), installed_(std::make_unique<Installed>(state_)) {
  state_->budget = budget_bytes;
}
LimitedCpuAllocator::~LimitedCpuAllocator() = default;

void LimitedCpuAllocator::set_budget(int64_t bytes) { state_->budget = bytes; }
void LimitedCpuAllocator::fail_nth(int64_t n) { state_->fail_countdown = n; }
int64_t LimitedCpuAllocator::live_bytes() const { return state_->live; }
int64_t LimitedCpuAllocator::peak_bytes() const { return state_->peak; }
int64_t LimitedCpuAllocator::allocations() const { return state_->allocations; }
int64_t LimitedCpuAllocator::refused() const { return state_->refused; }

}  // namespace csm::test

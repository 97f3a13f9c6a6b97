#pragma once
// The backbone's keys and values for a voice's prompt rows (its context turns: clip
// codes and transcript), kept so that the next request with that voice copies them into
// its slot instead of running those rows through the backbone again. Keyed by the rows
// themselves (their hash, then compared): two requests share an entry exactly when their
// voice rows are the same. Bounded by bytes, the least recently used entry goes first.
// One per frame step, so per model, device and dtype. Used on the model thread only.
#include <cstdint>
#include <list>
#include <memory>
#include <unordered_map>
#include <vector>

#include <ATen/ATen.h>

namespace csm {

struct CachedPrefix {
  at::Tensor rows, mask;                      // the prompt rows it is for (CPU)
  std::vector<at::Tensor> keys, values;       // per layer: [kv_heads, rows, head_dim]
  size_t bytes = 0;
};

struct PrefixCacheStats {
  int64_t hits = 0, misses = 0, entries = 0;
  size_t bytes = 0;
};

class PrefixCache {
 public:
  explicit PrefixCache(size_t max_bytes) : max_bytes_(max_bytes) {}
  bool enabled() const { return max_bytes_ > 0; }
  // The entry for exactly these rows, or null (counted as a hit or a miss).
  std::shared_ptr<const CachedPrefix> find(const at::Tensor& rows, const at::Tensor& mask);
  // Keeps an entry (dropping the least recently used ones to make room); one larger
  // than the whole budget is not kept.
  void put(std::shared_ptr<const CachedPrefix> entry);
  PrefixCacheStats stats() const;

 private:
  using Order = std::list<std::shared_ptr<const CachedPrefix>>;
  static uint64_t key_of(const at::Tensor& rows, const at::Tensor& mask);
  const size_t max_bytes_;
  size_t bytes_ = 0;
  Order order_;  // most recently used first
  std::unordered_multimap<uint64_t, Order::iterator> index_;
  int64_t hits_ = 0, misses_ = 0;
};

}  // namespace csm

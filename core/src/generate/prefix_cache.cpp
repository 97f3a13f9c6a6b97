#include "generate/prefix_cache.h"

namespace csm {

uint64_t PrefixCache::key_of(const at::Tensor& rows, const at::Tensor& mask) {
  // FNV-1a over the rows' values and mask: a lookup key only; a hit is compared in full.
  uint64_t h = 1469598103934665603ull;
  const auto mix = [&](const at::Tensor& t) {
    const auto c = t.contiguous().to(at::kLong);
    const int64_t* p = c.data_ptr<int64_t>();
    for (int64_t i = 0; i < c.numel(); ++i) h = (h ^ static_cast<uint64_t>(p[i])) * 1099511628211ull;
  };
  mix(rows);
  mix(mask);
  return h ^ static_cast<uint64_t>(rows.size(0));
}

std::shared_ptr<const CachedPrefix> PrefixCache::find(const at::Tensor& rows, const at::Tensor& mask) {
  if (!enabled()) return nullptr;
  const auto range = index_.equal_range(key_of(rows, mask));
  for (auto it = range.first; it != range.second; ++it) {
    const auto& entry = *it->second;
    if (entry->rows.sizes() == rows.sizes() && at::equal(entry->rows, rows) && at::equal(entry->mask, mask)) {
      order_.splice(order_.begin(), order_, it->second);  // now the most recently used
      ++hits_;
      return entry;
    }
  }
  ++misses_;
  return nullptr;
}

void PrefixCache::put(std::shared_ptr<const CachedPrefix> entry) {
  if (!enabled() || entry->bytes > max_bytes_) return;
  while (bytes_ + entry->bytes > max_bytes_ && !order_.empty()) {
    const auto last = std::prev(order_.end());
    const auto range = index_.equal_range(key_of((*last)->rows, (*last)->mask));
    for (auto it = range.first; it != range.second; ++it)
      if (it->second == last) {
        index_.erase(it);
        break;
      }
    bytes_ -= (*last)->bytes;
    order_.erase(last);
  }
  const uint64_t key = key_of(entry->rows, entry->mask);
  bytes_ += entry->bytes;
  order_.push_front(std::move(entry));
  index_.emplace(key, order_.begin());
}

PrefixCacheStats PrefixCache::stats() const {
  return {hits_, misses_, static_cast<int64_t>(order_.size()), bytes_};
}

}  // namespace csm

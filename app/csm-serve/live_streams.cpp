#include "csm-serve/live_streams.h"

#include "csm-serve/random_id.h"
#include "csm-serve/reply.h"

namespace csm::serve {

SamplingParams LiveStreams::Entry::sampling() const {
  const auto stream = stream_.lock();
  return stream ? stream->sampling() : SamplingParams{};
}

SamplingParams LiveStreams::Entry::change(const SamplingChange& change) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto stream = stream_.lock();
  if (!stream) return {};
  SamplingParams now = stream->sampling();  // the seed stays the request's
  change.apply(now);
  stream->set_sampling(now);
  return now;
}

void LiveStreams::Entry::cancel() {
  if (auto stream = stream_.lock()) stream->cancel();
}

std::shared_ptr<LiveStreams::Entry> LiveStreams::add(const std::shared_ptr<Stream>& stream) {
  // The entry leaves the map when its last holder lets go: a finished response is gone at once.
  auto* raw = new Entry(random_id("str_"), stream);
  std::shared_ptr<Entry> entry(raw, [this](Entry* e) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = entries_.find(e->id_);
      if (it != entries_.end() && it->second.expired()) entries_.erase(it);
    }
    delete e;
  });
  std::lock_guard<std::mutex> lock(mutex_);
  entries_[entry->id()] = entry;
  return entry;
}

std::shared_ptr<LiveStreams::Entry> LiveStreams::find(const std::string& id) const {
  std::shared_ptr<Entry> entry;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = entries_.find(id); it != entries_.end()) entry = it->second.lock();
  }
  const auto stream = entry ? entry->stream_.lock() : nullptr;
  if (!stream || stream->summary().stop != StopReason::Running)
    throw not_found("no stream with id '" + id.substr(0, 64) +
                        "' is running (it finished, or the id is not one this server gave: read X-CSM-Stream-Id)",
                    "stream_not_found");
  return entry;
}

size_t LiveStreams::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.size();
}

}  // namespace csm::serve

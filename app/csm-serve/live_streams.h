#pragma once
// The running speech streams, by the server's own unguessable stream id (the
// X-CSM-Stream-Id header, "stream_id" in every SSE event): POST
// /v1/csm/streams/{id}/sampling changes a stream's knobs, DELETE cancels it.
// Nothing a client sends picks or reaches an id but the id itself.
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "csm-serve/speech_request.h"
#include "csm/scheduler.h"

namespace csm::serve {

class LiveStreams {
 public:
  // One running stream, by its id.
  class Entry {
   public:
    Entry(std::string id, const std::shared_ptr<Stream>& stream) : id_(std::move(id)), stream_(stream) {}
    const std::string& id() const { return id_; }
    SamplingParams sampling() const;  // the stream's own (core keeps the one copy)
    // Applies the change to the stream (two changes at once: one wins whole); returns the knobs now.
    SamplingParams change(const SamplingChange& change);
    void cancel();

   private:
    friend class LiveStreams;
    std::string id_;
    std::weak_ptr<Stream> stream_;
    std::mutex mutex_;  // two changes at once: one wins whole
  };

  // Registered while the returned handle lives (the speech response holds it).
  std::shared_ptr<Entry> add(const std::shared_ptr<Stream>& stream);
  // The running stream with this id; ApiError 404 stream_not_found otherwise.
  std::shared_ptr<Entry> find(const std::string& id) const;
  size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::weak_ptr<Entry>> entries_;
};

}  // namespace csm::serve

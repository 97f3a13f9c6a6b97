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
  // One running stream: the knobs it uses from its next frame on.
  class Entry {
   public:
    Entry(std::string id, const std::shared_ptr<Stream>& stream, const SamplingParams& sampling)
        : id_(std::move(id)), stream_(stream), sampling_(sampling) {}
    const std::string& id() const { return id_; }
    SamplingParams sampling() const;
    // Applies the change to the stream (two changes at once: one wins whole); returns the knobs now.
    SamplingParams change(const SamplingChange& change);
    void cancel();

   private:
    friend class LiveStreams;
    std::string id_;
    std::weak_ptr<Stream> stream_;
    mutable std::mutex mutex_;
    SamplingParams sampling_;
  };

  // Registered while the returned handle lives (the speech response holds it).
  std::shared_ptr<Entry> add(const std::shared_ptr<Stream>& stream, const SamplingParams& sampling);
  // The running stream with this id; ApiError 404 stream_not_found otherwise.
  std::shared_ptr<Entry> find(const std::string& id) const;
  size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::weak_ptr<Entry>> entries_;
};

}  // namespace csm::serve

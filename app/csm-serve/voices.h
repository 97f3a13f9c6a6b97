#pragma once
// Voices: OpenAI's voice names as CSM speaker ids, plus voices cloned from a clip,
// kept on disk as the clip's Mimi codes (codes JSON) with their transcript; a
// cloned voice is a context segment in front of the request's text.
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "csm/engine.h"

namespace csm::serve {

struct Voice {
  std::string name;
  int speaker = 0;
  std::string transcript;  // empty for the built-in ones
  std::vector<Segment> context;
  bool builtin = true;
  nlohmann::json describe() const;
};

class VoiceStore {
 public:
  // `dir` empty: only the built-in voices (adding is refused). Loads every stored
  // voice; at most `max_voices` cloned ones are kept (adding more is refused).
  explicit VoiceStore(std::string dir, size_t max_voices = 256);
  std::optional<Voice> find(const std::string& name) const;
  std::vector<Voice> list() const;
  bool keeps_voices() const { return !dir_.empty(); }  // --voices DIR given: uploads are kept
  // What the engine speaks for one request: the `context` voices' clips as earlier
  // turns (in the given order, each with its own speaker id), then the voice's own
  // clip; `speaker` overrides the voice's id, its own clip's turn included (it is the
  // same speaker). Throws ApiError 400 naming the first context voice that does not
  // exist (voice_not_found) or has no clip (voice_has_no_clip: a built-in one).
  Request request_for(const std::string& text, const Voice& voice, std::optional<int> speaker,
                      const std::vector<std::string>& context) const;
  // Encodes the clip (any format libsndfile reads, at most 60 s, decoded within
  // bounds) and stores it. Throws ApiError: 400 bad name/clip/transcript, 409 name
  // taken or the store full, 501 no voices folder. No temporary file outlives it.
  Voice add(const std::string& name, const std::string& transcript, int speaker, const std::string& clip_bytes,
            const Engine& engine);
  // Forgets a cloned voice and deletes its files. ApiError 404 voice_not_found
  // (also without a voices folder: there is none to delete), 400 for a built-in one.
  void remove(const std::string& name);

 private:
  std::string dir_;
  size_t max_voices_;
  mutable std::mutex mutex_;
  std::map<std::string, Voice> stored_;
};

}  // namespace csm::serve

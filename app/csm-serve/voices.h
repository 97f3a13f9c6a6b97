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
  // `dir` empty: only the built-in voices (adding is refused). Loads every stored voice.
  explicit VoiceStore(std::string dir);
  std::optional<Voice> find(const std::string& name) const;
  std::vector<Voice> list() const;
  // Encodes the clip (any format libsndfile reads) and stores it. Throws ApiError:
  // 400 bad name/clip/transcript, 409 name taken, 501 no voices folder.
  Voice add(const std::string& name, const std::string& transcript, int speaker, const std::string& clip_bytes,
            const Engine& engine);

 private:
  std::string dir_;
  mutable std::mutex mutex_;
  std::map<std::string, Voice> stored_;
};

}  // namespace csm::serve

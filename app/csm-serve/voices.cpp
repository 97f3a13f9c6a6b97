#include "csm-serve/voices.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "csm-serve/openai_error.h"
#include "csm-serve/speech_request.h"
#include "csm/audio_file.h"
#include "csm/codes_json.h"
#include "csm/error.h"

namespace csm::serve {
namespace fs = std::filesystem;
namespace {

const std::vector<std::string>& builtin_names() {
  static const std::vector<std::string> names = {"alloy", "ash",  "ballad", "coral",   "echo", "fable",
                                                 "nova",  "onyx", "sage",   "shimmer", "verse"};
  return names;
}

constexpr double kMaxClipSeconds = 60.0;
constexpr size_t kMaxTranscript = 4096;

// A private file for the upload (libsndfile reads files), removed on every path out.
class TemporaryUpload {
 public:
  TemporaryUpload(const fs::path& dir, const std::string& bytes) {
    std::random_device rd;
    path_ = dir / (".upload-" + std::to_string(getpid()) + "-" + std::to_string(rd()) + "-" + std::to_string(rd()));
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out << bytes;
    if (!out.flush()) throw Error(ErrorCode::Io, "cannot store the upload (is the voices folder's disk full?)");
  }
  ~TemporaryUpload() {
    std::error_code ignored;
    fs::remove(path_, ignored);
  }
  TemporaryUpload(const TemporaryUpload&) = delete;
  TemporaryUpload& operator=(const TemporaryUpload&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

ApiError voices_disabled() {
  ApiError e = bad_request("this server keeps no voices: start it with --voices DIR", "", "voices_disabled");
  e.status = 501;
  return e;
}

void write_file_atomically(const fs::path& path, const std::string& data) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << data;
    if (!out.flush()) throw Error(ErrorCode::Io, "cannot write " + tmp.string());
  }
  fs::rename(tmp, path);
}

}  // namespace

nlohmann::json Voice::describe() const {
  nlohmann::json j = {{"id", name}, {"name", name}, {"object", "voice"}, {"type", builtin ? "builtin" : "cloned"},
                      {"speaker", speaker}};
  if (!builtin) {
    j["transcript"] = transcript;
    j["frames"] = context.empty() ? 0 : context.front().audio_frames.size();
  }
  return j;
}

VoiceStore::VoiceStore(std::string dir, size_t max_voices) : dir_(std::move(dir)), max_voices_(max_voices) {
  if (dir_.empty()) return;
  fs::create_directories(dir_);
  for (const auto& entry : fs::directory_iterator(dir_)) {
    const std::string file = entry.path().filename().string();
    if (file.rfind(".upload-", 0) == 0) {  // left by a process that was killed mid-upload
      std::error_code ignored;
      fs::remove(entry.path(), ignored);
      continue;
    }
    const std::string suffix = ".voice.json";
    if (file.size() <= suffix.size() || file.compare(file.size() - suffix.size(), suffix.size(), suffix) != 0) continue;
    const std::string name = file.substr(0, file.size() - suffix.size());
    try {
      std::ifstream in(entry.path());
      const auto meta = nlohmann::json::parse(in);
      Voice v;
      v.name = name;
      v.builtin = false;
      v.speaker = meta.value("speaker", 0);
      v.transcript = meta.value("transcript", std::string());
      const auto codes = read_codes_json((fs::path(dir_) / (name + ".codes.json")).string());
      v.context.push_back({v.speaker, v.transcript, codes.frames});
      if (valid_voice_name(name)) stored_[name] = std::move(v);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "csm-serve: skipping voice %s: %s\n", name.c_str(), e.what());
    }
  }
}

std::optional<Voice> VoiceStore::find(const std::string& name) const {
  for (size_t i = 0; i < builtin_names().size(); ++i)
    if (builtin_names()[i] == name) return Voice{name, static_cast<int>(i), {}, {}, true};
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = stored_.find(name);
  if (it == stored_.end()) return std::nullopt;
  return it->second;
}

std::vector<Voice> VoiceStore::list() const {
  std::vector<Voice> out;
  for (const auto& n : builtin_names()) out.push_back(*find(n));
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [name, v] : stored_) out.push_back(v);
  return out;
}

Request VoiceStore::request_for(const std::string& text, const Voice& voice, std::optional<int> speaker,
                                const std::vector<std::string>& context) const {
  Request r{text, speaker.value_or(voice.speaker), {}};
  for (const auto& name : context) {
    const auto v = find(name);
    if (!v)
      throw bad_request("context voice '" + name + "' does not exist (GET /v1/audio/voices lists them)", "context",
                        "voice_not_found");
    if (v->context.empty())
      throw bad_request("context voice '" + name + "' is built in and has no clip: use a cloned voice (POST /v1/audio/voices)",
                        "context", "voice_has_no_clip");
    r.context.insert(r.context.end(), v->context.begin(), v->context.end());
  }
  for (Segment s : voice.context) {
    s.speaker = r.speaker;
    r.context.push_back(std::move(s));
  }
  return r;
}

Voice VoiceStore::add(const std::string& name, const std::string& transcript, int speaker,
                      const std::string& clip_bytes, const Engine& engine) {
  if (dir_.empty()) throw voices_disabled();
  if (!valid_voice_name(name)) throw bad_request("'name' must be 1-64 letters, digits, '_', '-' or '.'", "name", "invalid_voice");
  if (transcript.find_first_not_of(" \t\r\n") == std::string::npos)
    throw bad_request("'transcript' is required: what is said in the clip", "transcript", "missing_field");
  if (transcript.size() > kMaxTranscript) throw bad_request("'transcript' is too long (at most 4096 bytes)", "transcript");
  if (speaker < 0 || speaker > 1000) throw bad_request("'speaker' must be in [0, 1000]", "speaker");
  if (clip_bytes.empty()) throw bad_request("'file' (the voice clip) is required", "file", "missing_field");
  auto refuse_if_taken = [&] {  // asked before the encode and again, under the lock, before storing
    if (find(name)) {
      ApiError e = bad_request("voice '" + name + "' exists already", "name", "voice_exists");
      e.status = 409;
      throw e;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    if (stored_.size() >= max_voices_) {
      ApiError e = bad_request("this server keeps at most " + std::to_string(max_voices_) +
                                   " voices: DELETE /v1/audio/voices/{name} one first",
                               "name", "too_many_voices");
      e.status = 409;
      throw e;
    }
  };
  refuse_if_taken();
  std::vector<std::vector<int32_t>> codes;
  std::string upload_name;
  try {
    const TemporaryUpload upload(dir_, clip_bytes);
    upload_name = upload.path().string();
    AudioReadOptions read;
    read.target_rate = engine.info().sample_rate;
    read.max_seconds = kMaxClipSeconds;
    const auto samples = read_audio_mono(upload_name, read);
    codes = engine.encode_audio(samples, read.target_rate);
  } catch (const Error& e) {
    if (e.code() == ErrorCode::BadAudioFile || e.code() == ErrorCode::InvalidArgument) {
      std::string message = e.what();
      const auto at = upload_name.empty() ? std::string::npos : message.find(upload_name);
      if (at != std::string::npos) message.replace(at, upload_name.size(), "the clip");
      throw bad_request("the clip cannot be used: " + message, "file", "invalid_audio");
    }
    throw;
  }
  refuse_if_taken();
  Voice v{name, speaker, transcript, {{speaker, transcript, codes}}, false};
  std::lock_guard<std::mutex> lock(mutex_);
  write_codes_json((fs::path(dir_) / (name + ".codes.json")).string(), CodesFile{codes, {}});
  write_file_atomically(fs::path(dir_) / (name + ".voice.json"),
                        nlohmann::json({{"name", name}, {"speaker", speaker}, {"transcript", transcript}}).dump(2));
  stored_[name] = v;
  return v;
}

void VoiceStore::remove(const std::string& name) {
  for (const auto& b : builtin_names())
    if (b == name) throw bad_request("voice '" + name + "' is built in and cannot be deleted", "name", "voice_is_builtin");
  std::lock_guard<std::mutex> lock(mutex_);
  if (!valid_voice_name(name) || stored_.erase(name) == 0) {
    ApiError e = bad_request("voice '" + name.substr(0, 64) + "' does not exist (GET /v1/audio/voices lists them)", "name",
                             "voice_not_found");
    e.status = 404;
    throw e;
  }
  std::error_code ignored;
  fs::remove(fs::path(dir_) / (name + ".voice.json"), ignored);
  fs::remove(fs::path(dir_) / (name + ".codes.json"), ignored);
}

}  // namespace csm::serve

#include "csm-serve/speech_request.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "csm/error.h"

namespace csm::serve {
namespace {

using nlohmann::json;

size_t utf8_code_points(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

const json* field(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string string_field(const json& body, const char* name, bool required) {
  const json* f = field(body, name);
  if (!f) {
    if (required) throw bad_request(std::string("'") + name + "' is required", name, "missing_field");
    return {};
  }
  if (!f->is_string()) throw bad_request(std::string("'") + name + "' must be a string", name, "invalid_type");
  return f->get<std::string>();
}

std::optional<double> number_field(const json& body, const char* name) {
  const json* f = field(body, name);
  if (!f) return std::nullopt;
  if (!f->is_number()) throw bad_request(std::string("'") + name + "' must be a number", name, "invalid_type");
  const double v = f->get<double>();
  if (!std::isfinite(v)) throw bad_request(std::string("'") + name + "' must be finite", name);
  return v;
}

// An integer field in [lo, hi]; 3.0 counts as an integer, 3.5 does not.
std::optional<int64_t> integer_field(const json& body, const char* name, int64_t lo, int64_t hi) {
  const json* f = field(body, name);
  if (!f) return std::nullopt;
  if (f->is_number_unsigned()) {
    const uint64_t v = f->get<uint64_t>();
    if (v > static_cast<uint64_t>(hi) || static_cast<int64_t>(v) < lo)
      throw bad_request(std::string("'") + name + "' must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]",
                        name);
    return static_cast<int64_t>(v);
  }
  if (f->is_number_integer()) {
    const int64_t v = f->get<int64_t>();
    if (v < lo || v > hi)
      throw bad_request(std::string("'") + name + "' must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]",
                        name);
    return v;
  }
  if (f->is_number_float()) {
    const double v = f->get<double>();
    if (!std::isfinite(v) || v != std::floor(v) || v < static_cast<double>(lo) || v > static_cast<double>(hi))
      throw bad_request(std::string("'") + name + "' must be an integer in [" + std::to_string(lo) + ", " +
                            std::to_string(hi) + "]",
                        name);
    return static_cast<int64_t>(v);
  }
  throw bad_request(std::string("'") + name + "' must be an integer", name, "invalid_type");
}

AudioFormat parse_format(const std::string& s) {
  if (s == "wav") return AudioFormat::Wav;
  if (s == "pcm") return AudioFormat::Pcm;
  if (s == "flac") return AudioFormat::Flac;
  if (s == "opus") return AudioFormat::Opus;
  if (s == "mp3") return AudioFormat::Mp3;
  if (s == "aac")
    throw bad_request("response_format 'aac' is not supported here; use wav, pcm, flac, opus or mp3", "response_format",
                      "unsupported_value");
  throw bad_request("response_format must be one of wav, pcm, flac, opus, mp3", "response_format", "unsupported_value");
}

// The same ranges for a speech request and a live change of a running stream.
std::optional<float> temperature_field(const json& body, const char* name) {
  auto t = number_field(body, name);
  if (!t) return std::nullopt;
  if (*t < 0 || *t > 2) throw bad_request(std::string("'") + name + "' must be in [0, 2] (0 = greedy)", name);
  return static_cast<float>(*t);
}

std::optional<float> top_p_field(const json& body, const char* name) {
  auto p = number_field(body, name);
  if (!p) return std::nullopt;
  if (!(*p > 0 && *p <= 1)) throw bad_request(std::string("'") + name + "' must be in (0, 1] (1 = no cut-off)", name);
  return static_cast<float>(*p);
}

// Chunk lengths: whole Mimi frames of 80 ms, at most a minute.
std::optional<int> chunk_field(const json& body, const char* name) {
  const auto ms = integer_field(body, name, 80, 60000);
  if (ms && *ms % 80 != 0) throw bad_request(std::string("'") + name + "' must be a multiple of 80 (ms, one frame)", name);
  if (!ms) return std::nullopt;
  return static_cast<int>(*ms);
}

std::optional<int> top_k_field(const json& body, const char* name) {
  auto k = integer_field(body, name, 0, 65536);
  return k ? std::optional<int>(static_cast<int>(*k)) : std::nullopt;
}

SamplingChange sampling_fields(const json& body) {
  return {temperature_field(body, "temperature"), top_p_field(body, "top_p"),
          temperature_field(body, "depth_temperature"), top_p_field(body, "depth_top_p"),
          top_k_field(body, "top_k"), top_k_field(body, "depth_top_k")};
}

std::vector<std::string> context_field(const json& body) {
  const json* f = field(body, "context");
  if (!f) return {};
  if (!f->is_array()) throw bad_request("'context' must be an array of voice names", "context", "invalid_type");
  if (f->size() > kMaxContextVoices)
    throw bad_request("'context' names " + std::to_string(f->size()) + " voices; at most " +
                          std::to_string(kMaxContextVoices) + " are allowed",
                      "context");
  std::vector<std::string> names;
  for (const auto& v : *f) {
    if (!v.is_string() || !valid_voice_name(v.get_ref<const std::string&>()))
      throw bad_request("every 'context' entry must be a voice name (1-64 letters, digits, '_', '-' or '.')", "context",
                        "invalid_voice");
    names.push_back(v.get<std::string>());
  }
  return names;
}

}  // namespace

const char* to_string(AudioFormat format) {
  switch (format) {
    case AudioFormat::Wav: return "wav";
    case AudioFormat::Pcm: return "pcm";
    case AudioFormat::Flac: return "flac";
    case AudioFormat::Opus: return "opus";
    case AudioFormat::Mp3: return "mp3";
  }
  return "?";
}

const char* content_type(AudioFormat format) {
  switch (format) {
    case AudioFormat::Wav: return "audio/wav";
    case AudioFormat::Pcm: return "audio/pcm";
    case AudioFormat::Flac: return "audio/flac";
    case AudioFormat::Opus: return "audio/ogg";
    case AudioFormat::Mp3: return "audio/mpeg";
  }
  return "application/octet-stream";
}

const std::vector<std::string>& known_models() {
  static const std::vector<std::string> models = {"csm-1b", "tts-1", "tts-1-hd", "gpt-4o-mini-tts"};
  return models;
}

bool valid_voice_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '.') return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

json parse_json_object(std::string_view text, const std::string& what) {
  json object;
  try {
    object = json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    throw bad_request(what + " is not valid JSON: " + e.what(), "", "invalid_json");
  }
  if (!object.is_object()) throw bad_request(what + " must be a JSON object", "", "invalid_json");
  return object;
}

SpeechRequest parse_speech_request(std::string_view body_text, const SpeechLimits& limits) {
  return parse_speech_object(parse_json_object(body_text, "the body"), limits, TextArrives::InBody);
}

size_t text_characters(const std::string& text) { return utf8_code_points(text); }

SpeechRequest parse_speech_object(const json& body, const SpeechLimits& limits, TextArrives text) {
  if (!body.is_object()) throw bad_request("the request must be a JSON object", "", "invalid_request");
  SpeechRequest r;
  r.model = string_field(body, "model", true);
  bool known = false;
  for (const auto& m : known_models()) known = known || m == r.model;
  if (!known) {
    std::string names;
    for (const auto& m : known_models()) names += (names.empty() ? "" : ", ") + m;
    throw bad_request("model '" + r.model.substr(0, 100) + "' is not served here (models: " + names + ")", "model",
                      "model_not_found");
  }

  // Text that is streamed in later may start empty.
  r.input = string_field(body, "input", text == TextArrives::InBody);
  if (text == TextArrives::InBody && r.input.find_first_not_of(" \t\r\n") == std::string::npos)
    throw bad_request("'input' is empty: give some text to speak", "input", "empty_input");
  const size_t chars = utf8_code_points(r.input);
  if (chars > limits.max_input_chars)
    throw bad_request("'input' is " + std::to_string(chars) + " characters; at most " +
                          std::to_string(limits.max_input_chars) + " are allowed",
                      "input", "input_too_long");

  r.voice = string_field(body, "voice", true);
  if (!valid_voice_name(r.voice))
    throw bad_request("'voice' must be 1-64 letters, digits, '_', '-' or '.'", "voice", "invalid_voice");

  const std::string format = string_field(body, "response_format", false);
  if (!format.empty()) r.format = parse_format(format);

  if (auto speed = number_field(body, "speed"); speed && *speed != 1.0)
    throw bad_request("'speed' must be 1.0: CSM speaks at its own pace (other speeds are not supported)", "speed",
                      "unsupported_value");

  const std::string stream = string_field(body, "stream_format", false);
  if (stream == "sse") r.stream = StreamFormat::Sse;
  else if (stream.empty() || stream == "audio") r.stream = StreamFormat::Audio;
  else throw bad_request("stream_format must be 'audio' or 'sse'", "stream_format", "unsupported_value");

  // 'instructions' (OpenAI's style prompt) has no meaning for CSM: accepted as a string, ignored.
  string_field(body, "instructions", false);

  r.sampling = sampling_fields(body);
  if (auto s = integer_field(body, "seed", 0, std::numeric_limits<int64_t>::max())) r.seed = static_cast<uint64_t>(*s);
  if (auto n = integer_field(body, "codebooks", 1, 64)) r.codebooks = static_cast<int>(*n);
  const std::string fill = string_field(body, "codebook_fill", false);
  if (fill == "mask") r.codebook_fill = CodebookFill::Mask;
  else if (fill == "pad") r.codebook_fill = CodebookFill::Pad;
  else if (!fill.empty()) throw bad_request("'codebook_fill' must be 'mask' or 'pad'", "codebook_fill", "unsupported_value");
  if (const json* f = field(body, "include_codes")) {
    if (!f->is_boolean()) throw bad_request("'include_codes' must be true or false", "include_codes", "invalid_type");
    r.include_codes = f->get<bool>();
  }
  if (auto g = number_field(body, "length_guard")) {
    if (!(*g >= 0 && *g <= 100)) throw bad_request("'length_guard' must be in [0, 100] (0 = off)", "length_guard");
    r.length_guard = *g;
  }
  r.max_audio_ms = limits.max_audio_ms;
  if (auto ms = integer_field(body, "max_audio_ms", 80, limits.max_audio_ms)) {
    r.max_audio_ms = static_cast<int>(*ms);
  }
  r.chunk_size_ms = chunk_field(body, "chunk_size_ms");
  r.first_chunk_ms = chunk_field(body, "first_chunk_ms");
  if (auto sp = integer_field(body, "speaker", 0, kMaxSpeaker)) r.speaker = static_cast<int>(*sp);
  r.context = context_field(body);
  return r;
}

void SamplingChange::apply(SamplingParams& s) const {
  if (temperature) s.temperature = *temperature;
  if (top_k) s.top_k = *top_k;
  if (top_p) s.top_p = *top_p;
  if (depth_temperature) s.depth_temperature = *depth_temperature;
  if (depth_top_k) s.depth_top_k = *depth_top_k;
  if (depth_top_p) s.depth_top_p = *depth_top_p;
}

SamplingChange parse_sampling_change(std::string_view body_text) {
  const SamplingChange c = sampling_fields(parse_json_object(body_text, "the body"));
  if (c.empty())
    throw bad_request("give one or more of 'temperature', 'top_k', 'top_p', 'depth_temperature', 'depth_top_k', "
                      "'depth_top_p' to change",
                      "", "missing_field");
  return c;
}

StreamingConfig SpeechRequest::streaming_config(int default_chunk_ms, int default_first_chunk_ms) const {
  StreamingConfig config;
  config.chunk_size_ms = chunk_size_ms.value_or(default_chunk_ms);
  config.first_chunk_ms = first_chunk_ms.value_or(std::min(default_first_chunk_ms, config.chunk_size_ms));
  sampling.apply(config.sampling);
  if (seed) config.sampling.seed = *seed;
  config.max_audio_ms = max_audio_ms;
  if (codebooks) config.codebooks = *codebooks;
  if (codebook_fill) config.codebook_fill = *codebook_fill;
  if (length_guard) config.length_guard = *length_guard;
  try {
    config.validate();
  } catch (const Error& e) {
    const std::string message = e.what();
    throw bad_request(message, message.find("first_chunk_ms") != std::string::npos ? "first_chunk_ms" : "");
  }
  return config;
}

}  // namespace csm::serve

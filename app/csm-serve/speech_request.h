#pragma once
// POST /v1/audio/speech: the JSON body parsed and checked into a plain struct,
// every problem an ApiError (400) naming the field. No HTTP in here: fuzzable.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "csm-serve/openai_error.h"
#include "csm/streaming_config.h"

namespace csm::serve {

enum class AudioFormat { Wav, Pcm, Flac, Opus, Mp3 };
enum class StreamFormat { Audio, Sse };

const char* to_string(AudioFormat format);
const char* content_type(AudioFormat format);

// Sampling knobs a request (or a live change of a running stream) may set; unset ones
// keep their value. Ranges: temperature 0-2 (0 = greedy), top_k 0-65536 (0 = none),
// top_p (0, 1] (1 = none), and the same for the depth decoder's depth_* knobs.
struct SamplingChange {
  std::optional<float> temperature, top_p, depth_temperature, depth_top_p;
  std::optional<int> top_k, depth_top_k;
  bool empty() const {
    return !temperature && !top_k && !top_p && !depth_temperature && !depth_top_k && !depth_top_p;
  }
  void apply(SamplingParams& s) const;
};

struct SpeechLimits {
  size_t max_input_chars = 4096;  // Unicode code points, as OpenAI counts
  int max_audio_ms = 90000;       // the server's cap per request (and the default)
};

struct SpeechRequest {
  std::string model;
  std::string input;
  std::string voice;
  AudioFormat format = AudioFormat::Mp3;  // OpenAI's default
  StreamFormat stream = StreamFormat::Audio;
  // CSM extras
  SamplingChange sampling;
  std::optional<uint64_t> seed;
  std::optional<int> codebooks;             // 1..the model's
  std::optional<CodebookFill> codebook_fill;
  std::optional<double> length_guard;       // 0 (off) .. 100
  bool include_codes = false;               // SSE: each delta's csm object carries its codes and entropies
  int max_audio_ms = 0;  // filled with the server's cap when absent
  std::optional<int> chunk_size_ms;   // the server's --chunk-size-ms when absent
  std::optional<int> first_chunk_ms;  // the server's --first-chunk-ms when absent
  std::optional<int> speaker;        // overrides the voice's speaker id
  std::vector<std::string> context;  // voices whose clips go first, in this order

  // The stream's settings: the request's own, else the server's defaults (the first
  // chunk no longer than the rest), checked by StreamingConfig::validate(). Throws
  // ApiError 400 with the config's message.
  StreamingConfig streaming_config(int default_chunk_ms, int default_first_chunk_ms) const;
};

// The most voices one request may put in front of its text as context.
constexpr size_t kMaxContextVoices = 8;
constexpr int kMaxSpeaker = 99;

// POST /v1/csm/streams/{id}/sampling: the knobs a running stream takes from its
// next frame. At least one is set (else ApiError 400); ranges as in a speech request.
SamplingChange parse_sampling_change(std::string_view body);

// Models this server answers to: its own id and OpenAI's TTS names, all CSM here.
const std::vector<std::string>& known_models();

// Throws ApiError (400) for malformed JSON, a missing or wrong-typed field, an
// unknown model or format, empty or over-long input, speed != 1, bad extras
// (the context voices are only checked for their names here: the handler looks them up).
SpeechRequest parse_speech_request(std::string_view body, const SpeechLimits& limits = {});

// The same fields from a parsed object: POST's body (the text in 'input', required) or
// a WebSocket's session.start (the text streamed in after it: 'input' optional, may be empty).
enum class TextArrives { InBody, Streamed };
SpeechRequest parse_speech_object(const nlohmann::json& body, const SpeechLimits& limits, TextArrives text);

// `text` parsed as one JSON object; ApiError 400 invalid_json naming `what` ("the body") otherwise.
nlohmann::json parse_json_object(std::string_view text, const std::string& what);

// Characters as the input limit counts them (Unicode code points).
size_t text_characters(const std::string& text);

// Voice names: 1-64 of [A-Za-z0-9_.-], not starting with '.'.
bool valid_voice_name(std::string_view name);

}  // namespace csm::serve

// csm-serve's pure parts: the speech request parser (every 400), the streaming
// encoders (each output decodes to the samples that went in), multipart, SSE,
// the Prometheus text and OpenAI's error shape.
#include <sndfile.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "csm-serve/api_key.h"
#include "csm-serve/audio_encoder.h"
#include "csm-serve/live_streams.h"
#include "csm-serve/random_id.h"
#include "csm-serve/metrics.h"
#include "csm-serve/multipart.h"
#include "csm-serve/openai_error.h"
#include "csm-serve/socket_messages.h"
#include "csm-serve/speech_request.h"
#include "csm-serve/sse.h"
#include "csm-serve/voices.h"
#include "csm/codes_json.h"
#include "support/fixtures.h"

namespace {

using namespace csm::serve;
using nlohmann::json;

json base() { return {{"model", "tts-1"}, {"input", "Hello there."}, {"voice", "alloy"}}; }

ApiError error_of(const std::string& body, const SpeechLimits& limits = {}) {
  try {
    parse_speech_request(body, limits);
  } catch (const ApiError& e) {
    return e;
  }
  ADD_FAILURE() << "accepted: " << body;
  return {};
}

ApiError error_with(const char* key, const json& value) {
  json b = base();
  if (value.is_null()) b.erase(key);
  else b[key] = value;
  return error_of(b.dump());
}

TEST(SpeechRequest, ParsesOpenAIFieldsAndExtras) {
  json b = base();
  b["response_format"] = "flac";
  b["stream_format"] = "sse";
  b["speed"] = 1.0;
  b["temperature"] = 0.5;
  b["top_k"] = 20;
  b["seed"] = 42;
  b["max_audio_ms"] = 800;
  b["instructions"] = "ignored";
  b["unknown_extra"] = true;
  const auto r = parse_speech_request(b.dump());
  EXPECT_EQ(r.model, "tts-1");
  EXPECT_EQ(r.input, "Hello there.");
  EXPECT_EQ(r.voice, "alloy");
  EXPECT_EQ(r.format, AudioFormat::Flac);
  EXPECT_EQ(r.stream, StreamFormat::Sse);
  EXPECT_FLOAT_EQ(*r.sampling.temperature, 0.5f);
  EXPECT_EQ(*r.sampling.top_k, 20);
  EXPECT_EQ(*r.seed, 42u);
  EXPECT_EQ(r.max_audio_ms, 800);
}

// Issue #23's knobs reach the stream's settings; anything out of range is a 400 naming it.
TEST(SpeechRequest, ResearchKnobsReachTheStreamingConfig) {
  json b = base();
  b["top_p"] = 0.8;
  b["depth_temperature"] = 0.0;
  b["depth_top_k"] = 10;
  b["depth_top_p"] = 0.95;
  b["codebooks"] = 8;
  b["codebook_fill"] = "pad";
  b["length_guard"] = 2.5;
  const auto c = parse_speech_request(b.dump()).streaming_config(320, 80);
  EXPECT_FLOAT_EQ(c.sampling.top_p, 0.8f);
  EXPECT_FLOAT_EQ(c.sampling.decoder_temperature(), 0.0f);
  EXPECT_EQ(c.sampling.decoder_top_k(), 10);
  EXPECT_FLOAT_EQ(c.sampling.decoder_top_p(), 0.95f);
  EXPECT_EQ(c.codebooks, 8);
  EXPECT_EQ(c.codebook_fill, csm::CodebookFill::Pad);
  EXPECT_DOUBLE_EQ(c.length_guard, 2.5);
  // Not given: codebook 0's knobs for the depth decoder, all codebooks, the default guard.
  const auto d = parse_speech_request(base().dump()).streaming_config(320, 80);
  EXPECT_FLOAT_EQ(d.sampling.decoder_temperature(), d.sampling.temperature);
  EXPECT_EQ(d.codebooks, 0);
  EXPECT_DOUBLE_EQ(d.length_guard, csm::StreamingConfig{}.length_guard);
  for (const auto& [field, value] : std::vector<std::pair<const char*, json>>{
           {"top_p", 0.0}, {"top_p", 1.5}, {"depth_temperature", -1}, {"depth_top_k", -1}, {"codebooks", 0},
           {"codebooks", 65}, {"codebook_fill", "zero"}, {"length_guard", -1}, {"length_guard", "long"}}) {
    json bad = base();
    bad[field] = value;
    try {
      parse_speech_request(bad.dump());
      ADD_FAILURE() << field << " = " << value.dump() << " was accepted";
    } catch (const ApiError& e) {
      EXPECT_EQ(e.status, 400);
      EXPECT_EQ(e.param, field) << e.message;
    }
  }
}

TEST(SpeechRequest, DefaultsAreOpenAIs) {
  SpeechLimits limits;
  limits.max_audio_ms = 5000;
  const auto r = parse_speech_request(base().dump(), limits);
  EXPECT_EQ(r.format, AudioFormat::Mp3);
  EXPECT_EQ(r.stream, StreamFormat::Audio);
  EXPECT_TRUE(r.sampling.empty());
  EXPECT_FALSE(r.seed);
  EXPECT_EQ(r.max_audio_ms, 5000);
  for (const char* f : {"wav", "pcm", "flac", "opus", "mp3"}) {
    json b = base();
    b["response_format"] = f;
    EXPECT_STREQ(to_string(parse_speech_request(b.dump()).format), f);
  }
}

TEST(SpeechRequest, MalformedJsonIs400) {
  for (const char* body : {"", "{", "{bad", "[1,2]", "\"text\"", "42", "null", "{\"model\":\"tts-1\",}"}) {
    const auto e = error_of(body);
    EXPECT_EQ(e.status, 400) << body;
    EXPECT_EQ(e.type, "invalid_request_error");
    EXPECT_EQ(e.code, "invalid_json") << body;
  }
  // Invalid UTF-8 inside a string is malformed JSON too.
  EXPECT_EQ(error_of("{\"model\":\"tts-1\",\"input\":\"\xff\xfe\",\"voice\":\"alloy\"}").code, "invalid_json");
}

TEST(SpeechRequest, EveryBadFieldIs400NamingIt) {
  struct Case {
    const char* key;
    json value;
    const char* code;
  };
  const std::vector<Case> cases = {
      {"model", nullptr, "missing_field"},
      {"model", 3, "invalid_type"},
      {"model", "whisper-1", "model_not_found"},
      {"input", nullptr, "missing_field"},
      {"input", "", "empty_input"},
      {"input", "  \n\t ", "empty_input"},
      {"input", json::array({"a"}), "invalid_type"},
      {"input", std::string(4097, 'a'), "input_too_long"},
      {"voice", nullptr, "missing_field"},
      {"voice", "", "invalid_voice"},
      {"voice", "../etc/passwd", "invalid_voice"},
      {"voice", std::string(65, 'v'), "invalid_voice"},
      {"voice", json::object(), "invalid_type"},
      {"response_format", "aac", "unsupported_value"},
      {"response_format", "ogg", "unsupported_value"},
      {"response_format", 1, "invalid_type"},
      {"speed", 1.25, "unsupported_value"},
      {"speed", 0.5, "unsupported_value"},
      {"speed", "fast", "invalid_type"},
      {"stream_format", "chunks", "unsupported_value"},
      {"temperature", -0.1, "invalid_value"},
      {"temperature", 2.5, "invalid_value"},
      {"temperature", "hot", "invalid_type"},
      {"top_k", -1, "invalid_value"},
      {"top_k", 2.5, "invalid_value"},
      {"top_k", "ten", "invalid_type"},
      {"seed", -5, "invalid_value"},
      {"seed", 1.5, "invalid_value"},
      {"max_audio_ms", 0, "invalid_value"},
      {"max_audio_ms", 79, "invalid_value"},
      {"max_audio_ms", 90001, "invalid_value"},
      {"max_audio_ms", 1e300, "invalid_value"},
      {"instructions", 5, "invalid_type"},
      {"speaker", -1, "invalid_value"},
      {"speaker", 100, "invalid_value"},
      {"speaker", 1.5, "invalid_value"},
      {"speaker", "one", "invalid_type"},
      {"context", "tester", "invalid_type"},
      {"context", json::object(), "invalid_type"},
      {"context", json::array({"a", "b", "c", "d", "e", "f", "g", "h", "i"}), "invalid_value"},
      {"context", json::array({3}), "invalid_voice"},
      {"context", json::array({"ok", "../etc/passwd"}), "invalid_voice"},
      {"context", json::array({""}), "invalid_voice"},
      {"chunk_size_ms", 0, "invalid_value"},
      {"chunk_size_ms", 100, "invalid_value"},
      {"chunk_size_ms", 60080, "invalid_value"},
      {"chunk_size_ms", "320", "invalid_type"},
      {"first_chunk_ms", 120, "invalid_value"},
  };
  for (const auto& c : cases) {
    const auto e = error_with(c.key, c.value);
    EXPECT_EQ(e.status, 400) << c.key << "=" << c.value.dump();
    EXPECT_EQ(e.code, c.code) << c.key << "=" << c.value.dump() << ": " << e.message;
    EXPECT_EQ(e.param, c.key) << c.key << "=" << c.value.dump();
    EXPECT_FALSE(e.message.empty());
  }
}

TEST(SpeechRequest, InputLimitCountsCharactersNotBytes) {
  std::string umlauts;
  for (int i = 0; i < 4096; ++i) umlauts += "\xc3\xa4";  // 4096 characters, 8192 bytes
  json b = base();
  b["input"] = umlauts;
  EXPECT_NO_THROW(parse_speech_request(b.dump()));
  b["input"] = umlauts + "a";
  EXPECT_EQ(error_of(b.dump()).code, "input_too_long");
  SpeechLimits small;
  small.max_input_chars = 5;
  b["input"] = "abcdef";
  EXPECT_EQ(error_of(b.dump(), small).code, "input_too_long");
}

TEST(SpeechRequest, NullFieldsCountAsAbsent) {
  json b = base();
  b["speed"] = nullptr;
  b["response_format"] = nullptr;
  b["seed"] = nullptr;
  EXPECT_NO_THROW(parse_speech_request(b.dump()));
}

TEST(SpeechRequest, SpeakerAndContextExtras) {
  json b = base();
  const auto plain = parse_speech_request(b.dump());
  EXPECT_FALSE(plain.speaker);
  EXPECT_TRUE(plain.context.empty());
  b["speaker"] = 99;
  b["context"] = json::array({"second", "first", "second"});  // order kept, repeats allowed
  const auto r = parse_speech_request(b.dump());
  EXPECT_EQ(*r.speaker, 99);
  EXPECT_EQ(r.context, (std::vector<std::string>{"second", "first", "second"}));
  b["speaker"] = 0;
  b["context"] = json::array({"a", "b", "c", "d", "e", "f", "g", "h"});  // 8: the most
  EXPECT_EQ(*parse_speech_request(b.dump()).speaker, 0);
  EXPECT_EQ(parse_speech_request(b.dump()).context.size(), kMaxContextVoices);
  b["speaker"] = nullptr;
  b["context"] = nullptr;
  EXPECT_FALSE(parse_speech_request(b.dump()).speaker);
  EXPECT_TRUE(parse_speech_request(b.dump()).context.empty());
}

TEST(SpeechRequest, ChunkSizesAreWholeFramesFirstNoLongerThanTheRest) {
  json b = base();
  const auto plain = parse_speech_request(b.dump());
  EXPECT_FALSE(plain.chunk_size_ms);
  EXPECT_FALSE(plain.first_chunk_ms);
  b["chunk_size_ms"] = 480;
  b["first_chunk_ms"] = 160;
  const auto r = parse_speech_request(b.dump());
  EXPECT_EQ(*r.chunk_size_ms, 480);
  EXPECT_EQ(*r.first_chunk_ms, 160);
  // The streaming settings they make are checked by StreamingConfig::validate().
  const auto config = r.streaming_config(320, 80);
  EXPECT_EQ(config.chunk_size_ms, 480);
  EXPECT_EQ(config.first_chunk_ms, 160);
  EXPECT_EQ(plain.streaming_config(320, 80).first_chunk_ms, 80);   // the server's defaults
  EXPECT_EQ(plain.streaming_config(160, 240).first_chunk_ms, 160);  // never longer than the rest
  b["first_chunk_ms"] = 560;
  try {
    parse_speech_request(b.dump()).streaming_config(320, 80);
    ADD_FAILURE() << "first_chunk_ms 560 > chunk_size_ms 480 was accepted";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status, 400);
    EXPECT_EQ(e.param, "first_chunk_ms");
    EXPECT_NE(e.message.find("may not exceed"), std::string::npos) << e.message;
  }
  b.erase("chunk_size_ms");  // against the server's default chunk (320)
  try {
    parse_speech_request(b.dump()).streaming_config(320, 80);
    ADD_FAILURE() << "first_chunk_ms 560 > the default chunk 320 was accepted";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.param, "first_chunk_ms");
  }
}

TEST(SamplingChange, ParsesEitherKnobOrBoth) {
  const auto both = parse_sampling_change(R"({"temperature": 0.3, "top_k": 20})");
  EXPECT_FLOAT_EQ(*both.temperature, 0.3f);
  EXPECT_EQ(*both.top_k, 20);
  const auto t = parse_sampling_change(R"({"temperature": 0})");
  EXPECT_FLOAT_EQ(*t.temperature, 0.f);
  EXPECT_FALSE(t.top_k);
  const auto k = parse_sampling_change(R"({"top_k": 5, "temperature": null, "other": 1})");
  EXPECT_FALSE(k.temperature);
  EXPECT_EQ(*k.top_k, 5);
  const auto depth = parse_sampling_change(R"({"depth_temperature": 0.2, "top_p": 0.9})");
  EXPECT_FLOAT_EQ(*depth.depth_temperature, 0.2f);
  EXPECT_FLOAT_EQ(*depth.top_p, 0.9f);
  EXPECT_FALSE(depth.temperature);
}

TEST(SamplingChange, BadBodiesAre400) {
  struct Case {
    const char* body;
    const char* code;
    const char* param;
  };
  for (const Case& c : std::vector<Case>{{"{}", "missing_field", ""},
                                         {R"({"seed": 3})", "missing_field", ""},
                                         {"{bad", "invalid_json", ""},
                                         {"[]", "invalid_json", ""},
                                         {R"({"temperature": 2.5})", "invalid_value", "temperature"},
                                         {R"({"temperature": -1})", "invalid_value", "temperature"},
                                         {R"({"temperature": "hot"})", "invalid_type", "temperature"},
                                         {R"({"top_k": -1})", "invalid_value", "top_k"},
                                         {R"({"top_k": 65537})", "invalid_value", "top_k"},
                                         {R"({"top_k": 2.5})", "invalid_value", "top_k"}}) {
    try {
      parse_sampling_change(c.body);
      ADD_FAILURE() << "accepted: " << c.body;
    } catch (const ApiError& e) {
      EXPECT_EQ(e.status, 400) << c.body;
      EXPECT_EQ(e.code, c.code) << c.body << ": " << e.message;
      EXPECT_EQ(e.param, c.param) << c.body;
    }
  }
}

// A stored voice as csm-serve keeps it: NAME.voice.json and NAME.codes.json.
void store_voice(const std::string& dir, const std::string& name, int speaker, int code, size_t frames) {
  csm::write_codes_json(dir + "/" + name + ".codes.json",
                        csm::CodesFile{std::vector<std::vector<int32_t>>(frames, std::vector<int32_t>(32, code)), {}});
  std::ofstream(dir + "/" + name + ".voice.json") << json{{"name", name}, {"speaker", speaker}, {"transcript", name + " says"}};
}

TEST(VoiceStore, ContextVoicesGoFirstInOrderThenTheVoicesOwnClip) {
  const std::string dir = csm::test::temp_dir("serve-voices");
  store_voice(dir, "main", 4, 1, 3);
  store_voice(dir, "first", 1, 2, 2);
  store_voice(dir, "second", 2, 3, 1);
  VoiceStore store(dir);
  EXPECT_TRUE(store.keeps_voices());
  const Voice main = *store.find("main");
  const auto r = store.request_for("Hello.", main, std::nullopt, {"second", "first"});
  EXPECT_EQ(r.text, "Hello.");
  EXPECT_EQ(r.speaker, 4);
  ASSERT_EQ(r.context.size(), 3u);
  EXPECT_EQ(r.context[0].text, "second says");
  EXPECT_EQ(r.context[0].speaker, 2);  // a context voice keeps its own speaker
  EXPECT_EQ(r.context[0].audio_frames.size(), 1u);
  EXPECT_EQ(r.context[1].text, "first says");
  EXPECT_EQ(r.context[1].speaker, 1);
  EXPECT_EQ(r.context[2].text, "main says");
  EXPECT_EQ(r.context[2].audio_frames.size(), 3u);

  // speaker overrides the voice's id, its own clip included (one speaker); not the context voices'.
  const auto o = store.request_for("Hi.", main, 9, {"first"});
  EXPECT_EQ(o.speaker, 9);
  EXPECT_EQ(o.context[0].speaker, 1);
  EXPECT_EQ(o.context[1].speaker, 9);

  // A built-in voice: no clip of its own; its speaker id, or the override.
  const Voice alloy = *store.find("alloy");
  EXPECT_EQ(store.request_for("Hi.", alloy, std::nullopt, {}).speaker, alloy.speaker);
  const auto b = store.request_for("Hi.", alloy, 42, {"main"});
  EXPECT_EQ(b.speaker, 42);
  ASSERT_EQ(b.context.size(), 1u);
  EXPECT_EQ(b.context[0].speaker, 4);
}

TEST(VoiceStore, AnUnusableContextVoiceIs400NamingIt) {
  const std::string dir = csm::test::temp_dir("serve-voices-bad");
  store_voice(dir, "main", 0, 1, 2);
  VoiceStore store(dir);
  const Voice main = *store.find("main");
  try {
    store.request_for("Hi.", main, std::nullopt, {"main", "nobody"});
    ADD_FAILURE() << "an unknown context voice was accepted";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status, 400);
    EXPECT_EQ(e.code, "voice_not_found");
    EXPECT_EQ(e.param, "context");
    EXPECT_NE(e.message.find("'nobody'"), std::string::npos) << e.message;
  }
  try {
    store.request_for("Hi.", main, std::nullopt, {"alloy"});
    ADD_FAILURE() << "a built-in context voice was accepted";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code, "voice_has_no_clip");
    EXPECT_NE(e.message.find("'alloy'"), std::string::npos) << e.message;
  }
  EXPECT_FALSE(VoiceStore("").keeps_voices());
}

TEST(OpenAIError, HasOpenAIsShape) {
  const auto e = bad_request("bad thing", "voice", "voice_not_found");
  const auto j = json::parse(e.json());
  EXPECT_EQ(j["error"]["message"], "bad thing");
  EXPECT_EQ(j["error"]["type"], "invalid_request_error");
  EXPECT_EQ(j["error"]["param"], "voice");
  EXPECT_EQ(j["error"]["code"], "voice_not_found");
  const auto n = json::parse(bad_request("x", "", "").json());
  EXPECT_TRUE(n["error"]["param"].is_null());
  EXPECT_TRUE(n["error"]["code"].is_null());
  const auto busy = from_core_error(csm::Error(csm::ErrorCode::Busy, "full"));
  EXPECT_EQ(busy.status, 429);
  EXPECT_GT(busy.retry_after_s, 0);
  EXPECT_EQ(from_core_error(csm::Error(csm::ErrorCode::Busy, "draining"), true).status, 503);
  EXPECT_EQ(from_core_error(csm::Error(csm::ErrorCode::InvalidArgument, "x")).status, 400);
  EXPECT_EQ(from_core_error(csm::Error(csm::ErrorCode::OutOfMemory, "x")).status, 503);
  EXPECT_EQ(from_core_error(csm::Error(csm::ErrorCode::Internal, "x")).status, 500);
}

std::vector<float> tone(size_t n, size_t offset = 0) {
  std::vector<float> s(n);
  for (size_t i = 0; i < n; ++i) s[i] = 0.4f * std::sin(2 * M_PI * 440.0 * (i + offset) / 24000.0);
  return s;
}

// Encodes 2 s in 320 ms chunks, as the server does; returns all bytes.
std::string stream_encode(AudioFormat format, const std::vector<float>& all, std::vector<size_t>* sizes = nullptr) {
  auto enc = make_encoder(format, 24000);
  std::string out;
  for (size_t at = 0; at < all.size(); at += 7680) {
    const size_t n = std::min<size_t>(7680, all.size() - at);
    const std::string bytes = enc->encode(all.data() + at, n);
    if (sizes) sizes->push_back(bytes.size());
    out += bytes;
  }
  out += enc->finish();
  return out;
}

std::vector<float> decode_file(const std::string& bytes, const std::string& suffix, int* rate) {
  const std::string path = csm::test::temp_dir("enc") + "/audio." + suffix;
  std::ofstream(path, std::ios::binary) << bytes;
  SF_INFO info{};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
  EXPECT_NE(f, nullptr) << suffix << ": " << sf_strerror(nullptr);
  if (!f) return {};
  *rate = info.samplerate;
  EXPECT_EQ(info.channels, 1);
  std::vector<float> out, buf(4096);
  sf_count_t k;
  while ((k = sf_read_float(f, buf.data(), 4096)) > 0) out.insert(out.end(), buf.begin(), buf.begin() + k);
  sf_close(f);
  return out;
}

TEST(AudioEncoder, PcmIsRawLittleEndian16Bit) {
  auto enc = make_encoder(AudioFormat::Pcm, 24000);
  const float in[] = {0.0f, 1.0f, -1.0f, 0.5f, 2.0f};
  const std::string b = enc->encode(in, 5);
  ASSERT_EQ(b.size(), 10u);
  auto at = [&](int i) { return static_cast<int16_t>(uint8_t(b[2 * i]) | (uint8_t(b[2 * i + 1]) << 8)); };
  EXPECT_EQ(at(0), 0);
  EXPECT_EQ(at(1), 32767);
  EXPECT_EQ(at(2), -32767);
  EXPECT_EQ(at(3), 16384);
  EXPECT_EQ(at(4), 32767);  // clipped
  EXPECT_TRUE(enc->finish().empty());
}

TEST(AudioEncoder, StreamedWavHasUnknownSizesAndDecodes) {
  const auto in = tone(48000);
  const std::string bytes = stream_encode(AudioFormat::Wav, in);
  ASSERT_EQ(bytes.size(), 44u + 2 * in.size());
  EXPECT_EQ(bytes.substr(0, 4), "RIFF");
  EXPECT_EQ(bytes.substr(4, 4), std::string(4, '\xff'));
  EXPECT_EQ(bytes.substr(36, 4), "data");
  EXPECT_EQ(bytes.substr(40, 4), std::string(4, '\xff'));
  int rate = 0;
  const auto out = decode_file(bytes, "wav", &rate);
  EXPECT_EQ(rate, 24000);
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); i += 997) EXPECT_NEAR(out[i], in[i], 1e-4);
}

TEST(AudioEncoder, FlacIsLosslessAndStreams) {
  const auto in = tone(48000);
  std::vector<size_t> sizes;
  const std::string bytes = stream_encode(AudioFormat::Flac, in, &sizes);
  EXPECT_EQ(bytes.substr(0, 4), "fLaC");
  EXPECT_GT(sizes.front(), 0u);  // bytes come out while encoding, not only at the end
  int rate = 0;
  const auto out = decode_file(bytes, "flac", &rate);
  EXPECT_EQ(rate, 24000);
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); i += 997) EXPECT_NEAR(out[i], in[i], 1e-4);
}

TEST(AudioEncoder, OpusAndMp3DecodeToTheSameLength) {
  const auto in = tone(48000);
  for (auto [format, suffix, magic] : {std::tuple{AudioFormat::Opus, "opus", "OggS"}, std::tuple{AudioFormat::Mp3, "mp3", ""}}) {
    std::vector<size_t> sizes;
    const std::string bytes = stream_encode(format, in, &sizes);
    if (*magic) EXPECT_EQ(bytes.substr(0, 4), magic);
    size_t early = 0;
    for (size_t i = 0; i + 1 < sizes.size(); ++i) early += sizes[i];
    EXPECT_GT(early, 0u) << suffix << ": nothing came out before the end";
    int rate = 0;
    const auto out = decode_file(bytes, suffix, &rate);
    EXPECT_EQ(rate, 24000) << suffix;
    // Lossy, with codec delay/padding: about the same length, and the tone's energy.
    EXPECT_NEAR(static_cast<double>(out.size()), static_cast<double>(in.size()), 2400.0) << suffix;
    double energy = 0;
    for (float x : out) energy += double(x) * x;
    EXPECT_NEAR(energy / out.size(), 0.08, 0.02) << suffix;
  }
}

TEST(Multipart, ParsesFieldsAndFiles) {
  static const char raw[] =
      "--XyZ\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nme\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\nContent-Type: audio/wav\r\n\r\n"
      "RIFF\r\n--notit\0bin\r\n"
      "--XyZ--\r\n";
  const std::string body(raw, sizeof raw - 1);
  const auto parts = parse_multipart("multipart/form-data; boundary=XyZ", std::string_view(body.data(), body.size()));
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].name, "name");
  EXPECT_EQ(parts[0].data, "me");
  EXPECT_EQ(parts[1].filename, "a.wav");
  EXPECT_EQ(parts[1].content_type, "audio/wav");
  EXPECT_EQ(parts[1].data, std::string("RIFF\r\n--notit\0bin", 17));
}

TEST(Multipart, MalformedBodiesAre400) {
  const std::string ct = "multipart/form-data; boundary=b";
  for (const std::string& body : {std::string(""), std::string("--b"), std::string("--b\r\nno headers end"),
                                  std::string("--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nunterminated"),
                                  std::string("--b\r\nX: y\r\n\r\nv\r\n--b--")}) {
    try {
      parse_multipart(ct, body);
      ADD_FAILURE() << "accepted: " << body;
    } catch (const ApiError& e) {
      EXPECT_EQ(e.status, 400);
    }
  }
  EXPECT_THROW(parse_multipart("application/json", "{}"), ApiError);
  EXPECT_THROW(parse_multipart("multipart/form-data", "--\r\n"), ApiError);
}

TEST(Sse, EventsAreDataLinesWithBase64Audio) {
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64(std::string("\xff\x00\x10", 3)), "/wAQ");
  const std::string e = sse_audio_delta("foo", {{"chunk", 0}});
  ASSERT_EQ(e.substr(0, 6), "data: ");
  ASSERT_EQ(e.substr(e.size() - 2), "\n\n");
  const auto j = json::parse(e.substr(6));
  EXPECT_EQ(j["type"], "speech.audio.delta");
  EXPECT_EQ(j["audio"], "Zm9v");
  EXPECT_EQ(j["csm"]["chunk"], 0);
  const auto d = json::parse(sse_audio_done({{"total_tokens", 3}}, {{"stop", "max_length"}}).substr(6));
  EXPECT_EQ(d["type"], "speech.audio.done");
  EXPECT_EQ(d["usage"]["total_tokens"], 3);
  const auto err = json::parse(sse_error(bad_request("oops").json()).substr(6));
  EXPECT_EQ(err["type"], "error");
  EXPECT_EQ(err["error"]["message"], "oops");
}

TEST(Metrics, PrometheusTextHasEveryFamily) {
  Metrics m;
  m.request("/v1/audio/speech", 200);
  m.error("queue_full");
  m.stream_done(0.5, 0.12, 2.0, "max_length");
  m.disconnect();
  csm::SchedulerStats s;
  s.active = 2;
  s.queued = 3;
  s.max_streams = 8;
  s.frames_per_s = 12.5;
  const std::string text = m.render(s, true, 5);
  for (const char* line : {"csm_active_streams 2", "csm_queued_requests 3", "csm_frames_per_second 12.5",
                           "csm_errors_total{kind=\"queue_full\"} 1", "csm_client_disconnects_total 1",
                           "csm_request_rtf_bucket{le=\"0.5\"} 1", "csm_request_rtf_count 1",
                           "csm_time_to_first_audio_seconds_bucket{le=\"0.1\"} 0",
                           "csm_time_to_first_audio_seconds_bucket{le=\"0.2\"} 1",
                           "csm_time_to_first_audio_seconds_bucket{le=\"+Inf\"} 1",
                           "csm_requests_total{endpoint=\"/v1/audio/speech\",status=\"200\"} 1",
                           "csm_streams_total{stop=\"max_length\"} 1", "# TYPE csm_request_rtf histogram"})
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
}

TEST(ApiKey, BearerInAnyCaseWithTheExactKeyOnly) {
  EXPECT_TRUE(authorization_matches("Bearer sekret", "sekret"));
  EXPECT_TRUE(authorization_matches("bearer sekret", "sekret"));
  EXPECT_TRUE(authorization_matches("  BEARER \t sekret  ", "sekret"));
  EXPECT_FALSE(authorization_matches("Bearer sekre", "sekret"));
  EXPECT_FALSE(authorization_matches("Bearer sekrett", "sekret"));
  EXPECT_FALSE(authorization_matches("Bearer Sekret", "sekret"));
  EXPECT_FALSE(authorization_matches("Bearersekret", "sekret"));
  EXPECT_FALSE(authorization_matches("Basic sekret", "sekret"));
  EXPECT_FALSE(authorization_matches("sekret", "sekret"));
  EXPECT_FALSE(authorization_matches("Bearer ", ""));  // no key never matches
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", std::string_view("abc\0", 4)));
  EXPECT_FALSE(constant_time_equal("", "a"));
}

TEST(ApiKey, KeyFileGivesItsFirstLine) {
  const std::string file = ::testing::TempDir() + "/csm-serve-key-" + std::to_string(getpid());
  std::ofstream(file) << "  k3y-value \nsecond line\n";
  EXPECT_EQ(read_api_key_file(file), "k3y-value");
  std::ofstream(file) << "\n";
  EXPECT_THROW(read_api_key_file(file), csm::Error);
  std::remove(file.c_str());
  EXPECT_THROW(read_api_key_file(file), csm::Error);
}

TEST(RandomId, IsPrefixAnd128BitsOfHexNeverRepeated) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = random_id("str_");
    ASSERT_EQ(id.size(), 36u);
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef", 4), std::string::npos) << id;
    EXPECT_TRUE(seen.insert(id).second) << "repeated: " << id;
  }
}

// A stream that is running until cancelled, and counts the knobs it was given.
class IdleStream : public csm::Stream {
 public:
  Poll next(csm::AudioChunk&, std::chrono::milliseconds) override { return Poll::Timeout; }
  void cancel() override { cancelled = true; }
  void set_sampling(const csm::SamplingParams& s) override { applied = s; }
  csm::SamplingParams sampling() const override { return applied; }
  csm::StreamSummary summary() const override {
    return {0, 0, cancelled ? csm::StopReason::Cancelled : csm::StopReason::Running};
  }
  double queued_ms() const override { return 0; }
  bool cancelled = false;
  csm::SamplingParams applied;
};

TEST(LiveStreams, OnlyTheServersIdReachesAStreamAndOnlyWhileItsResponseLives) {
  LiveStreams live;
  auto a = std::make_shared<IdleStream>(), b = std::make_shared<IdleStream>();
  csm::SamplingParams knobs;
  knobs.temperature = 0.7f;
  knobs.top_k = 40;
  knobs.seed = 9;
  a->applied = knobs;  // what each request asked for
  b->applied = knobs;
  auto ea = live.add(a);
  auto eb = live.add(b);
  EXPECT_NE(ea->id(), eb->id());
  SamplingChange change;
  change.top_k = 3;
  EXPECT_EQ(live.find(eb->id())->change(change).top_k, 3);
  EXPECT_EQ(b->applied.top_k, 3);
  EXPECT_EQ(b->applied.seed, 9u);  // the seed stays the request's
  EXPECT_FLOAT_EQ(b->applied.temperature, 0.7f);  // what the change leaves alone stays
  EXPECT_EQ(a->applied.top_k, 40) << "the other stream was not touched";
  EXPECT_EQ(ea->sampling().top_k, 40);
  EXPECT_EQ(eb->sampling().top_k, 3) << "the entry reads the stream's own sampling";
  auto not_found = [&](const std::string& id) {
    try {
      live.find(id);
    } catch (const ApiError& e) {
      return e.status == 404 && e.code == "stream_not_found";
    }
    return false;
  };
  EXPECT_TRUE(not_found(ea->id().substr(0, 35)));
  EXPECT_TRUE(not_found(ea->id() + "0"));
  EXPECT_TRUE(not_found(""));
  live.find(ea->id())->cancel();
  EXPECT_TRUE(a->cancelled);
  EXPECT_TRUE(not_found(ea->id())) << "a cancelled stream is no longer running";
  const std::string gone = eb->id();
  eb.reset();  // its response ended
  EXPECT_TRUE(not_found(gone));
  EXPECT_EQ(live.size(), 1u);
}

// The WebSocket session's messages (issue #24): each type, session.start with the
// speech request's rules, and every bad message a 400 naming what is wrong.
TEST(ClientMessage, EachTypeParsesAndStartTakesTheSpeechFields) {
  const SpeechLimits limits;
  const auto start = parse_client_message(
      R"({"type":"session.start","model":"csm-1b","voice":"alloy","temperature":0.5,"seed":9,"sample_rate":24000})", limits);
  EXPECT_EQ(start.type, ClientMessage::Type::Start);
  EXPECT_EQ(start.start.voice, "alloy");
  EXPECT_EQ(start.start.format, AudioFormat::Pcm) << "the socket's default is raw PCM";
  EXPECT_FLOAT_EQ(start.start.sampling.temperature.value_or(-1), 0.5f);
  EXPECT_EQ(start.start.seed.value_or(0), 9u);
  EXPECT_EQ(start.sample_rate, 24000);
  EXPECT_EQ(start.text, "") << "the text comes later";
  const auto with_text = parse_client_message(
      R"({"type":"session.start","model":"tts-1","voice":"alloy","input":"Hello","response_format":"opus"})", limits);
  EXPECT_EQ(with_text.text, "Hello");
  EXPECT_EQ(with_text.start.format, AudioFormat::Opus);
  const auto d = parse_client_message(R"({"type":"text.delta","text":"Hi, "})", limits);
  EXPECT_EQ(d.type, ClientMessage::Type::TextDelta);
  EXPECT_EQ(d.text, "Hi, ");
  EXPECT_EQ(parse_client_message(R"({"type":"text.flush"})", limits).type, ClientMessage::Type::TextFlush);
  EXPECT_EQ(parse_client_message(R"({"type":"text.done"})", limits).type, ClientMessage::Type::TextDone);
  EXPECT_EQ(parse_client_message(R"({"type":"cancel"})", limits).type, ClientMessage::Type::Cancel);
}

TEST(ClientMessage, BadMessagesAre400NamingTheProblem) {
  SpeechLimits limits;
  limits.max_input_chars = 10;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json", "invalid_json"},
      {"[1]", "invalid_json"},
      {"{}", "missing_field"},
      {R"({"type":7})", "missing_field"},
      {R"({"type":"dance"})", "unknown_type"},
      {R"({"type":"text.delta"})", "missing_field"},
      {R"({"type":"text.delta","text":["a"]})", "invalid_type"},
      {R"({"type":"session.start","voice":"alloy"})", "missing_field"},
      {R"({"type":"session.start","model":"csm-1b","voice":"alloy","response_format":"wav"})", "unsupported_value"},
      {R"({"type":"session.start","model":"csm-1b","voice":"alloy","stream_format":"sse"})", "unsupported_value"},
      {R"({"type":"session.start","model":"csm-1b","voice":"alloy","sample_rate":"fast"})", "invalid_type"},
      {R"({"type":"session.start","model":"csm-1b","voice":"alloy","input":"far more than ten characters"})",
       "input_too_long"},
      {std::string(kMaxClientMessageBytes + 1, ' '), "message_too_large"},
  };
  for (const auto& [message, code] : cases) {
    try {
      parse_client_message(message, limits);
      ADD_FAILURE() << "accepted: " << message.substr(0, 80);
    } catch (const ApiError& e) {
      EXPECT_EQ(e.status, 400) << message.substr(0, 80);
      EXPECT_EQ(e.code, code) << message.substr(0, 80) << ": " << e.message;
      EXPECT_FALSE(e.message.empty());
    }
  }
}

}  // namespace

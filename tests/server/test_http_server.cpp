// csm-serve's HTTP side against a scripted Scheduler (no model): what a client
// sees when a stream fails before or after its audio started, that a client
// too slow to read is cut (its stream cancelled) while nothing waits on it, and
// the remote-studio routes: live sampling, cancel by request id, the benchmark
// report, speaker/context, what /v1/csm/info advertises.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <mutex>
#include <thread>
#include <tuple>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "csm-serve/http_server.h"
#include "csm/error.h"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class FakeEngine : public csm::Engine {
 public:
  FakeEngine() {
    info_.model = "fake";
    info_.label = "fake engine";
  }
  const csm::EngineInfo& info() const override { return info_; }
  std::unique_ptr<csm::Session> start(std::vector<csm::Request>, const csm::StreamingConfig&,
                                      csm::CancelToken) const override {
    throw csm::Error(csm::ErrorCode::Internal, "not used");
  }
  csm::Scheduler& scheduler() const override { throw csm::Error(csm::ErrorCode::Internal, "not used"); }
  std::vector<std::vector<int32_t>> encode_audio(const std::vector<float>&, int) const override { return {}; }

 private:
  csm::EngineInfo info_;
};

// A stream that hands out `chunks` chunks of one frame, then fails with `error`
// (if set) or ends; endless when chunks < 0 (until cancelled). `pace` between
// chunks keeps an endless stream from flooding a reading client.
class ScriptedStream : public csm::Stream {
 public:
  ScriptedStream(int chunks, std::optional<csm::ErrorCode> error, std::chrono::milliseconds pace = 0ms)
      : chunks_(chunks), error_(error), pace_(pace) {}
  Poll next(csm::AudioChunk& out, std::chrono::milliseconds) override {
    if (ended_) return Poll::Ended;
    std::this_thread::sleep_for(pace_);
    if (cancelled_) {
      out = csm::AudioChunk{};
      out.last = true;
      ended_ = true;
      return Poll::Chunk;
    }
    if (chunks_ < 0 || given_ < chunks_) {
      out = csm::AudioChunk{};
      out.first_frame = given_;
      out.codes.assign(1, std::vector<int32_t>(32, 1));
      out.samples.assign(chunks_ < 0 ? 24000 : 1920, 0.25f);
      out.metrics.temperature = temperature_;  // core reports the knobs each chunk was made with
      out.metrics.top_k = top_k_;
      ++given_;
      out.last = error_ ? false : given_ == chunks_;
      if (out.last) ended_ = true;
      ++handed_;
      return Poll::Chunk;
    }
    ended_ = true;
    throw csm::Error(*error_, "scripted failure");
  }
  void cancel() override { cancelled_ = true; }
  void set_sampling(const csm::SamplingParams& s) override {
    temperature_ = s.temperature;
    top_k_ = s.top_k;
    seed_ = s.seed;
    ++sampling_changes_;
  }
  csm::SamplingParams sampling() const override { return {temperature_, top_k_, seed_}; }
  // The request's knobs, as a real stream starts with them (not a change).
  void start_with(const csm::SamplingParams& s) {
    temperature_ = s.temperature;
    top_k_ = s.top_k;
    seed_ = s.seed;
  }
  csm::StreamSummary summary() const override {
    const int64_t given = given_;
    return {given, given * 80.0, csm::StopReason::Running};
  }
  double queued_ms() const override { return 0; }
  std::atomic<bool> cancelled_{false};
  std::atomic<int> handed_{0};
  std::atomic<float> temperature_{-1};
  std::atomic<int> top_k_{-1};
  std::atomic<uint64_t> seed_{0};
  std::atomic<int> sampling_changes_{0};

 private:
  int chunks_;
  std::optional<csm::ErrorCode> error_;
  std::chrono::milliseconds pace_;
  std::atomic<int64_t> given_{0};  // summary() is asked from other threads
  bool ended_ = false;
};

class ScriptedScheduler : public csm::Scheduler {
 public:
  std::shared_ptr<csm::Stream> submit(csm::Request request, const csm::StreamingConfig& config) override {
    last_request = std::move(request);
    if (next_stream) next_stream->start_with(config.sampling);
    return next_stream;
  }
  csm::SchedulerStats stats() const override {
    csm::SchedulerStats s;
    s.max_streams = 3;
    return s;
  }
  void set_max_streams(int) override {}
  void drain() override {}
  std::shared_ptr<ScriptedStream> next_stream;
  csm::Request last_request;
};

struct Served {
  csm::serve::Metrics metrics;
  csm::serve::VoiceStore voices{""};
  std::unique_ptr<csm::serve::HttpServer> server;
  std::shared_ptr<ScriptedScheduler> scheduler = std::make_shared<ScriptedScheduler>();
  int port = 0;
  explicit Served(int write_timeout_s = 30) : Served(options(write_timeout_s)) {}
  explicit Served(csm::serve::ServerOptions o) {
    o.port = 0;
    server = std::make_unique<csm::serve::HttpServer>(o, metrics, voices, [] { return json::object(); });
    port = server->bind();
    server->set_model(std::make_shared<FakeEngine>(), scheduler);
    server->start();
  }
  static csm::serve::ServerOptions options(int write_timeout_s = 30) {
    csm::serve::ServerOptions o;
    o.write_timeout = std::chrono::seconds(write_timeout_s);
    return o;
  }
};

int connect_to(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

void send_speech(int fd, const json& body) {
  const std::string b = body.dump();
  const std::string req =
      "POST /v1/audio/speech HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
                          std::to_string(b.size()) + "\r\n\r\n" + b;
  ASSERT_EQ(send(fd, req.data(), req.size(), MSG_NOSIGNAL), static_cast<ssize_t>(req.size()));
}

// Everything until the server closes (or 10 s pass).
std::string read_all(int fd) {
  std::string out;
  char buf[65536];
  for (;;) {
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

struct Response {
  int status = 0;
  std::string head, body;
  json json_body() const { return json::parse(body, nullptr, false); }
};

// One request on a connection of its own (Connection: close), the whole response.
Response call(int port, const std::string& method, const std::string& path, const std::string& body = "",
              const std::string& headers = "") {
  const int fd = connect_to(port);
  const std::string req = method + " " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + headers +
                          "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                          "\r\n\r\n" + body;
  EXPECT_EQ(send(fd, req.data(), req.size(), MSG_NOSIGNAL), static_cast<ssize_t>(req.size()));
  const std::string raw = read_all(fd);
  Response r;
  const auto end = raw.find("\r\n\r\n");
  if (raw.size() < 12 || end == std::string::npos) return r;
  r.status = std::stoi(raw.substr(9, 3));
  r.head = raw.substr(0, end);
  r.body = raw.substr(end + 4);
  return r;
}

json speech_body(const char* format, const char* stream = "audio") {
  return {{"model", "csm-1b"}, {"input", "Hi."}, {"voice", "alloy"}, {"response_format", format}, {"stream_format", stream}};
}

TEST(HttpServer, FailureBeforeAudioGetsItsOwnStatus) {
  Served s;
  s.scheduler->next_stream = std::make_shared<ScriptedStream>(0, csm::ErrorCode::OutOfMemory);
  const int fd = connect_to(s.port);
  send_speech(fd, speech_body("pcm"));
  const std::string r = read_all(fd);
  EXPECT_EQ(r.rfind("HTTP/1.1 503", 0), 0u) << r;
  EXPECT_NE(r.find("Retry-After"), std::string::npos);
  EXPECT_NE(r.find("\"code\":\"out_of_memory\""), std::string::npos) << r;
}

TEST(HttpServer, FailureAfterAudioEndsSseWithAnErrorEvent) {
  Served s;
  s.scheduler->next_stream = std::make_shared<ScriptedStream>(3, csm::ErrorCode::OutOfMemory);
  const int fd = connect_to(s.port);
  send_speech(fd, speech_body("pcm", "sse"));
  const std::string r = read_all(fd);
  EXPECT_EQ(r.rfind("HTTP/1.1 200", 0), 0u) << r.substr(0, 200);
  EXPECT_NE(r.find("speech.audio.delta"), std::string::npos);
  EXPECT_EQ(r.find("speech.audio.done"), std::string::npos);
  const auto error_at = r.find("\"type\":\"error\"");
  ASSERT_NE(error_at, std::string::npos) << r.substr(r.size() > 400 ? r.size() - 400 : 0);
  EXPECT_GT(error_at, r.rfind("speech.audio.delta"));  // the last event
  EXPECT_NE(r.find("out_of_memory", r.rfind("speech.audio.delta")), std::string::npos);
  EXPECT_EQ(r.substr(r.size() - 5), "0\r\n\r\n");  // the chunked body still ends properly
}

TEST(HttpServer, FailureAfterAudioCutsARawAudioStream) {
  Served s;
  s.scheduler->next_stream = std::make_shared<ScriptedStream>(3, csm::ErrorCode::Internal);
  const int fd = connect_to(s.port);
  send_speech(fd, speech_body("pcm"));
  const std::string r = read_all(fd);
  EXPECT_EQ(r.rfind("HTTP/1.1 200", 0), 0u) << r.substr(0, 200);
  EXPECT_GE(r.size(), 3u * 1920 * 2);               // the audio made before the failure
  EXPECT_NE(r.substr(r.size() - 5), "0\r\n\r\n");  // no proper end: the client knows it was cut
}

TEST(HttpServer, CompleteStreamEndsProperly) {
  Served s;
  s.scheduler->next_stream = std::make_shared<ScriptedStream>(4, std::nullopt);
  const int fd = connect_to(s.port);
  send_speech(fd, speech_body("pcm", "sse"));
  const std::string r = read_all(fd);
  EXPECT_EQ(r.rfind("HTTP/1.1 200", 0), 0u) << r.substr(0, 200);
  EXPECT_NE(r.find("X-Request-Id: req_"), std::string::npos);
  size_t deltas = 0;
  for (size_t at = 0; (at = r.find("speech.audio.delta", at)) != std::string::npos; ++at) ++deltas;
  EXPECT_EQ(deltas, 4u);
  EXPECT_GT(r.find("speech.audio.done"), r.rfind("speech.audio.delta"));
  EXPECT_EQ(r.substr(r.size() - 5), "0\r\n\r\n");
}

TEST(HttpServer, AClientTooSlowToReadIsCutAndItsStreamCancelled) {
  Served s(1);  // --write-timeout-s 1
  auto stream = std::make_shared<ScriptedStream>(-1, std::nullopt);  // endless, 1 s of audio per chunk
  s.scheduler->next_stream = stream;
  const int fd = connect_to(s.port);
  send_speech(fd, speech_body("pcm"));
  // Never read. The server fills the socket buffers, its write times out, the stream is cancelled.
  const auto t0 = std::chrono::steady_clock::now();
  while (!stream->cancelled_ && std::chrono::steady_clock::now() - t0 < 30s) std::this_thread::sleep_for(20ms);
  EXPECT_TRUE(stream->cancelled_) << "the slow client was never cut";
  EXPECT_GT(stream->handed_.load(), 10);
  close(fd);
}

// A speech request that streams SSE (endless) with this X-Request-Id, read on a
// thread of its own until the server ends the response.
struct RunningSpeech {
  std::mutex mutex;
  std::string raw;
  std::thread reader;
  RunningSpeech(int port, const std::string& request_id, json body = speech_body("pcm", "sse"),
                const std::string& headers = "") {
    const int fd = connect_to(port);
    const std::string b = body.dump();
    const std::string req = "POST /v1/audio/speech HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Request-Id: " +
                            request_id + "\r\n" + headers + "Content-Type: application/json\r\nContent-Length: " +
                            std::to_string(b.size()) + "\r\n\r\n" + b;
    EXPECT_EQ(send(fd, req.data(), req.size(), MSG_NOSIGNAL), static_cast<ssize_t>(req.size()));
    reader = std::thread([this, fd] {
      char buf[65536];
      for (;;) {
        const ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        std::lock_guard<std::mutex> lock(mutex);
        raw.append(buf, static_cast<size_t>(n));
      }
      close(fd);
    });
  }
  // The server's id for this stream, from the response head (empty when none came in 10 s).
  std::string stream_id() {
    for (int i = 0; i < 2000; ++i) {
      {
        std::lock_guard<std::mutex> lock(mutex);
        const auto end = raw.find("\r\n\r\n");
        if (end != std::string::npos) {
          const auto at = raw.find("X-CSM-Stream-Id: ");
          if (at == std::string::npos || at > end) return "";
          return raw.substr(at + 17, raw.find("\r\n", at) - at - 17);
        }
      }
      std::this_thread::sleep_for(5ms);
    }
    return "";
  }
  std::string finish() {
    reader.join();
    return raw;
  }
};

bool wait_for(const std::function<bool()>& condition) {
  const auto t0 = std::chrono::steady_clock::now();
  while (!condition()) {
    if (std::chrono::steady_clock::now() - t0 > 10s) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

TEST(HttpServer, LiveSamplingReachesTheRunningStreamThenCancelEndsIt) {
  Served s;
  auto stream = std::make_shared<ScriptedStream>(-1, std::nullopt, 5ms);
  s.scheduler->next_stream = stream;
  json body = speech_body("pcm", "sse");
  body["temperature"] = 0.7;
  body["top_k"] = 40;
  body["seed"] = 5;
  RunningSpeech speech(s.port, "live-1", body);
  ASSERT_TRUE(wait_for([&] { return stream->handed_ > 2; }));
  const std::string id = speech.stream_id();
  ASSERT_EQ(id.size(), 36u) << "str_ and 128 random bits in hex: " << id;
  EXPECT_EQ(id.rfind("str_", 0), 0u);
  // The client's X-Request-Id is only echoed: it reaches no stream.
  EXPECT_EQ(call(s.port, "POST", "/v1/csm/streams/live-1/sampling", R"({"temperature": 0.3})").status, 404);
  EXPECT_EQ(call(s.port, "DELETE", "/v1/csm/streams/live-1").status, 404);
  const std::string path = "/v1/csm/streams/" + id;

  auto r = call(s.port, "POST", path + "/sampling", R"({"temperature": 0.3})");
  EXPECT_EQ(r.status, 200) << r.body;
  // Every live knob in effect; the depth decoder's follow codebook 0's unless set.
  EXPECT_EQ(r.json_body(), (json{{"id", id}, {"temperature", 0.3}, {"top_k", 40}, {"top_p", 1.0},
                                 {"depth_temperature", 0.3}, {"depth_top_k", 40}, {"depth_top_p", 1.0}}));
  EXPECT_FLOAT_EQ(stream->temperature_, 0.3f);
  EXPECT_EQ(stream->top_k_, 40);  // unchanged knobs stay the request's
  EXPECT_EQ(stream->seed_, 5u);
  r = call(s.port, "POST", path + "/sampling", R"({"top_k": 7})");
  EXPECT_EQ(r.json_body(), (json{{"id", id}, {"temperature", 0.3}, {"top_k", 7}, {"top_p", 1.0},
                                 {"depth_temperature", 0.3}, {"depth_top_k", 7}, {"depth_top_p", 1.0}}));
  EXPECT_EQ(stream->top_k_, 7);
  EXPECT_EQ(call(s.port, "POST", path + "/sampling", R"({"temperature": 3})").status, 400);
  EXPECT_EQ(call(s.port, "POST", path + "/sampling", "{}").status, 400);
  EXPECT_EQ(call(s.port, "GET", path + "/sampling").status, 405);
  EXPECT_EQ(stream->sampling_changes_, 2);

  r = call(s.port, "DELETE", path);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json_body(), (json{{"id", id}, {"cancelled", true}}));
  const std::string sse = speech.finish();
  EXPECT_TRUE(stream->cancelled_);
  const auto done_at = sse.find("\"type\":\"speech.audio.done\"");
  ASSERT_NE(done_at, std::string::npos) << "a cancelled stream still ends with done";
  const auto data_at = sse.rfind("data: ", done_at) + 6;
  const json done = json::parse(sse.substr(data_at, sse.find('\n', data_at) - data_at));
  EXPECT_EQ(done["csm"]["temperature"], 0.3) << done.dump();  // the knobs in effect at the end
  EXPECT_EQ(done["csm"]["top_k"], 7);
  EXPECT_NE(sse.find("\"temperature\":0.7"), std::string::npos) << "the first chunks show the request's knobs";

  // The response ended: the id is gone.
  r = call(s.port, "POST", path + "/sampling", R"({"temperature": 0.5})");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.json_body()["error"]["code"], "stream_not_found");
  EXPECT_EQ(call(s.port, "DELETE", path).status, 404);
  EXPECT_EQ(call(s.port, "DELETE", "/v1/csm/streams/never-seen").json_body()["error"]["code"], "stream_not_found");
  EXPECT_EQ(call(s.port, "DELETE", "/v1/csm/streams/bad%20id").status, 404);
  EXPECT_EQ(call(s.port, "POST", path + "/other", "{}").status, 404);
  EXPECT_NE(sse.find("\"stream_id\":\"" + id + "\""), std::string::npos) << "every event names its stream";
}

TEST(HttpServer, SpeakerAndContextReachTheRequest) {
  Served s;
  s.scheduler->next_stream = std::make_shared<ScriptedStream>(1, std::nullopt);
  json body = speech_body("pcm");
  body["speaker"] = 7;
  EXPECT_EQ(call(s.port, "POST", "/v1/audio/speech", body.dump()).status, 200);
  EXPECT_EQ(s.scheduler->last_request.speaker, 7);

  body["context"] = json::array({"nobody"});
  auto r = call(s.port, "POST", "/v1/audio/speech", body.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json_body()["error"]["code"], "voice_not_found");
  EXPECT_EQ(r.json_body()["error"]["param"], "context");
  EXPECT_NE(r.body.find("nobody"), std::string::npos);
  body["context"] = json::array({"alloy"});
  EXPECT_EQ(call(s.port, "POST", "/v1/audio/speech", body.dump()).json_body()["error"]["code"], "voice_has_no_clip");
}

TEST(HttpServer, BenchmarkReportIsServedWhenGiven) {
  Served none;
  auto r = call(none.port, "GET", "/v1/csm/benchmark");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.json_body()["error"]["code"], "no_benchmark");
  EXPECT_NE(r.body.find("--benchmark-report FILE"), std::string::npos) << r.body;
  EXPECT_EQ(call(none.port, "GET", "/v1/csm/info").json_body()["server"]["benchmark"], false);

  const std::string file = ::testing::TempDir() + "/csm-serve-bench-" + std::to_string(getpid()) + ".json";
  auto o = Served::options();
  o.benchmark_report = file;
  Served with(o);
  EXPECT_EQ(call(with.port, "GET", "/v1/csm/benchmark").status, 404);  // not written yet
  std::ofstream(file) << "{not json";
  EXPECT_EQ(call(with.port, "GET", "/v1/csm/benchmark").status, 404);
  const json report = {{"machine", {{"gpu", "test"}}}, {"recommended", {{"chunk_size_ms", 160}}}};
  std::ofstream(file) << report.dump();  // read at request time: no restart
  r = call(with.port, "GET", "/v1/csm/benchmark");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json_body(), report);
  EXPECT_EQ(call(with.port, "POST", "/v1/csm/benchmark").status, 405);
  EXPECT_EQ(call(with.port, "GET", "/v1/csm/info").json_body()["server"]["benchmark"], true);
  std::remove(file.c_str());
}

TEST(HttpServer, InfoAdvertisesTheRemoteFeatures) {
  Served s;
  const json server = call(s.port, "GET", "/v1/csm/info").json_body()["server"];
  EXPECT_EQ(server["ready"], true);
  EXPECT_EQ(server["live_sampling"], true);
  EXPECT_EQ(server["context_voices"], true);
  EXPECT_EQ(server["max_context_voices"], 8);
  EXPECT_EQ(server["max_streams"], 3);
  EXPECT_EQ(server["voices_dir"], false);
  EXPECT_EQ(server["benchmark"], false);
  EXPECT_EQ(server["api_key"], false);
}

TEST(HttpServer, TheNewRoutesNeedTheApiKey) {
  auto o = Served::options();
  o.api_key = "sekret";
  Served s(o);
  auto stream = std::make_shared<ScriptedStream>(-1, std::nullopt, 5ms);
  s.scheduler->next_stream = stream;
  const std::string key = "Authorization: Bearer sekret\r\n";
  for (const auto& [method, path, body] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"POST", "/v1/csm/streams/k-1/sampling", R"({"temperature": 0.2})"},
           {"DELETE", "/v1/csm/streams/k-1", ""},
           {"GET", "/v1/csm/benchmark", ""}}) {
    EXPECT_EQ(call(s.port, method, path, body).status, 401) << method << " " << path;
    EXPECT_EQ(call(s.port, method, path, body, "Authorization: Bearer wrong\r\n").status, 401) << path;
    EXPECT_EQ(call(s.port, method, path, body, key).status, 404) << method << " " << path;  // past the key check
  }
  // With the key: a running stream is reached, by the id the server gave it.
  RunningSpeech speech(s.port, "k-1", speech_body("pcm"), key);
  ASSERT_TRUE(wait_for([&] { return stream->handed_ > 0; }));
  const std::string path = "/v1/csm/streams/" + speech.stream_id();
  EXPECT_EQ(call(s.port, "POST", path + "/sampling", R"({"temperature": 0.2})").status, 401);
  EXPECT_EQ(call(s.port, "POST", path + "/sampling", R"({"temperature": 0.2})", key).status, 200);
  EXPECT_EQ(call(s.port, "POST", path + "/sampling", R"({"temperature": 0.2})", "Authorization: bearer  sekret \r\n").status, 200)
      << "the scheme is case-insensitive";
  EXPECT_EQ(call(s.port, "DELETE", path, "", key).status, 200);
  speech.finish();
  EXPECT_TRUE(stream->cancelled_);
}

}  // namespace

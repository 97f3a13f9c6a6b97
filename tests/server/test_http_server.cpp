// csm-serve's HTTP side against a scripted Scheduler (no model): what a client
// sees when a stream fails before or after its audio started, and that a client
// too slow to read is cut (its stream cancelled) while nothing waits on it.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

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
  std::vector<std::vector<int32_t>> encode_audio(const std::vector<float>&, int) const override { return {}; }

 private:
  csm::EngineInfo info_;
};

// A stream that hands out `chunks` chunks of one frame, then fails with `error`
// (if set) or ends; endless when chunks < 0 (until cancelled).
class ScriptedStream : public csm::Stream {
 public:
  ScriptedStream(int chunks, std::optional<csm::ErrorCode> error) : chunks_(chunks), error_(error) {}
  Poll next(csm::AudioChunk& out, std::chrono::milliseconds) override {
    if (ended_) return Poll::Ended;
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
  void set_sampling(const csm::SamplingParams&) override {}
  csm::StreamSummary summary() const override { return {given_, given_ * 80.0, csm::StopReason::Running}; }
  double queued_ms() const override { return 0; }
  std::atomic<bool> cancelled_{false};
  std::atomic<int> handed_{0};

 private:
  int chunks_;
  std::optional<csm::ErrorCode> error_;
  int64_t given_ = 0;
  bool ended_ = false;
};

class ScriptedScheduler : public csm::Scheduler {
 public:
  std::shared_ptr<csm::Stream> submit(csm::Request, const csm::StreamingConfig&) override { return next_stream; }
  csm::SchedulerStats stats() const override { return {}; }
  void drain() override {}
  std::shared_ptr<ScriptedStream> next_stream;
};

struct Served {
  csm::serve::Metrics metrics;
  csm::serve::VoiceStore voices{""};
  std::unique_ptr<csm::serve::HttpServer> server;
  std::shared_ptr<ScriptedScheduler> scheduler = std::make_shared<ScriptedScheduler>();
  int port = 0;
  explicit Served(int write_timeout_s = 30) {
    csm::serve::ServerOptions o;
    o.port = 0;
    o.write_timeout = std::chrono::seconds(write_timeout_s);
    server = std::make_unique<csm::serve::HttpServer>(o, metrics, voices, [] { return json::object(); });
    port = server->bind();
    server->set_model(std::make_shared<FakeEngine>(), scheduler);
    server->start();
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

}  // namespace

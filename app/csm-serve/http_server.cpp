#include "csm-serve/http_server.h"

#include <poll.h>
#include <sys/socket.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "csm-serve/audio_encoder.h"
#include "csm-serve/multipart.h"
#include "csm-serve/openai_error.h"
#include "csm-serve/sse.h"
#include "csm/error.h"

namespace csm::serve {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

std::string new_request_id() {
  static std::atomic<uint64_t> counter{0};
  static const uint64_t salt = std::random_device{}();
  char buf[40];
  std::snprintf(buf, sizeof buf, "req_%08llx%08llx", static_cast<unsigned long long>(salt & 0xffffffffu),
                static_cast<unsigned long long>(++counter));
  return buf;
}

bool valid_request_id(beast::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':')) return false;
  return true;
}

// A blocking call with a deadline on a per-connection io_context.
class Conn {
 public:
  explicit Conn(net::io_context& ioc, tcp::socket socket) : ioc_(ioc), stream_(std::move(socket)) {}

  template <class Start>
  beast::error_code run(std::chrono::seconds timeout, Start start) {
    beast::error_code result = net::error::would_block;
    stream_.expires_after(timeout);
    start([&](beast::error_code ec, std::size_t) { result = ec; });
    ioc_.restart();
    ioc_.run();
    return result;
  }

  // The peer closed or reset its side (checked without blocking).
  bool peer_gone() {
    pollfd p{stream_.socket().native_handle(), static_cast<short>(POLLIN | POLLRDHUP), 0};
    if (::poll(&p, 1, 0) <= 0) return false;
    if (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) return true;
    if (p.revents & POLLIN) {
      char c;
      const ssize_t n = ::recv(p.fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
      return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
    }
    return false;
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream& stream() { return stream_; }

 private:
  net::io_context& ioc_;
  beast::tcp_stream stream_;
};

struct Reply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  int retry_after_s = 0;
};

Reply json_reply(const json& j, int status = 200) {
  return {status, "application/json", j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n", 0};
}

Reply error_reply(const ApiError& e) { return {e.status, "application/json", e.json() + "\n", e.retry_after_s}; }

Reply method_not_allowed(const char* allowed, const std::string& path) {
  ApiError e = bad_request(std::string("use ") + allowed + " on " + path, "", "method_not_allowed");
  e.status = 405;
  return error_reply(e);
}

ApiError not_found(std::string message, std::string code) {
  ApiError e = bad_request(std::move(message), "", std::move(code));
  e.status = 404;
  return e;
}

// A float knob as the client sent it: 0.3f reported as 0.3, not 0.30000001192092896.
double tidy(float v) { return std::round(static_cast<double>(v) * 1e6) / 1e6; }

// A running speech response's stream, reachable by its request id: POST
// /v1/csm/streams/{id}/sampling changes its knobs, DELETE cancels it.
struct LiveStream {
  std::weak_ptr<Stream> stream;
  std::mutex mutex;
  SamplingParams sampling;  // what the stream uses from its next frame on

  SamplingParams current() {
    std::lock_guard<std::mutex> lock(mutex);
    return sampling;
  }
};

constexpr char kBenchmarkHint[] = "start csm-serve with --benchmark-report FILE (a csm-bench --benchmark --json-out FILE report)";

}  // namespace

struct HttpServer::Impl {
  ServerOptions options;
  Metrics& metrics;
  VoiceStore& voices;
  std::function<json()> machine;
  net::io_context accept_ioc;
  tcp::acceptor acceptor{accept_ioc};

  std::mutex model_mutex;
  std::shared_ptr<const Engine> engine;
  std::shared_ptr<Scheduler> scheduler;
  std::atomic<bool> loaded{false}, draining{false};
  std::atomic<int> connections{0};
  std::atomic<bool> stopping{false};
  std::mutex conns_mutex;  // guards conn_fds and the connection count's last word
  std::condition_variable conns_cv;
  std::set<int> conn_fds;
  std::thread accept_thread;
  std::mutex inflight_mutex;
  std::condition_variable inflight_cv;
  int inflight = 0;  // speech requests and voice uploads being handled (a drain waits for them)
  struct Inflight {
    Impl* impl;
    explicit Inflight(Impl* i) : impl(i) {
      std::lock_guard<std::mutex> lock(impl->inflight_mutex);
      ++impl->inflight;
    }
    ~Inflight() {
      std::lock_guard<std::mutex> lock(impl->inflight_mutex);
      --impl->inflight;
      impl->inflight_cv.notify_all();
    }
    Inflight(const Inflight&) = delete;
    Inflight& operator=(const Inflight&) = delete;
  };
  std::mutex voice_add_mutex;
  // Live streams by request id. A client may reuse an id: the newest stream wins,
  // and an older one's end removes only its own entry.
  std::mutex live_mutex;
  std::map<std::string, std::shared_ptr<LiveStream>> live;
  class LiveRegistration {
   public:
    LiveRegistration(Impl* impl, std::string id, const std::shared_ptr<Stream>& stream, const SamplingParams& sampling)
        : impl_(impl), id_(std::move(id)), entry_(std::make_shared<LiveStream>()) {
      entry_->stream = stream;
      entry_->sampling = sampling;
      std::lock_guard<std::mutex> lock(impl_->live_mutex);
      impl_->live[id_] = entry_;
    }
    ~LiveRegistration() {
      std::lock_guard<std::mutex> lock(impl_->live_mutex);
      auto it = impl_->live.find(id_);
      if (it != impl_->live.end() && it->second == entry_) impl_->live.erase(it);
    }
    LiveRegistration(const LiveRegistration&) = delete;
    LiveRegistration& operator=(const LiveRegistration&) = delete;
    LiveStream& entry() { return *entry_; }

   private:
    Impl* impl_;
    std::string id_;
    std::shared_ptr<LiveStream> entry_;
  };

  Impl(ServerOptions o, Metrics& m, VoiceStore& v, std::function<json()> info)
      : options(std::move(o)), metrics(m), voices(v), machine(std::move(info)) {}

  bool ready() const { return loaded.load() && !draining.load(); }

  void serve_connection(std::unique_ptr<net::io_context> ioc, tcp::socket socket);
  // Returns false when the connection must close (a stream cut, a bad request).
  bool handle(Conn& conn, http::request_parser<http::string_body>& parser);
  bool write_reply(Conn& conn, const http::request<http::string_body>& req, const Reply& reply,
                   const std::string& request_id, const std::string& endpoint, bool keep_alive);
  bool speech(Conn& conn, const http::request<http::string_body>& req, const std::string& request_id,
              Clock::time_point received, bool keep_alive);
  Reply add_voice(const http::request<http::string_body>& req);
  Reply info_reply();
  Reply stream_control(const http::request<http::string_body>& req, const std::string& path);
  // The live stream with this request id and the stream itself; ApiError 404 when
  // none runs (never started, finished, or its response already ended).
  std::pair<std::shared_ptr<LiveStream>, std::shared_ptr<Stream>> live_stream(const std::string& id);
  Reply change_sampling(const std::string& id, const std::string& body);
  Reply cancel_stream(const std::string& id);
  nlohmann::json benchmark_report() const;
};

HttpServer::HttpServer(ServerOptions options, Metrics& metrics, VoiceStore& voices,
                       std::function<nlohmann::json()> machine)
    : impl_(std::make_unique<Impl>(std::move(options), metrics, voices, std::move(machine))) {}

HttpServer::~HttpServer() {
  impl_->stopping = true;
  if (impl_->acceptor.is_open()) ::shutdown(impl_->acceptor.native_handle(), SHUT_RDWR);  // wakes accept()
  if (impl_->accept_thread.joinable()) impl_->accept_thread.join();
  std::unique_lock<std::mutex> lock(impl_->conns_mutex);
  for (int fd : impl_->conn_fds) ::shutdown(fd, SHUT_RDWR);  // wakes their reads, writes and waits
  impl_->conns_cv.wait(lock, [&] { return impl_->connections.load() == 0; });
}

int HttpServer::bind() {
  auto& a = impl_->acceptor;
  beast::error_code ec;
  const auto address = net::ip::make_address(impl_->options.host, ec);
  if (ec) throw Error(ErrorCode::InvalidArgument, "--host " + impl_->options.host + " is not an IP address");
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(impl_->options.port));
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    throw Error(ErrorCode::Io, "cannot listen on " + impl_->options.host + ":" + std::to_string(impl_->options.port) +
                                   ": " + ec.message());
  return a.local_endpoint().port();
}

void HttpServer::set_model(std::shared_ptr<const Engine> engine, std::shared_ptr<Scheduler> scheduler) {
  {
    std::lock_guard<std::mutex> lock(impl_->model_mutex);
    impl_->engine = std::move(engine);
    impl_->scheduler = std::move(scheduler);
  }
  impl_->loaded = true;
}

void HttpServer::start() {
  impl_->accept_thread = std::thread([impl = impl_.get()] {
    while (!impl->stopping) {
      auto ioc = std::make_unique<net::io_context>(1);
      tcp::socket socket(*ioc);
      beast::error_code ec;
      impl->acceptor.accept(socket, ec);
      if (impl->stopping) return;
      if (ec) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));  // EMFILE and friends: back off
        continue;
      }
      if (impl->connections.load() >= impl->options.max_connections) {
        socket.close(ec);
        impl->metrics.error("too_many_connections");
        continue;
      }
      {
        std::lock_guard<std::mutex> lock(impl->conns_mutex);
        ++impl->connections;
        impl->conn_fds.insert(socket.native_handle());
      }
      std::thread([impl, ioc = std::move(ioc), socket = std::move(socket)]() mutable {
        impl->serve_connection(std::move(ioc), std::move(socket));
        std::lock_guard<std::mutex> lock(impl->conns_mutex);  // the last touch of impl
        --impl->connections;
        impl->conns_cv.notify_all();
      }).detach();
    }
  });
}

void HttpServer::drain() {
  impl_->draining = true;
  std::shared_ptr<Scheduler> scheduler;
  {
    std::lock_guard<std::mutex> lock(impl_->model_mutex);
    scheduler = impl_->scheduler;
  }
  if (scheduler) scheduler->drain();
  std::unique_lock<std::mutex> lock(impl_->inflight_mutex);
  impl_->inflight_cv.wait(lock, [&] { return impl_->inflight == 0; });
}

void HttpServer::Impl::serve_connection(std::unique_ptr<net::io_context> ioc, tcp::socket socket) {
  Conn conn(*ioc, std::move(socket));
  beast::flat_buffer buffer;
  bool first = true;
  try {
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(16 * 1024);
      // The header: the first one within the read timeout, later ones within the keep-alive idle time.
      auto ec = conn.run(first ? options.read_timeout : options.idle_timeout, [&](auto handler) {
        http::async_read_header(conn.stream(), buffer, parser, handler);
      });
      first = false;
      if (ec) {
        if (ec == http::error::header_limit) {
          ApiError e = bad_request("request headers too large (at most 16 KiB)", "", "headers_too_large");
          e.status = 431;
          http::request<http::string_body> dummy;
          write_reply(conn, dummy, error_reply(e), new_request_id(), "other", false);
        }
        break;
      }
      const auto target = parser.get().target();
      const bool upload = target.starts_with("/v1/audio/voices");
      const size_t limit = upload ? options.max_upload_bytes : options.max_body_bytes;
      parser.body_limit(limit);  // chunked bodies; a declared length is checked here:
      const bool too_large = parser.content_length() && *parser.content_length() > limit;
      if (!parser.is_done() && !too_large && beast::iequals(parser.get()[http::field::expect], "100-continue")) {
        // curl and others wait for this before sending a larger body.
        static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        if (conn.run(options.write_timeout, [&](auto handler) {
              net::async_write(conn.stream(), net::buffer(kContinue), handler);
            }))
          break;
      }
      if (!parser.is_done()) {
        if (!too_large)
          ec = conn.run(options.read_timeout, [&](auto handler) { http::async_read(conn.stream(), buffer, parser, handler); });
        if (too_large || ec == http::error::body_limit) {
          ApiError e = bad_request("the body is too large (at most " +
                                       std::to_string(upload ? options.max_upload_bytes : options.max_body_bytes) +
                                       " bytes)",
                                   "", "body_too_large");
          e.status = 413;
          write_reply(conn, parser.get(), error_reply(e), new_request_id(), "other", false);
          break;
        }
        if (ec) break;
      }
      if (!handle(conn, parser)) break;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "csm-serve: connection dropped: %s\n", e.what());
  }
  {
    std::lock_guard<std::mutex> lock(conns_mutex);
    conn_fds.erase(conn.stream().socket().native_handle());
  }
  conn.close();
}

bool HttpServer::Impl::write_reply(Conn& conn, const http::request<http::string_body>& req, const Reply& reply,
                                   const std::string& request_id, const std::string& endpoint, bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(reply.status), req.version() ? req.version() : 11};
  res.set(http::field::server, "csm-serve");
  res.set(http::field::content_type, reply.content_type);
  res.set("X-Request-Id", request_id);
  if (reply.retry_after_s > 0) res.set(http::field::retry_after, std::to_string(reply.retry_after_s));
  res.keep_alive(keep_alive);
  res.body() = reply.body;
  res.prepare_payload();
  metrics.request(endpoint, reply.status);
  const auto ec = conn.run(options.write_timeout, [&](auto handler) { http::async_write(conn.stream(), res, handler); });
  return !ec && keep_alive;
}

Reply HttpServer::Impl::info_reply() {
  std::shared_ptr<const Engine> e;
  std::shared_ptr<Scheduler> s;
  {
    std::lock_guard<std::mutex> lock(model_mutex);
    e = engine;
    s = scheduler;
  }
  bool benchmark = false;
  try {
    benchmark_report();
    benchmark = true;
  } catch (const ApiError&) {
  }
  // What a client (the studio) may use here, so it can offer only what works.
  const json server = {{"ready", ready()},
                       {"draining", draining.load()},
                       {"live_sampling", true},
                       {"context_voices", true},
                       {"max_context_voices", kMaxContextVoices},
                       {"max_speaker", kMaxSpeaker},
                       {"benchmark", benchmark},
                       {"max_streams", s ? s->stats().max_streams : 0},
                       {"voices_dir", voices.keeps_voices()},
                       {"api_key", !options.api_key.empty()}};
  json out = {{"server", server}, {"machine", machine ? machine() : json(nullptr)}};
  if (e) {
    const auto& i = e->info();
    out["engine"] = {{"model", i.model},
                     {"label", i.label},
                     {"demo", i.demo},
                     {"device", i.device},
                     {"dtype", i.dtype},
                     {"codec", i.codec},
                     {"parameters", i.parameters},
                     {"sample_rate", i.sample_rate},
                     {"samples_per_frame", i.samples_per_frame},
                     {"max_positions", i.max_positions},
                     {"max_streams", s ? s->stats().max_streams : 0}};
  } else {
    out["engine"] = nullptr;
  }
  out["limits"] = {{"max_input_chars", options.limits.max_input_chars},
                   {"max_audio_ms", options.limits.max_audio_ms},
                   {"max_body_bytes", options.max_body_bytes},
                   {"max_upload_bytes", options.max_upload_bytes},
                   {"read_timeout_s", options.read_timeout.count()},
                   {"write_timeout_s", options.write_timeout.count()},
                   {"idle_timeout_s", options.idle_timeout.count()}};
  return json_reply(out);
}

Reply HttpServer::Impl::add_voice(const http::request<http::string_body>& req) {
  std::shared_ptr<const Engine> e;
  {
    std::lock_guard<std::mutex> lock(model_mutex);
    e = engine;
  }
  if (!e || !loaded) {
    ApiError err = bad_request("the model is still loading", "", "not_ready");
    err.status = 503;
    err.type = "server_error";
    err.retry_after_s = 5;
    throw err;
  }
  const auto parts = parse_multipart(std::string(req[http::field::content_type]), req.body());
  std::string name, transcript, clip, speaker = "0";
  for (const auto& p : parts) {
    if (p.name == "name") name = p.data;
    else if (p.name == "transcript" || p.name == "text") transcript = p.data;
    else if (p.name == "file" || p.name == "clip" || p.name == "audio") clip = p.data;
    else if (p.name == "speaker") speaker = p.data;
  }
  if (name.empty()) throw bad_request("'name' is required", "name", "missing_field");
  int speaker_id = 0;
  try {
    size_t used = 0;
    speaker_id = std::stoi(speaker, &used);
    if (used != speaker.size()) throw std::invalid_argument("trailing");
  } catch (const std::exception&) {
    throw bad_request("'speaker' must be an integer", "speaker");
  }
  const Inflight counted(this);                          // a drain lets the upload finish
  std::lock_guard<std::mutex> lock(voice_add_mutex);  // one encode at a time
  const Voice v = voices.add(name, transcript, speaker_id, clip, *e);
  return json_reply(v.describe(), 201);
}

json HttpServer::Impl::benchmark_report() const {
  const std::string& file = options.benchmark_report;
  if (file.empty()) throw not_found(std::string("this server has no benchmark report: ") + kBenchmarkHint, "no_benchmark");
  std::ifstream in(file);
  if (!in) throw not_found("the benchmark report " + file + " cannot be read; " + kBenchmarkHint, "no_benchmark");
  try {
    json report = json::parse(in);
    if (report.is_object()) return report;
  } catch (const json::exception&) {
  }
  throw not_found("the benchmark report " + file + " is not a JSON object; " + kBenchmarkHint, "no_benchmark");
}

std::pair<std::shared_ptr<LiveStream>, std::shared_ptr<Stream>> HttpServer::Impl::live_stream(const std::string& id) {
  std::shared_ptr<LiveStream> entry;
  if (valid_request_id(id)) {
    std::lock_guard<std::mutex> lock(live_mutex);
    if (auto it = live.find(id); it != live.end()) entry = it->second;
  }
  std::shared_ptr<Stream> stream = entry ? entry->stream.lock() : nullptr;
  if (!stream || stream->summary().stop != StopReason::Running)
    throw not_found("no stream with request id '" + id.substr(0, 128) +
                        "' is running (it finished, or never started here: send X-Request-Id with the speech request)",
                    "stream_not_found");
  return {entry, stream};
}

Reply HttpServer::Impl::change_sampling(const std::string& id, const std::string& body) {
  const SamplingChange change = parse_sampling_change(body);
  auto [entry, stream] = live_stream(id);
  SamplingParams applied;
  {
    std::lock_guard<std::mutex> lock(entry->mutex);  // two changes at once: one wins whole
    if (change.temperature) entry->sampling.temperature = *change.temperature;
    if (change.top_k) entry->sampling.top_k = *change.top_k;
    applied = entry->sampling;
    stream->set_sampling(applied);  // the seed stays the request's: only the knobs change
  }
  return json_reply({{"id", id}, {"temperature", tidy(applied.temperature)}, {"top_k", applied.top_k}});
}

Reply HttpServer::Impl::cancel_stream(const std::string& id) {
  auto [entry, stream] = live_stream(id);
  stream->cancel();  // the speech response then ends at once, stop "cancelled"
  return json_reply({{"id", id}, {"cancelled", true}});
}

// /v1/csm/streams/{id}/sampling (POST) and /v1/csm/streams/{id} (DELETE).
Reply HttpServer::Impl::stream_control(const http::request<http::string_body>& req, const std::string& path) {
  const std::string rest = path.substr(std::string("/v1/csm/streams/").size());
  const auto slash = rest.find('/');
  const std::string id = rest.substr(0, slash);
  const std::string action = slash == std::string::npos ? "" : rest.substr(slash + 1);
  if (action == "sampling") {
    if (req.method() != http::verb::post) return method_not_allowed("POST", path);
    return change_sampling(id, req.body());
  }
  if (action.empty() && !id.empty()) {
    if (req.method() != http::verb::delete_) return method_not_allowed("DELETE (or POST .../sampling)", path);
    return cancel_stream(id);
  }
  throw not_found("no such endpoint: " + path.substr(0, 200) +
                      " (use POST /v1/csm/streams/{request_id}/sampling or DELETE /v1/csm/streams/{request_id})",
                  "not_found");
}

bool HttpServer::Impl::handle(Conn& conn, http::request_parser<http::string_body>& parser) {
  const auto& req = parser.get();
  const auto received = Clock::now();
  const std::string id = valid_request_id(req["X-Request-Id"]) ? std::string(req["X-Request-Id"]) : new_request_id();
  const bool keep_alive = req.keep_alive() && !draining.load();
  std::string path(req.target());
  if (const auto q = path.find('?'); q != std::string::npos) path.resize(q);
  const auto method = req.method();
  std::string endpoint = "other";

  auto method_not_allowed = [&](const char* allowed) { return serve::method_not_allowed(allowed, path); };

  try {
    if (path == "/health") {
      endpoint = "/health";
      return write_reply(conn, req, json_reply({{"status", "ok"}}), id, endpoint, keep_alive);
    }
    if (path == "/ready") {
      endpoint = "/ready";
      const bool r = ready();
      return write_reply(conn, req,
                         json_reply({{"status", r ? "ready" : (draining ? "draining" : "loading")}}, r ? 200 : 503), id,
                         endpoint, keep_alive);
    }
    if (path == "/metrics") {
      endpoint = "/metrics";
      std::shared_ptr<Scheduler> s;
      {
        std::lock_guard<std::mutex> lock(model_mutex);
        s = scheduler;
      }
      SchedulerStats stats = s ? s->stats() : SchedulerStats{};
      stats.draining = stats.draining || draining.load();
      return write_reply(conn, req, {200, "text/plain; version=0.0.4; charset=utf-8", metrics.render(stats, ready(), connections), 0},
                         id, endpoint, keep_alive);
    }
    if (path.rfind("/v1/", 0) == 0 && !options.api_key.empty()) {
      const std::string expected = "Bearer " + options.api_key;
      if (req[http::field::authorization] != expected) {
        ApiError e = bad_request("a valid API key is needed: Authorization: Bearer KEY", "", "invalid_api_key");
        e.status = 401;
        metrics.error(e.kind());
        return write_reply(conn, req, error_reply(e), id, "auth", keep_alive);
      }
    }
    if (path == "/v1/models" || path.rfind("/v1/models/", 0) == 0) {
      endpoint = "/v1/models";
      if (method != http::verb::get) return write_reply(conn, req, method_not_allowed("GET"), id, endpoint, keep_alive);
      auto model = [](const std::string& m) {
        return json{{"id", m}, {"object", "model"}, {"created", 0}, {"owned_by", "csm-studio"}};
      };
      if (path == "/v1/models") {
        json data = json::array();
        for (const auto& m : known_models()) data.push_back(model(m));
        return write_reply(conn, req, json_reply({{"object", "list"}, {"data", data}}), id, endpoint, keep_alive);
      }
      const std::string name = path.substr(std::string("/v1/models/").size());
      for (const auto& m : known_models())
        if (m == name) return write_reply(conn, req, json_reply(model(m)), id, endpoint, keep_alive);
      ApiError e = bad_request("model '" + name.substr(0, 100) + "' is not served here", "model", "model_not_found");
      e.status = 404;
      return write_reply(conn, req, error_reply(e), id, endpoint, keep_alive);
    }
    if (path == "/v1/audio/voices") {
      endpoint = "/v1/audio/voices";
      if (method == http::verb::get) {
        json data = json::array();
        for (const auto& v : voices.list()) data.push_back(v.describe());
        return write_reply(conn, req, json_reply({{"object", "list"}, {"data", data}}), id, endpoint, keep_alive);
      }
      if (method == http::verb::post) return write_reply(conn, req, add_voice(req), id, endpoint, keep_alive);
      return write_reply(conn, req, method_not_allowed("GET or POST"), id, endpoint, keep_alive);
    }
    if (path == "/v1/csm/info") {
      endpoint = "/v1/csm/info";
      if (method != http::verb::get) return write_reply(conn, req, method_not_allowed("GET"), id, endpoint, keep_alive);
      return write_reply(conn, req, info_reply(), id, endpoint, keep_alive);
    }
    if (path == "/v1/csm/benchmark") {
      endpoint = "/v1/csm/benchmark";
      if (method != http::verb::get) return write_reply(conn, req, method_not_allowed("GET"), id, endpoint, keep_alive);
      return write_reply(conn, req, json_reply(benchmark_report()), id, endpoint, keep_alive);
    }
    if (path.rfind("/v1/csm/streams/", 0) == 0) {
      endpoint = "/v1/csm/streams";
      return write_reply(conn, req, stream_control(req, path), id, endpoint, keep_alive);
    }
    if (path == "/v1/audio/speech") {
      endpoint = "/v1/audio/speech";
      if (method != http::verb::post) return write_reply(conn, req, method_not_allowed("POST"), id, endpoint, keep_alive);
      return speech(conn, req, id, received, keep_alive);
    }
    ApiError e = bad_request("no such endpoint: " + path.substr(0, 200), "", "not_found");
    e.status = 404;
    return write_reply(conn, req, error_reply(e), id, endpoint, keep_alive);
  } catch (const ApiError& e) {
    metrics.error(e.kind());
    return write_reply(conn, req, error_reply(e), id, endpoint, keep_alive && e.status < 500);
  } catch (const Error& e) {
    const ApiError api = from_core_error(e, draining.load());
    metrics.error(api.kind());
    return write_reply(conn, req, error_reply(api), id, endpoint, false);
  }
}

bool HttpServer::Impl::speech(Conn& conn, const http::request<http::string_body>& req, const std::string& request_id,
                              Clock::time_point received, bool keep_alive) {
  const SpeechRequest sr = parse_speech_request(req.body(), options.limits);
  const auto voice = voices.find(sr.voice);
  if (!voice) {
    std::string names;
    for (const auto& v : voices.list()) names += (names.empty() ? "" : ", ") + v.name;
    throw bad_request("voice '" + sr.voice + "' does not exist (voices: " + names + ")", "voice", "voice_not_found");
  }
  Request request = voices.request_for(sr.input, *voice, sr.speaker, sr.context);
  std::shared_ptr<const Engine> e;
  std::shared_ptr<Scheduler> s;
  {
    std::lock_guard<std::mutex> lock(model_mutex);
    e = engine;
    s = scheduler;
  }
  if (!loaded || !e || !s) {
    ApiError err = bad_request("the model is still loading", "", "not_ready");
    err.status = 503;
    err.type = "server_error";
    err.retry_after_s = 5;
    throw err;
  }
  if (draining) throw Error(ErrorCode::Busy, "the server is shutting down: no new requests");

  StreamingConfig config;
  config.chunk_size_ms = sr.chunk_size_ms.value_or(options.chunk_size_ms);
  config.first_chunk_ms = sr.first_chunk_ms.value_or(std::min(options.first_chunk_ms, config.chunk_size_ms));
  if (config.first_chunk_ms > config.chunk_size_ms)
    throw bad_request("'first_chunk_ms' (" + std::to_string(config.first_chunk_ms) + ") must be at most the chunk size (" +
                          std::to_string(config.chunk_size_ms) + " ms)",
                      "first_chunk_ms");
  if (sr.temperature) config.sampling.temperature = *sr.temperature;
  if (sr.top_k) config.sampling.top_k = *sr.top_k;
  if (sr.seed) config.sampling.seed = *sr.seed;
  config.max_audio_ms = sr.max_audio_ms;
  auto encoder = make_encoder(sr.format, e->info().sample_rate);

  const Inflight counted(this);  // from before submit: a drain waits for this response to be written
  std::shared_ptr<Stream> stream = s->submit(std::move(request), config);
  LiveRegistration live(this, request_id, stream, config.sampling);
  const double sample_rate = e->info().sample_rate;

  // Until audio starts, an error still gets its own status: hold the first chunks
  // back until one carries samples (or the stream ends).
  std::vector<AudioChunk> held;
  bool ended = false;
  for (;;) {
    AudioChunk chunk;
    // An error before any audio propagates from here: the client gets its status.
    const Stream::Poll p = stream->next(chunk, std::chrono::milliseconds(20));
    if (p == Stream::Poll::Ended) {
      ended = true;
      break;
    }
    if (p == Stream::Poll::Timeout) {
      if (conn.peer_gone()) {
        stream->cancel();
        metrics.disconnect();
        return false;
      }
      continue;
    }
    const bool has_audio = !chunk.samples.empty();
    held.push_back(std::move(chunk));
    if (has_audio) break;
    if (held.back().last) {
      // Ended without audio: an error may come next (it propagates: the client gets its status).
      while (stream->next(chunk, std::chrono::milliseconds(5000)) == Stream::Poll::Chunk) held.push_back(std::move(chunk));
      ended = true;
      break;
    }
  }

  const bool sse = sr.stream == StreamFormat::Sse;
  http::response<http::empty_body> res{http::status::ok, req.version() ? req.version() : 11};
  res.set(http::field::server, "csm-serve");
  res.set(http::field::content_type, sse ? "text/event-stream" : content_type(sr.format));
  res.set(http::field::cache_control, "no-cache");
  res.set("X-Request-Id", request_id);
  res.set("X-Accel-Buffering", "no");  // nginx: pass every chunk on at once
  res.keep_alive(keep_alive);
  res.chunked(true);
  http::response_serializer<http::empty_body> serializer{res};
  metrics.request("/v1/audio/speech", 200);
  auto write_bytes = [&](const std::string& bytes) {
    if (bytes.empty()) return true;
    const auto ec = conn.run(options.write_timeout, [&](auto handler) {
      net::async_write(conn.stream(), http::make_chunk(net::buffer(bytes)), handler);
    });
    return !ec;
  };
  auto client_lost = [&]() {
    stream->cancel();
    metrics.disconnect();
    return false;
  };
  if (conn.run(options.write_timeout, [&](auto handler) { http::async_write_header(conn.stream(), serializer, handler); }))
    return client_lost();

  double first_audio_ms = -1;
  int chunk_index = 0;
  int64_t frames = 0;
  size_t samples_total = 0;
  // The knobs in effect (a live change shows from the chunk after it).
  auto add_sampling = [&](json& info) {
    const SamplingParams now = live.entry().current();
    info["temperature"] = tidy(now.temperature);
    info["top_k"] = now.top_k;
  };
  auto send_chunk = [&](const AudioChunk& c) {
    const std::string bytes = c.samples.empty() ? std::string() : encoder->encode(c.samples.data(), c.samples.size());
    frames += static_cast<int64_t>(c.codes.size());
    samples_total += c.samples.size();
    if (c.samples.empty() && bytes.empty()) return true;
    bool ok;
    if (sse) {
      const auto stats = s->stats();
      const auto& m = c.metrics;
      json info = {{"chunk", chunk_index},           {"first_frame", c.first_frame},
                   {"frames", c.codes.size()},       {"generate_ms", m.generate_ms},
                   {"decode_ms", m.decode_ms},       {"elapsed_ms", m.elapsed_ms},
                   {"rtf", m.rtf},                   {"first_audio_ms", m.first_audio_ms},
                   {"frames_per_s", m.frames_per_s}, {"device_bytes", m.device_bytes},
                   {"rss_bytes", m.rss_bytes},       {"active_streams", stats.active},
                   {"max_streams", stats.max_streams}, {"queued_ms", stream->queued_ms()}};
      add_sampling(info);
      ok = write_bytes(sse_audio_delta(bytes, info));
    } else {
      ok = write_bytes(bytes);
    }
    ++chunk_index;
    if (first_audio_ms < 0 && !c.samples.empty()) first_audio_ms = ms_since(received);
    return ok;
  };

  for (const auto& c : held)
    if (!send_chunk(c)) return client_lost();
  held.clear();
  std::string failure;
  while (!ended) {
    AudioChunk chunk;
    Stream::Poll p;
    try {
      p = stream->next(chunk, std::chrono::milliseconds(20));
    } catch (const Error& err) {
      failure = from_core_error(err).json();
      metrics.error(from_core_error(err).kind());
      break;
    }
    if (p == Stream::Poll::Ended) break;
    if (p == Stream::Poll::Timeout) {
      if (conn.peer_gone()) return client_lost();
      continue;
    }
    if (!send_chunk(chunk)) return client_lost();
  }
  const auto summary = stream->summary();
  const double audio_ms = 1000.0 * static_cast<double>(samples_total) / sample_rate;
  const double wall_ms = ms_since(received);
  const double rtf = audio_ms > 0 ? wall_ms / audio_ms : 0;
  metrics.stream_done(rtf, first_audio_ms / 1000.0, audio_ms / 1000.0, failure.empty() ? csm::to_string(summary.stop) : "failed");
  if (!failure.empty()) {
    // Audio already started: the status is sent. SSE says so in an event; raw audio is cut.
    if (!sse) return false;
    if (write_bytes(sse_error(failure)))
      conn.run(options.write_timeout, [&](auto handler) {
        net::async_write(conn.stream(), http::make_chunk_last(), handler);
      });
    return false;
  }
  if (!write_bytes(sse ? std::string() : encoder->finish())) return client_lost();
  if (sse) {
    const std::string tail = encoder->finish();
    if (!tail.empty() && !write_bytes(sse_audio_delta(tail, {{"chunk", chunk_index}, {"frames", 0}}))) return client_lost();
    const int64_t input_tokens = static_cast<int64_t>(sr.input.size());
    const json usage = {{"input_tokens", input_tokens}, {"output_tokens", frames}, {"total_tokens", input_tokens + frames}};
    json done = {{"frames", frames},
                 {"audio_ms", audio_ms},
                 {"rtf", rtf},
                 {"first_audio_ms", first_audio_ms},
                 {"queued_ms", stream->queued_ms()},
                 {"stop", csm::to_string(summary.stop)}};
    add_sampling(done);
    if (!write_bytes(sse_audio_done(usage, done))) return client_lost();
  }
  const auto ec = conn.run(options.write_timeout, [&](auto handler) {
    net::async_write(conn.stream(), http::make_chunk_last(), handler);
  });
  return !ec && keep_alive;
}

}  // namespace csm::serve

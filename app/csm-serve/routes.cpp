#include "csm-serve/routes.h"

#include <cmath>
#include <cstdio>
#include <new>

#include "csm-serve/api_key.h"
#include "csm-serve/audio_encoder.h"
#include "csm-serve/multipart.h"
#include "csm-serve/random_id.h"
#include "csm-serve/server_info.h"
#include "csm-serve/speech_response.h"
#include "csm-serve/speech_socket.h"
#include <boost/beast/websocket/rfc6455.hpp>
#include "csm/error.h"

namespace csm::serve {

namespace http = boost::beast::http;
using nlohmann::json;

namespace {

constexpr int kUploadsAtOnce = 4;

std::string_view view(boost::beast::string_view s) { return {s.data(), s.size()}; }

bool valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':')) return false;
  return true;
}

// The client's X-Request-Id, for its logs (it controls nothing), else one of ours.
std::string request_id_of(const HttpHead& head) {
  const auto id = head["X-Request-Id"];
  return valid_request_id(view(id)) ? std::string(id) : random_id("req_");
}

Answer answer_of(Reply reply, const std::string& request_id, const char* endpoint, bool close = false) {
  reply.headers.emplace_back("X-Request-Id", request_id);
  return {std::move(reply), nullptr, endpoint, close};
}

Answer error_answer(const ApiError& e, const std::string& request_id, const char* endpoint) {
  return answer_of(error_reply(e), request_id, endpoint, e.status >= 500);
}

ApiError draining_error() {
  return from_core_error(Error(ErrorCode::Busy, "the server is shutting down: no new requests"), true);
}

json model_json(const std::string& m) { return {{"id", m}, {"object", "model"}, {"created", 0}, {"owned_by", "csm-studio"}}; }

}  // namespace

Routes::Routes(ServerOptions options, Metrics& metrics, VoiceStore& voices, std::function<json()> machine,
               RunBlocking run_blocking, std::function<int()> open_connections)
    : options_(std::move(options)), metrics_(metrics), voices_(voices), machine_(std::move(machine)),
      run_blocking_(std::move(run_blocking)), open_connections_(std::move(open_connections)) {}

void Routes::set_model(std::shared_ptr<const Engine> engine, std::shared_ptr<Scheduler> scheduler) {
  {
    std::lock_guard<std::mutex> lock(model_mutex_);
    engine_ = std::move(engine);
    scheduler_ = std::move(scheduler);
  }
  loaded_ = true;
}

std::optional<Routes::Loaded> Routes::loaded() const {
  std::lock_guard<std::mutex> lock(model_mutex_);
  if (!engine_ || !scheduler_) return std::nullopt;
  return Loaded{engine_, scheduler_};
}

void Routes::drain() {
  draining_ = true;
  if (auto m = loaded()) m->scheduler->drain();
  std::unique_lock<std::mutex> lock(inflight_mutex_);
  inflight_cv_.wait(lock, [&] { return inflight_ == 0; });
}

std::shared_ptr<void> Routes::count_in_flight() {
  {
    std::lock_guard<std::mutex> lock(inflight_mutex_);
    ++inflight_;
  }
  return std::shared_ptr<void>(static_cast<void*>(this), [this](void*) {
    std::lock_guard<std::mutex> lock(inflight_mutex_);
    --inflight_;
    inflight_cv_.notify_all();
  });
}

Routes::Target Routes::parse_target(std::string_view target) {
  Target t;
  t.path = std::string(target.substr(0, target.find('?')));
  const std::string& p = t.path;
  auto under = [&](const std::string& prefix) { return p.size() > prefix.size() && p.compare(0, prefix.size(), prefix) == 0; };
  if (p == "/health") t.route = Route::Health;
  else if (p == "/ready") t.route = Route::Ready;
  else if (p == "/metrics") t.route = Route::Metrics;
  else if (p == "/v1/models") t.route = Route::Models;
  else if (under("/v1/models/")) t.route = Route::Model, t.name = p.substr(11);
  else if (p == "/v1/audio/voices") t.route = Route::Voices;
  else if (under("/v1/audio/voices/")) t.route = Route::Voice, t.name = p.substr(17);
  else if (p == "/v1/csm/info") t.route = Route::Info;
  else if (p == "/v1/csm/benchmark") t.route = Route::Benchmark;
  else if (p == "/v1/audio/speech") t.route = Route::Speech;
  else if (p == "/v1/audio/speech/stream") t.route = Route::SpeechSocket;
  else if (under("/v1/csm/streams/")) {
    const std::string rest = p.substr(16);
    const auto slash = rest.find('/');
    t.name = rest.substr(0, slash);
    if (slash == std::string::npos) t.route = Route::Stream;
    else if (rest.substr(slash + 1) == "sampling") t.route = Route::StreamSampling;
    if (t.name.empty()) t.route = Route::None;
  }
  if (t.route == Route::Voice && t.name.find('/') != std::string::npos) t.route = Route::None;
  return t;
}

const char* Routes::endpoint_of(Route route) {
  switch (route) {
    case Route::Health: return "/health";
    case Route::Ready: return "/ready";
    case Route::Metrics: return "/metrics";
    case Route::Models:
    case Route::Model: return "/v1/models";
    case Route::Voices:
    case Route::Voice: return "/v1/audio/voices";
    case Route::Info: return "/v1/csm/info";
    case Route::Benchmark: return "/v1/csm/benchmark";
    case Route::Stream:
    case Route::StreamSampling: return "/v1/csm/streams";
    case Route::Speech: return "/v1/audio/speech";
    case Route::SpeechSocket: return "/v1/audio/speech/stream";
    case Route::None: break;
  }
  return "other";
}

bool Routes::needs_key(Route route) const {
  if (options_.api_key.empty()) return false;
  if (route == Route::Health || route == Route::Ready) return false;
  if (route == Route::Metrics) return !options_.metrics_public;
  return true;  // every /v1/ route, and unknown paths (a 404 tells nothing without the key)
}

std::string Routes::allowed_methods(Route route, http::verb m) {
  switch (route) {
    case Route::Voices: return m == http::verb::get || m == http::verb::post ? "" : "GET or POST";
    case Route::Voice: return m == http::verb::delete_ ? "" : "DELETE";
    case Route::Stream: return m == http::verb::delete_ ? "" : "DELETE (or POST .../sampling)";
    case Route::StreamSampling:
    case Route::Speech: return m == http::verb::post ? "" : "POST";
    case Route::Health:
    case Route::Ready:
    case Route::Metrics: return "";  // any method, as before
    case Route::None: return "";
    default: return m == http::verb::get ? "" : "GET";
  }
}

RequestHandler::HeadVerdict Routes::on_head(const HttpHead& head, const Peer& peer) {
  const Target t = parse_target(view(head.target()));
  const char* endpoint = endpoint_of(t.route);
  HeadVerdict v;
  v.body_limit = options_.max_body_bytes;
  auto refuse = [&](ApiError e) {
    metrics_.error(e.kind());
    v.refuse = error_answer(e, request_id_of(head), endpoint);
    return v;
  };
  if (peer.reserve && t.route != Route::Health && t.route != Route::Ready) {
    ApiError e = status_error(503, "too many connections (from your address or in all): try again shortly", "too_many_connections");
    e.retry_after_s = 1;
    return refuse(e);
  }
  if (needs_key(t.route) && !authorization_matches(view(head[http::field::authorization]), options_.api_key))
    return refuse(status_error(401, "a valid API key is needed: Authorization: Bearer KEY", "invalid_api_key"));
  if (const std::string allowed = allowed_methods(t.route, head.method()); !allowed.empty())
    return refuse(method_not_allowed(allowed, t.path));
  const bool upload = t.route == Route::Voices && head.method() == http::verb::post;
  const bool speech = t.route == Route::Speech || t.route == Route::SpeechSocket;
  if ((speech || upload) && !loaded_) return refuse(not_ready());
  if (speech && draining_) return refuse(draining_error());
  if (t.route == Route::SpeechSocket) {
    if (!boost::beast::websocket::is_upgrade(head)) {
      ApiError e = status_error(426, "this is a WebSocket endpoint: connect with a WebSocket client", "upgrade_required");
      return refuse(e);
    }
    v.body_limit = 0;  // an upgrade has no body
  }
  if (upload) {
    // Each upload may hold --max-upload-bytes in memory: only a few at once.
    if (uploads_.fetch_add(1) >= kUploadsAtOnce) {
      --uploads_;
      ApiError e = status_error(503, "too many voice uploads at once: try again shortly", "busy");
      e.retry_after_s = 2;
      return refuse(e);
    }
    v.ticket = std::shared_ptr<void>(static_cast<void*>(this), [this](void*) { --uploads_; });
    v.body_limit = options_.max_upload_bytes;  // only for a request that passed the key
  }
  return v;
}

void Routes::on_request(HttpRequest request, const Peer&, std::function<void(Answer)> answer) {
  const Target t = parse_target(view(request.target()));
  const char* endpoint = endpoint_of(t.route);
  const std::string request_id = request_id_of(request.base());
  bool answered = false;
  try {
    Reply reply = handle(request, t, request_id, answer, answered);
    if (!answered) answer(answer_of(std::move(reply), request_id, endpoint));
    return;
  } catch (const ApiError& e) {
    metrics_.error(e.kind());
    if (!answered) answer(error_answer(e, request_id, endpoint));
  } catch (const Error& e) {
    const ApiError api = from_core_error(e, draining_.load());
    metrics_.error(api.kind());
    if (!answered) answer(error_answer(api, request_id, endpoint));
  } catch (const std::bad_alloc&) {
    metrics_.error("out_of_memory");
    if (!answered) answer(error_answer(status_error(503, "the server ran out of memory for this request: try a smaller one", "out_of_memory"), request_id, endpoint));
  } catch (const std::exception& e) {
    // A bug, not bad input: the client still gets an answer, and the log says what.
    std::fprintf(stderr, "csm-serve: %s failed: %s\n", endpoint, e.what());
    metrics_.error("internal");
    if (!answered) answer(error_answer(status_error(500, std::string("internal error: ") + e.what(), "internal"), request_id, endpoint));
  }
}

Reply Routes::handle(const HttpRequest& req, const Target& t, const std::string& request_id,
                     std::function<void(Answer)>& answer, bool& answered) {
  switch (t.route) {
    case Route::Health: return json_reply({{"status", "ok"}});
    case Route::Ready: {
      const bool r = ready();
      return json_reply({{"status", r ? "ready" : (draining_ ? "draining" : "loading")}}, r ? 200 : 503);
    }
    case Route::Metrics: return metrics_reply();
    case Route::Models: {
      json data = json::array();
      for (const auto& m : known_models()) data.push_back(model_json(m));
      return json_reply({{"object", "list"}, {"data", data}});
    }
    case Route::Model:
      for (const auto& m : known_models())
        if (m == t.name) return json_reply(model_json(m));
      throw not_found("model '" + t.name.substr(0, 100) + "' is not served here", "model_not_found");
    case Route::Voices: {
      if (req.method() == http::verb::post) {
        answered = true;
        add_voice(req, request_id, answer);
        return {};
      }
      json data = json::array();
      for (const auto& v : voices_.list()) data.push_back(v.describe());
      return json_reply({{"object", "list"}, {"data", data}});
    }
    case Route::Voice:
      voices_.remove(t.name);
      return json_reply({{"id", t.name}, {"object", "voice"}, {"deleted", true}});
    case Route::Info: {
      const auto m = loaded();
      ServerState state{ready(), draining_.load(), voices_.keeps_voices(), m ? m->engine.get() : nullptr,
                        m ? m->scheduler.get() : nullptr, machine_ ? machine_() : json(nullptr)};
      return json_reply(server_info(options_, state));
    }
    case Route::Benchmark: return json_reply(benchmark_report(options_.benchmark_report));
    case Route::Stream:
    case Route::StreamSampling: return stream_control(req, t);
    case Route::Speech:
      speech(req, request_id, answer);
      answered = true;
      return {};
    case Route::SpeechSocket:
      answered = true;
      answer(speech_socket(request_id));
      return {};
    case Route::None: break;
  }
  throw not_found("no such endpoint: " + t.path.substr(0, 200));
}

Reply Routes::metrics_reply() const {
  const auto m = loaded();
  SchedulerStats stats = m ? m->scheduler->stats() : SchedulerStats{};
  stats.draining = stats.draining || draining_.load();
  return {200, "text/plain; version=0.0.4; charset=utf-8", metrics_.render(stats, ready(), open_connections_()), {}};
}

// /v1/csm/streams/{id}/sampling (POST) and /v1/csm/streams/{id} (DELETE): only by
// the id this server gave the stream.
Reply Routes::stream_control(const HttpRequest& req, const Target& t) {
  if (t.route == Route::StreamSampling) {
    const SamplingChange change = parse_sampling_change(req.body());
    const auto entry = live_.find(t.name);
    auto reply = sampling_json(entry->change(change));
    reply["id"] = entry->id();
    return json_reply(reply);
  }
  const auto entry = live_.find(t.name);
  entry->cancel();  // the speech response then ends at once, stop "cancelled"
  return json_reply({{"id", entry->id()}, {"cancelled", true}});
}

Routes::Submitted Routes::submit_speech(const SpeechRequest& sr, bool text_streamed) {
  const auto voice = voices_.find(sr.voice);
  if (!voice) {
    std::string names;
    for (const auto& v : voices_.list()) names += (names.empty() ? "" : ", ") + v.name;
    throw bad_request("voice '" + sr.voice + "' does not exist (voices: " + names + ")", "voice", "voice_not_found");
  }
  Request request = voices_.request_for(sr.input, *voice, sr.speaker, sr.context);
  request.text_streamed = text_streamed;
  const StreamingConfig config = sr.streaming_config(options_.chunk_size_ms, options_.first_chunk_ms);
  const auto m = loaded();
  if (!m) throw not_ready();
  if (draining_) throw draining_error();
  Submitted out;
  out.sample_rate = m->engine->info().sample_rate;
  out.encoder = make_encoder(sr.format, out.sample_rate);
  out.inflight = count_in_flight();  // from before submit: a drain waits for this response
  out.stream = m->scheduler->submit(std::move(request), config);
  out.live = live_.add(out.stream);
  return out;
}

void Routes::speech(const HttpRequest& req, const std::string& request_id, std::function<void(Answer)>& answer) {
  const SpeechRequest sr = parse_speech_request(req.body(), options_.limits);
  const auto m = loaded();
  if (!m) throw not_ready();
  Submitted submitted = submit_speech(sr, false);
  SpeechResponse::Setup setup;
  setup.inflight = std::move(submitted.inflight);
  setup.stream = std::move(submitted.stream);
  setup.live = std::move(submitted.live);
  setup.encoder = std::move(submitted.encoder);
  setup.format = sr.format;
  setup.sse = sr.stream == StreamFormat::Sse;
  setup.include_codes = sr.include_codes;
  setup.input_chars = sr.input.size();
  setup.request_id = request_id;
  setup.received = SpeechResponse::Clock::now();
  Answer a;
  a.endpoint = "/v1/audio/speech";
  a.stream = std::make_shared<SpeechResponse>(std::move(setup), *m->scheduler, metrics_);
  answer(std::move(a));
}

// GET /v1/audio/speech/stream, upgraded: the session submits its stream when the
// client's session.start comes (the key and readiness were checked on the head).
Answer Routes::speech_socket(const std::string& request_id) {
  const auto m = loaded();
  if (!m) throw not_ready();
  SpeechSocket::Setup setup;
  setup.start = [this](const ClientMessage& message) {
    Submitted s = submit_speech(message.start, true);
    return SpeechSocket::Started{std::move(s.stream), std::move(s.live), std::move(s.encoder), s.sample_rate,
                                 std::move(s.inflight)};
  };
  setup.draining = [this] { return draining_.load(); };
  setup.scheduler = m->scheduler;
  setup.sample_rate = m->engine->info().sample_rate;
  setup.metrics = &metrics_;
  setup.limits = options_.limits;
  setup.request_id = request_id;
  Answer a;
  a.endpoint = "/v1/audio/speech/stream";
  a.socket = std::make_shared<SpeechSocket>(std::move(setup));
  return a;
}

// multipart/form-data: name, transcript (or text), file (or clip, audio), speaker.
// Decoding and encoding the clip may take a while: that runs away from the I/O threads.
void Routes::add_voice(HttpRequest req, const std::string& request_id, std::function<void(Answer)> answer) {
  const auto m = loaded();
  if (!m) throw not_ready();
  const auto parts = parse_multipart(std::string(req[http::field::content_type]), req.body());
  std::string name, transcript, clip, speaker = "0";
  for (const auto& p : parts) {
    if (p.name == "name") name = p.data;
    else if (p.name == "transcript" || p.name == "text") transcript = p.data;
    else if (p.name == "file" || p.name == "clip" || p.name == "audio") clip = p.data;
    else if (p.name == "speaker") speaker = p.data;
  }
  req.body().clear();
  req.body().shrink_to_fit();
  if (name.empty()) throw bad_request("'name' is required", "name", "missing_field");
  int speaker_id = 0;
  try {
    size_t used = 0;
    speaker_id = std::stoi(speaker, &used);
    if (used != speaker.size()) throw std::invalid_argument("trailing");
  } catch (const std::exception&) {
    throw bad_request("'speaker' must be an integer", "speaker");
  }
  auto job = [this, name, transcript, speaker_id, clip = std::move(clip), engine = m->engine, request_id, answer,
              counted = count_in_flight()]() mutable {
    try {
      const Voice v = voices_.add(name, transcript, speaker_id, clip, *engine);
      answer(answer_of(json_reply(v.describe(), 201), request_id, "/v1/audio/voices"));
    } catch (const ApiError& e) {
      metrics_.error(e.kind());
      answer(error_answer(e, request_id, "/v1/audio/voices"));
    } catch (const Error& e) {
      const ApiError api = from_core_error(e, draining_.load());
      metrics_.error(api.kind());
      answer(error_answer(api, request_id, "/v1/audio/voices"));
    } catch (const std::bad_alloc&) {
      metrics_.error("out_of_memory");
      answer(error_answer(status_error(503, "the server ran out of memory decoding the clip: send a shorter one", "out_of_memory"),
                          request_id, "/v1/audio/voices"));
    } catch (const std::exception& e) {
      metrics_.error("internal");
      answer(error_answer(status_error(500, std::string("the clip could not be stored: ") + e.what(), "internal"), request_id,
                          "/v1/audio/voices"));
    }
  };
  run_blocking_(std::move(job));
}

}  // namespace csm::serve

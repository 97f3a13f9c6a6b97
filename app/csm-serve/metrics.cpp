#include "csm-serve/metrics.h"

#include <sstream>

namespace csm::serve {
namespace {
std::string num(double v) {
  std::ostringstream s;
  s.precision(10);
  s << v;
  return s.str();
}
std::string label(const std::string& v) {  // Prometheus label value escaping
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}
}  // namespace

Histogram::Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::observe(double value) {
  size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i]) ++i;
  ++counts_[i];
  sum_ += value;
  ++count_;
}

std::string Histogram::render(const std::string& name) const {
  std::string out;
  uint64_t cumulative = 0;
  for (size_t i = 0; i < bounds_.size(); ++i) {
    cumulative += counts_[i];
    out += name + "_bucket{le=\"" + num(bounds_[i]) + "\"} " + std::to_string(cumulative) + "\n";
  }
  cumulative += counts_.back();
  out += name + "_bucket{le=\"+Inf\"} " + std::to_string(cumulative) + "\n";
  out += name + "_sum " + num(sum_) + "\n";
  out += name + "_count " + std::to_string(count_) + "\n";
  return out;
}

Metrics::Metrics()
    : rtf_({0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 5, 10}),
      ttfa_({0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 2, 5, 10, 30}) {}

void Metrics::request(const std::string& endpoint, int status) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++requests_[{endpoint, status}];
}

void Metrics::error(const std::string& kind) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++errors_[kind];
}

void Metrics::stream_done(double rtf, double first_audio_s, double audio_s, const std::string& stop) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (first_audio_s >= 0) ttfa_.observe(first_audio_s);
  if (audio_s > 0) rtf_.observe(rtf);
  audio_seconds_ += audio_s;
  ++streams_[stop];
}

void Metrics::disconnect() {
  std::lock_guard<std::mutex> lock(mutex_);
  ++disconnects_;
}

std::string Metrics::render(const SchedulerStats& s, bool ready, int connections) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string o;
  auto gauge = [&](const char* name, const char* help, double v) {
    o += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n" + name + " " + num(v) + "\n";
  };
  auto counter = [&](const char* name, const char* help, double v) {
    o += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " counter\n" + name + " " + num(v) + "\n";
  };
  gauge("csm_active_streams", "Streams generating now.", s.active);
  gauge("csm_queued_requests", "Accepted requests waiting for a slot.", s.queued);
  gauge("csm_max_streams", "Streams generated at once (--max-streams).", s.max_streams);
  gauge("csm_frames_per_second", "Frames generated per second, all streams, recent.", s.frames_per_s);
  gauge("csm_ready", "1 when the model is loaded and the server is not draining.", ready ? 1 : 0);
  gauge("csm_draining", "1 while draining after SIGTERM.", s.draining ? 1 : 0);
  gauge("csm_open_connections", "HTTP connections open now.", connections);
  counter("csm_frames_total", "Frames generated since start.", static_cast<double>(s.frames_total));
  counter("csm_audio_seconds_total", "Seconds of audio streamed since start.", audio_seconds_);
  counter("csm_client_disconnects_total", "Clients that went away mid-stream.", static_cast<double>(disconnects_));
  counter("csm_voice_cache_hits_total", "Prefills that copied a kept voice's keys and values.",
          static_cast<double>(s.voice_cache_hits));
  counter("csm_voice_cache_misses_total", "Prefills of a voice not kept (run through the model).",
          static_cast<double>(s.voice_cache_misses));
  gauge("csm_voice_cache_bytes", "Bytes of voices' keys and values kept (--voice-cache-mb).",
        static_cast<double>(s.voice_cache_bytes));
  o += "# HELP csm_streams_total Streams ended, by stop reason.\n# TYPE csm_streams_total counter\n";
  for (const char* stop : {"end_of_speech", "max_length", "length_guard", "cancelled", "failed"}) {
    auto it = streams_.find(stop);
    o += std::string("csm_streams_total{stop=\"") + stop + "\"} " + std::to_string(it == streams_.end() ? 0 : it->second) + "\n";
  }
  o += "# HELP csm_requests_total HTTP responses, by endpoint and status.\n# TYPE csm_requests_total counter\n";
  for (auto& [key, n] : requests_)
    o += "csm_requests_total{endpoint=\"" + label(key.first) + "\",status=\"" + std::to_string(key.second) + "\"} " +
         std::to_string(n) + "\n";
  o += "# HELP csm_errors_total Errors, by kind.\n# TYPE csm_errors_total counter\n";
  for (auto& [kind, n] : errors_) o += "csm_errors_total{kind=\"" + label(kind) + "\"} " + std::to_string(n) + "\n";
  o += "# HELP csm_request_rtf Per-request real-time factor (wall time / audio time; < 1 is faster than real time).\n"
       "# TYPE csm_request_rtf histogram\n";
  o += rtf_.render("csm_request_rtf");
  o += "# HELP csm_time_to_first_audio_seconds From request received to first audio sent.\n"
       "# TYPE csm_time_to_first_audio_seconds histogram\n";
  o += ttfa_.render("csm_time_to_first_audio_seconds");
  return o;
}

}  // namespace csm::serve

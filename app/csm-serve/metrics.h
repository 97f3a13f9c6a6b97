#pragma once
// /metrics in Prometheus text format: active streams, queued requests, frames/s,
// per-request RTF and time-to-first-audio histograms, errors by kind.
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "csm/scheduler.h"

namespace csm::serve {

class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void observe(double value);
  // name_bucket{le="..."} lines, name_sum, name_count
  std::string render(const std::string& name) const;

 private:
  std::vector<double> bounds_;
  std::vector<uint64_t> counts_;  // per bucket (not cumulative), last = +Inf
  double sum_ = 0;
  uint64_t count_ = 0;
};

class Metrics {
 public:
  Metrics();
  void request(const std::string& endpoint, int status);   // every HTTP response
  void error(const std::string& kind);                     // an API error or a stream failure
  void stream_done(double rtf, double first_audio_s, double audio_s, const std::string& stop);
  void disconnect();                                        // a client went away mid-stream
  std::string render(const SchedulerStats& stats, bool ready, int connections) const;

 private:
  mutable std::mutex mutex_;
  Histogram rtf_, ttfa_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  std::map<std::string, uint64_t> errors_;
  std::map<std::string, uint64_t> streams_;
  double audio_seconds_ = 0;
  uint64_t disconnects_ = 0;
};

}  // namespace csm::serve

#pragma once
// What csm-serve's flags set: the address, the key, every limit and deadline.
#include <chrono>
#include <string>

#include "csm-serve/speech_request.h"

namespace csm::serve {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8000;                                 // 0: any free port (printed)
  std::string api_key;                             // non-empty: /v1/* needs "Authorization: Bearer KEY"
  bool metrics_public = false;                     // /metrics without the key even when one is set
  size_t max_body_bytes = 64 * 1024;               // JSON bodies (every route but the voice upload)
  size_t max_upload_bytes = 16 * 1024 * 1024;      // an authorised POST /v1/audio/voices
  std::chrono::seconds header_timeout{10};         // a request's head (from connecting, or a later one's first byte); trickling does not extend it
  std::chrono::seconds read_timeout{30};           // a request's body
  std::chrono::seconds write_timeout{30};          // one write to the client; slower clients are cut
  std::chrono::seconds idle_timeout{60};           // keep-alive between requests
  int max_connections = 1024;
  int max_connections_per_ip = 256;                // at most 3/4 of max_connections in effect
  int io_threads = 2;                              // threads that run every connection (no thread per connection)
  SpeechLimits limits;
  int first_chunk_ms = 80, chunk_size_ms = 320;    // streaming granularity of every request
  std::string benchmark_report;                    // a csm-bench --json-out file for GET /v1/csm/benchmark

  // One address may hold at most this many connections, so it cannot hold them all.
  int per_ip_limit() const {
    const int share = max_connections >= 4 ? max_connections * 3 / 4 : max_connections;
    return std::max(1, std::min(max_connections_per_ip, share));
  }
};

}  // namespace csm::serve

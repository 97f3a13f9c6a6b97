#pragma once
// Accepts connections and keeps their count: at most --max-connections, at most
// the per-address share from one address. Beyond that a small reserve answers
// /health and /ready only (so a crowd cannot blind the health checks); beyond
// the reserve a connection is closed at once.
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "csm-serve/connection.h"
#include "csm-serve/request_handler.h"

namespace csm::serve {

struct ConnectionLimits {
  int max_connections = 1024;
  int max_per_address = 256;
  int reserve = 32;  // extra connections for /health and /ready
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(boost::asio::io_context& ioc, boost::asio::ip::tcp::acceptor& acceptor, RequestHandler& handler,
           ConnectionLimits limits, ConnectionTimeouts timeouts);
  void start();
  int open_connections() const;

 private:
  void accept();
  void on_accept(boost::asio::ip::tcp::socket socket);
  // The slot a new connection takes (released with the returned handle), or none.
  std::shared_ptr<void> take_slot(const std::string& address, bool& reserve);
  void log_accept_failure(const std::string& why);

  boost::asio::io_context& ioc_;
  boost::asio::ip::tcp::acceptor& acceptor_;
  boost::asio::steady_timer backoff_;
  RequestHandler& handler_;
  ConnectionLimits limits_;
  ConnectionTimeouts timeouts_;
  mutable std::mutex mutex_;
  int open_ = 0, reserve_open_ = 0;
  std::map<std::string, int> per_address_;
  int accept_failures_ = 0;  // the accept handler runs on one chain: no lock needed
  std::chrono::steady_clock::time_point last_accept_log_{};
};

}  // namespace csm::serve

#include "csm-serve/listener.h"

#include <boost/asio.hpp>

#include <chrono>
#include <cstdio>

namespace csm::serve {

namespace net = boost::asio;
using tcp = net::ip::tcp;

Listener::Listener(net::io_context& ioc, tcp::acceptor& acceptor, RequestHandler& handler, ConnectionLimits limits,
                   ConnectionTimeouts timeouts)
    : ioc_(ioc), acceptor_(acceptor), backoff_(ioc), handler_(handler), limits_(limits), timeouts_(timeouts) {}

void Listener::start() { accept(); }

int Listener::open_connections() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return open_ + reserve_open_;
}

void Listener::accept() {
  acceptor_.async_accept(net::make_strand(ioc_), [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !self->acceptor_.is_open()) return;
    if (ec) {
      // Out of descriptors or memory: this connection waits in the backlog (or is
      // lost); the server keeps serving the ones it has and tries again shortly.
      self->log_accept_failure(ec.message());
      self->backoff_.expires_after(std::chrono::milliseconds(50));
      self->backoff_.async_wait([self](boost::system::error_code) { self->accept(); });
      return;
    }
    try {
      self->on_accept(std::move(socket));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "csm-serve: dropped a new connection: %s\n", e.what());
    }
    self->accept();
  });
}

// At most one line a second, with how many failures it stands for: a flood of
// refused connections must not become a flood of log lines.
void Listener::log_accept_failure(const std::string& why) {
  const auto now = std::chrono::steady_clock::now();
  ++accept_failures_;
  if (now - last_accept_log_ < std::chrono::seconds(1)) return;
  std::fprintf(stderr, "csm-serve: cannot accept a connection: %s (%d time%s since the last such line)\n", why.c_str(),
               accept_failures_, accept_failures_ == 1 ? "" : "s");
  accept_failures_ = 0;
  last_accept_log_ = now;
}

void Listener::on_accept(tcp::socket socket) {
  boost::system::error_code ec;
  const auto endpoint = socket.remote_endpoint(ec);
  if (ec) return;  // gone already
  Peer peer{endpoint.address().to_string(), false};
  auto slot = take_slot(peer.address, peer.reserve);
  if (!slot) {
    socket.close(ec);
    handler_.sent("refused", 503);
    return;
  }
  socket.set_option(tcp::no_delay(true), ec);
  serve_connection(std::move(socket), handler_, std::move(peer), timeouts_, std::move(slot));
}

std::shared_ptr<void> Listener::take_slot(const std::string& address, bool& reserve) {
  std::lock_guard<std::mutex> lock(mutex_);
  int& mine = per_address_[address];
  reserve = open_ >= limits_.max_connections || mine >= limits_.max_per_address;
  if (reserve && reserve_open_ >= limits_.reserve) {
    if (mine == 0) per_address_.erase(address);
    return nullptr;
  }
  (reserve ? reserve_open_ : open_)++;
  ++mine;
  auto self = shared_from_this();
  // The handle's deleter gives the slot back when the connection ends.
  return std::shared_ptr<void>(static_cast<void*>(this), [self, address, reserve](void*) {
    std::lock_guard<std::mutex> lock(self->mutex_);
    (reserve ? self->reserve_open_ : self->open_)--;
    if (--self->per_address_[address] <= 0) self->per_address_.erase(address);
  });
}

}  // namespace csm::serve

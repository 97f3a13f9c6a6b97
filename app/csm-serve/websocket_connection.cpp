#include "csm-serve/websocket_connection.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <cstdio>
#include <deque>

#include "csm-serve/guarded_completion.h"
#include "csm-serve/socket_messages.h"

namespace csm::serve {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using namespace std::chrono_literals;

constexpr auto kPollInterval = 5ms;               // how often the session is asked for more
constexpr size_t kMaxWaitingBytes = 8u << 20;      // sent but not yet taken by the client

class WebSocketConnection : public std::enable_shared_from_this<WebSocketConnection> {
 public:
  WebSocketConnection(beast::tcp_stream stream, std::shared_ptr<SocketSession> session, std::shared_ptr<void> slot,
                      std::string peer)
      : ws_(std::move(stream)), timer_(ws_.get_executor()), session_(std::move(session)), slot_(std::move(slot)),
        peer_(std::move(peer)) {}

  template <class F>
  auto guarded(F f) {
    return guarded_completion(shared_from_this(), std::move(f), [](WebSocketConnection& socket, const std::exception& e) {
      std::fprintf(stderr, "csm-serve: WebSocket from %s dropped: %s\n", socket.peer_.c_str(), e.what());
      socket.lost();
    });
  }

  void start(http::request<http::empty_body> upgrade) {
    beast::get_lowest_layer(ws_).expires_never();  // the WebSocket's own timeouts from here
    websocket::stream_base::timeout timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
    timeouts.handshake_timeout = 10s;
    timeouts.idle_timeout = 30s;  // a ping after 15 s of silence; no answer in 15 more: gone
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "csm-serve"); }));
    ws_.read_message_max(kMaxClientMessageBytes);
    ws_.async_accept(upgrade, guarded([this](beast::error_code ec) {
                       if (ec) return lost();
                       read();
                       tick();
                     }));
  }

 private:
  void read() {
    ws_.async_read(in_, guarded([this](beast::error_code ec, size_t) {
                     if (ec) return lost();  // closed, reset, too large, timed out
                     std::string data = beast::buffers_to_string(in_.data());
                     in_.consume(in_.size());
                     session_->on_message(std::move(data), !ws_.got_text());
                     read();
                   }));
  }

  void tick() {
    if (done_) return;
    std::vector<SocketSession::Message> out;
    std::string reason;
    const auto step = session_->poll(out, reason);
    for (auto& m : out) {
      waiting_ += m.data.size();
      queue_.push_back(std::move(m));
    }
    if (waiting_ > kMaxWaitingBytes) {
      std::fprintf(stderr, "csm-serve: WebSocket from %s dropped: it does not read what is sent\n", peer_.c_str());
      return lost();
    }
    if (step == SocketSession::Step::Close) {
      closing_ = true;
      reason_ = reason;
    }
    write();
    if (!closing_) {
      timer_.expires_after(kPollInterval);
      timer_.async_wait(guarded([this](beast::error_code ec) {
        if (!ec) tick();
      }));
    }
  }

  void write() {
    if (writing_ || done_) return;
    if (queue_.empty()) {
      if (closing_ && !close_sent_) {
        close_sent_ = true;
        ws_.async_close(websocket::close_reason(websocket::close_code::normal, reason_),
                        guarded([this](beast::error_code) { finish(); }));
      }
      return;
    }
    writing_ = true;
    ws_.binary(queue_.front().binary);
    ws_.async_write(net::buffer(queue_.front().data), guarded([this](beast::error_code ec, size_t) {
                      writing_ = false;
                      if (ec) return lost();
                      waiting_ -= queue_.front().data.size();
                      queue_.pop_front();
                      write();
                    }));
  }

  // The client went away (or broke the protocol): the session hears of it once.
  void lost() {
    if (!done_ && !close_sent_) session_->client_lost();
    finish();
  }

  void finish() {
    if (done_) return;
    done_ = true;
    timer_.cancel();
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

  websocket::stream<beast::tcp_stream> ws_;
  net::steady_timer timer_;
  std::shared_ptr<SocketSession> session_;
  std::shared_ptr<void> slot_;
  std::string peer_;
  beast::flat_buffer in_;
  std::deque<SocketSession::Message> queue_;
  size_t waiting_ = 0;
  bool writing_ = false, closing_ = false, close_sent_ = false, done_ = false;
  std::string reason_;
};

}  // namespace

void serve_websocket(beast::tcp_stream stream, http::request<http::empty_body> upgrade,
                     std::shared_ptr<SocketSession> session, std::shared_ptr<void> slot, std::string peer) {
  try {
    auto connection = std::make_shared<WebSocketConnection>(std::move(stream), std::move(session), std::move(slot), peer);
    connection->start(std::move(upgrade));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "csm-serve: cannot serve a WebSocket from %s: %s\n", peer.c_str(), e.what());
  }
}

}  // namespace csm::serve

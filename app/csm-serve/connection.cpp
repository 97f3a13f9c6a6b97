#include "csm-serve/connection.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <array>
#include <cerrno>
#include <cstdint>
#include <limits>
#include <cstdio>
#include <new>
#include <optional>

#include "csm-serve/guarded_completion.h"
#include "csm-serve/websocket_connection.h"

namespace csm::serve {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

constexpr size_t kHeaderLimit = 16 * 1024;
constexpr auto kReserveHeaderTimeout = 1s;  // a connection over the limits gets one quick request
constexpr auto kPollInterval = 5ms;          // how often a streamed body is asked for more
constexpr size_t kLingerBytes = 1 << 20;     // read and dropped after a refusal, so the reply is not reset away

Answer transport_error(int status, const std::string& message, const std::string& code) {
  return {error_reply(status_error(status, message, code)), nullptr, "other", true};
}

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, RequestHandler& handler, Peer peer, const ConnectionTimeouts& timeouts,
             std::shared_ptr<void> slot)
      : stream_(std::move(socket)), timer_(stream_.get_executor()), handler_(handler), peer_(std::move(peer)),
        timeouts_(timeouts), slot_(std::move(slot)) {}

  void start() { read_head(); }

 private:
  template <class F>
  auto guarded(F f) {
    return guarded_completion(shared_from_this(), std::move(f), [](Connection& c, const std::exception& e) {
      std::fprintf(stderr, "csm-serve: connection from %s dropped: %s\n", c.peer_.address.c_str(), e.what());
      c.close_now();
    });
  }

  void read_head() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    // No limit yet: Beast's default (1 MiB) would refuse a declared length before the
    // route is known; the route's own limit is set once the head is in. (Not
    // boost::none: Boost 1.74 compares a length with it as greater, always refusing.)
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    // One deadline for the whole head: trickling bytes does not extend it.
    stream_.expires_after(peer_.reserve ? std::chrono::seconds(kReserveHeaderTimeout) : timeouts_.header);
    http::async_read_header(stream_, buffer_, *parser_, guarded([this](beast::error_code ec, size_t) { on_head(ec); }));
  }

  // Between keep-alive requests: wait (up to the idle time) for the next one's first byte.
  void await_next_request() {
    if (buffer_.size() > 0) return read_head();
    timer_.expires_after(timeouts_.idle);
    timer_.async_wait(guarded([this](beast::error_code ec) {
      if (!ec) close_now();
    }));
    stream_.socket().async_wait(tcp::socket::wait_read, guarded([this](beast::error_code ec) {
      timer_.cancel();
      if (ec) return close_now();
      read_head();
    }));
  }

  void on_head(beast::error_code ec) {
    if (ec == http::error::header_limit)
      return write_answer(transport_error(431, "request headers too large (at most 16 KiB)", "headers_too_large"));
    if (ec == beast::error::timeout || ec == http::error::end_of_stream || ec == net::error::eof || ec == net::error::connection_reset)
      return close_now();
    if (ec) return write_answer(transport_error(400, "malformed HTTP request: " + ec.message(), "bad_request"));
    const HttpHead& head = parser_->get();
    version_ = head.version();
    head_only_ = head.method() == http::verb::head;
    keep_alive_ = parser_->keep_alive() && !peer_.reserve;
    if (beast::websocket::is_upgrade(head)) upgrade_.emplace(head);  // kept for the handshake
    else upgrade_.reset();
    RequestHandler::HeadVerdict verdict = handler_.on_head(head, peer_);
    if (verdict.refuse) {
      if (!parser_->is_done()) verdict.refuse->close = true;  // its body is never read
      return write_answer(std::move(*verdict.refuse));
    }
    ticket_ = std::move(verdict.ticket);
    if (parser_->content_length() && *parser_->content_length() > verdict.body_limit)
      return write_answer(too_large(verdict.body_limit));
    limit_ = verdict.body_limit;
    parser_->body_limit(verdict.body_limit);  // a chunked body is stopped at the limit as it comes
    if (parser_->is_done()) return dispatch();
    if (beast::iequals(head[http::field::expect], "100-continue")) {
      static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      stream_.expires_after(timeouts_.write);
      return net::async_write(stream_, net::buffer(kContinue), guarded([this](beast::error_code ec, size_t) {
                                if (ec) return close_now();
                                read_body();
                              }));
    }
    read_body();
  }

  Answer too_large(size_t limit) {
    return transport_error(413, "the body is too large (at most " + std::to_string(limit) + " bytes here)",
                           "body_too_large");
  }

  void read_body() {
    stream_.expires_after(timeouts_.body);
    http::async_read(stream_, buffer_, *parser_, guarded([this](beast::error_code ec, size_t) {
                       if (ec == http::error::body_limit) return write_answer(too_large(limit_));
                       if (ec == beast::error::timeout || ec == http::error::end_of_stream || ec == net::error::eof)
                         return close_now();
                       if (ec) return write_answer(transport_error(400, "malformed HTTP body: " + ec.message(), "bad_request"));
                       dispatch();
                     }));
  }

  void dispatch() {
    auto self = shared_from_this();
    auto executor = stream_.get_executor();
    stream_.expires_never();
    // The answer may come from another thread (an upload's encode): back onto this strand.
    handler_.on_request(parser_->release(), peer_, [self, executor](Answer answer) {
      net::post(executor, self->guarded([self, answer = std::move(answer)]() mutable { self->write_answer(std::move(answer)); }));
    });
  }

  void write_answer(Answer answer) {
    ticket_.reset();
    endpoint_ = answer.endpoint;
    if (answer.close || handler_.closing()) keep_alive_ = false;
    if (answer.socket && upgrade_) return hand_over(std::move(answer.socket));
    if (answer.stream) {
      body_ = std::move(answer.stream);
      watch_peer();
      return poll_head();
    }
    write_reply(std::move(answer.reply), answer.close);
  }

  // The WebSocket takes the connection (and its count in the listener's limit) from here.
  void hand_over(std::shared_ptr<SocketSession> session) {
    handler_.sent(endpoint_, 101);
    timer_.cancel();
    http::request<http::empty_body> upgrade(std::move(*upgrade_));
    upgrade_.reset();
    serve_websocket(std::move(stream_), std::move(upgrade), std::move(session), std::move(slot_), peer_.address);
  }

  void write_reply(Reply reply, bool linger) {
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(reply.status), version_);
    set_head(*res, reply);
    res->body() = std::move(reply.body);
    res->keep_alive(keep_alive_);
    res->prepare_payload();
    if (head_only_) res->body().clear();  // HEAD: the length a GET would get, no body
    handler_.sent(endpoint_, reply.status);
    stream_.expires_after(timeouts_.write);
    http::async_write(stream_, *res, guarded([this, res, linger](beast::error_code ec, size_t) {
                        if (ec) return close_now();
                        if (keep_alive_) return await_next_request();
                        linger ? linger_close() : close_now();
                      }));
  }

  template <class Message>
  void set_head(Message& res, const Reply& reply) {
    res.set(http::field::server, "csm-serve");
    res.set(http::field::content_type, reply.content_type);
    for (const auto& [name, value] : reply.headers) res.set(name, value);
  }

  // ---- a streamed body
  void poll_head() {
    if (lost()) return;
    Reply head;
    const auto step = body_->head(head, peer_eof_);
    if (step == StreamedBody::Step::Wait) return after(kPollInterval, [this] { poll_head(); });
    if (step != StreamedBody::Step::Data) {
      body_.reset();
      return write_reply(std::move(head), false);
    }
    chunked_ = version_ >= 11;  // HTTP/1.0 has no chunks: its body ends where the connection does
    if (!chunked_) keep_alive_ = false;
    auto res = std::make_shared<http::response<http::empty_body>>(static_cast<http::status>(head.status), version_);
    set_head(*res, head);
    res->keep_alive(keep_alive_);
    res->chunked(chunked_);
    auto serializer = std::make_shared<http::response_serializer<http::empty_body>>(*res);
    handler_.sent(endpoint_, head.status);
    stream_.expires_after(timeouts_.write);
    http::async_write_header(stream_, *serializer, guarded([this, res, serializer](beast::error_code ec, size_t) {
                               if (ec) return stream_lost();
                               pump();
                             }));
  }

  void pump() {
    if (lost()) return;
    pending_.clear();
    const auto step = body_->next(pending_);
    switch (step) {
      case StreamedBody::Step::Wait:
        return after(kPollInterval, [this] { pump(); });
      case StreamedBody::Step::Data:
        if (pending_.empty()) return pump();
        return write_piece(chunked_ ? 1 : 0, [this] { pump(); });
      case StreamedBody::Step::Done:
        if (!chunked_) return finish_stream();
        return write_piece(2, [this] { finish_stream(); });
      case StreamedBody::Step::Cut:
        body_.reset();
        return close_now();
    }
  }

  // kind 0: raw bytes, 1: a chunk, 2: the last chunk.
  template <class Then>
  void write_piece(int kind, Then then) {
    stream_.expires_after(timeouts_.write);
    auto done = guarded([this, then](beast::error_code ec, size_t) mutable {
      if (ec) return stream_lost();
      then();
    });
    if (kind == 0) net::async_write(stream_, net::buffer(pending_), std::move(done));
    else if (kind == 1) net::async_write(stream_, http::make_chunk(net::buffer(pending_)), std::move(done));
    else net::async_write(stream_, http::make_chunk_last(), std::move(done));
  }

  void finish_stream() {
    body_.reset();
    stream_.socket().cancel();  // the peer watch
    if (keep_alive_) return await_next_request();
    close_now();
  }

  void stream_lost() {
    if (body_) body_->client_lost();
    body_.reset();
    close_now();
  }

  bool lost() {
    if (peer_eof_ && !reset_) {
      // After the peer's FIN, a client gone for good answers what we send with a
      // reset, which closes the socket (recv keeps saying EOF: ask TCP's state).
      tcp_info info{};
      socklen_t size = sizeof info;
      reset_ = ::getsockopt(stream_.socket().native_handle(), IPPROTO_TCP, TCP_INFO, &info, &size) == 0 &&
               info.tcpi_state == TCP_CLOSE;
    }
    if (!reset_) return false;
    stream_lost();
    return true;
  }

  // While a stream runs, only a reset counts as a client gone: a client that
  // half-closed after its request still gets its response.
  void watch_peer() {
    stream_.socket().async_wait(tcp::socket::wait_read, guarded([this](beast::error_code ec) {
      if (ec || !body_) return;
      char c;
      const ssize_t n = ::recv(stream_.socket().native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return watch_peer();
      if (n < 0) reset_ = true;  // reset: the next poll ends the stream
      else if (n == 0) peer_eof_ = true, keep_alive_ = false;  // half-closed (or gone): answer, then close
      // n > 0: the next request is already here; it waits in the socket.
    }));
  }

  template <class F>
  void after(std::chrono::milliseconds wait, F f) {
    timer_.expires_after(wait);
    timer_.async_wait(guarded([f](beast::error_code ec) mutable {
      if (!ec) f();
    }));
  }

  // After a refusal the client may still be sending its body: read a little of it
  // (briefly) before closing, so the kernel does not reset the reply away.
  void linger_close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(2s);
    linger_read();
  }
  void linger_read() {
    auto buffer = std::make_shared<std::array<char, 8192>>();
    stream_.async_read_some(net::buffer(*buffer), guarded([this, buffer](beast::error_code ec, size_t n) {
                              lingered_ += n;
                              if (ec || lingered_ > kLingerBytes) return close_now();
                              linger_read();
                            }));
  }

  void close_now() {
    beast::error_code ignored;
    timer_.cancel();
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  net::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<HttpHead> upgrade_;  // the head of a WebSocket upgrade request
  RequestHandler& handler_;
  Peer peer_;
  ConnectionTimeouts timeouts_;
  std::shared_ptr<void> slot_;
  std::shared_ptr<void> ticket_;
  unsigned version_ = 11;
  bool head_only_ = false;
  bool keep_alive_ = false;
  std::string endpoint_ = "other";
  std::shared_ptr<StreamedBody> body_;
  bool chunked_ = true;
  bool reset_ = false;
  bool peer_eof_ = false;
  std::string pending_;
  size_t lingered_ = 0;
  size_t limit_ = 0;
};

}  // namespace

void serve_connection(tcp::socket socket, RequestHandler& handler, Peer peer, const ConnectionTimeouts& timeouts,
                      std::shared_ptr<void> slot) {
  const std::string address = peer.address;
  try {
    std::make_shared<Connection>(std::move(socket), handler, std::move(peer), timeouts, std::move(slot))->start();
  } catch (const std::exception& e) {
    // Memory, a descriptor, anything: this connection goes, the server stays.
    std::fprintf(stderr, "csm-serve: cannot serve a connection from %s: %s\n", address.c_str(), e.what());
    beast::error_code ignored;
    socket.close(ignored);
  }
}

}  // namespace csm::serve

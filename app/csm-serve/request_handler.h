#pragma once
// What the transport (Connection) asks of whoever answers requests: a verdict
// on each request's head before any body byte is read, then an answer to the
// whole request, complete or streamed. Nothing here knows a route.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/beast/http.hpp>

#include "csm-serve/reply.h"

namespace csm::serve {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpHead = boost::beast::http::request_header<>;

// A response whose body comes piece by piece (a speech stream). The connection
// polls it on its I/O thread: no call may block.
class StreamedBody {
 public:
  enum class Step { Wait, Data, Done, Cut };
  virtual ~StreamedBody() = default;
  // Before the head is sent: Wait until it is known, then Data (`head` holds the
  // status, type and headers; the body follows) or Done (`head` is a complete
  // reply: an error before any audio gets its own status). `now`: the client
  // half-closed, so the head should go now if it can (Data): a client gone for
  // good is then found out by its reset.
  virtual Step head(Reply& head, bool now) = 0;
  // Appends the next body bytes to `out`: Data, Wait (nothing yet), Done (the body
  // is complete), Cut (it ends without a proper end, so the client sees it was cut).
  virtual Step next(std::string& out) = 0;
  // A write failed or timed out, or the client reset the connection.
  virtual void client_lost() = 0;
};

// A WebSocket the request was upgraded to (a speech session). The connection calls it
// on its I/O thread: no call may block.
class SocketSession {
 public:
  struct Message {
    bool binary = false;
    std::string data;
  };
  enum class Step { Open, Close };
  virtual ~SocketSession() = default;
  // A message from the client (text or binary), whole.
  virtual void on_message(std::string data, bool binary) = 0;
  // Appends what is ready to go out to `out`; Close: after those, close the socket
  // normally with `reason`.
  virtual Step poll(std::vector<Message>& out, std::string& reason) = 0;
  // The client closed, went away, or could not keep up.
  virtual void client_lost() = 0;
};

struct Answer {
  Reply reply;
  std::shared_ptr<StreamedBody> stream;  // set: the body is streamed and `reply` unused
  std::string endpoint = "other";        // the metrics' label
  bool close = false;                    // the connection closes after it
  std::shared_ptr<SocketSession> socket; // set: the request is upgraded to a WebSocket served by it
};

// Where a connection comes from and what it may do.
struct Peer {
  std::string address;
  bool reserve = false;  // over a connection limit: only /health and /ready are answered
};

class RequestHandler {
 public:
  struct HeadVerdict {
    std::optional<Answer> refuse;  // answered at once, the body never read
    size_t body_limit = 0;         // otherwise: the most body bytes this request may send
    std::shared_ptr<void> ticket;  // held until the answer is written (a bounded resource, e.g. an upload)
  };
  virtual ~RequestHandler() = default;
  virtual HeadVerdict on_head(const HttpHead& head, const Peer& peer) = 0;
  // `answer` is called exactly once, maybe later and from another thread.
  virtual void on_request(HttpRequest request, const Peer& peer, std::function<void(Answer)> answer) = 0;
  // Every response written, the transport's own (400, 408, 413, 431) included.
  virtual void sent(const std::string& endpoint, int status) = 0;
  // Keep-alive is off from now on (a drain).
  virtual bool closing() const = 0;
};

}  // namespace csm::serve

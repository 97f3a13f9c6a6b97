#pragma once
// One client connection, asynchronous on the server's small pool of I/O
// threads (Boost.Beast): an idle, slow or half-open client costs its buffers,
// not a thread. It reads a request's head within the header deadline, asks the
// handler before reading any body byte, then writes the answer, complete or
// streamed (chunked for HTTP/1.1, close-delimited for HTTP/1.0).
#include <chrono>
#include <memory>

#include <boost/asio/ip/tcp.hpp>

#include "csm-serve/request_handler.h"

namespace csm::serve {

struct ConnectionTimeouts {
  std::chrono::seconds header{10}, body{30}, write{30}, idle{60};
};

// Starts serving `socket` (whose executor is a strand); `slot` is released when
// the connection ends (the listener's count). Never throws: a connection that
// cannot be set up is closed and logged.
void serve_connection(boost::asio::ip::tcp::socket socket, RequestHandler& handler, Peer peer,
                      const ConnectionTimeouts& timeouts, std::shared_ptr<void> slot);

}  // namespace csm::serve

#pragma once
// A connection upgraded to a WebSocket (Boost.Beast): the handshake answered, then the
// client's messages handed to a SocketSession and what it has to send written out, on
// the connection's strand. Bounded: a message in is at most kMaxClientMessageBytes,
// and a client that does not read what is sent (more than 8 MiB waiting) is dropped.
// Pings keep a quiet client's connection alive and find a dead one.
#include <memory>

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>

#include "csm-serve/request_handler.h"

namespace csm::serve {

// Never throws: a socket that cannot be served is closed and logged. `slot` (the
// listener's connection count) is held until the socket closes.
void serve_websocket(boost::beast::tcp_stream stream, boost::beast::http::request<boost::beast::http::empty_body> upgrade,
                     std::shared_ptr<SocketSession> session, std::shared_ptr<void> slot, std::string peer);

}  // namespace csm::serve

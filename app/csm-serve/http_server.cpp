#include "csm-serve/http_server.h"

#include <boost/asio.hpp>

#include <thread>
#include <vector>

#include "csm-serve/listener.h"
#include "csm-serve/routes.h"
#include "csm/error.h"

namespace csm::serve {

namespace net = boost::asio;
using tcp = net::ip::tcp;

struct HttpServer::Impl {
  ServerOptions options;
  Routes routes;
  // Declared after the routes: destroyed first, with every connection and its stream.
  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  // After the context: the listener's timer and acceptor use its services, so the
  // listener must go before the context does (the handlers the context still holds
  // keep it alive until its shutdown, when the services are still there).
  std::shared_ptr<Listener> listener;
  net::thread_pool blocking{1};  // uploads one at a time, off the I/O threads
  std::vector<std::thread> threads;

  Impl(ServerOptions o, Metrics& m, VoiceStore& v, std::function<nlohmann::json()> machine)
      : options(o),
        routes(o, m, v, std::move(machine), [this](std::function<void()> job) { net::post(blocking, std::move(job)); },
               [this] { return listener ? listener->open_connections() : 0; }),
        ioc(std::max(1, o.io_threads)) {}
};

HttpServer::HttpServer(ServerOptions options, Metrics& metrics, VoiceStore& voices, std::function<nlohmann::json()> machine)
    : impl_(std::make_unique<Impl>(std::move(options), metrics, voices, std::move(machine))) {}

HttpServer::~HttpServer() {
  boost::system::error_code ignored;
  net::post(impl_->ioc, [impl = impl_.get()] {
    boost::system::error_code ec;
    impl->acceptor.close(ec);
  });
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
  impl_->blocking.join();
  impl_->acceptor.close(ignored);
}

int HttpServer::bind() {
  auto& a = impl_->acceptor;
  const auto& o = impl_->options;
  boost::system::error_code ec;
  const auto address = net::ip::make_address(o.host, ec);
  if (ec) throw Error(ErrorCode::InvalidArgument, "--host " + o.host + " is not an IP address");
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(o.port));
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(net::socket_base::max_listen_connections, ec);
  if (ec) throw Error(ErrorCode::Io, "cannot listen on " + o.host + ":" + std::to_string(o.port) + ": " + ec.message());
  return a.local_endpoint().port();
}

void HttpServer::set_model(std::shared_ptr<const Engine> engine, std::shared_ptr<Scheduler> scheduler) {
  impl_->routes.set_model(std::move(engine), std::move(scheduler));
}

void HttpServer::start() {
  const auto& o = impl_->options;
  ConnectionLimits limits{o.max_connections, o.per_ip_limit(), 32};
  ConnectionTimeouts timeouts{o.header_timeout, o.read_timeout, o.write_timeout, o.idle_timeout};
  impl_->listener = std::make_shared<Listener>(impl_->ioc, impl_->acceptor, impl_->routes, limits, timeouts);
  impl_->listener->start();
  for (int i = 0; i < std::max(1, o.io_threads); ++i)
    impl_->threads.emplace_back([impl = impl_.get()] {
      for (;;) {
        try {
          impl->ioc.run();
          return;
        } catch (const std::exception& e) {
          // A handler that threw past its connection's guard: log it, keep serving.
          std::fprintf(stderr, "csm-serve: I/O thread caught: %s\n", e.what());
        }
      }
    });
}

void HttpServer::drain() { impl_->routes.drain(); }

}  // namespace csm::serve

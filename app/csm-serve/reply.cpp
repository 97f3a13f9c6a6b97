#include "csm-serve/reply.h"

namespace csm::serve {

Reply json_reply(const nlohmann::json& j, int status) {
  return {status, "application/json", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", {}};
}

Reply error_reply(const ApiError& e) {
  Reply r{e.status, "application/json", e.json() + "\n", {}};
  if (e.retry_after_s > 0) r.headers.emplace_back("Retry-After", std::to_string(e.retry_after_s));
  return r;
}

ApiError status_error(int status, std::string message, std::string code) {
  ApiError e = bad_request(std::move(message), "", std::move(code));
  e.status = status;
  if (status >= 500) e.type = "server_error";
  return e;
}

ApiError not_found(std::string message, std::string code) { return status_error(404, std::move(message), std::move(code)); }

ApiError method_not_allowed(const std::string& allowed, const std::string& path) {
  return status_error(405, "use " + allowed + " on " + path.substr(0, 200), "method_not_allowed");
}

ApiError not_ready() {
  ApiError e = status_error(503, "the model is still loading", "not_ready");
  e.retry_after_s = 5;
  return e;
}

}  // namespace csm::serve

#pragma once
// A complete HTTP answer (status, type, body, extra headers) and the few
// answers every route shares: JSON, an API error, 404, 405, "still loading".
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "csm-serve/openai_error.h"

namespace csm::serve {

struct Reply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // Retry-After, X-CSM-Stream-Id, ...
};

Reply json_reply(const nlohmann::json& j, int status = 200);
Reply error_reply(const ApiError& e);

ApiError not_found(std::string message, std::string code = "not_found");
ApiError method_not_allowed(const std::string& allowed, const std::string& path);
ApiError not_ready();                         // 503: the model is still loading
ApiError status_error(int status, std::string message, std::string code);

}  // namespace csm::serve

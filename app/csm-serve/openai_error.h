#pragma once
// Errors in OpenAI's shape: {"error": {"message", "type", "param", "code"}} with
// the HTTP status that goes with them.
#include <string>

#include "csm/error.h"

namespace csm::serve {

struct ApiError {
  int status = 400;
  std::string message;
  std::string type = "invalid_request_error";
  std::string param;  // the request field at fault; empty: null
  std::string code;   // a short machine-readable reason; empty: null
  int retry_after_s = 0;  // > 0: sent as Retry-After (429, 503)

  std::string json() const;
  // The "kind" label of the errors metric: the code, else the type.
  std::string kind() const { return code.empty() ? type : code; }
};

ApiError bad_request(std::string message, std::string param = {}, std::string code = "invalid_value");
// A core error as the client sees it: InvalidArgument 400, Busy 429 (or 503 when
// draining), OutOfMemory / DeviceUnavailable 503, the rest 500.
ApiError from_core_error(const csm::Error& error, bool draining = false);

}  // namespace csm::serve

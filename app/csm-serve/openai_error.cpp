#include "csm-serve/openai_error.h"

#include <nlohmann/json.hpp>

namespace csm::serve {

std::string ApiError::json() const {
  nlohmann::json j = {{"error",
                       {{"message", message},
                        {"type", type},
                        {"param", param.empty() ? nlohmann::json(nullptr) : nlohmann::json(param)},
                        {"code", code.empty() ? nlohmann::json(nullptr) : nlohmann::json(code)}}}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

ApiError bad_request(std::string message, std::string param, std::string code) {
  ApiError e;
  e.status = 400;
  e.message = std::move(message);
  e.param = std::move(param);
  e.code = std::move(code);
  return e;
}

ApiError from_core_error(const csm::Error& error, bool draining) {
  ApiError e;
  e.message = error.what();
  if (!error.hint().empty()) e.message += " (" + error.hint() + ")";
  switch (error.code()) {
    case ErrorCode::InvalidArgument:
      e.status = 400;
      e.code = "invalid_value";
      break;
    case ErrorCode::Busy:
      e.status = draining ? 503 : 429;
      e.type = draining ? "server_error" : "rate_limit_error";
      e.code = draining ? "draining" : "queue_full";
      e.retry_after_s = draining ? 5 : 1;
      break;
    case ErrorCode::OutOfMemory:
    case ErrorCode::DeviceUnavailable:
      e.status = 503;
      e.type = "server_error";
      e.code = error.code() == ErrorCode::OutOfMemory ? "out_of_memory" : "device_unavailable";
      e.retry_after_s = 2;
      break;
    case ErrorCode::Cancelled:
      e.status = 499;
      e.type = "server_error";
      e.code = "cancelled";
      break;
    default:
      e.status = 500;
      e.type = "server_error";
      e.code = to_string(error.code());
      break;
  }
  return e;
}

}  // namespace csm::serve

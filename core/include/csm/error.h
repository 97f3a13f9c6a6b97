#pragma once
// The one error type that crosses the core boundary. Every message names the
// thing at fault (file, tensor, field) and what was expected, so a user can act.
#include <stdexcept>
#include <string>

namespace csm {

enum class ErrorCode {
  InvalidArgument,   // a caller/user mistake: bad flag, bad text, bad config value
  BadModelFile,      // checkpoint, config or tokenizer file is malformed or mismatched
  BadAudioFile,      // an audio file cannot be used
  Io,                // the operating system refused (missing file, disk full, ...)
  OutOfMemory,
  DeviceUnavailable,
  Cancelled,
  Busy,              // the server or scheduler is full or draining: try again later
  Internal,
};

const char* to_string(ErrorCode code) noexcept;

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message, std::string hint = {})
      : std::runtime_error(message), code_(code), hint_(std::move(hint)) {}
  ErrorCode code() const noexcept { return code_; }
  // What the user can do about it; may be empty.
  const std::string& hint() const noexcept { return hint_; }

 private:
  ErrorCode code_;
  std::string hint_;
};

// Process exit status a CLI uses for an error of this kind (distinct per kind).
int exit_status(ErrorCode code) noexcept;

}  // namespace csm

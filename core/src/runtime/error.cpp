#include "csm/error.h"

namespace csm {

const char* to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::InvalidArgument: return "invalid argument";
    case ErrorCode::BadModelFile: return "bad model file";
    case ErrorCode::BadAudioFile: return "bad audio file";
    case ErrorCode::Io: return "i/o error";
    case ErrorCode::OutOfMemory: return "out of memory";
    case ErrorCode::DeviceUnavailable: return "device unavailable";
    case ErrorCode::Cancelled: return "cancelled";
    case ErrorCode::Busy: return "busy";
    case ErrorCode::Internal: return "internal error";
  }
  return "error";
}

int exit_status(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::InvalidArgument: return 2;
    case ErrorCode::BadModelFile: return 3;
    case ErrorCode::BadAudioFile: return 4;
    case ErrorCode::Io: return 5;
    case ErrorCode::OutOfMemory: return 6;
    case ErrorCode::DeviceUnavailable: return 7;
    case ErrorCode::Cancelled: return 130;
    case ErrorCode::Busy: return 75;
    case ErrorCode::Internal: return 70;
  }
  return 1;
}

}  // namespace csm

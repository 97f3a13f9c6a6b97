#include "csm-serve/random_id.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdint>

#include "csm/error.h"

namespace csm::serve {

std::string random_id(const char* prefix) {
  uint8_t bytes[16];
  size_t got = 0;
  while (got < sizeof bytes) {
    const ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw Error(ErrorCode::Internal, "the OS gave no random bytes for an id (getrandom failed)");
    got += static_cast<size_t>(n);
  }
  static const char* hex = "0123456789abcdef";
  std::string id(prefix);
  for (uint8_t b : bytes) {
    id += hex[b >> 4];
    id += hex[b & 15];
  }
  return id;
}

}  // namespace csm::serve

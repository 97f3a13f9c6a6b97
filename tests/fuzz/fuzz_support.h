#pragma once
// Shared by the fuzz targets: inputs go through the same file-reading paths a
// user's files take, and only csm::Error may come out; anything else aborts.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <string>

#include "csm/error.h"

namespace csm::fuzz {

inline std::string write_input(const uint8_t* data, size_t size, const char* suffix) {
  static const std::string path =
      std::string("/tmp/csm-fuzz-") + std::to_string(getpid()) + suffix;
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data),
                                                                static_cast<std::streamsize>(size));
  return path;
}

template <typename Body>
int guarded(Body&& body) {
  try {
    body();
  } catch (const csm::Error&) {
    // The expected outcome for bad input: a message, not a crash.
  } catch (const std::exception& e) {
    std::fprintf(stderr, "unexpected exception escaped: %s\n", e.what());
    std::abort();
  }
  return 0;
}

}  // namespace csm::fuzz

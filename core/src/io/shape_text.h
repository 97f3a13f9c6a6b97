#pragma once
// "[2048, 512]": how shapes appear in error messages.
#include <sstream>
#include <string>

#include <ATen/ATen.h>

namespace csm {

inline std::string shape_text(at::IntArrayRef shape) {
  std::ostringstream s;
  s << "[";
  for (size_t i = 0; i < shape.size(); ++i) s << (i ? ", " : "") << shape[i];
  return s.str() + "]";
}

}  // namespace csm

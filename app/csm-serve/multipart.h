#pragma once
// multipart/form-data bodies (POST /v1/audio/voices), parsed from memory. Bad
// input is an ApiError (400); no HTTP library in here: fuzzable.
#include <string>
#include <string_view>
#include <vector>

namespace csm::serve {

struct FormPart {
  std::string name, filename, content_type, data;
};

// `content_type` is the request's Content-Type header (it carries the boundary).
std::vector<FormPart> parse_multipart(std::string_view content_type, std::string_view body);

}  // namespace csm::serve

#include "csm-serve/multipart.h"

#include <algorithm>
#include <cctype>

#include "csm-serve/openai_error.h"

namespace csm::serve {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// The value of `key` among "; key=value" parameters (quoted or not); empty when absent.
std::string parameter(std::string_view header, std::string_view key) {
  size_t at = 0;
  while ((at = header.find(';', at)) != std::string_view::npos) {
    ++at;
    std::string_view rest = trim(header.substr(at));
    const size_t eq = rest.find('=');
    if (eq == std::string_view::npos) continue;
    if (lower(trim(rest.substr(0, eq))) != lower(key)) continue;
    std::string_view value = trim(rest.substr(eq + 1));
    if (!value.empty() && value.front() == '"') {
      const size_t close = value.find('"', 1);
      if (close == std::string_view::npos) throw bad_request("unterminated quoted parameter in a multipart header", "", "invalid_multipart");
      return std::string(value.substr(1, close - 1));
    }
    const size_t end = value.find(';');
    return std::string(trim(value.substr(0, end)));
  }
  return {};
}

}  // namespace

std::vector<FormPart> parse_multipart(std::string_view content_type, std::string_view body) {
  if (lower(trim(content_type.substr(0, content_type.find(';')))) != "multipart/form-data")
    throw bad_request("the body must be multipart/form-data", "", "invalid_content_type");
  const std::string boundary = parameter(content_type, "boundary");
  if (boundary.empty() || boundary.size() > 200)
    throw bad_request("multipart/form-data without a usable boundary", "", "invalid_multipart");
  const std::string delimiter = "--" + boundary;

  std::vector<FormPart> parts;
  size_t at = body.find(delimiter);
  if (at == std::string_view::npos) throw bad_request("multipart body without its boundary", "", "invalid_multipart");
  at += delimiter.size();
  for (;;) {
    if (body.substr(at, 2) == "--") return parts;  // closing delimiter
    if (body.substr(at, 2) != "\r\n") throw bad_request("malformed multipart delimiter line", "", "invalid_multipart");
    at += 2;
    const size_t headers_end = body.find("\r\n\r\n", at);
    if (headers_end == std::string_view::npos) throw bad_request("multipart part without the end of its headers", "", "invalid_multipart");
    FormPart part;
    std::string_view headers = body.substr(at, headers_end - at);
    bool disposition = false;
    while (!headers.empty()) {
      const size_t eol = headers.find("\r\n");
      std::string_view line = headers.substr(0, eol);
      headers = eol == std::string_view::npos ? std::string_view() : headers.substr(eol + 2);
      const size_t colon = line.find(':');
      if (colon == std::string_view::npos) throw bad_request("malformed multipart header line", "", "invalid_multipart");
      const std::string key = lower(trim(line.substr(0, colon)));
      const std::string_view value = trim(line.substr(colon + 1));
      if (key == "content-disposition") {
        if (lower(trim(value.substr(0, value.find(';')))) != "form-data")
          throw bad_request("a multipart part that is not form-data", "", "invalid_multipart");
        part.name = parameter(value, "name");
        part.filename = parameter(value, "filename");
        disposition = true;
      } else if (key == "content-type") {
        part.content_type = std::string(value);
      }
    }
    if (!disposition || part.name.empty()) throw bad_request("a multipart part without a name", "", "invalid_multipart");
    const size_t data_begin = headers_end + 4;
    const size_t next = body.find("\r\n" + delimiter, data_begin);
    if (next == std::string_view::npos) throw bad_request("multipart body ends inside a part", "", "invalid_multipart");
    part.data = std::string(body.substr(data_begin, next - data_begin));
    parts.push_back(std::move(part));
    if (parts.size() > 16) throw bad_request("too many multipart parts (at most 16)", "", "invalid_multipart");
    at = next + 2 + delimiter.size();
  }
}

}  // namespace csm::serve

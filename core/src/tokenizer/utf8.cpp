#include "tokenizer/utf8.h"

#include "csm/error.h"
#include "csm/tokenizer.h"

namespace csm {
namespace utf8 {

void append(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

size_t sequence_length(std::string_view s, size_t pos) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const auto cont = [&](size_t i) { return i < s.size() && (byte(i) & 0xC0) == 0x80; };
  const unsigned char b0 = byte(pos);
  if (b0 < 0x80) return 1;
  if (b0 >= 0xC2 && b0 <= 0xDF) return cont(pos + 1) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (!cont(pos + 1) || !cont(pos + 2)) return 0;
    const unsigned char b1 = byte(pos + 1);
    if (b0 == 0xE0 && b1 < 0xA0) return 0;   // overlong
    if (b0 == 0xED && b1 >= 0xA0) return 0;  // UTF-16 surrogate
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (!cont(pos + 1) || !cont(pos + 2) || !cont(pos + 3)) return 0;
    const unsigned char b1 = byte(pos + 1);
    if (b0 == 0xF0 && b1 < 0x90) return 0;  // overlong
    if (b0 == 0xF4 && b1 >= 0x90) return 0;  // beyond U+10FFFF
    return 4;
  }
  return 0;
}

std::string make_valid(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (size_t i = 0; i < bytes.size();) {
    const size_t n = sequence_length(bytes, i);
    if (n == 0) {
      append(out, 0xFFFD);
      ++i;
    } else {
      out.append(bytes.substr(i, n));
      i += n;
    }
  }
  return out;
}

}  // namespace utf8

void check_utf8(std::string_view text, std::string_view what) {
  for (size_t i = 0; i < text.size();) {
    const size_t n = utf8::sequence_length(text, i);
    if (n == 0) {
      throw Error(ErrorCode::InvalidArgument,
                  std::string(what) + " is not valid UTF-8: bad byte 0x" +
                      "0123456789abcdef"[static_cast<unsigned char>(text[i]) >> 4] +
                      "0123456789abcdef"[static_cast<unsigned char>(text[i]) & 15] + " at byte offset " +
                      std::to_string(i),
                  "save the text as UTF-8");
    }
    i += n;
  }
}

}  // namespace csm

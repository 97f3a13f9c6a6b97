#include "tokenizer/byte_unicode.h"

#include <unordered_map>

#include "tokenizer/utf8.h"

namespace csm {
namespace {

std::array<char32_t, 256> build_code_points() {
  std::array<char32_t, 256> cps{};
  std::array<bool, 256> printable{};
  for (int b = '!'; b <= '~'; ++b) printable[b] = true;
  for (int b = 0xA1; b <= 0xAC; ++b) printable[b] = true;
  for (int b = 0xAE; b <= 0xFF; ++b) printable[b] = true;
  char32_t next = 256;
  for (int b = 0; b < 256; ++b) cps[b] = printable[b] ? static_cast<char32_t>(b) : next++;
  return cps;
}

const std::unordered_map<char32_t, unsigned char>& code_point_to_byte() {
  static const auto table = [] {
    std::unordered_map<char32_t, unsigned char> m;
    const auto cps = build_code_points();
    for (int b = 0; b < 256; ++b) m[cps[b]] = static_cast<unsigned char>(b);
    return m;
  }();
  return table;
}

}  // namespace

const std::array<std::string, 256>& byte_to_unicode() {
  static const auto table = [] {
    std::array<std::string, 256> t;
    const auto cps = build_code_points();
    for (int b = 0; b < 256; ++b) utf8::append(t[b], cps[b]);
    return t;
  }();
  return table;
}

bool unicode_to_bytes(std::string_view s, std::string& out) {
  const auto& table = code_point_to_byte();
  for (size_t i = 0; i < s.size();) {
    const size_t n = utf8::sequence_length(s, i);
    if (n == 0) return false;
    char32_t cp = 0;
    const auto* p = reinterpret_cast<const unsigned char*>(s.data() + i);
    if (n == 1) cp = p[0];
    else if (n == 2) cp = ((p[0] & 0x1F) << 6) | (p[1] & 0x3F);
    else if (n == 3) cp = ((p[0] & 0x0F) << 12) | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    else cp = ((p[0] & 0x07) << 18) | ((p[1] & 0x3F) << 12) | ((p[2] & 0x3F) << 6) | (p[3] & 0x3F);
    const auto it = table.find(cp);
    if (it == table.end()) return false;
    out.push_back(static_cast<char>(it->second));
    i += n;
  }
  return true;
}

}  // namespace csm

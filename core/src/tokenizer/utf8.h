#pragma once
// Small UTF-8 helpers shared by the tokenizers.
#include <cstdint>
#include <string>
#include <string_view>

namespace csm::utf8 {

// Appends the UTF-8 encoding of code point `cp`.
void append(std::string& out, char32_t cp);

// Length in bytes of the valid sequence starting at text[pos], or 0 if invalid.
size_t sequence_length(std::string_view text, size_t pos);

// Decodes bytes as UTF-8, replacing every invalid sequence by U+FFFD
// (what HF's from_utf8_lossy does when decoding byte-level tokens).
std::string make_valid(std::string_view bytes);

}  // namespace csm::utf8

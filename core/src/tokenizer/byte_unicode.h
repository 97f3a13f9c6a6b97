#pragma once
// GPT-2's reversible byte <-> printable-character alphabet used by byte-level BPE:
// printable Latin-1 bytes map to themselves, the other 68 bytes to U+0100 onwards.
#include <array>
#include <string>
#include <string_view>

namespace csm {

// UTF-8 spelling of the character that stands for each byte.
const std::array<std::string, 256>& byte_to_unicode();

// Inverse: appends the original bytes of a byte-level token spelling to `out`.
// Returns false if `spelling` contains a character outside the alphabet.
bool unicode_to_bytes(std::string_view spelling, std::string& out);

}  // namespace csm

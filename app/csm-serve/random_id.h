#pragma once
// Identifiers nobody can guess or derive from another: 128 bits from the OS.
#include <string>

namespace csm::serve {

// `prefix` followed by 32 hex digits of getrandom(2). Throws csm::Error when the
// OS has no randomness to give (never silently a weaker id).
std::string random_id(const char* prefix);

}  // namespace csm::serve

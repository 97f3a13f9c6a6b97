#pragma once
// The API key: where it comes from (--api-key, --api-key-file, $CSM_SERVE_API_KEY)
// and whether a request's Authorization header carries it. The comparison takes
// the same time wherever the first wrong byte is, so timing tells nothing.
#include <string>
#include <string_view>

namespace csm::serve {

// "Bearer KEY", the scheme in any case, spaces around the key ignored.
bool authorization_matches(std::string_view header, std::string_view key);

// Equal in a time that depends on the lengths only.
bool constant_time_equal(std::string_view a, std::string_view b);

// The key in FILE: its first line, surrounding white space dropped. Throws
// csm::Error naming the file when it cannot be read or holds no key.
std::string read_api_key_file(const std::string& path);

}  // namespace csm::serve

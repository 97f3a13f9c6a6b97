#pragma once
// The codes file shared by csm-stream --codes-out and csm-codec:
// {"frames": [[c0..cK], ...], ...}: T rows of C codes.
#include <cstdint>
#include <string>
#include <vector>

namespace csm {

struct CodesFile {
  std::vector<std::vector<int32_t>> frames;
  std::vector<float> first_logits;  // optional: codebook-0 logits of the first frame
};

// Writes atomically (temp file + rename), so a failure never leaves half a file.
void write_codes_json(const std::string& path, const CodesFile& codes);
// Throws csm::Error for unreadable, malformed or ragged files.
CodesFile read_codes_json(const std::string& path);

}  // namespace csm

// Fuzzes the codes JSON reader shared by csm-stream and csm-codec.
#include "csm/codes_json.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = csm::fuzz::write_input(data, size, ".json");
  return csm::fuzz::guarded([&] { (void)csm::read_codes_json(path); });
}

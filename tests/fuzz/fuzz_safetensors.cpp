// Fuzzes the safetensors header and tensor table (and reading every tensor).
#include "fuzz_support.h"
#include "io/safetensors_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = csm::fuzz::write_input(data, size, ".safetensors");
  return csm::fuzz::guarded([&] {
    csm::SafetensorsFile file(path);
    for (const auto& [name, entry] : file.entries()) {
      const auto t = file.tensor(name);
      if (t.numel() > 0) (void)t.flatten()[t.numel() - 1].item<double>();  // touch the last byte
    }
  });
}

// Fuzzes every config.json reader: HF CSM, Sesame's original, HF and original Mimi.
#include <nlohmann/json.hpp>

#include "codec/mimi_config.h"
#include "fuzz_support.h"
#include "model/csm_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = csm::fuzz::write_input(data, size, ".json");
  return csm::fuzz::guarded([&] {
    try {
      (void)csm::load_csm_config(path);
    } catch (const csm::Error&) {
    }
    try {
      (void)csm::load_mimi_config(path);
    } catch (const csm::Error&) {
    }
    const auto j = nlohmann::json::parse(data, data + size, nullptr, false);
    if (j.is_discarded()) return;
    try {
      (void)csm::parse_orig_mimi_config(j, "fuzz");
    } catch (const csm::Error&) {
    }
    (void)csm::parse_hf_mimi_config(j, "fuzz");
  });
}

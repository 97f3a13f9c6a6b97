#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace csm::bench {
// Load time of a tokenizer file and encode throughput over a fixed English text.
nlohmann::json tokenizer_report(const std::string& path);
}  // namespace csm::bench

#pragma once
// This machine as the tools report it (OS, CPU, memory, GPU, the engine's
// build): csm-bench's reports and csm-serve's /v1/csm/info carry it.
#include <nlohmann/json.hpp>

namespace csm::cli {
nlohmann::json system_report();
}  // namespace csm::cli

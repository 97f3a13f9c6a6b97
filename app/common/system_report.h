#pragma once
#include <nlohmann/json.hpp>

namespace csm::bench {
nlohmann::json system_report();
}  // namespace csm::bench

#pragma once
// Moved to app/common (csm-serve reports the machine too); kept for csm-bench's includes.
#include "common/system_report.h"

namespace csm::bench {
using csm::cli::system_report;
}  // namespace csm::bench

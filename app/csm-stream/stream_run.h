#pragma once
// The engine path of csm-stream: one text, or many batched, into sinks.
#include <string>
#include <vector>

#include "common/cli_args.h"

namespace csm::cli {
int run_stream(const Args& args, const std::vector<std::string>& texts);
}  // namespace csm::cli

#pragma once
// --context / --context-text / --context-speaker, checked to pair up.
#include <string>
#include <vector>

#include "common/cli_args.h"

namespace csm::cli {

struct ContextClipFlag {
  std::string path;
  std::string text;
  int speaker = 0;
};

// Throws csm::Error (InvalidArgument) when the flags do not pair up.
std::vector<ContextClipFlag> context_flags(const Args& args);

}  // namespace csm::cli

#pragma once
// The codes-only path of csm-stream (--codes-out without audio): model, tokenizer,
// frames; no codec needed. It also records the first frame's codebook-0 logits.
#include "common/cli_args.h"

namespace csm::cli {
int run_codes_only(const Args& args, const std::string& text);
}  // namespace csm::cli

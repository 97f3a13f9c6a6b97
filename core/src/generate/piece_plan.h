#pragma once
// How a request's text is spoken piece by piece: text longer than a piece is cut at
// sentence boundaries, and each piece after the first speaks with the previous
// piece as voice context, so nothing runs into the position limit. Shared by the
// session and the scheduler.
#include <string>
#include <vector>

#include "csm/engine.h"
#include "generate/engine_parts.h"
#include "generate/prompt_builder.h"

namespace csm {

// About 20 s of speech: the most tokens a piece takes.
constexpr size_t kMaxPieceTokens = 80;

// The pieces of `text`, in order (one piece when it is short).
std::vector<std::string> plan_pieces(const Tokenizer& tokenizer, const std::string& text);

struct PiecePrompt {
  PromptRows prompt;
  int64_t frame_limit = 0;  // frames this piece may make
};

// The prompt for `piece` of `request` after `previous` (empty for the first piece).
// `frames_left`: of the request's length budget; `split`: the request has several
// pieces. Throws csm::Error when the context and text leave no position.
PiecePrompt piece_prompt(const EngineParts& parts, const Request& request, const Segment& previous,
                         const std::string& piece, bool split, int64_t frames_left, const std::string& what);

}  // namespace csm

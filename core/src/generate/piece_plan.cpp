#include "generate/piece_plan.h"

#include <algorithm>

#include "csm/error.h"
#include "generate/text_splitter.h"

namespace csm {
namespace {

// A piece of a split text may not run on forever (a model that misses its end of
// speech would eat the next pieces' time): about 6 frames a token.
constexpr int64_t kPieceMinFrames = 25;
constexpr int64_t kPieceFramesPerToken = 6;

}  // namespace

std::vector<std::string> plan_pieces(const Tokenizer& tokenizer, const std::string& text) {
  const auto count = [&](const std::string& s) { return tokenizer.encode(s).size(); };
  return count(text) > kMaxPieceTokens ? split_text(text, kMaxPieceTokens, count) : std::vector<std::string>{text};
}

PiecePrompt piece_prompt(const EngineParts& parts, const Request& request, const Segment& previous,
                         const std::string& piece, bool split, int64_t frames_left, const std::string& what) {
  const auto& c = parts.model->config();
  const int64_t limit = c.backbone.max_positions;
  std::vector<Segment> context = request.context;
  if (!previous.audio_frames.empty()) context.push_back(previous);
  const Segment target{request.speaker, piece, {}};
  PiecePrompt out;
  out.prompt = build_prompt(*parts.tokenizer, context, target, c.num_codebooks, parts.mimi->config().codebook_size,
                            request.context.size());
  const int64_t rows = out.prompt.rows.size(0);
  if (rows + 1 > limit)
    throw Error(ErrorCode::InvalidArgument,
                "the context and text of " + what + " need " + std::to_string(rows) +
                    " positions; the model has " + std::to_string(limit),
                "use shorter voice clips or fewer context turns");
  out.frame_limit = std::min<int64_t>(limit - rows, frames_left);
  if (split || !previous.audio_frames.empty()) {
    const auto tokens = static_cast<int64_t>(parts.tokenizer->encode(piece).size());
    out.frame_limit = std::min<int64_t>(out.frame_limit, kPieceMinFrames + kPieceFramesPerToken * tokens);
  }
  return out;
}

}  // namespace csm

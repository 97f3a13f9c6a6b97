#include "common/context_flags.h"

#include "csm/error.h"

namespace csm::cli {

std::vector<ContextClipFlag> context_flags(const Args& args) {
  const auto clips = args.all("context"), texts = args.all("context-text"), speakers = args.all("context-speaker");
  if (texts.size() != clips.size())
    throw Error(ErrorCode::InvalidArgument, std::to_string(clips.size()) + " --context clips but " +
                                                std::to_string(texts.size()) + " --context-text transcripts",
                "give one --context-text per --context clip, in the same order");
  if (!speakers.empty() && speakers.size() != clips.size())
    throw Error(ErrorCode::InvalidArgument, "give one --context-speaker per --context clip, or none");
  std::vector<ContextClipFlag> out;
  for (size_t i = 0; i < clips.size(); ++i) {
    ContextClipFlag flag{clips[i], texts[i], 0};
    if (!speakers.empty()) {
      try {
        size_t used = 0;
        flag.speaker = std::stoi(speakers[i], &used);
        if (used != speakers[i].size() || flag.speaker < 0) throw std::invalid_argument(speakers[i]);
      } catch (const std::exception&) {
        throw Error(ErrorCode::InvalidArgument, "--context-speaker expects an integer >= 0, got \"" + speakers[i] + "\"");
      }
    }
    out.push_back(std::move(flag));
  }
  return out;
}

}  // namespace csm::cli

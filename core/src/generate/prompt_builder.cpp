#include "generate/prompt_builder.h"

#include "csm/error.h"

namespace csm {
namespace {

void append_text(const Tokenizer& tokenizer, const Segment& s, int cb, std::vector<int64_t>& rows,
                 std::vector<uint8_t>& mask) {
  for (int32_t id : tokenizer.encode_framed("[" + std::to_string(s.speaker) + "]" + s.text)) {
    for (int k = 0; k < cb; ++k) {
      rows.push_back(0);
      mask.push_back(0);
    }
    rows.push_back(id);
    mask.push_back(1);
  }
}

void append_audio_row(const std::vector<int32_t>& codes, int cb, std::vector<int64_t>& rows, std::vector<uint8_t>& mask) {
  for (int k = 0; k < cb; ++k) {
    rows.push_back(codes.empty() ? 0 : codes[k]);
    mask.push_back(1);
  }
  rows.push_back(0);
  mask.push_back(0);
}

}  // namespace

PromptRows build_prompt(const Tokenizer& tokenizer, const std::vector<Segment>& context, const Segment& target,
                        int cb, int codebook_size, size_t voice_segments) {
  std::vector<int64_t> rows;
  std::vector<uint8_t> mask;
  int64_t voice_rows = 0;
  for (size_t s = 0; s < context.size(); ++s) {
    if (s == voice_segments) voice_rows = static_cast<int64_t>(rows.size()) / (cb + 1);
    const Segment& seg = context[s];
    append_text(tokenizer, seg, cb, rows, mask);
    if (seg.audio_frames.empty()) continue;
    for (size_t f = 0; f < seg.audio_frames.size(); ++f) {
      const auto& frame = seg.audio_frames[f];
      if (static_cast<int>(frame.size()) != cb)
        throw Error(ErrorCode::InvalidArgument, "context segment " + std::to_string(s) + " frame " + std::to_string(f) +
                                                    " has " + std::to_string(frame.size()) + " codes, the model needs " +
                                                    std::to_string(cb));
      for (int32_t c : frame)
        if (c < 0 || c >= codebook_size)
          throw Error(ErrorCode::InvalidArgument, "context segment " + std::to_string(s) + " frame " +
                                                      std::to_string(f) + " has code " + std::to_string(c) +
                                                      " outside 0.." + std::to_string(codebook_size - 1));
      append_audio_row(frame, cb, rows, mask);
    }
    append_audio_row({}, cb, rows, mask);  // the all-zero end-of-audio row
  }
  if (voice_segments >= context.size()) voice_rows = static_cast<int64_t>(rows.size()) / (cb + 1);
  append_text(tokenizer, target, cb, rows, mask);
  const int64_t n = static_cast<int64_t>(rows.size()) / (cb + 1);
  PromptRows out;
  out.voice_rows = voice_rows;
  out.rows = at::tensor(rows, at::kLong).view({n, cb + 1});
  out.mask = at::tensor(std::vector<int64_t>(mask.begin(), mask.end()), at::kLong).view({n, cb + 1}).to(at::kBool);
  return out;
}

}  // namespace csm

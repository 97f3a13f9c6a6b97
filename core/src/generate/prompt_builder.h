#pragma once
// Segments -> backbone input rows (spec §2.5): each row holds C audio codes and
// one text id, with a mask saying which columns count.
#include <vector>

#include <ATen/ATen.h>

#include "csm/generation.h"
#include "csm/tokenizer.h"

namespace csm {

struct PromptRows {
  at::Tensor rows;  // [N, C+1] int64
  at::Tensor mask;  // [N, C+1] bool
  int64_t voice_rows = 0;  // the first rows, of the first `voice_segments` context turns: a prefix worth caching
};

// Context turns give text rows, then one row per audio frame and an all-zero
// EOS row; the target gives its text rows only. Throws csm::Error on bad codes.
// `voice_segments`: how many leading context turns are the request's voice (the same
// for every request with that voice), counted in voice_rows.
PromptRows build_prompt(const Tokenizer& tokenizer, const std::vector<Segment>& context, const Segment& target,
                        int num_codebooks, int codebook_size, size_t voice_segments = 0);

}  // namespace csm

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
};

// Context turns give text rows, then one row per audio frame and an all-zero
// EOS row; the target gives its text rows only. Throws csm::Error on bad codes.
PromptRows build_prompt(const Tokenizer& tokenizer, const std::vector<Segment>& context, const Segment& target,
                        int num_codebooks, int codebook_size);

}  // namespace csm

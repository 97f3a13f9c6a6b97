#pragma once
// A text-only prompt of n rows with ids from the demo model's byte vocabulary
// (spec §2.5 rows: C audio columns masked out, the text column live).
#include <ATen/ATen.h>

#include "generate/prompt_builder.h"

namespace csm::test {

inline PromptRows text_prompt(int64_t n, int64_t salt, int codebooks) {
  PromptRows p;
  p.rows = at::zeros({n, codebooks + 1}, at::kLong);
  p.rows.select(1, codebooks).copy_((at::arange(n, at::kLong) * 7 + salt) % 250 + 3);
  p.mask = at::zeros({n, codebooks + 1}, at::kBool);
  p.mask.select(1, codebooks).fill_(true);
  return p;
}

}  // namespace csm::test

#pragma once
// Temperature + top-k sampling as the reference does it (spec §2.7): ties at
// the k-th value survive, and the draw is an exponential race, so no value
// ever has to travel to the host.
#include <ATen/ATen.h>

#include "csm/generation.h"

namespace csm {

// logits [B, V] -> ids [B] (int64, on the logits' device).
at::Tensor sample_topk(const at::Tensor& logits, float temperature, int top_k, at::Generator& generator);

}  // namespace csm

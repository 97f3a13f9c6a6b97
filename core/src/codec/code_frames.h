#pragma once
// Mimi's codes as tensors [1, C, T] and as frames (T lists of C codes), both ways.
#include <ATen/ATen.h>

#include "csm/codec.h"

namespace csm {

Frames to_frames(const at::Tensor& codes);  // [1, C, T] -> T x C
// T x C -> [1, C, T] (int64); throws csm::Error naming a frame without `codebooks` codes.
at::Tensor to_codes(Frames::const_iterator first, Frames::const_iterator last, int codebooks);
inline at::Tensor to_codes(const Frames& frames, int codebooks) { return to_codes(frames.begin(), frames.end(), codebooks); }

}  // namespace csm

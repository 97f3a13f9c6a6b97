#include "codec/code_frames.h"

#include "csm/error.h"

namespace csm {

Frames to_frames(const at::Tensor& codes) {
  const auto t = codes[0].t().to(at::kCPU, at::kInt).contiguous();
  Frames frames(static_cast<size_t>(t.size(0)));
  const int32_t* data = t.data_ptr<int32_t>();
  for (int64_t i = 0; i < t.size(0); ++i) frames[i].assign(data + i * t.size(1), data + (i + 1) * t.size(1));
  return frames;
}

at::Tensor to_codes(Frames::const_iterator first, Frames::const_iterator last, int codebooks) {
  const auto count = static_cast<int64_t>(last - first);
  std::vector<int64_t> flat;
  flat.reserve(static_cast<size_t>(count * codebooks));
  for (auto frame = first; frame != last; ++frame) {
    if (static_cast<int>(frame->size()) != codebooks)
      throw Error(ErrorCode::InvalidArgument, "frame " + std::to_string(frame - first) + " has " +
                                                  std::to_string(frame->size()) + " codes; this Mimi decodes " +
                                                  std::to_string(codebooks));
    flat.insert(flat.end(), frame->begin(), frame->end());
  }
  return at::tensor(flat, at::kLong).view({count, codebooks}).t().unsqueeze(0);
}

}  // namespace csm

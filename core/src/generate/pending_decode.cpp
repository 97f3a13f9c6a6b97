#include "generate/pending_decode.h"

#include <algorithm>
#include <iterator>

#include "codec/code_frames.h"

namespace csm {

void decode_pending(const MimiCodec& mimi, Frames& pending, MimiDecoderState& decoder, size_t frame_batch,
                    int codebooks, AudioChunk& chunk) {
  while (!pending.empty()) {
    const auto decoded = pending.begin() + static_cast<std::ptrdiff_t>(std::min(pending.size(), frame_batch));
    const auto audio = mimi.decode_step(to_codes(pending.begin(), decoded, codebooks), decoder).flatten().contiguous();
    chunk.samples.insert(chunk.samples.end(), audio.data_ptr<float>(), audio.data_ptr<float>() + audio.numel());
    chunk.codes.insert(chunk.codes.end(), std::make_move_iterator(pending.begin()), std::make_move_iterator(decoded));
    pending.erase(pending.begin(), decoded);
  }
}

}  // namespace csm

#pragma once
// A stream's generated, not yet heard frames -> audio in its next chunk.
#include "codec/mimi_codec.h"
#include "csm/codec.h"
#include "csm/engine.h"

namespace csm {

// Decodes `pending` into `chunk` (samples and codes) a frame batch at a time, moving
// each decoded batch out of pending: a failure part way leaves pending holding exactly
// the frames not yet heard (and Mimi's state, kept per call, matching them).
void decode_pending(const MimiCodec& mimi, Frames& pending, MimiDecoderState& decoder, size_t frame_batch,
                    int codebooks, AudioChunk& chunk);

}  // namespace csm

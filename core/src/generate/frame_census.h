#pragma once
// Watches one frame step over steady-state frames: how many operators a frame
// launches, whether any reads a device value on the host, and whether two
// consecutive frames run the same operators on the same shapes and buffers.
#include <memory>
#include <vector>

#include "csm/model.h"
#include "generate/prompt_builder.h"
#include "model/csm_model.h"

namespace csm {

// Runs `warmup` frames eagerly for the prompts (one slot each), then watches two.
FrameCensus take_frame_census(std::shared_ptr<const CsmModel> model, const std::vector<PromptRows>& prompts,
                              int64_t decodable_codes, int warmup = 2, int64_t codebooks = 0);

// Times `frames` frames after one untimed frame (graph capture, if any, happens
// there), waiting for the device once at the end; fills the timing fields. Every
// stream generates `codebooks` codebooks (0: all).
void time_frame_step(std::shared_ptr<const CsmModel> model, const std::vector<PromptRows>& prompts,
                     int64_t decodable_codes, int frames, bool cuda_graphs, FrameCensus& out, int64_t codebooks = 0);

}  // namespace csm

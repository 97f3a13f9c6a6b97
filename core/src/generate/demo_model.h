#pragma once
// The built-in demo model: a small CSM and Mimi with deterministic random
// weights, so every program runs with no download. The sound is noise, not speech.
#include "codec/mimi_config.h"
#include "model/csm_config.h"

namespace csm {

constexpr const char* kDemoLabel = "demo (random weights): the sound is noise, not speech";
constexpr uint64_t kDemoSeed = 20250313;

CsmConfig demo_csm_config();    // real codebook count and vocabulary of audio, small transformers
MimiConfig demo_mimi_config();  // real frame size (1920 samples at 24 kHz), small SEANet/transformer

}  // namespace csm

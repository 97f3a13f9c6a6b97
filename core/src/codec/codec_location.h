#pragma once
// Where a user's Mimi weights are and which config goes with them.
#include <string>

#include "codec/mimi_config.h"
#include "io/tensor_store.h"

namespace csm {

struct CodecSource {
  TensorStore store;
  MimiConfig config;
  std::string description;  // the file it came from
};

// `codec` (a file or folder) when given; else inside the CSM checkpoint at
// `model` (codec_model.*), else mimi.safetensors / tokenizer-*.safetensors beside
// it. The config is the HF one, mimi_config.json, or the real Mimi's values.
// Throws csm::Error saying where it looked.
CodecSource locate_codec(const std::string& model, const std::string& codec);

}  // namespace csm

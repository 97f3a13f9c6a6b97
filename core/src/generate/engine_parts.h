#pragma once
// What a loaded engine holds; shared by the engine and its sessions.
#include <memory>

#include "codec/mimi_codec.h"
#include "csm/engine.h"
#include "csm/tokenizer.h"
#include "model/csm_model.h"

namespace csm {

struct EngineParts {
  std::shared_ptr<const CsmModel> model;
  std::shared_ptr<const MimiCodec> mimi;
  std::shared_ptr<const Tokenizer> tokenizer;
  EngineInfo info;
};

}  // namespace csm

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

// The parts behind a loaded engine (the scheduler drives the model directly).
std::shared_ptr<const EngineParts> parts_of(const Engine& engine);

std::unique_ptr<Session> start_session(std::shared_ptr<const EngineParts> parts, std::vector<Request> requests,
                                       const StreamingConfig& config, CancelToken cancel);

}  // namespace csm

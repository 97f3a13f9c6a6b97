#pragma once
// A batch of requests as one Session, run by the scheduler: every stream of the
// batch has its own slot, pieces (long texts allowed), seed and Mimi state, and
// its chunks come out as soon as they are ready, tagged with the stream's index.
#include <memory>
#include <vector>

#include "csm/engine.h"

namespace csm {

std::unique_ptr<Session> start_scheduled_session(std::shared_ptr<const Engine> engine, std::vector<Request> requests,
                                                 const StreamingConfig& config, CancelToken cancel);

}  // namespace csm

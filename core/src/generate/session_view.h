#pragma once
// A Session is a view over streams submitted to the engine's scheduler: it reads
// them round robin, tags each chunk with its stream's index, forwards cancel and
// sampling changes, and rolls their summaries up into the run's.
#include <memory>
#include <vector>

#include "csm/engine.h"
#include "generate/batching_scheduler.h"

namespace csm {

// Checks every request first (nothing is submitted when one is bad), then submits
// them all; those beyond the scheduler's free slots wait in its queue.
std::unique_ptr<Session> start_session(std::shared_ptr<const Engine> engine, BatchingScheduler& scheduler,
                                       std::vector<Request> requests, const StreamingConfig& config,
                                       CancelToken cancel);

}  // namespace csm

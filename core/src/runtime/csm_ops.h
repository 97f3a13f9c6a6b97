#pragma once
// Where the engine's own operators (namespace "csm": rms_norm, row_product_, attention)
// are defined and given kernels. Going through LibTorch's dispatcher, each runs, and is
// counted by the operator census, as the one kernel it is.
//
// The libraries live in static storage and are never destroyed: at exit torch's registry
// may already be gone when static objects are destroyed, and unregistering then unlocks a
// destroyed mutex (ThreadSanitizer reports it, and the exit status says so). Not a leak:
// the storage is a global.
#include <c10/core/DispatchKey.h>
#include <torch/library.h>

namespace csm {

torch::Library& csm_op_schemas();                        // def() the schemas here
torch::Library& csm_op_kernels(c10::DispatchKey device);  // impl() the kernels of CPU or CUDA here

}  // namespace csm

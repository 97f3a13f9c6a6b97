// use_attention_kernels (csm/system_info.h): the --sdpa / CSM_SDPA switch.
#include <cstdlib>
#include <stdexcept>

#include "csm/error.h"
#include "csm/system_info.h"
#include "runtime/torch_compat.h"

namespace csm {

std::string use_attention_kernels(const std::string& asked) {
  const char* env = std::getenv("CSM_SDPA");
  const std::string name = !asked.empty() ? asked : (env && *env ? env : "auto");
  try {
    return compat::select_attention(name);
  } catch (const std::invalid_argument&) {
    throw Error(ErrorCode::InvalidArgument,
                "unknown attention kernels \"" + name + "\"" + (asked.empty() ? " (in CSM_SDPA)" : " (--sdpa)"),
                "use auto, cudnn, flash, efficient or math");
  }
}

}  // namespace csm

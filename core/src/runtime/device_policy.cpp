#include "runtime/device_policy.h"

#include "csm/error.h"
#include "runtime/torch_compat.h"

namespace csm {

at::Device parse_device(const std::string& device) {
  at::Device parsed(at::kCPU);
  try {
    parsed = at::Device(device);
  } catch (const c10::Error&) {
    throw Error(ErrorCode::InvalidArgument, "unknown device \"" + device + "\"", "use cpu or cuda[:N]");
  }
  if (parsed.is_cuda() && !at::hasCUDA()) {
#if defined(CSM_WITH_CUDA)
    throw Error(ErrorCode::DeviceUnavailable, "device \"" + device + "\" asked for, but no CUDA device is usable here",
                "check nvidia-smi and the driver, or use --device cpu");
#else
    throw Error(ErrorCode::DeviceUnavailable, "device \"" + device + "\" asked for, but this LibTorch has no CUDA",
                "use --device cpu, or build against a CUDA LibTorch (scripts/build.sh --cuda)");
#endif
  }
  if (!parsed.is_cpu() && !parsed.is_cuda())
    throw Error(ErrorCode::InvalidArgument, "device \"" + device + "\" is not supported", "use cpu or cuda[:N]");
  return parsed;
}

at::ScalarType parse_dtype(const std::string& dtype, const at::Device& device) {
  if (dtype == "auto") return device.is_cuda() ? at::kBFloat16 : at::kFloat;
  if (dtype == "float32" || dtype == "fp32") return at::kFloat;
  if (dtype == "bfloat16" || dtype == "bf16") return at::kBFloat16;
  if (dtype == "float16" || dtype == "fp16") return at::kHalf;
  throw Error(ErrorCode::InvalidArgument, "unknown dtype \"" + dtype + "\"", "use auto, float32, bfloat16 or float16");
}

std::string dtype_name(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return "float32";
    case at::kBFloat16: return "bfloat16";
    case at::kHalf: return "float16";
    default: return "other";
  }
}

int64_t device_memory_in_use(const at::Device& device) {
  return device.is_cuda() ? compat::device_memory_allocated(device.has_index() ? device.index() : 0) : 0;
}

}  // namespace csm

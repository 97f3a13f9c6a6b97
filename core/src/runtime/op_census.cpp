#include "runtime/op_census.h"

#include <ATen/record_function.h>

#include "csm/error.h"

namespace csm {
namespace {

thread_local OpCensus* tl_census = nullptr;
thread_local const char* tl_part = "other";

// Operators that only describe memory (views, shapes, allocations): no kernel.
bool is_metadata(const std::string& name) {
  static const char* const metadata[] = {
      "aten::view", "aten::_unsafe_view", "aten::reshape", "aten::_reshape_alias", "aten::select", "aten::slice",
      "aten::narrow", "aten::unsqueeze", "aten::squeeze", "aten::transpose", "aten::t", "aten::permute",
      "aten::expand", "aten::expand_as", "aten::as_strided", "aten::alias", "aten::detach", "aten::unbind",
      "aten::split", "aten::split_with_sizes", "aten::chunk", "aten::empty", "aten::empty_like", "aten::empty_strided",
      "aten::resize_", "aten::lift_fresh", "aten::contiguous", "aten::size", "aten::stride", "aten::numel",
      "aten::dim", "aten::is_contiguous", "aten::to", "aten::type_as", "aten::view_as", "aten::flatten",
      "aten::unflatten", "aten::movedim", "aten::diagonal", "aten::real", "aten::result_type", "aten::set_",
      "aten::_nested_tensor_from_mask_left_aligned", "aten::scalar_tensor", "aten::is_same_size",
      "aten::resolve_conj", "aten::resolve_neg", "aten::conj", "aten::_conj", "aten::broadcast_to",
      "aten::_has_compatible_shallow_copy_type"};
  for (const char* m : metadata)
    if (name == m) return true;
  return false;
}

bool is_device(const c10::IValue& v, bool cuda) {
  return v.isTensor() && v.toTensor().defined() && v.toTensor().device().is_cuda() == cuda;
}

// Operators that make the host wait for a device value: .item(), data-dependent
// shapes, and copies from the device into host memory.
bool reads_device_on_host(const at::RecordFunction& fn, const std::string& name) {
  // (aten::item is not listed: it always goes through aten::_local_scalar_dense.)
  static const char* const syncing[] = {"aten::_local_scalar_dense", "aten::nonzero",
                                        "aten::masked_select", "aten::unique", "aten::_unique2",
                                        "aten::is_nonzero", "aten::equal", "aten::allclose"};
  for (const char* s : syncing)
    if (name == s) return true;
  const auto inputs = fn.inputs();
  if (name == "aten::copy_" && inputs.size() >= 2) return is_device(inputs[0], false) && is_device(inputs[1], true);
  if ((name == "aten::_to_copy" || name == "aten::to") && !inputs.empty() && is_device(inputs[0], true)) {
    for (size_t i = 1; i < inputs.size(); ++i)
      if (inputs[i].isDevice() && inputs[i].toDevice().is_cpu()) return true;
  }
  return false;
}

std::string describe(const at::RecordFunction& fn, const std::string& name) {
  std::string text = name + "(";
  bool first = true;
  for (const auto& v : fn.inputs()) {
    if (!v.isTensor() || !v.toTensor().defined()) continue;
    text += first ? "" : ",";
    first = false;
    for (auto s : v.toTensor().sizes()) text += std::to_string(s) + "x";
  }
  return text + ")";
}

std::unique_ptr<at::ObserverContext> on_start(const at::RecordFunction& fn) {
  if (OpCensus* census = OpCensus::active()) {
    const std::string name = fn.name();
    census->observe(name, describe(fn, name), reads_device_on_host(fn, name));
  }
  return nullptr;
}

void on_end(const at::RecordFunction& fn, at::ObserverContext*) {
  if (OpCensus* census = OpCensus::active()) census->leave(!is_metadata(fn.name()));
}

}  // namespace

OpCensus::OpCensus() {
  if (tl_census) throw Error(ErrorCode::Internal, "an operator census already watches this thread");
  tl_census = this;
  handle_ = at::addThreadLocalCallback(
      at::RecordFunctionCallback(&on_start, &on_end).needsInputs(true).scopes({at::RecordScope::FUNCTION}));
}

OpCensus::~OpCensus() {
  at::removeCallback(handle_);
  tl_census = nullptr;
}

OpCensus* OpCensus::active() { return tl_census; }

void OpCensus::begin() {
  current_ = Record{};
  open_.clear();
  recording_ = true;
}

OpCensus::Record OpCensus::end() {
  recording_ = false;
  return std::move(current_);
}

void OpCensus::observe(const std::string& name, const std::string& op, bool host_sync) {
  if (!recording_) return;
  current_.ops.push_back(op);
  if (host_sync) current_.host_syncs.push_back(op);
  // An operator that runs another one that writes memory is no leaf; one that only
  // looks at metadata inside (empty_like, resolve_conj of a real tensor) still is.
  if (!open_.empty() && !is_metadata(name)) open_.back().has_inner = true;
  open_.push_back({name, false});
}

void OpCensus::leave(bool launches) {
  if (!recording_ || open_.empty()) return;
  const Open op = std::move(open_.back());
  open_.pop_back();
  if (op.has_inner || !launches) return;
  ++current_.kernels_by_part[tl_part];
  ++current_.kernels_by_op[op.name];
}

int64_t OpCensus::Record::kernels() const {
  int64_t n = 0;
  for (const auto& [part, count] : kernels_by_part) n += count;
  return n;
}

OpCensus::Part::Part(const char* name) : previous_(tl_part) { tl_part = name; }
OpCensus::Part::~Part() { tl_part = previous_; }

}  // namespace csm

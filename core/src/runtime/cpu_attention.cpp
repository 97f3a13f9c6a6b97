#include "runtime/cpu_attention.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <ATen/Parallel.h>
#include <ATen/core/dispatch/Dispatcher.h>

#include "csm/error.h"
#include "runtime/csm_ops.h"

namespace csm {
namespace {

// Strides of a [B, H, Tq, Tk] view (0 where the mask broadcasts).
struct MaskView {
  const float* data = nullptr;
  int64_t b = 0, h = 0, q = 0, k = 0;
};

MaskView mask_view(const at::Tensor& mask, int64_t batch, int64_t heads, int64_t queries, int64_t keys) {
  if (!mask.defined()) return {};
  const auto m = mask.expand({batch, heads, queries, keys});
  return {m.data_ptr<float>(), m.stride(0), m.stride(1), m.stride(2), m.stride(3)};
}

float dot(const float* a, const float* b, int64_t n) {
  float sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

at::Tensor attention_cpu(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const c10::optional<at::Tensor>& mask_arg,
                         double scale) {
  const at::Tensor mask = mask_arg.has_value() ? *mask_arg : at::Tensor();
  if (!cpu_attention_applies(q, k, v, mask))
    throw Error(ErrorCode::Internal, "csm::attention: shapes, types or layout it does not take");
  const int64_t batch = q.size(0), heads = q.size(1), queries = q.size(2), d = q.size(3), keys = k.size(2);
  auto out = at::empty({batch, heads, queries, d}, q.options());
  const MaskView m = mask_view(mask, batch, heads, queries, keys);
  const float* qd = q.data_ptr<float>();
  const float* kd = k.data_ptr<float>();
  const float* vd = v.data_ptr<float>();
  float* od = out.data_ptr<float>();
  const float s = static_cast<float>(scale);
  // One task a (stream, head): its keys and values are read once for all its query rows.
  at::parallel_for(0, batch * heads, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> weights(static_cast<size_t>(keys));
    for (int64_t bh = begin; bh < end; ++bh) {
      const int64_t b = bh / heads, h = bh % heads;
      const float* kb = kd + b * k.stride(0) + h * k.stride(1);
      const float* vb = vd + b * v.stride(0) + h * v.stride(1);
      for (int64_t r = 0; r < queries; ++r) {
        const float* qr = qd + b * q.stride(0) + h * q.stride(1) + r * q.stride(2);
        const float* mr = m.data ? m.data + b * m.b + h * m.h + r * m.q : nullptr;
        float top = -std::numeric_limits<float>::infinity();
        for (int64_t j = 0; j < keys; ++j) {
          float score = dot(qr, kb + j * k.stride(2), d) * s;
          if (mr) score += mr[j * m.k];
          weights[j] = score;
          top = std::max(top, score);
        }
        float* o = od + ((b * heads + h) * queries + r) * d;
        std::fill(o, o + d, 0.0f);
        if (top == -std::numeric_limits<float>::infinity()) continue;  // sees nothing: zeros, not NaN
        float total = 0;
        for (int64_t j = 0; j < keys; ++j) {
          const float w = std::exp(weights[j] - top);
          total += w;
          if (w == 0.0f) continue;
          const float* vj = vb + j * v.stride(2);
          for (int64_t i = 0; i < d; ++i) o[i] += w * vj[i];
        }
        const float inv = 1.0f / total;
        for (int64_t i = 0; i < d; ++i) o[i] *= inv;
      }
    }
  });
  return out;
}

// Defined once, at load (see runtime/csm_ops.h).
const bool registered = [] {
  csm_op_schemas().def("attention(Tensor q, Tensor k, Tensor v, Tensor? mask, float scale) -> Tensor");
  csm_op_kernels(c10::DispatchKey::CPU).impl("attention", &attention_cpu);
  return true;
}();

}  // namespace

bool cpu_attention_applies(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& mask) {
  for (const auto* t : {&q, &k, &v})
    if (!t->device().is_cpu() || t->scalar_type() != at::kFloat || t->dim() != 4 || t->stride(3) != 1) return false;
  // Shapes that agree without broadcasting (the composite broadcasts; this kernel does not).
  for (const auto* t : {&k, &v})
    if (t->size(0) != q.size(0) || t->size(1) != q.size(1) || t->size(3) != q.size(3)) return false;
  if (v.size(2) != k.size(2)) return false;
  if (!mask.defined()) return true;
  if (!mask.device().is_cpu()) return false;
  if (mask.scalar_type() != at::kFloat || mask.dim() > 4) return false;
  const std::vector<int64_t> target{q.size(0), q.size(1), q.size(2), k.size(2)};
  const int64_t offset = 4 - mask.dim();
  for (int64_t i = 0; i < mask.dim(); ++i)
    if (mask.size(i) != 1 && mask.size(i) != target[offset + i]) return false;
  return true;
}

at::Tensor cpu_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& mask,
                         double scale) {
  static const auto op =
      c10::Dispatcher::singleton()
          .findSchemaOrThrow("csm::attention", "")
          .typed<at::Tensor(const at::Tensor&, const at::Tensor&, const at::Tensor&, const c10::optional<at::Tensor>&,
                            double)>();
  return op.call(q, k, v, mask.defined() ? c10::optional<at::Tensor>(mask) : c10::nullopt, scale);
}

}  // namespace csm

#include "generate/sampler.h"

namespace csm {

at::Tensor sample_topk(const at::Tensor& logits, float temperature, int top_k, at::Generator& generator) {
  const auto z = logits.to(at::kFloat);
  if (temperature <= 0.0f) return z.argmax(-1);
  auto scaled = z / temperature;
  if (top_k > 0 && top_k < scaled.size(-1)) {
    const auto threshold = std::get<0>(scaled.topk(top_k, -1)).narrow(-1, top_k - 1, 1);
    scaled = scaled.masked_fill(scaled < threshold, -std::numeric_limits<float>::infinity());
  }
  const auto probs = at::softmax(scaled, -1);
  // argmax p / q with q ~ Exp(1) is an exact draw from p (equivalent to Gumbel-max).
  const auto q = at::empty_like(probs).exponential_(1.0, generator);
  return (probs / q).argmax(-1);
}

}  // namespace csm

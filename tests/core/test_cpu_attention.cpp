// csm::attention, the one-kernel CPU attention used where LibTorch has no fused one:
// equal to the composite softmax(q k^T * scale + mask) v within fp32 rounding, on the
// strided cache views and masks the transformer passes; each stream's rows the same
// bits in any batch; one kernel to the census.
#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "runtime/cpu_attention.h"
#include "runtime/op_census.h"

namespace {

at::Tensor composite(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& mask,
                     double scale) {
  auto scores = at::matmul(q, k.transpose(-2, -1)) * scale;
  if (mask.defined()) scores = scores + mask;
  return at::matmul(at::softmax(scores, -1), v);
}

float max_difference(const at::Tensor& a, const at::Tensor& b) { return (a - b).abs().max().item<float>(); }

TEST(CpuAttention, EqualsTheCompositeOnStridedCacheViewsWithAPositionMask) {
  at::manual_seed(7);
  const int64_t batch = 3, heads = 2, rows = 4, d = 16, capacity = 40, window = 24;
  // Keys and values as the cache holds them: [B, H, capacity, D], read through a window.
  const auto keys = at::randn({batch, heads, capacity, d}), values = at::randn({batch, heads, capacity, d});
  const auto k = keys.narrow(2, 0, window), v = values.narrow(2, 0, window);
  const auto q = at::randn({batch, heads, rows, d});
  // Stream b sees keys 0..positions[b], as a frame step's mask says.
  const auto positions = at::tensor({3, 10, 23}, at::kLong);
  const auto forbidden = at::arange(window, at::kLong).view({1, 1, 1, window}) > positions.view({batch, 1, 1, 1});
  const auto mask = at::zeros(forbidden.sizes()).masked_fill_(forbidden, -std::numeric_limits<double>::infinity());
  ASSERT_TRUE(csm::cpu_attention_applies(q, k, v, mask));
  const auto got = csm::cpu_attention(q, k, v, mask, 0.25);
  EXPECT_LE(max_difference(got, composite(q, k, v, mask, 0.25)), 1e-5f);
  // No mask: every key seen.
  EXPECT_LE(max_difference(csm::cpu_attention(q, k, v, {}, 0.25), composite(q, k, v, {}, 0.25)), 1e-5f);
}

TEST(CpuAttention, AStreamsRowsAreTheSameBitsInAnyBatch) {
  at::manual_seed(8);
  const auto q = at::randn({4, 2, 3, 8}), k = at::randn({4, 2, 20, 8}), v = at::randn({4, 2, 20, 8});
  const auto all = csm::cpu_attention(q, k, v, {}, 0.5);
  for (int64_t b = 0; b < 4; ++b) {
    const auto alone = csm::cpu_attention(q.narrow(0, b, 1), k.narrow(0, b, 1), v.narrow(0, b, 1), {}, 0.5);
    EXPECT_TRUE(at::equal(alone, all.narrow(0, b, 1))) << "stream " << b;
  }
}

TEST(CpuAttention, ARowThatSeesNothingIsZerosNotNaN) {
  const auto q = at::randn({1, 1, 2, 4}), k = at::randn({1, 1, 3, 4}), v = at::randn({1, 1, 3, 4});
  auto mask = at::zeros({1, 1, 2, 3});
  mask[0][0][1].fill_(-std::numeric_limits<double>::infinity());
  const auto out = csm::cpu_attention(q, k, v, mask, 1.0);
  EXPECT_FALSE(out.isnan().any().item<bool>());
  EXPECT_TRUE(at::equal(out[0][0][1], at::zeros({4})));
  EXPECT_LE(max_difference(out[0][0][0], composite(q, k, v, mask, 1.0)[0][0][0]), 1e-5f);
}

TEST(CpuAttention, IsOneKernelToTheCensusAndLeavesOtherTypesAlone) {
  const auto q = at::randn({1, 2, 1, 8}), k = at::randn({1, 2, 5, 8}), v = at::randn({1, 2, 5, 8});
  const auto mask = at::zeros({1, 1, 1, 5});
  csm::OpCensus census;
  census.begin();
  (void)csm::cpu_attention(q, k, v, mask, 0.3);
  const auto record = census.end();
  EXPECT_EQ(record.kernels(), 1);
  EXPECT_FALSE(csm::cpu_attention_applies(q.to(at::kDouble), k.to(at::kDouble), v.to(at::kDouble), {}));
  EXPECT_FALSE(csm::cpu_attention_applies(q, k, v, at::zeros({1, 1, 2, 5})));  // rows that are not q's
  EXPECT_FALSE(csm::cpu_attention_applies(q, k.transpose(-1, -2).contiguous().transpose(-1, -2), v, {}));
  EXPECT_FALSE(csm::cpu_attention_applies(q, k.narrow(1, 0, 1), v.narrow(1, 0, 1), {}));  // heads broadcast
  EXPECT_FALSE(csm::cpu_attention_applies(q, k, v.narrow(2, 0, 4), {}));                  // keys != values
}

}  // namespace

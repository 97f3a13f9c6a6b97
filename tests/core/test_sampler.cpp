// Sampling (spec §2.7) tested statistically against the softmax distribution.
#include <cmath>

#include <gtest/gtest.h>

#include "generate/sampler.h"

namespace {

at::Generator generator(uint64_t seed) { return at::detail::createCPUGenerator(seed); }

TEST(Sampler, GreedyAtTemperatureZero) {
  auto g = generator(1);
  const auto logits = at::tensor({0.1f, 2.0f, -1.0f, 1.9f}).view({1, 4});
  EXPECT_EQ(csm::sample_topk(logits, 0.0f, 50, g).item<int64_t>(), 1);
}

TEST(Sampler, FrequenciesFollowTheTemperedSoftmax) {
  // Many independent rows in one call; a chi-square test against softmax(z / T).
  const int64_t n = 200000, v = 6;
  const auto base = at::tensor({1.0f, 0.5f, 0.0f, -0.5f, 2.0f, -3.0f});
  const auto logits = base.unsqueeze(0).expand({n, v}).contiguous();
  auto g = generator(7);
  const float temperature = 0.7f;
  const auto ids = csm::sample_topk(logits, temperature, 0, g);
  const auto counts = at::bincount(ids, {}, v).to(at::kDouble);
  const auto p = at::softmax(base.to(at::kDouble) / temperature, 0);
  const auto expected = p * n;
  const double chi2 = ((counts - expected).pow(2) / expected).sum().item<double>();
  EXPECT_LT(chi2, 20.5) << counts;  // 5 degrees of freedom: p < 0.001 to exceed
}

TEST(Sampler, TopKKeepsOnlyTheBestAndTheirTies) {
  const int64_t n = 50000;
  // Values 3, 2, 2, 1, 0: top-2 keeps 3 and both tied 2s.
  const auto base = at::tensor({3.0f, 2.0f, 2.0f, 1.0f, 0.0f});
  auto g = generator(3);
  const auto ids = csm::sample_topk(base.unsqueeze(0).expand({n, 5}).contiguous(), 1.0f, 2, g);
  const auto counts = at::bincount(ids, {}, 5);
  EXPECT_EQ(counts[3].item<int64_t>(), 0);
  EXPECT_EQ(counts[4].item<int64_t>(), 0);
  EXPECT_GT(counts[1].item<int64_t>(), 0);
  EXPECT_GT(counts[2].item<int64_t>(), 0);
  const double p0 = std::exp(1.0) / (std::exp(1.0) + 2.0);
  EXPECT_NEAR(counts[0].item<double>() / n, p0, 0.01);
}

TEST(Sampler, SameSeedSameDraws) {
  const auto logits = at::randn({64, 2051});
  auto a = generator(42), b = generator(42), c = generator(43);
  const auto x = csm::sample_topk(logits, 0.9f, 50, a);
  EXPECT_TRUE(at::equal(x, csm::sample_topk(logits, 0.9f, 50, b)));
  EXPECT_FALSE(at::equal(x, csm::sample_topk(logits, 0.9f, 50, c)));
}

}  // namespace

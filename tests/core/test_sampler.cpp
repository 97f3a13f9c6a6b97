// Sampling (spec §2.7) on the device with counter-based noise: tested statistically
// against the softmax distribution, and for the properties a batched, graphed
// frame step needs (per-row settings, the same draws in any batch slot).
#include <cmath>

#include <gtest/gtest.h>

#include "generate/sampler.h"

namespace {

// n rows with the same settings; row i is frame counter i of seed `seed`.
csm::SamplingRows rows(int64_t n, float temperature, int64_t top_k, int64_t seed, float top_p = 1.0f) {
  auto r = csm::make_sampling_rows(n, at::kCPU);
  r.temperature.fill_(temperature);
  r.top_k.fill_(top_k);
  r.top_p.fill_(top_p);
  r.seed.fill_(seed);
  r.counter = at::arange(n, at::kLong);
  return r;
}

at::Tensor sample(const at::Tensor& logits, const csm::SamplingRows& r, int64_t draw = 0) {
  return csm::sample_rows(logits, r, 32, draw, at::arange(logits.size(-1), at::kLong));
}

TEST(Sampler, GreedyAtTemperatureZeroIsTheArgmax) {
  const auto logits = at::tensor({0.1f, 2.0f, -1.0f, 1.9f}).view({1, 4});
  EXPECT_EQ(sample(logits, rows(1, 0.0f, 50, 1)).item<int64_t>(), 1);
  // Per row: a greedy row beside a sampling row of the same batch.
  auto mixed = rows(2, 0.0f, 0, 1);
  mixed.temperature[1] = 1000.0f;  // nearly uniform
  const auto wide = at::zeros({2, 4096});
  wide[0][77] = 1.0f;
  const auto ids = sample(wide, mixed);
  EXPECT_EQ(ids[0].item<int64_t>(), 77);
}

TEST(Sampler, FrequenciesFollowTheTemperedSoftmax) {
  // Many rows (frame counters 0..n-1) in one call; a chi-square test against softmax(z / T).
  const int64_t n = 200000, v = 6;
  const auto base = at::tensor({1.0f, 0.5f, 0.0f, -0.5f, 2.0f, -3.0f});
  const auto logits = base.unsqueeze(0).expand({n, v}).contiguous();
  const float temperature = 0.7f;
  const auto ids = sample(logits, rows(n, temperature, 0, 7));
  const auto counts = at::bincount(ids, {}, v).to(at::kDouble);
  const auto p = at::softmax(base.to(at::kDouble) / temperature, 0);
  const auto expected = p * n;
  const double chi2 = ((counts - expected).pow(2) / expected).sum().item<double>();
  EXPECT_LT(chi2, 20.5) << counts;  // 5 degrees of freedom: p < 0.001 to exceed
}

TEST(Sampler, FiftyWayTopKOverTheAudioVocabularyIsUnbiased) {
  // The shape CSM samples: 2051 logits, top-k 50, temperature 0.9.
  const int64_t n = 30000, v = 2051;
  const auto base = at::randn({v}, at::detail::createCPUGenerator(5));
  const auto ids = sample(base.unsqueeze(0).expand({n, v}).contiguous(), rows(n, 0.9f, 50, 11), 3);
  const auto top = std::get<1>(base.topk(50));
  const auto p = at::softmax(base.index_select(0, top).to(at::kDouble) / 0.9, 0);
  const auto counts = at::bincount(ids, {}, v).to(at::kDouble);
  ASSERT_EQ(counts.sum().item<double>(), counts.index_select(0, top).sum().item<double>()) << "a draw outside the top 50";
  const auto expected = p * n;
  const double chi2 = ((counts.index_select(0, top) - expected).pow(2) / expected).sum().item<double>();
  EXPECT_LT(chi2, 85.4);  // 49 degrees of freedom: p < 0.001 to exceed
}

TEST(Sampler, TopKKeepsOnlyTheBestAndTheirTies) {
  const int64_t n = 50000;
  // Values 3, 2, 2, 1, 0: top-2 keeps 3 and both tied 2s.
  const auto base = at::tensor({3.0f, 2.0f, 2.0f, 1.0f, 0.0f});
  const auto ids = sample(base.unsqueeze(0).expand({n, 5}).contiguous(), rows(n, 1.0f, 2, 3));
  const auto counts = at::bincount(ids, {}, 5);
  EXPECT_EQ(counts[3].item<int64_t>(), 0);
  EXPECT_EQ(counts[4].item<int64_t>(), 0);
  EXPECT_GT(counts[1].item<int64_t>(), 0);
  EXPECT_GT(counts[2].item<int64_t>(), 0);
  const double p0 = std::exp(1.0) / (std::exp(1.0) + 2.0);
  EXPECT_NEAR(counts[0].item<double>() / n, p0, 0.01);
}

// Top-p as HF composes it (issue #23): temperature, then top-k, then the nucleus. Never a
// draw outside the nucleus, and within it the tempered softmax renormalised.
TEST(Sampler, TopPNeverDrawsOutsideTheNucleusAndFollowsItsProbabilities) {
  const int64_t n = 60000, v = 8;
  const auto base = at::tensor({2.0f, 1.5f, 1.4f, 1.0f, 0.2f, -1.0f, -1.5f, -3.0f});
  const float temperature = 0.8f, top_p = 0.7f;
  const int64_t top_k = 6;
  const auto ids = sample(base.unsqueeze(0).expand({n, v}).contiguous(), rows(n, temperature, top_k, 17, top_p));
  // The reference nucleus: the top k, tempered probabilities, the fewest best reaching p.
  const auto p = at::softmax(base.narrow(0, 0, top_k).to(at::kDouble) / temperature, 0);
  int64_t keep = 0;
  double mass = 0;
  while (mass < top_p) mass += p[keep++].item<double>();
  const auto counts = at::bincount(ids, {}, v).to(at::kDouble);
  EXPECT_EQ(counts.narrow(0, keep, v - keep).sum().item<double>(), 0) << "a draw outside the nucleus of " << keep;
  const auto nucleus = p.narrow(0, 0, keep) / p.narrow(0, 0, keep).sum();
  const auto expected = nucleus * n;
  const double chi2 = ((counts.narrow(0, 0, keep) - expected).pow(2) / expected).sum().item<double>();
  EXPECT_GE(keep, 2);
  EXPECT_LT(chi2, 16.3);  // keep - 1 = 2 or 3 degrees of freedom: p < 0.001 to exceed
  // top_p 1 is no cut at all.
  const auto wide = sample(base.unsqueeze(0).expand({n, v}).contiguous(), rows(n, temperature, 0, 17, 1.0f));
  EXPECT_GT(at::bincount(wide, {}, v)[v - 1].item<int64_t>(), 0);
}

TEST(Sampler, TopKIsPerRow) {
  const int64_t n = 20000;
  const auto base = at::tensor({3.0f, 2.9f, 2.8f, 2.7f});
  auto r = rows(n, 1.0f, 1, 9);
  r.top_k.narrow(0, n / 2, n / 2).fill_(0);  // the second half: no filter
  const auto ids = sample(base.unsqueeze(0).expand({n, 4}).contiguous(), r);
  EXPECT_TRUE(ids.narrow(0, 0, n / 2).eq(0).all().item<bool>());
  EXPECT_GT(ids.narrow(0, n / 2, n / 2).ne(0).sum().item<int64_t>(), n / 4);
}

TEST(Sampler, TheSameSeedDrawsTheSameInAnySlotAndOtherSeedsDrawIndependently) {
  const auto logits = at::randn({1, 2051}).expand({8, 2051}).contiguous();
  auto r = rows(8, 0.9f, 50, 42);
  r.counter.fill_(5);
  const auto same = sample(logits, r, 7);
  EXPECT_TRUE(same.eq(same[0]).all().item<bool>());
  // Slot order does not matter: seed 42 in slot 3 of another batch draws the same.
  auto other = rows(4, 0.9f, 50, 0);
  other.seed = at::tensor({1, 2, 3, 42}, at::kLong);
  other.counter.fill_(5);
  EXPECT_EQ(sample(logits.narrow(0, 0, 4), other, 7)[3].item<int64_t>(), same[0].item<int64_t>());
  // The noise depends on seed, counter and draw, never on the slot.
  const auto u1 = csm::counter_uniform(at::tensor({42, 43}, at::kLong), at::tensor({5, 5}, at::kLong), 32, 7,
                                       at::arange(2051, at::kLong));
  const auto u2 = csm::counter_uniform(at::tensor({43, 42}, at::kLong), at::tensor({5, 5}, at::kLong), 32, 7,
                                       at::arange(2051, at::kLong));
  EXPECT_TRUE(at::equal(u1[0], u2[1]));
  EXPECT_FALSE(at::equal(u1[0], u1[1]));
  EXPECT_GT(u1.min().item<float>(), 0.0f);
  EXPECT_LT(u1.max().item<float>(), 1.0f);
  // Other counters and draws give other noise.
  const auto u3 = csm::counter_uniform(at::tensor({42}, at::kLong), at::tensor({6}, at::kLong), 32, 7,
                                       at::arange(2051, at::kLong));
  const auto u4 = csm::counter_uniform(at::tensor({42}, at::kLong), at::tensor({5}, at::kLong), 32, 8,
                                       at::arange(2051, at::kLong));
  EXPECT_FALSE(at::equal(u1[0], u3[0]));
  EXPECT_FALSE(at::equal(u1[0], u4[0]));
}

TEST(Sampler, SeedsFoldIntoThirtyTwoBits) {
  EXPECT_EQ(csm::fold_seed(0), 0);
  EXPECT_LT(csm::fold_seed(~0ull), int64_t{1} << 32);
  EXPECT_NE(csm::fold_seed(1), csm::fold_seed(1ull << 32 | 2));
}

}  // namespace

#pragma once
// Tolerance checks for comparing against the reference tensors.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

namespace csm::test {

// Fails (with the worst element) unless |a - b| <= atol + rtol * |b| everywhere.
inline ::testing::AssertionResult close(const at::Tensor& actual, const at::Tensor& expected, double rtol = 1e-4,
                                        double atol = 1e-5) {
  if (actual.sizes() != expected.sizes())
    return ::testing::AssertionFailure() << "shape " << actual.sizes() << " vs expected " << expected.sizes();
  const auto a = actual.to(at::kDouble), b = expected.to(at::kDouble);
  const auto excess = (a - b).abs() - (atol + rtol * b.abs());
  const double worst = excess.max().item<double>();
  if (worst <= 0) return ::testing::AssertionSuccess();
  const auto index = excess.flatten().argmax().item<int64_t>();
  return ::testing::AssertionFailure() << "element " << index << ": " << a.flatten()[index].item<double>()
                                       << " vs expected " << b.flatten()[index].item<double>() << " (max abs diff "
                                       << (a - b).abs().max().item<double>() << ")";
}

inline ::testing::AssertionResult same_values(const at::Tensor& actual, const at::Tensor& expected) {
  if (actual.sizes() != expected.sizes())
    return ::testing::AssertionFailure() << "shape " << actual.sizes() << " vs expected " << expected.sizes();
  if (at::equal(actual.to(at::kLong), expected.to(at::kLong))) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "differs:\n" << actual << "\nexpected:\n" << expected;
}

// The largest |a[i] - b[i]| of two equally long sample runs (infinity when the lengths differ).
inline double max_difference(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return std::numeric_limits<double>::infinity();
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(double(a[i]) - double(b[i])));
  return worst;
}

}  // namespace csm::test

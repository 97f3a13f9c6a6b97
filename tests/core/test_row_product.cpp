// The CPU row product (model/row_product.h) behind every decode-step product: equal to
// LibTorch's GEMM within fp32 rounding for any inner size, layout and row count it
// takes; each row bit-for-bit what it is alone, whatever rows share the call; one
// kernel to the operator census; and the shapes it does not take left to LibTorch.
#include <gtest/gtest.h>

#include "model/linear.h"
#include "model/row_product.h"
#include "runtime/op_census.h"

namespace {

bool available() { return csm::row_product_applies(at::zeros({1, 8}), at::zeros({4, 8})); }

#define SKIP_WITHOUT_AVX2() \
  if (!available()) GTEST_SKIP() << "this CPU has no AVX2/FMA: LibTorch's products run instead"

float max_difference(const at::Tensor& a, const at::Tensor& b) { return (a - b).abs().max().item<float>(); }

TEST(RowProduct, EqualsLibTorchsProductForAnyInnerSizeAndRowCount) {
  SKIP_WITHOUT_AVX2();
  at::manual_seed(3);
  // Inner sizes below, at and around the 32-float block, and long rows; 1-8 rows.
  for (int64_t in : {1, 7, 31, 32, 33, 64, 100, 1027, 4096}) {
    for (int64_t rows = 1; rows <= csm::kRowProductMaxRows; ++rows) {
      const auto w = at::randn({48, in}), x = at::randn({rows, in});
      const auto expected = at::linear(x, w);
      const auto got = csm::apply_weight(x, w);
      const float scale = expected.abs().max().item<float>() + 1.0f;
      EXPECT_LE(max_difference(got, expected), 2e-6f * scale * std::sqrt(double(in)))
          << in << " inputs, " << rows << " rows";
    }
  }
}

TEST(RowProduct, AccumulatesIntoStridedRowsAndReadsNarrowedWeights) {
  SKIP_WITHOUT_AVX2();
  at::manual_seed(4);
  const auto full = at::randn({64, 200});
  const auto w = full.narrow(0, 5, 40).narrow(1, 0, 200);  // rows of a larger weight
  const auto x = at::randn({3, 200});
  // Rows of a wider buffer: out rows strided by 100 floats.
  const auto buffer = at::randn({3, 100});
  const auto before = buffer.clone();
  auto out = buffer.narrow(1, 10, 40);
  csm::add_weight_(out, x, w);
  EXPECT_LE(max_difference(buffer.narrow(1, 10, 40), before.narrow(1, 10, 40) + at::linear(x, w)), 1e-4f);
  // Only the narrowed columns changed.
  EXPECT_TRUE(at::equal(buffer.narrow(1, 0, 10), before.narrow(1, 0, 10)));
  EXPECT_TRUE(at::equal(buffer.narrow(1, 50, 50), before.narrow(1, 50, 50)));

  csm::apply_weight_into(out, x, w);
  EXPECT_LE(max_difference(out, at::linear(x, w)), 1e-4f);
}

TEST(RowProduct, EachRowIsBitForBitWhatItIsAloneInAnyBatch) {
  SKIP_WITHOUT_AVX2();
  at::manual_seed(5);
  // Wide enough that the weight rows are split between threads where there are several.
  const auto w = at::randn({4096, 1000});
  const auto x = at::randn({csm::kRowProductMaxRows, 1000});
  const auto together = csm::apply_weight(x, w);
  for (int64_t r = 0; r < x.size(0); ++r) {
    const auto alone = csm::apply_weight(x.narrow(0, r, 1), w);
    EXPECT_TRUE(at::equal(alone, together.narrow(0, r, 1))) << "row " << r;
    // And beside one other row, in either place.
    const auto pair = csm::apply_weight(at::cat({x.narrow(0, (r + 1) % x.size(0), 1), x.narrow(0, r, 1)}), w);
    EXPECT_TRUE(at::equal(alone, pair.narrow(0, 1, 1))) << "row " << r;
  }
}

TEST(RowProduct, IsOneKernelToTheCensus) {
  SKIP_WITHOUT_AVX2();
  const auto w = at::randn({32, 16}), x = at::randn({2, 16});
  auto residual = at::zeros({2, 32});
  csm::OpCensus census;
  census.begin();
  csm::add_weight_(residual, x, w);
  const auto record = census.end();
  EXPECT_EQ(record.kernels(), 1);
  EXPECT_EQ(record.kernels_by_op.count("csm::row_product_"), 1u);
}

TEST(RowProduct, LeavesWhatItDoesNotTakeToLibTorch) {
  const auto w = at::randn({16, 8});
  EXPECT_FALSE(csm::row_product_applies(at::randn({csm::kRowProductMaxRows + 1, 8}), w));  // a GEMM's work
  EXPECT_FALSE(csm::row_product_applies(at::randn({1, 8}, at::kDouble), w.to(at::kDouble)));
  EXPECT_FALSE(csm::row_product_applies(at::randn({1, 8}).to(at::kBFloat16), w.to(at::kBFloat16)));
  EXPECT_FALSE(csm::row_product_applies(at::randn({1, 16}), w.t()));  // columns, not rows, contiguous
  const auto columns = at::randn({8, 3}).t().narrow(0, 0, 1);           // a row whose values are strided
  EXPECT_FALSE(csm::row_product_applies(columns, w));
  EXPECT_LE(max_difference(csm::apply_weight(columns, w), at::linear(columns, w)), 1e-5f);
  auto strided_out = at::zeros({16, 2}).t().narrow(0, 0, 1);  // one output row whose values are strided
  csm::apply_weight_into(strided_out, columns, w);
  EXPECT_LE(max_difference(strided_out, at::linear(columns, w)), 1e-5f);
  // What it leaves still gets the right product.
  const auto many = at::randn({20, 8});
  EXPECT_LE(max_difference(csm::apply_weight(many, w), at::linear(many, w)), 1e-5f);
  const auto t = w.t().contiguous().t();  // [16, 8] with column-major storage
  const auto one = at::randn({1, 8});
  EXPECT_LE(max_difference(csm::apply_weight(one, t), at::linear(one, w)), 1e-5f);
}

}  // namespace

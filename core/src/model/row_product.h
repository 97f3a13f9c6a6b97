#pragma once
// out (+)= x W^T for the few rows of a decode step (a frame's one row per stream, the
// depth decoder's two starting rows), on the CPU in fp32: every weight row is streamed
// from memory once for all rows of x, prefetched ahead, so the product runs at the
// machine's read bandwidth. BLAS does not: a GEMM of 2-8 rows packs (copies) the whole
// weight before multiplying, reading it about three times, and OpenBLAS's GEMV reaches
// 75-90 % of the bandwidth on this kind of machine.
//
// Each row's sums are taken in the same order whatever the number of rows, so a stream
// batched with others gets bit-for-bit the values it gets alone.
//
// Registered as the operator csm::row_product_ (one kernel to the operator census).
#include <ATen/ATen.h>

namespace csm {

// The most rows one call takes; beyond that a GEMM is the better product.
constexpr int64_t kRowProductMaxRows = 8;

// Whether row_product_ takes these: a CPU with AVX2 and FMA, fp32, x [..., in] with at
// most kRowProductMaxRows contiguous rows, weight [out, in] with contiguous rows. (The
// output's rows must be contiguous too: see linear.h.)
bool row_product_applies(const at::Tensor& x, const at::Tensor& weight);

// out [rows, out] (rows may be strided; each row contiguous) = x [rows, in] W^T, or
// += when accumulate is set. Call only where row_product_applies.
void row_product_(const at::Tensor& out, const at::Tensor& x, const at::Tensor& weight, bool accumulate);

}  // namespace csm

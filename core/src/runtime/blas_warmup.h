#pragma once
// OpenBLAS allocates its work buffer (128 MiB) on a thread's first matrix product
// and, when that allocation fails, retries it forever: a run that hits its memory
// limit inside BLAS would hang instead of reporting out of memory. Doing one
// product of each kind at load, while memory is still free, makes those buffers
// exist before any large allocation; later failures are LibTorch's, which report.
//
// Also here, as the other half of getting the CPU ready at load: Debian's LibTorch
// starts with one intra-op thread on a machine whose cores it cannot classify; every
// core is used unless OMP_NUM_THREADS says otherwise.
namespace csm {

// Once per thread (OpenBLAS keeps its buffers per thread): call it first thing on
// every thread that will run matrix products, such as a scheduler's model thread.
// Throws csm::Error (OutOfMemory) when the buffers cannot fit.
void reserve_blas_buffers();

}  // namespace csm

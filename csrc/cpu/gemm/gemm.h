#pragma once
#include <cstdint>
namespace pt::cpu {
// C[b][m,n] = alpha * sum_k A[b][m,k] * B[b][k,n] + beta * C[b][m,n] for b in [0, batch).
// Every operand is a pointer plus a batch stride, a row stride and a column stride, in elements,
// so transposed and non-contiguous views need no copy (packing reads any strides). Strides may be 0 (broadcast) for A and B.
// beta == 0: C is never read (may hold NaN). K == 0: C = beta*C (or zeros).
template <class T>
void gemm(int64_t batch, int64_t M, int64_t N, int64_t K, T alpha,
          const T* A, int64_t bsA, int64_t rsA, int64_t csA,
          const T* B, int64_t bsB, int64_t rsB, int64_t csB, T beta,
          T* C, int64_t bsC, int64_t rsC, int64_t csC);
// B given as a packing routine instead of memory (implicit operands, e.g. the convolution's
// column matrix read straight from the image): pack(ctx, k0, kc, j0, nc, nr, dst) writes
// B[k0:k0+kc, j0:j0+nc] as pack_panels (pack.h) would: ceil(nc/nr) micro-panels of kc rows of
// nr entries, zero past nc. It may run on several threads at once, for disjoint blocks.
template <class T>
struct BPacker {
  void (*pack)(const void* ctx, int64_t k0, int64_t kc, int64_t j0, int64_t nc, int64_t nr, T* dst);
  const void* ctx;
};
// One GEMM (batch 1) whose B comes from `b`; otherwise gemm's contract.
template <class T>
void gemm_packed_b(int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t rsA, int64_t csA,
                   const BPacker<T>& b, T beta, T* C, int64_t rsC, int64_t csC);
// Plain reference (double accumulation), same contract; the tests hold gemm against it.
template <class T>
void gemm_ref(int64_t batch, int64_t M, int64_t N, int64_t K, T alpha,
              const T* A, int64_t bsA, int64_t rsA, int64_t csA,
              const T* B, int64_t bsB, int64_t rsB, int64_t csB, T beta,
              T* C, int64_t bsC, int64_t rsC, int64_t csC);
}  // namespace pt::cpu

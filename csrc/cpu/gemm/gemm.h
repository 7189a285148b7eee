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
// Plain reference (double accumulation), same contract; the tests hold gemm against it.
template <class T>
void gemm_ref(int64_t batch, int64_t M, int64_t N, int64_t K, T alpha,
              const T* A, int64_t bsA, int64_t rsA, int64_t csA,
              const T* B, int64_t bsB, int64_t rsB, int64_t csB, T beta,
              T* C, int64_t bsC, int64_t rsC, int64_t csC);
}  // namespace pt::cpu

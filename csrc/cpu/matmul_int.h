// Integer matrix product for int matmul (rare in training, so a plain loop with int64
// accumulation; float types go through csrc/cpu/gemm/).
#pragma once
#include <cstdint>

namespace pt::cpu {

// C[b][m,n] = sum_k A[b][m,k] * B[b][k,n]; strides in elements, as pt::cpu::gemm.
template <class T>
void matmul_int(int64_t batch, int64_t M, int64_t N, int64_t K,
                const T* A, int64_t bsA, int64_t rsA, int64_t csA,
                const T* B, int64_t bsB, int64_t rsB, int64_t csB,
                T* C, int64_t bsC, int64_t rsC, int64_t csC);

}  // namespace pt::cpu

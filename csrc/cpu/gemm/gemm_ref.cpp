// Reference GEMM: the definition, written as plainly as possible, for the tests to compare
// against. Accumulates in double so its own rounding error is far below gemm's.
#include "cpu/gemm/gemm.h"

namespace pt::cpu {

template <class T>
void gemm_ref(int64_t batch, int64_t M, int64_t N, int64_t K, T alpha,
              const T* A, int64_t bsA, int64_t rsA, int64_t csA,
              const T* B, int64_t bsB, int64_t rsB, int64_t csB, T beta,
              T* C, int64_t bsC, int64_t rsC, int64_t csC) {
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t i = 0; i < M; ++i) {
      for (int64_t j = 0; j < N; ++j) {
        double acc = 0;
        // alpha == 0 skips the product as BLAS does, so Inf/NaN in A or B do not reach C.
        if (alpha != T(0)) {
          for (int64_t p = 0; p < K; ++p) {
            acc += double(A[b * bsA + i * rsA + p * csA]) * double(B[b * bsB + p * rsB + j * csB]);
          }
        }
        T& c = C[b * bsC + i * rsC + j * csC];
        const double r = double(alpha) * acc;
        c = static_cast<T>(beta == T(0) ? r : r + double(beta) * double(c));
      }
    }
  }
}

template void gemm_ref<float>(int64_t, int64_t, int64_t, int64_t, float, const float*, int64_t,
                              int64_t, int64_t, const float*, int64_t, int64_t, int64_t, float,
                              float*, int64_t, int64_t, int64_t);
template void gemm_ref<double>(int64_t, int64_t, int64_t, int64_t, double, const double*,
                               int64_t, int64_t, int64_t, const double*, int64_t, int64_t,
                               int64_t, double, double*, int64_t, int64_t, int64_t);

}  // namespace pt::cpu

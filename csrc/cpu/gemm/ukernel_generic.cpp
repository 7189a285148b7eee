// Portable micro-kernels: the fallback for CPUs without a hand-written kernel. The inner loop
// over NR is written so the compiler vectorises it with whatever SIMD the baseline target has.
#include "cpu/gemm/ukernel.h"

namespace pt::cpu {
namespace {

template <class T, int64_t MR, int64_t NR>
void kernel(int64_t k, T alpha, const T* a, int64_t rsa, int64_t csa, const T* b, T beta, T* c,
            int64_t rsc, int64_t csc, int64_t m, int64_t n) {
  T acc[MR][NR] = {};
  for (int64_t p = 0; p < k; ++p, a += csa, b += NR) {
    for (int64_t i = 0; i < MR; ++i) {
      const T ai = a[i * rsa];
      for (int64_t j = 0; j < NR; ++j) acc[i][j] += ai * b[j];
    }
  }
  store_tile(&acc[0][0], NR, alpha, beta, c, rsc, csc, m, n);
}

template <class T>
void store_tile_impl(const T* t, int64_t ldt, T alpha, T beta, T* c, int64_t rsc, int64_t csc,
                     int64_t m, int64_t n) {
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      T& cij = c[i * rsc + j * csc];
      cij = beta == T(0) ? alpha * t[i * ldt + j] : alpha * t[i * ldt + j] + beta * cij;
    }
  }
}

}  // namespace

void ukernel_generic(int64_t k, float alpha, const float* a, int64_t rsa, int64_t csa,
                     const float* b, float beta, float* c, int64_t rsc, int64_t csc, int64_t m,
                     int64_t n) {
  kernel<float, kGenericF32.mr, kGenericF32.nr>(k, alpha, a, rsa, csa, b, beta, c, rsc, csc, m,
                                                n);
}

void ukernel_generic(int64_t k, double alpha, const double* a, int64_t rsa, int64_t csa,
                     const double* b, double beta, double* c, int64_t rsc, int64_t csc,
                     int64_t m, int64_t n) {
  kernel<double, kGenericF64.mr, kGenericF64.nr>(k, alpha, a, rsa, csa, b, beta, c, rsc, csc, m,
                                                 n);
}

void store_tile(const float* t, int64_t ldt, float alpha, float beta, float* c, int64_t rsc,
                int64_t csc, int64_t m, int64_t n) {
  store_tile_impl(t, ldt, alpha, beta, c, rsc, csc, m, n);
}

void store_tile(const double* t, int64_t ldt, double alpha, double beta, double* c, int64_t rsc,
                int64_t csc, int64_t m, int64_t n) {
  store_tile_impl(t, ldt, alpha, beta, c, rsc, csc, m, n);
}

}  // namespace pt::cpu

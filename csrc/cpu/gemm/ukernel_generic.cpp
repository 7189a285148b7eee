// Portable micro-kernels: the fallback for CPUs without a hand-written kernel.
//
// Written with GCC/Clang vector extensions (16-byte vectors: SSE2, NEON), because from plain
// loops GCC vectorises across k with shuffles instead of across the tile row: 6 GFLOP/s
// instead of 32 (float, Zen 3, SSE2).
#include <cstring>

#include "cpu/gemm/ukernel.h"

namespace pt::cpu {
namespace {

template <class T, int64_t MR, int64_t NR>
void kernel(int64_t k, T alpha, const T* a, int64_t rsa, int64_t csa, const T* b, T beta, T* c,
            int64_t rsc, int64_t csc, int64_t m, int64_t n) {
  typedef T V __attribute__((vector_size(16)));
  constexpr int64_t W = 16 / sizeof(T), NV = NR / W;
  static_assert(NR % W == 0, "tile rows are whole vectors");
  V acc[MR][NV] = {};
  for (int64_t p = 0; p < k; ++p, a += csa, b += NR) {
    V bv[NV];
    std::memcpy(bv, b, sizeof(bv));  // unaligned-safe vector load
    for (int64_t i = 0; i < MR; ++i) {
      const T ai = a[i * rsa];
      for (int64_t j = 0; j < NV; ++j) acc[i][j] += ai * bv[j];
    }
  }
  T t[MR * NR];
  std::memcpy(t, acc, sizeof(t));
  store_tile(t, NR, alpha, beta, c, rsc, csc, m, n);
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

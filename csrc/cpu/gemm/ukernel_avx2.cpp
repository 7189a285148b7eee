// AVX2 + FMA micro-kernels: float 6x16 and double 6x8. The only file built with -mavx2 -mfma.
//
// Register plan (16 YMM): 12 accumulators (6 rows x 2 vectors), 2 for the B row, 1 for the
// broadcast A element. Each k step is 2 loads + 6 broadcasts feeding 12 FMAs, which keeps both
// FMA pipes busy without exceeding the load ports.
#include "cpu/gemm/ukernel.h"

#ifdef PT_GEMM_HAVE_AVX2
#include <immintrin.h>

namespace pt::cpu {
namespace {  // internal linkage throughout: no AVX code may leak into other files' symbols

struct F32 {
  using T = float;
  using V = __m256;
  static constexpr int64_t W = 8;
  static V zero() { return _mm256_setzero_ps(); }
  static V set1(T x) { return _mm256_set1_ps(x); }
  static V load(const T* p) { return _mm256_loadu_ps(p); }
  static V bcast(const T* p) { return _mm256_broadcast_ss(p); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static void store(T* p, V v) { _mm256_storeu_ps(p, v); }
  // Edge tiles touch only lanes j < n < W: masked loads, and stores split into 4 + 2 + 1
  // lanes, since AMD microcodes vmaskmov stores (N = 10 ran at 25 GFLOP/s with them).
  static V load_first(const T* p, int64_t n) {
    const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_maskload_ps(p, _mm256_cmpgt_epi32(_mm256_set1_epi32(int(n)), idx));
  }
  static void store_first(T* p, V v, int64_t n) {
    __m128 x = _mm256_castps256_ps128(v);
    if (n & 4) {
      _mm_storeu_ps(p, x);
      x = _mm256_extractf128_ps(v, 1);
      p += 4;
    }
    if (n & 2) {
      _mm_storel_pi(reinterpret_cast<__m64*>(p), x);
      x = _mm_movehl_ps(x, x);
      p += 2;
    }
    if (n & 1) _mm_store_ss(p, x);
  }
};

struct F64 {
  using T = double;
  using V = __m256d;
  static constexpr int64_t W = 4;
  static V zero() { return _mm256_setzero_pd(); }
  static V set1(T x) { return _mm256_set1_pd(x); }
  static V load(const T* p) { return _mm256_loadu_pd(p); }
  static V bcast(const T* p) { return _mm256_broadcast_sd(p); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  static V mul(V a, V b) { return _mm256_mul_pd(a, b); }
  static void store(T* p, V v) { _mm256_storeu_pd(p, v); }
  static V load_first(const T* p, int64_t n) {
    const __m256i idx = _mm256_setr_epi64x(0, 1, 2, 3);
    return _mm256_maskload_pd(p, _mm256_cmpgt_epi64(_mm256_set1_epi64x(n), idx));
  }
  static void store_first(T* p, V v, int64_t n) {
    __m128d x = _mm256_castpd256_pd128(v);
    if (n & 2) {
      _mm_storeu_pd(p, x);
      x = _mm256_extractf128_pd(v, 1);
      p += 2;
    }
    if (n & 1) _mm_store_sd(p, x);
  }
};

template <class S, int64_t MR, int64_t NR>
void kernel(int64_t k, typename S::T alpha, const typename S::T* a, int64_t rsa, int64_t csa,
            const typename S::T* b, typename S::T beta, typename S::T* c, int64_t rsc,
            int64_t csc, int64_t m, int64_t n) {
  using T = typename S::T;
  using V = typename S::V;
  constexpr int64_t W = S::W;
  static_assert(MR == 6 && NR == 2 * W, "register plan is 6 rows x 2 vectors");

  // Warm the C tile while the k loop runs; it is read (beta != 0) or written right after.
  for (int64_t i = 0; i < m; ++i) {
    _mm_prefetch(reinterpret_cast<const char*>(c + i * rsc), _MM_HINT_T0);
  }

  // Named accumulators, not an array: GCC keeps an array of 12 YMM on the stack. (Check the
  // k loop's assembly after edits: one spilled accumulator costs a load and store per step.)
  V c00 = S::zero(), c01 = S::zero(), c10 = S::zero(), c11 = S::zero();
  V c20 = S::zero(), c21 = S::zero(), c30 = S::zero(), c31 = S::zero();
  V c40 = S::zero(), c41 = S::zero(), c50 = S::zero(), c51 = S::zero();
  const T* a3 = a + 3 * rsa;  // rows 3..5: base + {0, 1, 2} * rsa addressing, like rows 0..2
  for (int64_t p = 0; p < k; ++p, a += csa, a3 += csa, b += NR) {
    const V b0 = S::load(b), b1 = S::load(b + W);
    V ai = S::bcast(a);
    c00 = S::fma(ai, b0, c00);
    c01 = S::fma(ai, b1, c01);
    ai = S::bcast(a + rsa);
    c10 = S::fma(ai, b0, c10);
    c11 = S::fma(ai, b1, c11);
    ai = S::bcast(a + 2 * rsa);
    c20 = S::fma(ai, b0, c20);
    c21 = S::fma(ai, b1, c21);
    ai = S::bcast(a3);
    c30 = S::fma(ai, b0, c30);
    c31 = S::fma(ai, b1, c31);
    ai = S::bcast(a3 + rsa);
    c40 = S::fma(ai, b0, c40);
    c41 = S::fma(ai, b1, c41);
    ai = S::bcast(a3 + 2 * rsa);
    c50 = S::fma(ai, b0, c50);
    c51 = S::fma(ai, b1, c51);
  }

  if (csc != 1) {  // strided C: scalar stores from a spilled tile
    alignas(32) T t[MR * NR];
    S::store(t + 0 * NR, c00), S::store(t + 0 * NR + W, c01);
    S::store(t + 1 * NR, c10), S::store(t + 1 * NR + W, c11);
    S::store(t + 2 * NR, c20), S::store(t + 2 * NR + W, c21);
    S::store(t + 3 * NR, c30), S::store(t + 3 * NR + W, c31);
    S::store(t + 4 * NR, c40), S::store(t + 4 * NR + W, c41);
    S::store(t + 5 * NR, c50), S::store(t + 5 * NR + W, c51);
    store_tile(t, NR, alpha, beta, c, rsc, csc, m, n);
    return;
  }
  // Row-major C: whole vectors, then the partial one of an edge tile (n < NR).
  const V va = S::set1(alpha), vb = S::set1(beta);
  const bool read_c = beta != T(0);
  auto store_row = [&](int64_t i, V r0, V r1) {
    T* ci = c + i * rsc;
    r0 = S::mul(va, r0);
    r1 = S::mul(va, r1);
    if (n == NR) {
      if (read_c) {
        r0 = S::fma(vb, S::load(ci), r0);
        r1 = S::fma(vb, S::load(ci + W), r1);
      }
      S::store(ci, r0);
      S::store(ci + W, r1);
      return;
    }
    int64_t rest = n;
    if (rest >= W) {
      if (read_c) r0 = S::fma(vb, S::load(ci), r0);
      S::store(ci, r0);
      r0 = r1;
      ci += W;
      rest -= W;
    }
    if (read_c) r0 = S::fma(vb, S::load_first(ci, rest), r0);
    S::store_first(ci, r0, rest);
  };
  store_row(0, c00, c01);
  if (m > 1) store_row(1, c10, c11);
  if (m > 2) store_row(2, c20, c21);
  if (m > 3) store_row(3, c30, c31);
  if (m > 4) store_row(4, c40, c41);
  if (m > 5) store_row(5, c50, c51);
}

}  // namespace

void ukernel_avx2(int64_t k, float alpha, const float* a, int64_t rsa, int64_t csa,
                  const float* b, float beta, float* c, int64_t rsc, int64_t csc, int64_t m,
                  int64_t n) {
  kernel<F32, kAvx2F32.mr, kAvx2F32.nr>(k, alpha, a, rsa, csa, b, beta, c, rsc, csc, m, n);
}

void ukernel_avx2(int64_t k, double alpha, const double* a, int64_t rsa, int64_t csa,
                  const double* b, double beta, double* c, int64_t rsc, int64_t csc, int64_t m,
                  int64_t n) {
  kernel<F64, kAvx2F64.mr, kAvx2F64.nr>(k, alpha, a, rsa, csa, b, beta, c, rsc, csc, m, n);
}

}  // namespace pt::cpu
#endif  // PT_GEMM_HAVE_AVX2

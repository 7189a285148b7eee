// The peak-FMA kernel, compiled with -mavx2 -mfma (CMakeLists.txt) and called only when the
// CPU has both (ceilings.cpp checks cpuid).
#include <immintrin.h>

#include "bench_util.h"

namespace ptbench {
namespace {

// 12 independent accumulators cover FMA latency x throughput (4-5 cycles x 2 pipes on
// current x86 cores); acc = acc * m + a with m just below 1 stays finite and normal.
constexpr int kChains = 12;

template <class V, class T, V (*Set1)(T), V (*Fma)(V, V, V), V (*Add)(V, V), T (*First)(V)>
double run_chains(int64_t iters, int lanes) {
  V acc[kChains];
  for (int k = 0; k < kChains; ++k) acc[k] = Set1(T(k));
  const V m = Set1(T(0.999999)), a = Set1(T(1e-6));
  for (int64_t i = 0; i < iters; ++i)
    for (int k = 0; k < kChains; ++k) acc[k] = Fma(acc[k], m, a);
  V sum = acc[0];
  for (int k = 1; k < kChains; ++k) sum = Add(sum, acc[k]);
  volatile T sink = First(sum);  // keeps the chains alive
  (void)sink;
  return 2.0 * kChains * lanes * static_cast<double>(iters);
}

__m256 set1_ps(float x) { return _mm256_set1_ps(x); }
__m256 fma_ps(__m256 a, __m256 b, __m256 c) { return _mm256_fmadd_ps(a, b, c); }
__m256 add_ps(__m256 a, __m256 b) { return _mm256_add_ps(a, b); }
float first_ps(__m256 v) { return _mm256_cvtss_f32(v); }
__m256d set1_pd(double x) { return _mm256_set1_pd(x); }
__m256d fma_pd(__m256d a, __m256d b, __m256d c) { return _mm256_fmadd_pd(a, b, c); }
__m256d add_pd(__m256d a, __m256d b) { return _mm256_add_pd(a, b); }
double first_pd(__m256d v) { return _mm256_cvtsd_f64(v); }

}  // namespace

double fma_loop_avx2(DType dtype, int64_t iters) {
  return dtype == DType::Float64
             ? run_chains<__m256d, double, set1_pd, fma_pd, add_pd, first_pd>(iters, 4)
             : run_chains<__m256, float, set1_ps, fma_ps, add_ps, first_ps>(iters, 8);
}

}  // namespace ptbench

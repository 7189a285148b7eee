// AVX2 line kernels of the reduction engine (contract in reduce_kernels.h). The only reduction
// file built with -mavx2 -mfma.
//   sum:      8 independent double accumulators of 4 lanes; float32 groups of four are added
//             in float, then widened with vcvtps2pd (one conversion per 4 elements, not 1).
//   sum_rows: 32 columns held in 8 double registers while rows stream past (float32: four rows
//             added in float, then widened), in chunks of kRowChunk rows so a task's column
//             block stays in L1 between passes.
//   max/min:  4 vector accumulators and a NaN mask (vmaxps alone drops NaN operands), one
//             unordered compare per two vectors.
//   find:     compare + movemask, 4 vectors a step.
#include "cpu/reduce_kernels.h"

#ifdef PT_REDUCE_HAVE_AVX2
#include <immintrin.h>

#include <limits>

namespace pt::cpu {
namespace {  // internal linkage throughout: no AVX code may leak into other files' symbols

constexpr int64_t kRowChunk = 32;

struct F32 {
  using T = float;
  using V = __m256;
  static constexpr int64_t W = 8;
  static V load(const T* p) { return _mm256_loadu_ps(p); }
  static V set1(T x) { return _mm256_set1_ps(x); }
  static V max(V a, V b) { return _mm256_max_ps(a, b); }
  static V min(V a, V b) { return _mm256_min_ps(a, b); }
  static V bor(V a, V b) { return _mm256_or_ps(a, b); }
  static V unordered(V x, V y) { return _mm256_cmp_ps(x, y, _CMP_UNORD_Q); }
  static V is_nan(V x) { return unordered(x, x); }
  static V eq(V x, V v) { return _mm256_cmp_ps(x, v, _CMP_EQ_OQ); }
  static int mask(V m) { return _mm256_movemask_ps(m); }
  static void store(T* p, V v) { _mm256_storeu_ps(p, v); }
  static __m256d wide4(const T* p) { return _mm256_cvtps_pd(_mm_loadu_ps(p)); }
  // Four doubles from kStep elements: groups of four are added in float first, (a + b) + (c + d)
  // (two roundings of at most 2^-24 each, so the total error stays within 2^-23 sum |x|), which
  // quarters the conversions, the bottleneck. Measured against PyTorch in the same run (a
  // loaded 2-core Zen 3): 4M elements, 2 threads: widening every element 1.29x its time,
  // pairs 0.97x; 60000 elements, 1 thread: pairs 0.93x, fours 0.89x.
  static constexpr int64_t kStep = 32;
  static __m256d wide_step(const T* p) {
    const __m256 v = _mm256_add_ps(_mm256_add_ps(load(p), load(p + 8)),
                                   _mm256_add_ps(load(p + 16), load(p + 24)));
    return _mm256_add_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(v)),
                         _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
  }
  // The same for column sums: 4 columns of rows r..r+3 added in float, (r + r1) + (r2 + r3).
  static constexpr int64_t kRowGroup = 4;
  static __m256d wide_rows(const T* p, int64_t rs) {
    const __m128 a = _mm_add_ps(_mm_loadu_ps(p), _mm_loadu_ps(p + rs));
    const __m128 b = _mm_add_ps(_mm_loadu_ps(p + 2 * rs), _mm_loadu_ps(p + 3 * rs));
    return _mm256_cvtps_pd(_mm_add_ps(a, b));
  }
};

struct F64 {
  using T = double;
  using V = __m256d;
  static constexpr int64_t W = 4;
  static V load(const T* p) { return _mm256_loadu_pd(p); }
  static V set1(T x) { return _mm256_set1_pd(x); }
  static V max(V a, V b) { return _mm256_max_pd(a, b); }
  static V min(V a, V b) { return _mm256_min_pd(a, b); }
  static V bor(V a, V b) { return _mm256_or_pd(a, b); }
  static V unordered(V x, V y) { return _mm256_cmp_pd(x, y, _CMP_UNORD_Q); }
  static V is_nan(V x) { return unordered(x, x); }
  static V eq(V x, V v) { return _mm256_cmp_pd(x, v, _CMP_EQ_OQ); }
  static int mask(V m) { return _mm256_movemask_pd(m); }
  static void store(T* p, V v) { _mm256_storeu_pd(p, v); }
  static __m256d wide4(const T* p) { return _mm256_loadu_pd(p); }
  static constexpr int64_t kStep = 4;
  static __m256d wide_step(const T* p) { return load(p); }
  static constexpr int64_t kRowGroup = 1;
  static __m256d wide_rows(const T* p, int64_t) { return load(p); }
};

double hsum(__m256d v) {
  alignas(32) double s[4];
  _mm256_store_pd(s, v);
  return (s[0] + s[1]) + (s[2] + s[3]);
}

template <class Tr>
double sum(const typename Tr::T* p, int64_t n) {
  __m256d a[8];
  for (auto& v : a) v = _mm256_setzero_pd();
  int64_t i = 0;
  constexpr int64_t S = Tr::kStep;
  for (; i + 8 * S <= n; i += 8 * S)
    for (int k = 0; k < 8; ++k) a[k] = _mm256_add_pd(a[k], Tr::wide_step(p + i + S * k));
  // Constant register indices only: a variable one would keep a[] in memory.
  for (; i + 2 * S <= n; i += 2 * S) {
    a[0] = _mm256_add_pd(a[0], Tr::wide_step(p + i));
    a[1] = _mm256_add_pd(a[1], Tr::wide_step(p + i + S));
  }
  if (i + S <= n) {
    a[2] = _mm256_add_pd(a[2], Tr::wide_step(p + i));
    i += S;
  }
  for (; i + 4 <= n; i += 4) a[3] = _mm256_add_pd(a[3], Tr::wide4(p + i));
  for (int k = 0; k < 4; ++k) a[k] = _mm256_add_pd(a[k], a[k + 4]);
  double s = hsum(_mm256_add_pd(_mm256_add_pd(a[0], a[2]), _mm256_add_pd(a[1], a[3])));
  for (; i < n; ++i) s += double(p[i]);
  return s;
}

// Columns [j, j + 4 * kVec) of rows [r0, r1), added into acc in row order.
template <class Tr, int kVec>
void sum_cols(double* acc, const typename Tr::T* p, int64_t r0, int64_t r1, int64_t rs,
              int64_t j) {
  __m256d a[kVec];
  for (int k = 0; k < kVec; ++k) a[k] = _mm256_loadu_pd(acc + j + 4 * k);
  constexpr int64_t G = Tr::kRowGroup;
  int64_t r = r0;
  for (; r + G <= r1; r += G)
    for (int k = 0; k < kVec; ++k) a[k] = _mm256_add_pd(a[k], Tr::wide_rows(p + r * rs + j + 4 * k, rs));
  for (; r < r1; ++r)
    for (int k = 0; k < kVec; ++k) a[k] = _mm256_add_pd(a[k], Tr::wide4(p + r * rs + j + 4 * k));
  for (int k = 0; k < kVec; ++k) _mm256_storeu_pd(acc + j + 4 * k, a[k]);
}

template <class Tr>
void sum_rows(double* acc, const typename Tr::T* p, int64_t rows, int64_t rs, int64_t n) {
  for (int64_t r0 = 0; r0 < rows; r0 += kRowChunk) {
    const int64_t r1 = r0 + kRowChunk < rows ? r0 + kRowChunk : rows;
    int64_t j = 0;
    for (; j + 32 <= n; j += 32) sum_cols<Tr, 8>(acc, p, r0, r1, rs, j);
    for (; j + 4 <= n; j += 4) sum_cols<Tr, 1>(acc, p, r0, r1, rs, j);
    for (; j < n; ++j)
      for (int64_t r = r0; r < r1; ++r) acc[j] += double(p[r * rs + j]);
  }
}

template <class Tr, bool kMax>
typename Tr::T extreme(const typename Tr::T* p, int64_t n) {
  using T = typename Tr::T;
  using V = typename Tr::V;
  constexpr int64_t W = Tr::W;
  const auto pick = [](V a, V b) { return kMax ? Tr::max(a, b) : Tr::min(a, b); };
  int64_t i = 0;
  T best = p[0];
  bool nan = false;
  if (n >= W) {
    V m[4], bad[4];
    for (int k = 0; k < 4; ++k) {
      m[k] = Tr::load(p);
      bad[k] = Tr::is_nan(m[k]);
    }
    for (; i + 4 * W <= n; i += 4 * W) {
      V x[4];
      for (int k = 0; k < 4; ++k) {
        x[k] = Tr::load(p + i + k * W);
        m[k] = pick(m[k], x[k]);
      }
      // One unordered compare tests two vectors for NaN.
      bad[0] = Tr::bor(bad[0], Tr::unordered(x[0], x[1]));
      bad[1] = Tr::bor(bad[1], Tr::unordered(x[2], x[3]));
    }
    for (; i + W <= n; i += W) {
      const V x = Tr::load(p + i);
      m[0] = pick(m[0], x);
      bad[0] = Tr::bor(bad[0], Tr::is_nan(x));
    }
    nan = Tr::mask(Tr::bor(Tr::bor(bad[0], bad[1]), Tr::bor(bad[2], bad[3]))) != 0;
    alignas(32) T lanes[W];
    Tr::store(lanes, pick(pick(m[0], m[1]), pick(m[2], m[3])));
    for (int64_t k = 0; k < W; ++k) best = (kMax ? lanes[k] > best : lanes[k] < best) ? lanes[k] : best;
  }
  for (; i < n; ++i) {
    nan = nan || p[i] != p[i];
    best = (kMax ? p[i] > best : p[i] < best) ? p[i] : best;
  }
  return nan ? std::numeric_limits<T>::quiet_NaN() : best;
}

template <class Tr>
int64_t find(const typename Tr::T* p, int64_t n, typename Tr::T v) {
  using V = typename Tr::V;
  constexpr int64_t W = Tr::W;
  const bool nan = v != v;
  const V vv = Tr::set1(v);
  const auto hit = [&](V x) { return Tr::mask(nan ? Tr::is_nan(x) : Tr::eq(x, vv)); };
  int64_t i = 0;
  for (; i + 4 * W <= n; i += 4 * W) {
    const int m0 = hit(Tr::load(p + i)), m1 = hit(Tr::load(p + i + W));
    const int m2 = hit(Tr::load(p + i + 2 * W)), m3 = hit(Tr::load(p + i + 3 * W));
    if (m0 | m1 | m2 | m3) {
      const int64_t m = int64_t(m0) | int64_t(m1) << W | int64_t(m2) << 2 * W | int64_t(m3) << 3 * W;
      return i + __builtin_ctzll(uint64_t(m));
    }
  }
  for (; i < n; ++i)
    if (nan ? p[i] != p[i] : p[i] == v) return i;
  return n;
}

}  // namespace

const ReduceKernels<float> kReduceAvx2F32 = {sum<F32>, sum_rows<F32>, extreme<F32, true>,
                                             extreme<F32, false>, find<F32>};
const ReduceKernels<double> kReduceAvx2F64 = {sum<F64>, sum_rows<F64>, extreme<F64, true>,
                                              extreme<F64, false>, find<F64>};

}  // namespace pt::cpu
#endif  // PT_REDUCE_HAVE_AVX2

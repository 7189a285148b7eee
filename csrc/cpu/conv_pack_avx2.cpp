// AVX2 filler for the forward's implicit-im2col panels (conv_pack.cpp): each panel row is two
// vectors built from masked loads, one per output-row run per vector, so padding and row ends
// cost no scalar loop. Built with -mavx2 -mfma; like ukernel_avx2.cpp it calls no inline
// function that other files also instantiate (no std::min), so no AVX code leaks out.
#include "cpu/conv_pack.h"

#ifdef PT_CONV_PACK_HAVE_AVX2
#include <immintrin.h>

namespace pt::cpu {
namespace {

int64_t lmax(int64_t a, int64_t b) { return a > b ? a : b; }
int64_t lmin(int64_t a, int64_t b) { return a < b ? a : b; }

struct F32 {
  using T = float;
  using V = __m256;
  static constexpr int64_t W = 8;
  static V zero() { return _mm256_setzero_ps(); }
  // Lanes l (0 <= l < W) with lo <= l < hi, as a load mask.
  static __m256i mask(int64_t lo, int64_t hi) {
    const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i ge = _mm256_cmpgt_epi32(idx, _mm256_set1_epi32(int(lo) - 1));
    return _mm256_and_si256(ge, _mm256_cmpgt_epi32(_mm256_set1_epi32(int(hi)), idx));
  }
  static V load(const T* p, __m256i m) { return _mm256_maskload_ps(p, m); }
  static V merge(V a, V b) { return _mm256_or_ps(a, b); }
  static void store(T* p, V v) { _mm256_storeu_ps(p, v); }
};

struct F64 {
  using T = double;
  using V = __m256d;
  static constexpr int64_t W = 4;
  static V zero() { return _mm256_setzero_pd(); }
  static __m256i mask(int64_t lo, int64_t hi) {
    const __m256i idx = _mm256_setr_epi64x(0, 1, 2, 3);
    const __m256i ge = _mm256_cmpgt_epi64(idx, _mm256_set1_epi64x(lo - 1));
    return _mm256_and_si256(ge, _mm256_cmpgt_epi64(_mm256_set1_epi64x(hi), idx));
  }
  static V load(const T* p, __m256i m) { return _mm256_maskload_pd(p, m); }
  static V merge(V a, V b) { return _mm256_or_pd(a, b); }
  static void store(T* p, V v) { _mm256_storeu_pd(p, v); }
};

template <class S>
void fill(const ConvGeom& g, const ColRow* rows, int64_t kc, const typename S::T* x,
          const ColRun* runs, int64_t nruns, typename S::T* dst) {
  using V = typename S::V;
  constexpr int64_t W = S::W;
  // Masks of whole runs, for rows whose kernel column reads no padding (most rows).
  __m256i whole[2 * W][2];
  for (int64_t i = 0; i < nruns; ++i) {
    whole[i][0] = S::mask(runs[i].lane, runs[i].lane + runs[i].len);
    whole[i][1] = S::mask(runs[i].lane - W, runs[i].lane + runs[i].len - W);
  }
  for (int64_t k = 0; k < kc; ++k, dst += 2 * W) {
    const ColRow& r = rows[k];
    const bool inside = r.lo == 0 && r.hi == g.OW;
    V v0 = S::zero(), v1 = S::zero();
    for (int64_t i = 0; i < nruns; ++i) {
      const ColRun& u = runs[i];
      const int64_t ih = u.oh * g.sh + r.ih_off;
      if (ih < 0 || ih >= g.H) continue;
      // Lanes [la, lb) read the image; lane l reads base[l]. Masked-off lanes are not
      // accessed, so base may point before the row.
      const typename S::T* base = x + r.x_off + ih * g.W + r.shift + u.ow - u.lane;
      const int64_t la = inside ? u.lane : u.lane + lmax(r.lo - u.ow, 0);
      const int64_t lb = inside ? u.lane + u.len : u.lane + lmin(r.hi - u.ow, u.len);
      if (la >= lb) continue;
      if (la < W) v0 = S::merge(v0, S::load(base, inside ? whole[i][0] : S::mask(la, lb)));
      if (lb > W) v1 = S::merge(v1, S::load(base + W, inside ? whole[i][1] : S::mask(la - W, lb - W)));
    }
    S::store(dst, v0);
    S::store(dst + W, v1);
  }
}

}  // namespace

void pack_panel_avx2(const ConvGeom& g, const ColRow* rows, int64_t kc, const float* x,
                     const ColRun* runs, int64_t nruns, float* dst) {
  fill<F32>(g, rows, kc, x, runs, nruns, dst);
}

void pack_panel_avx2(const ConvGeom& g, const ColRow* rows, int64_t kc, const double* x,
                     const ColRun* runs, int64_t nruns, double* dst) {
  fill<F64>(g, rows, kc, x, runs, nruns, dst);
}

}  // namespace pt::cpu
#endif  // PT_CONV_PACK_HAVE_AVX2

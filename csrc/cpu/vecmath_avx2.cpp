// AVX2 + FMA float32 exp, log, tanh, sigmoid, silu and gelu (erf and tanh forms), 8 lanes.
// Built with -mavx2 -mfma; everything has internal linkage and calls no inline function that
// other files instantiate, so no AVX code leaks into the generic build.
//
// Methods (derived here; error bounds measured in tests/test_vecmath.py):
// - exp: n = round(x / ln2), r = x - n ln2 in two FMA steps (ln2 as a float plus its
//   remainder), |r| <= ln2 / 2; e^r by its Taylor polynomial of degree 7 (truncation below
//   1e-8 relative); scaled by 2^n as 2^(n/2) * 2^(n - n/2), so results that are subnormal
//   round once and x is clamped to [-104, 89], where exp is already 0 or inf.
// - log: x = 2^e m with m in [sqrt(1/2), sqrt(2)), subnormals scaled by 2^23 first; with
//   f = m - 1 and s = f / (2 + f), log m = 2 atanh s = f - s (f - 2 s^2 Q(s^2)), Q the atanh
//   series 1/3 + s^2/5 + s^4/7 + s^6/9 (|s| <= 0.172); f is exact, so the division only
//   touches the small correction term. e log 2 (as a float plus its remainder) comes last.
// - tanh: on a = |x| (sign restored, so -0 stays -0). Below 0.55, a + a^3 P(a^2) with P of
//   degree 4 fitted by weighted least squares to (tanh a - a) / a^3 on Chebyshev nodes
//   (numpy, float64; 0.77 ulp evaluated in float32); the correction is under 10% of a, so
//   its rounding barely shows. Above, tanh a = e / (e + 2) with e = expm1(2a) =
//   2^n q + (2^n - 1), q = e^r - 1 = r P(r); a is clamped at 10, where tanh is 1 in float.
// - sigmoid: e = exp(-|x|) never overflows; 1 / (1 + e) for x >= 0 and e / (1 + e) below,
//   so tiny results keep their precision instead of flushing through 1 / (1 + inf).
// - silu = x sigmoid(x); gelu(tanh) = x sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3).
// - gelu = x Phi(x), with Phi(-a) = t exp(-a^2/2 + P(t)), t = 1 / (1 + a / (2 sqrt 2)) mapping
//   [0, inf) to (0, 1]; P of degree 9 in t - 0.575, least squares on Chebyshev nodes of
//   t in [0.15, 1] against log(Phi(-a) / t) + a^2/2 from math.erfc (2.3 ulp of that log).
#include "cpu/vecmath.h"

#ifdef PT_VECMATH_HAVE_AVX2
#include <immintrin.h>

namespace pt::cpu {
namespace {

using V = __m256;
// Forced inline: a call per helper would cut the overlap between independent vectors.
#define PT_VINLINE inline __attribute__((always_inline))

PT_VINLINE V set(float v) { return _mm256_set1_ps(v); }
PT_VINLINE V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }

constexpr float kLog2e = 1.44269504088896341f;
constexpr float kLn2Hi = 0.693147182464599609375f;  // float(ln 2)
constexpr float kLn2Lo = -1.904654323148236e-09f;   // ln 2 - kLn2Hi

PT_VINLINE V nearest_n(V x) {
  return _mm256_round_ps(_mm256_mul_ps(x, set(kLog2e)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}
// n = round(x / ln2) and r = x - n ln2.
PT_VINLINE void reduce(V x, V& n, V& r) {
  n = nearest_n(x);
  r = _mm256_fnmadd_ps(n, set(kLn2Hi), x);
  r = _mm256_fnmadd_ps(n, set(kLn2Lo), r);
}

// (e^r - 1) / r for |r| <= ln2 / 2: Taylor coefficients 1/k!, k = 1..7.
PT_VINLINE V expm1_over_r(V r) {
  V p = set(1.0f / 5040);
  p = fma(p, r, set(1.0f / 720));
  p = fma(p, r, set(1.0f / 120));
  p = fma(p, r, set(1.0f / 24));
  p = fma(p, r, set(1.0f / 6));
  p = fma(p, r, set(0.5f));
  return fma(p, r, set(1.0f));
}

// 2^k for integer k in [-126, 127], built in the exponent field.
PT_VINLINE V pow2i(__m256i k) {
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k, _mm256_set1_epi32(127)), 23));
}

// 2^n e^r for n in [-252, 254], |r| <= ln2 / 2.
PT_VINLINE V exp_reduced(V n, V r) {
  const V p = fma(r, expm1_over_r(r), set(1.0f));
  const __m256i ni = _mm256_cvtps_epi32(n);
  const __m256i half = _mm256_srai_epi32(ni, 1);
  return _mm256_mul_ps(_mm256_mul_ps(p, pow2i(half)), pow2i(_mm256_sub_epi32(ni, half)));
}

PT_VINLINE V exp_v(V x) {
  // max/min return their second operand when one is NaN: NaN passes through the clamp.
  x = _mm256_min_ps(set(89.0f), _mm256_max_ps(set(-104.0f), x));
  V n, r;
  reduce(x, n, r);
  return exp_reduced(n, r);
}

PT_VINLINE V log_v(V x) {
  const V tiny = _mm256_cmp_ps(x, set(1.17549435e-38f), _CMP_LT_OQ);  // subnormal, 0, < 0
  const V xs = _mm256_blendv_ps(x, _mm256_mul_ps(x, set(8388608.0f)), tiny);
  const __m256i bits = _mm256_castps_si256(xs);
  V e = _mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(127)));
  e = _mm256_sub_ps(e, _mm256_and_ps(tiny, set(23.0f)));
  V m = _mm256_castsi256_ps(_mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi32(0x007fffff)),
                                            _mm256_set1_epi32(0x3f800000)));
  const V big = _mm256_cmp_ps(m, set(1.41421356f), _CMP_GT_OQ);
  m = _mm256_blendv_ps(m, _mm256_mul_ps(m, set(0.5f)), big);
  e = _mm256_add_ps(e, _mm256_and_ps(big, set(1.0f)));
  const V f = _mm256_sub_ps(m, set(1.0f));
  const V s = _mm256_div_ps(f, _mm256_add_ps(f, set(2.0f)));
  const V w = _mm256_mul_ps(s, s);
  V q = fma(w, set(1.0f / 9), set(1.0f / 7));
  q = fma(q, w, set(1.0f / 5));
  q = fma(q, w, set(1.0f / 3));
  const V corr = _mm256_mul_ps(s, _mm256_fnmadd_ps(_mm256_mul_ps(w, set(2.0f)), q, f));
  // e ln2 is added last, in one FMA: log m (and e's low part) are rounded only at their own
  // smaller scale, and the result is rounded once.
  V y = fma(e, set(kLn2Hi), fma(e, set(kLn2Lo), _mm256_sub_ps(f, corr)));
  // log(0) = -inf, log(x < 0) = nan, log(inf) = inf, nan stays nan.
  const V inf = set(__builtin_inff());
  y = _mm256_blendv_ps(y, _mm256_sub_ps(_mm256_setzero_ps(), inf), _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_EQ_OQ));
  y = _mm256_blendv_ps(y, set(__builtin_nanf("")), _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ));
  const V pass = _mm256_or_ps(_mm256_cmp_ps(x, x, _CMP_UNORD_Q), _mm256_cmp_ps(x, inf, _CMP_EQ_OQ));
  return _mm256_blendv_ps(y, x, pass);
}

PT_VINLINE V tanh_v(V x) {
  const V sign = _mm256_and_ps(x, set(-0.0f));
  V a = _mm256_min_ps(set(10.0f), _mm256_andnot_ps(set(-0.0f), x));
  const V y = _mm256_add_ps(a, a);
  V n, r;
  reduce(y, n, r);
  const V q = _mm256_mul_ps(r, expm1_over_r(r));
  const V scale = pow2i(_mm256_cvtps_epi32(n));  // n in [0, 29]
  const V em1 = fma(scale, q, _mm256_sub_ps(scale, set(1.0f)));
  const V big = _mm256_div_ps(em1, _mm256_add_ps(em1, set(2.0f)));
  const V w = _mm256_mul_ps(a, a);
  V p = fma(w, set(-0.0062794992700219154f), set(0.021075667813420296f));
  p = fma(p, w, set(-0.053853362798690796f));
  p = fma(p, w, set(0.1333259791135788f));
  p = fma(p, w, set(-0.33333319425582886f));
  const V small = fma(_mm256_mul_ps(a, w), p, a);
  a = _mm256_blendv_ps(big, small, _mm256_cmp_ps(a, set(0.55f), _CMP_LT_OQ));
  return _mm256_or_ps(a, sign);
}

PT_VINLINE V sigmoid_v(V x) {
  const V e = exp_v(_mm256_or_ps(x, set(-0.0f)));  // exp(-|x|)
  const V num = _mm256_blendv_ps(set(1.0f), e, x);  // by x's sign bit
  return _mm256_div_ps(num, _mm256_add_ps(e, set(1.0f)));
}

PT_VINLINE V silu_v(V x) { return _mm256_mul_ps(x, sigmoid_v(x)); }

PT_VINLINE V gelu_tanh_v(V x) {
  constexpr float k0 = 2 * 0.7978845608028654f, k1 = k0 * 0.044715f;  // 2 sqrt(2/pi) (1, 0.044715)
  const V z = _mm256_mul_ps(x, fma(_mm256_mul_ps(x, x), set(k1), set(k0)));
  return _mm256_mul_ps(x, sigmoid_v(z));
}

// Phi(-a) = erfc(a / sqrt 2) / 2 for a in [0, 14.5] (beyond, 0 in float): t e^(-a^2/2 + P),
// t = 1 / (1 + a / (2 sqrt 2)). The exponent's a^2 / 2 is carried as an exact float plus
// its FMA remainder, since its rounding error alone would be several ulp of the result.
PT_VINLINE V phi_neg(V a) {
  const V t = _mm256_div_ps(set(1.0f), fma(a, set(0.35355339f), set(1.0f)));
  const V u = _mm256_sub_ps(t, set(0.575f));
  V p = set(0.1541917324066162f);
  p = fma(p, u, set(0.06688288599252701f));
  p = fma(p, u, set(-0.25324416160583496f));
  p = fma(p, u, set(-0.028038915246725082f));
  p = fma(p, u, set(0.29737573862075806f));
  p = fma(p, u, set(-0.047686874866485596f));
  p = fma(p, u, set(-0.40603142976760864f));
  p = fma(p, u, set(0.1008749008178711f));
  p = fma(p, u, set(1.3671406507492065f));
  p = fma(p, u, set(-1.2631422281265259f));
  const V a2 = _mm256_mul_ps(a, a);
  const V hi = _mm256_mul_ps(a2, set(-0.5f));
  const V lo = _mm256_fnmadd_ps(_mm256_fmsub_ps(a, a, a2), set(0.5f), p);
  const V n = nearest_n(_mm256_add_ps(hi, lo));  // r = hi - n ln2, then lo added
  V r = _mm256_fnmadd_ps(n, set(kLn2Hi), hi);
  r = _mm256_add_ps(_mm256_fnmadd_ps(n, set(kLn2Lo), r), lo);
  return _mm256_mul_ps(t, exp_reduced(n, r));
}

// gelu(x) = x Phi(x): Phi(x) = 1 - Phi(-x) for x >= 0.
PT_VINLINE V gelu_erf_v(V x) {
  const V q = phi_neg(_mm256_min_ps(set(14.5f), _mm256_andnot_ps(set(-0.0f), x)));
  return _mm256_mul_ps(x, _mm256_blendv_ps(_mm256_sub_ps(set(1.0f), q), q, x));
}

// Full vectors, then the tail through a zero-padded buffer with the same code.
template <V (*F)(V)>
void apply(float* out, const float* x, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {  // two independent chains in flight: the polynomials are latency-bound
    const V a = F(_mm256_loadu_ps(x + i)), b = F(_mm256_loadu_ps(x + i + 8));
    _mm256_storeu_ps(out + i, a);
    _mm256_storeu_ps(out + i + 8, b);
  }
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, F(_mm256_loadu_ps(x + i)));
  if (i == n) return;
  alignas(32) float buf[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  for (int64_t j = 0; j < n - i; ++j) buf[j] = x[i + j];
  _mm256_store_ps(buf, F(_mm256_load_ps(buf)));
  for (int64_t j = 0; j < n - i; ++j) out[i + j] = buf[j];
}

}  // namespace

VecKernelF32 vec_kernel_f32_avx2(VecFn fn) {
  switch (fn) {
    case VecFn::Exp: return apply<exp_v>;
    case VecFn::Log: return apply<log_v>;
    case VecFn::Tanh: return apply<tanh_v>;
    case VecFn::Sigmoid: return apply<sigmoid_v>;
    case VecFn::Silu: return apply<silu_v>;
    case VecFn::GeluTanh: return apply<gelu_tanh_v>;
    case VecFn::GeluErf: return apply<gelu_erf_v>;
  }
  return nullptr;
}

#undef PT_VINLINE

}  // namespace pt::cpu
#endif  // PT_VECMATH_HAVE_AVX2

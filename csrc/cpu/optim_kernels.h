// The element loops of the fused optimizer updates. optim.cpp (baseline ISA) and optim_avx2.cpp
// (AVX2 + FMA) each include this header and build their own table of kernels from it: the
// loops live in an anonymous namespace, so no AVX code leaks into another file's symbols.
//
// Each update follows PyTorch's single-tensor implementation operation by operation, in the
// parameter's dtype, with its rounding: scalars are rounded to the dtype, and a * b + c is
// fused exactly where PyTorch's vectorised kernels fuse it (add with alpha, addcmul, lerp).
#pragma once
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "cpu/optim.h"

namespace pt::cpu {

// The raw contiguous data of one update: param, grad and up to three state buffers (null
// when an option leaves them out).
struct OptimData {
  void* param;
  const void* grad;
  void* state[3];
};
template <class O>
using OptimKernel = void (*)(const OptimData&, int64_t begin, int64_t end, const O&);
// Each op's kernel for float ([0]) and double ([1]).
struct OptimKernels {
  OptimKernel<SgdOptions> sgd[2];
  OptimKernel<AdamOptions> adam[2];
  OptimKernel<RmspropOptions> rmsprop[2];
  OptimKernel<AdagradOptions> adagrad[2];
};

#if defined(__x86_64__)
const OptimKernels& optim_kernels_avx2();  // optim_avx2.cpp; only on CPUs with AVX2 and FMA
#endif

// GCC would otherwise fuse products into later sums that PyTorch rounds separately.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")
#elif defined(__clang__)
#pragma clang fp contract(off)
#endif

namespace {

// a * b + c, rounded once where the ISA has FMA (as PyTorch's vectorised kernels), twice
// otherwise (as its baseline ones).
template <class T>
inline T madd(T a, T b, T c) {
#ifdef __FMA__
  return std::fma(a, b, c);
#else
  return a * b + c;
#endif
}

// PyTorch's lerp with a scalar weight w: start + w * (end - start) for |w| < 0.5, else
// end - (1 - w) * (end - start), so either end is reached exactly.
template <class T>
struct Lerp {
  explicit Lerp(T w) : small(std::abs(w) < T(0.5)), coeff(small ? w : w - T(1)) {}
  T operator()(T start, T end) const { return madd(coeff, end - start, small ? start : end); }
  bool small;
  T coeff;
};

// torch.maximum: NaN wins.
template <class T>
inline T max_nan(T a, T b) {
  return (a > b || a != a) ? a : b;
}

// Calls f(std::bool_constant<flag>{}...) so that each combination of options is its own loop.
template <class F>
inline void with_flags(const F& f) {
  f();
}
template <class F, class... B>
inline void with_flags(const F& f, bool first, B... rest) {
  if (first)
    with_flags([&](auto... c) { f(std::true_type{}, c...); }, rest...);
  else
    with_flags([&](auto... c) { f(std::false_type{}, c...); }, rest...);
}

// SGD: g = ±grad (+ wd * p); b = g on the first step, else momentum * b + (1 - dampening) * g;
// g = g + momentum * b (Nesterov) or b; p = p - lr * g.
template <class T, bool Decay, bool Momentum, bool First, bool Nesterov>
void sgd_loop(const OptimData& d, int64_t begin, int64_t end, const SgdOptions& o) {
  T* __restrict p = static_cast<T*>(d.param);
  const T* __restrict grad = static_cast<const T*>(d.grad);
  T* __restrict buf = static_cast<T*>(d.state[0]);
  const T sign = o.maximize ? T(-1) : T(1), wd = T(o.weight_decay), mom = T(o.momentum),
          keep = T(1 - o.dampening), neg_lr = T(-o.lr);
  for (int64_t i = begin; i < end; ++i) {
    T g = sign * grad[i];
    if constexpr (Decay) g = madd(p[i], wd, g);
    if constexpr (Momentum) {
      const T b = First ? g : madd(g, keep, buf[i] * mom);
      buf[i] = b;
      g = Nesterov ? madd(b, mom, g) : b;
    }
    p[i] = madd(g, neg_lr, p[i]);
  }
}

// Adam / AdamW: g = ±grad; p *= 1 - lr * wd (decoupled) or g += wd * p; m = lerp(m, g, 1 - b1);
// v = b2 * v + (1 - b2) * g * g; v_max = max(v_max, v) (amsgrad);
// p -= lr / (1 - b1^t) * m / (sqrt(v or v_max) / sqrt(1 - b2^t) + eps).
template <class T, bool Decay, bool Decoupled, bool Amsgrad>
void adam_loop(const OptimData& d, int64_t begin, int64_t end, const AdamOptions& o) {
  T* __restrict p = static_cast<T*>(d.param);
  const T* __restrict grad = static_cast<const T*>(d.grad);
  T* __restrict m = static_cast<T*>(d.state[0]);
  T* __restrict v = static_cast<T*>(d.state[1]);
  T* __restrict v_max = static_cast<T*>(d.state[2]);
  const T sign = o.maximize ? T(-1) : T(1), wd = T(o.weight_decay),
          keep = T(1 - o.lr * o.weight_decay), beta2 = T(o.beta2), rest2 = T(1 - o.beta2),
          eps = T(o.eps);
  const Lerp<T> lerp(T(1 - o.beta1));
  const double bias1 = 1 - std::pow(o.beta1, o.step), bias2 = 1 - std::pow(o.beta2, o.step);
  const T neg_step_size = T(-(o.lr / bias1)), bias2_sqrt = T(std::pow(bias2, 0.5));
  for (int64_t i = begin; i < end; ++i) {
    T g = sign * grad[i];
    if constexpr (Decay && Decoupled) p[i] = p[i] * keep;
    if constexpr (Decay && !Decoupled) g = madd(p[i], wd, g);
    m[i] = lerp(m[i], g);
    T vi = madd(rest2 * g, g, v[i] * beta2);
    v[i] = vi;
    if constexpr (Amsgrad) vi = v_max[i] = max_nan(v_max[i], vi);
    p[i] = p[i] + (neg_step_size * m[i]) / (std::sqrt(vi) / bias2_sqrt + eps);
  }
}

// RMSprop: g = ±grad (+ wd * p); v = alpha * v + (1 - alpha) * g * g; centered:
// a = lerp(a, g, 1 - alpha), avg = sqrt(v - a * a) + eps, else avg = sqrt(v) + eps;
// b = momentum * b + g / avg, p -= lr * b (momentum > 0), else p -= lr * g / avg.
template <class T, bool Decay, bool Centered, bool Momentum>
void rmsprop_loop(const OptimData& d, int64_t begin, int64_t end, const RmspropOptions& o) {
  T* __restrict p = static_cast<T*>(d.param);
  const T* __restrict grad = static_cast<const T*>(d.grad);
  T* __restrict v = static_cast<T*>(d.state[0]);
  T* __restrict a = static_cast<T*>(d.state[1]);
  T* __restrict buf = static_cast<T*>(d.state[2]);
  const T sign = o.maximize ? T(-1) : T(1), wd = T(o.weight_decay), alpha = T(o.alpha),
          rest = T(1 - o.alpha), eps = T(o.eps), mom = T(o.momentum), neg_lr = T(-o.lr);
  const Lerp<T> lerp(T(1 - o.alpha));
  for (int64_t i = begin; i < end; ++i) {
    T g = sign * grad[i];
    if constexpr (Decay) g = madd(p[i], wd, g);
    const T vi = madd(rest * g, g, v[i] * alpha);
    v[i] = vi;
    T var = vi;
    if constexpr (Centered) {
      const T ai = lerp(a[i], g);
      a[i] = ai;
      var = madd(-ai, ai, vi);
    }
    const T avg = std::sqrt(var) + eps;
    if constexpr (Momentum) {
      const T bi = buf[i] * mom + g / avg;
      buf[i] = bi;
      p[i] = madd(bi, neg_lr, p[i]);
    } else {
      p[i] = p[i] + (neg_lr * g) / avg;
    }
  }
}

// Adagrad: g = ±grad (+ wd * p); s += g * g; p -= lr / (1 + (t - 1) * lr_decay) * g / (sqrt(s) + eps).
template <class T, bool Decay>
void adagrad_loop(const OptimData& d, int64_t begin, int64_t end, const AdagradOptions& o) {
  T* __restrict p = static_cast<T*>(d.param);
  const T* __restrict grad = static_cast<const T*>(d.grad);
  T* __restrict s = static_cast<T*>(d.state[0]);
  const T sign = o.maximize ? T(-1) : T(1), wd = T(o.weight_decay), eps = T(o.eps),
          neg_clr = T(-(o.lr / (1 + (o.step - 1) * o.lr_decay)));
  for (int64_t i = begin; i < end; ++i) {
    T g = sign * grad[i];
    if constexpr (Decay) g = madd(p[i], wd, g);
    const T si = madd(g, g, s[i]);
    s[i] = si;
    p[i] = p[i] + (neg_clr * g) / (std::sqrt(si) + eps);
  }
}

template <class T>
void sgd_kernel(const OptimData& d, int64_t begin, int64_t end, const SgdOptions& o) {
  with_flags([&](auto... f) { sgd_loop<T, decltype(f)::value...>(d, begin, end, o); },
             o.weight_decay != 0, d.state[0] != nullptr, o.first_step, o.nesterov);
}
template <class T>
void adam_kernel(const OptimData& d, int64_t begin, int64_t end, const AdamOptions& o) {
  with_flags([&](auto... f) { adam_loop<T, decltype(f)::value...>(d, begin, end, o); },
             o.weight_decay != 0, o.decoupled, o.amsgrad);
}
template <class T>
void rmsprop_kernel(const OptimData& d, int64_t begin, int64_t end, const RmspropOptions& o) {
  with_flags([&](auto... f) { rmsprop_loop<T, decltype(f)::value...>(d, begin, end, o); },
             o.weight_decay != 0, o.centered, o.momentum > 0);
}
template <class T>
void adagrad_kernel(const OptimData& d, int64_t begin, int64_t end, const AdagradOptions& o) {
  with_flags([&](auto... f) { adagrad_loop<T, decltype(f)::value...>(d, begin, end, o); },
             o.weight_decay != 0);
}

constexpr OptimKernels make_optim_kernels() {
  return {{sgd_kernel<float>, sgd_kernel<double>},
          {adam_kernel<float>, adam_kernel<double>},
          {rmsprop_kernel<float>, rmsprop_kernel<double>},
          {adagrad_kernel<float>, adagrad_kernel<double>}};
}

}  // namespace

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC pop_options
#endif

}  // namespace pt::cpu

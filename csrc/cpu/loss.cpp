// Fused cross-entropy / NLL: one task owns whole positions; per position one pass for the max,
// one for the sum of exp, one for the loss (forward), or one pass writing the gradient from
// the saved log-sum-exp (backward). Sums accumulate in double. The loops are themselves the
// plain reference: the tests hold them against a composite (log_softmax + gather) and numpy;
// float32 rows with contiguous classes take their exps from cpu/vecmath's vectorised kernel.
#include "cpu/loss.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "core/gil.h"
#include "core/parallel.h"
#include "cpu/vecmath.h"

namespace pt::cpu {
namespace {

constexpr int64_t kGrain = 32768;

template <class T>
struct Position {
  const T* x;       // first class of this position
  int64_t stride;   // between classes
  int64_t classes;
  T at(int64_t c) const { return x[c * stride]; }
};

// Calls fn(c, exp(x[c] - shift)) for every class c in order. Contiguous float32 classes go
// through the vectorised exp in chunks; otherwise libm in double.
template <class T, class F>
void for_each_exp(const Position<T>& p, double shift, const ExpRun<T>& exp_run, F fn) {
  if constexpr (std::is_same_v<T, float>) {
    if (exp_run.vectorised() && p.stride == 1) {
      constexpr int64_t kChunk = 256;
      float buf[kChunk];
      for (int64_t c0 = 0; c0 < p.classes; c0 += kChunk) {
        const int64_t n = std::min(kChunk, p.classes - c0);
        for (int64_t i = 0; i < n; ++i) buf[i] = static_cast<float>(p.x[c0 + i] - shift);
        exp_run(buf, buf, n);
        for (int64_t i = 0; i < n; ++i) fn(c0 + i, static_cast<double>(buf[i]));
      }
      return;
    }
  }
  for (int64_t c = 0; c < p.classes; ++c) fn(c, std::exp(static_cast<double>(p.at(c)) - shift));
}

template <class T>
double log_sum_exp(const Position<T>& p, const ExpRun<T>& exp_run) {
  T m = -std::numeric_limits<T>::infinity();
  for (int64_t c = 0; c < p.classes; ++c) m = p.at(c) > m ? p.at(c) : m;
  if (std::isinf(m)) return m;  // all -inf (or a +inf): no finite shift exists
  double s = 0;
  for_each_exp(p, static_cast<double>(m), exp_run, [&](int64_t, double e) { s += e; });
  return static_cast<double>(m) + std::log(s);
}

template <class T>
void forward(const Tensor& xt, const Tensor& target, const NllGeometry& g, const NllOptions& o,
             const Tensor& loss, const Tensor& denom, const Tensor& lse_out) {
  const T* x = xt->data<T>();
  const int64_t C = g.classes, inner = g.inner;
  const NllTargetWeights<T> tw{o.weight ? (*o.weight)->data<T>() : nullptr,
                            o.smoothing / static_cast<double>(C), 1.0 - o.smoothing};
  T* lp = loss->data<T>();
  T* dp = o.prob_target ? nullptr : denom->data<T>();
  T* sp = o.log_softmax ? lse_out->data<T>() : nullptr;
  const ExpRun<T> exp_run;
  parallel_for(0, g.positions(), std::max<int64_t>(1, kGrain / C), [&](int64_t b, int64_t e) {
    for (int64_t p = b; p < e; ++p) {
      const int64_t base = p / inner * C * inner + p % inner;
      const Position<T> pos{x + base, inner, C};
      const double lse = o.log_softmax ? log_sum_exp(pos, exp_run) : 0.0;
      if (sp) sp[p] = static_cast<T>(lse);
      double l = 0;
      if (o.prob_target) {
        const T* q = target->data<T>() + base;
        for (int64_t c = 0; c < C; ++c) l -= tw.prob(q, inner, c) * (pos.at(c) - lse);
      } else {
        const int64_t t = target->data<int64_t>()[p];
        if (t == o.ignore_index) {
          dp[p] = 0;
        } else {
          l = -tw.keep * tw.weight(t) * (pos.at(t) - lse);
          if (o.smoothing != 0)
            for (int64_t c = 0; c < C; ++c) l -= tw.eps_over_c * tw.weight(c) * (pos.at(c) - lse);
          dp[p] = static_cast<T>(tw.weight(t));
        }
      }
      lp[p] = static_cast<T>(l);
    }
  });
}

template <class T>
void backward(const Tensor& xt, const Tensor& target, const Tensor& lse_t, const Tensor& grad,
              double factor, const NllGeometry& g, const NllOptions& o, const Tensor& dxt,
              const Tensor* dtarget) {
  const T* x = xt->data<T>();
  T* dx = dxt->data<T>();
  T* dq = dtarget ? (*dtarget)->data<T>() : nullptr;
  const T* gp = grad->data<T>();
  const bool per_position = grad->numel() == g.positions();
  const int64_t C = g.classes, inner = g.inner;
  const NllTargetWeights<T> tw{o.weight ? (*o.weight)->data<T>() : nullptr,
                            o.smoothing / static_cast<double>(C), 1.0 - o.smoothing};
  const ExpRun<T> exp_run;
  parallel_for(0, g.positions(), std::max<int64_t>(1, kGrain / C), [&](int64_t b, int64_t e) {
    for (int64_t p = b; p < e; ++p) {
      const int64_t base = p / inner * C * inner + p % inner;
      const Position<T> pos{x + base, inner, C};
      T* d = dx + base;
      const double s = static_cast<double>(gp[per_position ? p : 0]) * factor;
      const double lse = o.log_softmax ? static_cast<double>(lse_t->data<T>()[p]) : 0.0;
      const T* q = o.prob_target ? target->data<T>() + base : nullptr;
      const int64_t t = o.prob_target ? 0 : target->data<int64_t>()[p];
      if (!o.prob_target && t == o.ignore_index) {
        for (int64_t c = 0; c < C; ++c) d[c * inner] = 0;
        continue;
      }
      auto weight_of = [&](int64_t c) { return q ? tw.prob(q, inner, c) : tw.index(t, c); };
      double bsum = 0;
      if (o.log_softmax)
        for (int64_t c = 0; c < C; ++c) bsum += weight_of(c);
      if (o.log_softmax) {
        for_each_exp(pos, lse, exp_run, [&](int64_t c, double sm) {
          d[c * inner] = static_cast<T>(s * (bsum * sm - weight_of(c)));
        });
      } else {
        for (int64_t c = 0; c < C; ++c) d[c * inner] = static_cast<T>(-s * weight_of(c));
      }
      if (dq)
        for (int64_t c = 0; c < C; ++c)
          dq[base + c * inner] = static_cast<T>(-s * tw.keep * tw.weight(c) * (pos.at(c) - lse));
    }
  });
}

}  // namespace

void nll_forward(const Tensor& x, const Tensor& target, const NllGeometry& g, const NllOptions& o,
                 const Tensor& loss, const Tensor& denom, const Tensor& lse) {
  if (g.positions() == 0) return;
  GilRelease nogil(x->numel() >= kGrain);
  PT_DISPATCH_FLOAT(x->dtype(), "nll_loss", [&] { forward<scalar_t>(x, target, g, o, loss, denom, lse); });
}

void nll_backward(const Tensor& x, const Tensor& target, const Tensor& lse, const Tensor& grad,
                  double factor, const NllGeometry& g, const NllOptions& o, const Tensor& dx,
                  const Tensor* dtarget) {
  if (g.positions() == 0) return;
  GilRelease nogil(x->numel() >= kGrain);
  PT_DISPATCH_FLOAT(x->dtype(), "nll_loss_backward", [&] {
    backward<scalar_t>(x, target, lse, grad, factor, g, o, dx, dtarget);
  });
}

}  // namespace pt::cpu

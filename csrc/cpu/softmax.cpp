// Softmax fused per line: one pass for the max, one for the exps (cpu/vecmath's vectorised
// float32 exp where the CPU has it) and their sum, one to scale or shift. The backward is two
// passes: the line's sum of g*y (or of g), then the gradient. Along the last dim a task owns whole rows; along an outer dim
// a task owns kCols columns and walks the rows, so every pass reads memory in order and
// vectorises across columns. Sums accumulate in double.
#include "cpu/softmax.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/gil.h"
#include "core/parallel.h"
#include "cpu/reduce_kernels.h"
#include "cpu/vecmath.h"

namespace pt::cpu {
namespace {

constexpr int64_t kGrain = 32768;
constexpr int64_t kCols = 64;

// The line passes of a contiguous row: the vectorised kernels (cpu/vecmath's exp, the
// reduction engine's sum and max) where the CPU has them, plain loops otherwise. Looked up once
// per op, not per line.
template <class T>
struct LineOps {
  ExpRun<T> exp;  // exp(out, in, n), out may be in
  const ReduceKernels<T>* rk = reduce_kernels<T>();
  double sum(const T* p, int64_t n) const {
    if (rk) return rk->sum(p, n);
    double s = 0;
    for (int64_t i = 0; i < n; ++i) s += p[i];
    return s;
  }
  T max(const T* p, int64_t n) const {  // NaN rows come out NaN either way
    if (rk && n > 0) return rk->max(p, n);
    T m = -std::numeric_limits<T>::infinity();
    for (int64_t i = 0; i < n; ++i) m = p[i] > m ? p[i] : m;
    return m;
  }
};

template <class T>
void last_dim(const T* x, T* y, int64_t rows, int64_t len, bool log) {
  const LineOps<T> ops;
  parallel_for(0, rows, std::max<int64_t>(1, kGrain / len), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const T* xr = x + r * len;
      T* yr = y + r * len;
      const T m = ops.max(xr, len);
      for (int64_t j = 0; j < len; ++j) yr[j] = xr[j] - m;
      ops.exp(yr, yr, len);  // y holds the exps until the last pass (log_softmax too)
      const double s = ops.sum(yr, len);
      if (log) {  // (x - max) - log(sum): folding max into the shift would round at large |max|
        const T ls = static_cast<T>(std::log(s));
        for (int64_t j = 0; j < len; ++j) yr[j] = (xr[j] - m) - ls;
      } else {
        const T inv = static_cast<T>(1.0 / s);
        for (int64_t j = 0; j < len; ++j) yr[j] *= inv;
      }
    }
  });
}

template <class T>
void outer_dim(const T* x, T* y, int64_t outer, int64_t len, int64_t inner, bool log) {
  const int64_t blocks = (inner + kCols - 1) / kCols;
  const LineOps<T> ops;
  parallel_for(0, outer * blocks, std::max<int64_t>(1, kGrain / (len * kCols)), [&](int64_t b, int64_t e) {
    T m[kCols], ex[kCols];
    double s[kCols];
    for (int64_t t = b; t < e; ++t) {
      const int64_t j0 = t % blocks * kCols, n = std::min(kCols, inner - j0);
      const int64_t base = t / blocks * len * inner + j0;
      for (int64_t j = 0; j < n; ++j) {
        m[j] = -std::numeric_limits<T>::infinity();
        s[j] = 0;
      }
      for (int64_t l = 0; l < len; ++l) {
        const T* xr = x + base + l * inner;
        for (int64_t j = 0; j < n; ++j) m[j] = xr[j] > m[j] ? xr[j] : m[j];
      }
      for (int64_t l = 0; l < len; ++l) {
        const T* xr = x + base + l * inner;
        T* yr = y + base + l * inner;
        for (int64_t j = 0; j < n; ++j) ex[j] = xr[j] - m[j];
        ops.exp(ex, ex, n);
        for (int64_t j = 0; j < n; ++j) {
          if (!log) yr[j] = ex[j];
          s[j] += ex[j];
        }
      }
      for (int64_t j = 0; j < n; ++j)  // s becomes log(sum) or the scale
        s[j] = log ? std::log(s[j]) : 1.0 / s[j];
      for (int64_t l = 0; l < len; ++l) {
        const T* xr = x + base + l * inner;
        T* yr = y + base + l * inner;
        for (int64_t j = 0; j < n; ++j)
          yr[j] = log ? (xr[j] - m[j]) - static_cast<T>(s[j]) : yr[j] * static_cast<T>(s[j]);
      }
    }
  });
}

// softmax: s = sum(g y), dx = y (g - s); log_softmax: s = sum(g), dx = g - exp(y) s.
template <class T>
void backward_last_dim(const T* y, const T* g, T* dx, int64_t rows, int64_t len, bool log) {
  const LineOps<T> ops;
  parallel_for(0, rows, std::max<int64_t>(1, kGrain / len), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const T* yr = y + r * len;
      const T* gr = g + r * len;
      T* dr = dx + r * len;
      double s = 0;
      if (log) s = ops.sum(gr, len);
      else for (int64_t j = 0; j < len; ++j) s += gr[j] * yr[j];
      const T st = static_cast<T>(s);
      if (log) {
        ops.exp(dr, yr, len);
        for (int64_t j = 0; j < len; ++j) dr[j] = gr[j] - dr[j] * st;
      } else for (int64_t j = 0; j < len; ++j) dr[j] = yr[j] * (gr[j] - st);
    }
  });
}

template <class T>
void backward_outer_dim(const T* y, const T* g, T* dx, int64_t outer, int64_t len, int64_t inner,
                        bool log) {
  const int64_t blocks = (inner + kCols - 1) / kCols;
  const LineOps<T> ops;
  parallel_for(0, outer * blocks, std::max<int64_t>(1, kGrain / (len * kCols)), [&](int64_t b, int64_t e) {
    double s[kCols];
    T ex[kCols];
    for (int64_t t = b; t < e; ++t) {
      const int64_t j0 = t % blocks * kCols, n = std::min(kCols, inner - j0);
      const int64_t base = t / blocks * len * inner + j0;
      for (int64_t j = 0; j < n; ++j) s[j] = 0;
      for (int64_t l = 0; l < len; ++l) {
        const T* yr = y + base + l * inner;
        const T* gr = g + base + l * inner;
        for (int64_t j = 0; j < n; ++j) s[j] += log ? gr[j] : gr[j] * yr[j];
      }
      for (int64_t l = 0; l < len; ++l) {
        const T* yr = y + base + l * inner;
        const T* gr = g + base + l * inner;
        T* dr = dx + base + l * inner;
        if (log) ops.exp(ex, yr, n);
        for (int64_t j = 0; j < n; ++j) {
          const T st = static_cast<T>(s[j]);
          dr[j] = log ? gr[j] - ex[j] * st : yr[j] * (gr[j] - st);
        }
      }
    }
  });
}

// Splits a contiguous shape into (outer, len, inner) around `dim`.
void line_geometry(const Tensor& t, int64_t dim, int64_t& outer, int64_t& len, int64_t& inner) {
  outer = len = inner = 1;
  for (int64_t d = 0; d < t->dim(); ++d)
    (d < dim ? outer : d == dim ? len : inner) *= t->sizes()[d];
}

}  // namespace

void softmax_backward(const Tensor& y, const Tensor& g, int64_t dim, bool log, const Tensor& out) {
  int64_t outer, len, inner;
  line_geometry(y, dim, outer, len, inner);
  if (y->numel() == 0) return;
  GilRelease nogil(y->numel() >= kGrain);
  PT_DISPATCH_FLOAT(y->dtype(), log ? "log_softmax_backward" : "softmax_backward", [&] {
    const scalar_t* yp = y->data<scalar_t>();
    const scalar_t* gp = g->data<scalar_t>();
    scalar_t* dp = out->data<scalar_t>();
    if (inner == 1) backward_last_dim(yp, gp, dp, outer, len, log);
    else backward_outer_dim(yp, gp, dp, outer, len, inner, log);
  });
}

void softmax(const Tensor& in, int64_t dim, bool log, const Tensor& out) {
  int64_t outer, len, inner;
  line_geometry(in, dim, outer, len, inner);
  if (in->numel() == 0) return;
  GilRelease nogil(in->numel() >= kGrain);
  PT_DISPATCH_FLOAT(in->dtype(), log ? "log_softmax" : "softmax", [&] {
    const scalar_t* x = in->data<scalar_t>();
    scalar_t* y = out->data<scalar_t>();
    if (inner == 1) last_dim(x, y, outer, len, log);
    else outer_dim(x, y, outer, len, inner, log);
  });
}

}  // namespace pt::cpu

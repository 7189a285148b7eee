// Fused normalisation: a task owns whole channels, reads each channel's values in memory order
// (inner runs are contiguous) and accumulates in double. Forward: a pass for the mean, one for
// the variance about it (no cancellation), one writing y. Backward: a pass for the channel's
// sums of g*w and g*w*xhat, one writing dx; per-inner weight gradients (layer norm) are a
// separate pass that owns columns instead, so no two tasks add into the same element.
#include "cpu/norm.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/dtype.h"
#include "core/gil.h"
#include "core/parallel.h"

namespace pt::cpu {
namespace {

constexpr int64_t kGrain = 32768;

// The data of an optional tensor argument, or null.
template <class T>
T* or_null(const Tensor* t) {
  return t ? (*t)->data<T>() : nullptr;
}

// Calls fn(run, n) for each contiguous run of channel c: n = inner values starting at run.
template <class T, class F>
void for_channel_runs(const NormGeometry& g, T* base, int64_t c, F fn) {
  for (int64_t o = 0; o < g.outer; ++o) fn(base + (o * g.channels + c) * g.inner, o);
}

template <class T>
void forward_kernel(const NormGeometry& geo, const T* x, T* y, const T* w, const T* b,
                    const T* mean_in, const T* var_in, double eps, T* mean, T* rstd, T* var) {
  const int64_t count = geo.outer * geo.inner, inner = geo.inner;
  parallel_for(0, geo.channels, std::max<int64_t>(1, kGrain / std::max<int64_t>(1, count)), [&](int64_t cb, int64_t ce) {
    for (int64_t c = cb; c < ce; ++c) {
      double m, v;
      if (mean_in) {
        m = mean_in[c];
        v = var_in[c];
      } else {
        double s = 0;
        for_channel_runs(geo, x, c, [&](const T* r, int64_t) {
          for (int64_t i = 0; i < inner; ++i) s += r[i];
        });
        m = count ? s / count : 0.0;
        double ss = 0;
        for_channel_runs(geo, x, c, [&](const T* r, int64_t) {
          for (int64_t i = 0; i < inner; ++i) ss += (r[i] - m) * (r[i] - m);
        });
        v = count ? ss / count : 0.0;
      }
      const T tm = static_cast<T>(m), tr = static_cast<T>(1.0 / std::sqrt(v + eps));
      mean[c] = tm;
      rstd[c] = tr;
      if (var) var[c] = static_cast<T>(v);
      for_channel_runs(geo, x, c, [&](const T* r, int64_t o) {
        T* yr = y + (r - x);
        if (!geo.affine_by_channel && (w || b)) {
          for (int64_t i = 0; i < inner; ++i)
            yr[i] = (r[i] - tm) * tr * (w ? w[i] : T(1)) + (b ? b[i] : T(0));
        } else {
          const T sc = tr * (w ? w[c] : T(1)), sh = b ? b[c] : T(0);
          for (int64_t i = 0; i < inner; ++i) yr[i] = (r[i] - tm) * sc + sh;
        }
      });
    }
  });
}

template <class T>
void backward_kernel(const NormGeometry& geo, const T* x, const T* g, const T* w, const T* mean,
                     const T* rstd, bool batch_stats, T* dx, T* dw, T* db) {
  const int64_t count = geo.outer * geo.inner, inner = geo.inner;
  const bool by_channel = geo.affine_by_channel;
  auto wt = [&](int64_t c, int64_t i) { return w ? (by_channel ? w[c] : w[i]) : T(1); };
  const bool channel_sums = dx || (by_channel && (dw || db));
  if (channel_sums) {
    parallel_for(0, geo.channels, std::max<int64_t>(1, kGrain / std::max<int64_t>(1, count)), [&](int64_t cb, int64_t ce) {
      for (int64_t c = cb; c < ce; ++c) {
        const double m = mean[c], r = rstd[c];
        double sg = 0, sgx = 0, sgw = 0, sgwx = 0;  // sums of g, g*xhat, g*w, g*w*xhat
        for_channel_runs(geo, x, c, [&](const T* xr, int64_t) {
          const T* gr = g + (xr - x);
          for (int64_t i = 0; i < inner; ++i) {
            const double xh = (xr[i] - m) * r, gi = gr[i], gw = gi * wt(c, i);
            sg += gi;
            sgx += gi * xh;
            sgw += gw;
            sgwx += gw * xh;
          }
        });
        if (by_channel && dw) dw[c] = static_cast<T>(sgx);
        if (by_channel && db) db[c] = static_cast<T>(sg);
        if (!dx) continue;
        const double a = batch_stats && count ? sgw / count : 0.0;
        const double bxh = batch_stats && count ? sgwx / count : 0.0;
        for_channel_runs(geo, x, c, [&](const T* xr, int64_t) {
          const T* gr = g + (xr - x);
          T* dr = dx + (xr - x);
          for (int64_t i = 0; i < inner; ++i) {
            const double xh = (xr[i] - m) * r;
            dr[i] = static_cast<T>(r * (gr[i] * wt(c, i) - a - xh * bxh));
          }
        });
      }
    });
  }
  if (by_channel || !(dw || db)) return;
  // Per-inner weight and bias gradients: a task owns a block of columns and walks every row.
  constexpr int64_t kCols = 64;
  const int64_t rows = geo.outer * geo.channels, blocks = (inner + kCols - 1) / kCols;
  parallel_for(0, blocks, std::max<int64_t>(1, kGrain / std::max<int64_t>(1, rows * kCols)), [&](int64_t bb, int64_t be) {
    double sw[kCols], sb[kCols];
    for (int64_t blk = bb; blk < be; ++blk) {
      const int64_t i0 = blk * kCols, n = std::min(kCols, inner - i0);
      std::fill(sw, sw + n, 0.0);
      std::fill(sb, sb + n, 0.0);
      for (int64_t row = 0; row < rows; ++row) {
        const int64_t c = row % geo.channels;
        const double m = mean[c], r = rstd[c];
        const T* xr = x + row * inner + i0;
        const T* gr = g + row * inner + i0;
        for (int64_t j = 0; j < n; ++j) {
          sw[j] += gr[j] * ((xr[j] - m) * r);
          sb[j] += gr[j];
        }
      }
      for (int64_t j = 0; j < n; ++j) {
        if (dw) dw[i0 + j] = static_cast<T>(sw[j]);
        if (db) db[i0 + j] = static_cast<T>(sb[j]);
      }
    }
  });
}

}  // namespace

void norm_forward(const NormGeometry& geo, const Tensor& x, const Tensor& y, const Tensor* w,
                  const Tensor* b, const Tensor* mean_in, const Tensor* var_in, double eps,
                  const Tensor& mean, const Tensor& rstd, const Tensor* var) {
  GilRelease nogil(x->numel() >= kGrain);
  PT_DISPATCH_FLOAT(x->dtype(), "norm_forward", [&] {
    forward_kernel<scalar_t>(geo, x->data<scalar_t>(), y->data<scalar_t>(), or_null<scalar_t>(w),
                             or_null<scalar_t>(b), or_null<scalar_t>(mean_in),
                             or_null<scalar_t>(var_in), eps,
                             mean->data<scalar_t>(), rstd->data<scalar_t>(), or_null<scalar_t>(var));
  });
}

void norm_backward(const NormGeometry& geo, const Tensor& x, const Tensor& g, const Tensor* w,
                   const Tensor& mean, const Tensor& rstd, bool batch_stats, const Tensor* dx,
                   const Tensor* dw, const Tensor* db) {
  GilRelease nogil(x->numel() >= kGrain);
  PT_DISPATCH_FLOAT(x->dtype(), "norm_backward", [&] {
    backward_kernel<scalar_t>(geo, x->data<scalar_t>(), g->data<scalar_t>(), or_null<scalar_t>(w),
                              mean->data<scalar_t>(), rstd->data<scalar_t>(), batch_stats,
                              or_null<scalar_t>(dx), or_null<scalar_t>(dw),
                              or_null<scalar_t>(db));
  });
}

}  // namespace pt::cpu

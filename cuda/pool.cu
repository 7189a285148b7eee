// CUDA pooling with the contracts of cpu/pool.h: one thread per output cell for the forwards
// (the window scanned in the CPU's order, so the values and indices match it bit for bit),
// and one thread per input cell for the backwards, which gather from every output whose
// window covers the cell, in output scan order: the CPU's sums in the CPU's order, with no
// atomics even where windows overlap.
//
// Versions:
//   v1  plain grid-stride kernels; the window arithmetic mirrors cpu/pool_window.h (host-only
//       helpers, so restated here for the device).
#include <limits>

#include "core/error.h"
#include "cpu/pool.h"
#include "cuda/check.cuh"
#include "cuda/kernels.h"
#include "cuda/loop.cuh"

namespace pt::cuda {
namespace {

using cpu::PoolGeom;

// Rows [h0, h1) and columns [w0, w1) of a window clipped to the input, stepping dh / dw.
struct Window {
  int64_t h0, h1, w0, w1, dh, dw;
};

// The taps of a dilated window starting at `start` that fall inside [0, n): first, step d,
// end (exclusive, first when none), as cpu::pool_detail::clip_taps.
__device__ inline void clip(int64_t start, int64_t k, int64_t d, int64_t n, int64_t& first, int64_t& end) {
  const int64_t skip = start < 0 ? (-start + d - 1) / d : 0;
  const int64_t stop = start + (k - 1) * d < n ? k : (n - start + d - 1) / d;  // taps before n
  first = start + skip * d;
  end = stop > skip ? start + stop * d : first;
}

__device__ inline int64_t adaptive_start(int64_t o, int64_t in, int64_t out) { return o * in / out; }
__device__ inline int64_t adaptive_end(int64_t o, int64_t in, int64_t out) { return ((o + 1) * in + out - 1) / out; }

// The window of a max pooling (dilated, clipped) or of an adaptive pooling.
__device__ inline Window max_window(const PoolGeom& g, bool adaptive, int64_t oh, int64_t ow) {
  Window w{0, 0, 0, 0, 1, 1};
  if (adaptive) {
    w.h0 = adaptive_start(oh, g.H, g.OH), w.h1 = adaptive_end(oh, g.H, g.OH);
    w.w0 = adaptive_start(ow, g.W, g.OW), w.w1 = adaptive_end(ow, g.W, g.OW);
  } else {
    clip(oh * g.sh - g.ph, g.kh, g.dh, g.H, w.h0, w.h1);
    clip(ow * g.sw - g.pw, g.kw, g.dw, g.W, w.w0, w.w1);
    w.dh = g.dh, w.dw = g.dw;
  }
  return w;
}

// Avg pooling's window clipped to the input and its divisor (cpu::pool_detail::avg_window and
// avg_divisor: the padded size counts the padded window clipped to the padded input).
__device__ inline Window avg_window(const PoolGeom& g, bool adaptive, int64_t oh, int64_t ow,
                                    bool count_include_pad, int64_t divisor, int64_t& div) {
  if (adaptive) {
    const Window w = max_window(g, true, oh, ow);
    div = (w.h1 - w.h0) * (w.w1 - w.w0);
    return w;
  }
  const int64_t h0 = oh * g.sh - g.ph, w0 = ow * g.sw - g.pw;
  const int64_t h1 = min(h0 + g.kh, g.H + g.ph), w1 = min(w0 + g.kw, g.W + g.pw);
  const Window w{max(h0, int64_t(0)), min(h1, g.H), max(w0, int64_t(0)), min(w1, g.W), 1, 1};
  div = divisor ? divisor : count_include_pad ? (h1 - h0) * (w1 - w0) : (w.h1 - w.h0) * (w.w1 - w.w0);
  return w;
}

// Outputs [lo, hi] along one dim whose window can cover input position i: windows of extent
// `ext` starting at o * s - pad, or adaptive ones. Callers still test membership.
__device__ inline void covering(int64_t i, int64_t in, int64_t out, bool adaptive, int64_t s, int64_t pad,
                                int64_t ext, int64_t& lo, int64_t& hi) {
  if (adaptive) {
    lo = i * out / in;
    hi = ((i + 1) * out - 1) / in;
  } else {
    const int64_t num = i + pad - ext + 1;
    lo = num <= 0 ? 0 : (num + s - 1) / s;
    hi = (i + pad) / s;
  }
  hi = min(hi, out - 1);
}

// Whether an undilated window holds (h, x).
__device__ inline bool inside(const Window& w, int64_t h, int64_t x) {
  return h >= w.h0 && h < w.h1 && x >= w.w0 && x < w.w1;
}

#define PT_GRID_STRIDE(i, n)                                                                  \
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n);    \
       i += static_cast<int64_t>(gridDim.x) * blockDim.x)

// Ties keep the first maximum in scan order; NaN wins (the last NaN), as on the CPU. A window
// that misses the input gives `none` at index -1.
template <class T>
__global__ void max_pool_kernel(PoolGeom g, bool adaptive, const T* x, T* y, int64_t* idx, T none) {
  const int64_t total = g.planes * g.OH * g.OW;
  PT_GRID_STRIDE(o, total) {
    const int64_t p = o / (g.OH * g.OW), q = o - p * g.OH * g.OW, oh = q / g.OW, ow = q - oh * g.OW;
    const Window w = max_window(g, adaptive, oh, ow);
    const T* xp = x + p * g.H * g.W;
    T best = none;
    int64_t at = -1;
    if (w.h0 < w.h1 && w.w0 < w.w1) {
      at = w.h0 * g.W + w.w0;
      best = xp[at];
      for (int64_t h = w.h0; h < w.h1; h += w.dh)
        for (int64_t c = w.w0; c < w.w1; c += w.dw) {
          const T v = xp[h * g.W + c];
          if (v > best || v != v) best = v, at = h * g.W + c;
        }
    }
    y[o] = best;
    if (idx) idx[o] = at;
  }
}

// The window's sum in T in scan order, divided once (an empty window gives 0).
template <class T>
__global__ void avg_pool_kernel(PoolGeom g, bool adaptive, const T* x, T* y, bool count_include_pad,
                                int64_t divisor) {
  const int64_t total = g.planes * g.OH * g.OW;
  PT_GRID_STRIDE(o, total) {
    const int64_t p = o / (g.OH * g.OW), q = o - p * g.OH * g.OW, oh = q / g.OW, ow = q - oh * g.OW;
    int64_t div = 1;
    const Window w = avg_window(g, adaptive, oh, ow, count_include_pad, divisor, div);
    const T* xp = x + p * g.H * g.W;
    T s = 0;
    for (int64_t h = w.h0; h < w.h1; ++h)
      for (int64_t c = w.w0; c < w.w1; ++c) s += xp[h * g.W + c];
    y[o] = w.h0 < w.h1 && w.w0 < w.w1 ? s / T(div) : T(0);
  }
}

// dx[i] = sum of dy[o] / divisor(o) over the outputs whose window holds i.
template <class T>
__global__ void avg_pool_backward_kernel(PoolGeom g, bool adaptive, const T* dy, T* dx, bool count_include_pad,
                                         int64_t divisor) {
  const int64_t total = g.planes * g.H * g.W;
  PT_GRID_STRIDE(i, total) {
    const int64_t p = i / (g.H * g.W), q = i - p * g.H * g.W, h = q / g.W, c = q - h * g.W;
    int64_t oh0, oh1, ow0, ow1;
    covering(h, g.H, g.OH, adaptive, g.sh, g.ph, g.kh, oh0, oh1);
    covering(c, g.W, g.OW, adaptive, g.sw, g.pw, g.kw, ow0, ow1);
    const T* dyp = dy + p * g.OH * g.OW;
    T s = 0;
    for (int64_t oh = oh0; oh <= oh1; ++oh)
      for (int64_t ow = ow0; ow <= ow1; ++ow) {
        int64_t div = 1;
        if (inside(avg_window(g, adaptive, oh, ow, count_include_pad, divisor, div), h, c))
          s += dyp[oh * g.OW + ow] / T(div);
      }
    dx[i] = s;
  }
}

// Max pooling's backward: dx[i] = sum of dy[o] over the outputs whose index points at i.
template <class T>
__global__ void max_pool_backward_kernel(PoolGeom g, bool adaptive, const T* dy, const int64_t* idx, T* dx) {
  const int64_t total = g.planes * g.H * g.W;
  PT_GRID_STRIDE(i, total) {
    const int64_t p = i / (g.H * g.W), q = i - p * g.H * g.W, h = q / g.W, c = q - h * g.W;
    int64_t oh0, oh1, ow0, ow1;
    covering(h, g.H, g.OH, adaptive, g.sh, g.ph, (g.kh - 1) * g.dh + 1, oh0, oh1);
    covering(c, g.W, g.OW, adaptive, g.sw, g.pw, (g.kw - 1) * g.dw + 1, ow0, ow1);
    const int64_t o0 = p * g.OH * g.OW;
    T s = 0;
    for (int64_t oh = oh0; oh <= oh1; ++oh)
      for (int64_t ow = ow0; ow <= ow1; ++ow) {
        const int64_t o = o0 + oh * g.OW + ow;
        if (idx[o] == q) s += dy[o];
      }
    dx[i] = s;
  }
}

// y[o] = x[idx[o]] in o's plane (0 where the index is -1).
template <class T>
__global__ void index_gather_kernel(PoolGeom g, const T* x, const int64_t* idx, T* y) {
  const int64_t total = g.planes * g.OH * g.OW, plane = g.H * g.W;
  PT_GRID_STRIDE(o, total) {
    const int64_t k = idx[o];
    y[o] = k >= 0 && k < plane ? x[o / (g.OH * g.OW) * plane + k] : T(0);
  }
}

#undef PT_GRID_STRIDE

template <class T>
T lowest() {
  if constexpr (std::numeric_limits<T>::has_infinity) return -std::numeric_limits<T>::infinity();
  return std::numeric_limits<T>::lowest();
}

int64_t outputs(const PoolGeom& g) { return g.planes * g.OH * g.OW; }
int64_t inputs(const PoolGeom& g) { return g.planes * g.H * g.W; }

template <class T>
void max_pool(const PoolGeom& g, bool adaptive, const T* x, T* y, int64_t* idx) {
  const int64_t n = outputs(g);
  if (n == 0) return;
  max_pool_kernel<<<grid_for(n), kThreads>>>(g, adaptive, x, y, idx, lowest<T>());
  check_launch("max_pool_kernel");
}

template <class T>
void avg_pool(const PoolGeom& g, bool adaptive, const T* x, T* y, bool count_include_pad, int64_t divisor) {
  const int64_t n = outputs(g);
  if (n == 0) return;
  avg_pool_kernel<<<grid_for(n), kThreads>>>(g, adaptive, x, y, count_include_pad, divisor);
  check_launch("avg_pool_kernel");
}

template <class T>
void avg_pool_backward(const PoolGeom& g, bool adaptive, const T* dy, T* dx, bool count_include_pad,
                       int64_t divisor) {
  const int64_t n = inputs(g);
  if (n == 0) return;
  avg_pool_backward_kernel<<<grid_for(n), kThreads>>>(g, adaptive, dy, dx, count_include_pad, divisor);
  check_launch("avg_pool_backward_kernel");
}

}  // namespace

template <class T>
void max_pool2d(const PoolGeom& g, const T* x, T* y, int64_t* idx) {
  max_pool(g, false, x, y, idx);
}
template <class T>
void adaptive_max_pool2d(const PoolGeom& g, const T* x, T* y, int64_t* idx) {
  max_pool(g, true, x, y, idx);
}
template <class T>
void avg_pool2d(const PoolGeom& g, const T* x, T* y, bool count_include_pad, int64_t divisor) {
  avg_pool(g, false, x, y, count_include_pad, divisor);
}
template <class T>
void avg_pool2d_backward(const PoolGeom& g, const T* dy, T* dx, bool count_include_pad, int64_t divisor) {
  avg_pool_backward(g, false, dy, dx, count_include_pad, divisor);
}
template <class T>
void adaptive_avg_pool2d(const PoolGeom& g, const T* x, T* y) {
  avg_pool(g, true, x, y, false, 0);
}
template <class T>
void adaptive_avg_pool2d_backward(const PoolGeom& g, const T* dy, T* dx) {
  avg_pool_backward(g, true, dy, dx, false, 0);
}

template <class T>
void index_scatter_add(const PoolGeom& g, bool adaptive, const T* dy, const int64_t* idx, T* dx) {
  const int64_t n = inputs(g);
  if (n == 0) return;
  max_pool_backward_kernel<<<grid_for(n), kThreads>>>(g, adaptive, dy, idx, dx);
  check_launch("max_pool_backward_kernel");
}

template <class T>
void index_gather(const PoolGeom& g, const T* x, const int64_t* idx, T* y) {
  const int64_t n = outputs(g);
  if (n == 0) return;
  index_gather_kernel<<<grid_for(n), kThreads>>>(g, x, idx, y);
  check_launch("index_gather_kernel");
}

#define PT_CUDA_POOL_MAX(T)                                                            \
  template void max_pool2d<T>(const PoolGeom&, const T*, T*, int64_t*);              \
  template void adaptive_max_pool2d<T>(const PoolGeom&, const T*, T*, int64_t*);
#define PT_CUDA_POOL_FLOAT(T)                                                                       \
  template void avg_pool2d<T>(const PoolGeom&, const T*, T*, bool, int64_t);                      \
  template void avg_pool2d_backward<T>(const PoolGeom&, const T*, T*, bool, int64_t);             \
  template void adaptive_avg_pool2d<T>(const PoolGeom&, const T*, T*);                            \
  template void adaptive_avg_pool2d_backward<T>(const PoolGeom&, const T*, T*);                   \
  template void index_scatter_add<T>(const PoolGeom&, bool, const T*, const int64_t*, T*);        \
  template void index_gather<T>(const PoolGeom&, const T*, const int64_t*, T*);
PT_CUDA_POOL_MAX(uint8_t)
PT_CUDA_POOL_MAX(int32_t)
PT_CUDA_POOL_MAX(int64_t)
PT_CUDA_POOL_MAX(float)
PT_CUDA_POOL_MAX(double)
PT_CUDA_POOL_FLOAT(float)
PT_CUDA_POOL_FLOAT(double)
#undef PT_CUDA_POOL_MAX
#undef PT_CUDA_POOL_FLOAT

}  // namespace pt::cuda

// One pooling window at a time: the clipping and the per-window max and average that the
// reference kernels (pool_ref.cpp) loop over and the fast kernels (pool.cpp) use at borders.
#pragma once
#include <algorithm>
#include <cstdint>
#include <limits>

#include "core/parallel.h"
#include "cpu/pool.h"

namespace pt::cpu::pool_detail {

// Runs fn(p0, p1) over chunks of planes; tiny problems stay on the calling thread.
template <class F>
void for_planes(const PoolGeom& g, int64_t work_per_plane, const F& fn) {
  const int64_t grain = std::max<int64_t>(1, (int64_t(1) << 15) / std::max<int64_t>(1, work_per_plane));
  parallel_for(0, g.planes, grain, fn);
}

// A window of valid input positions: rows h0 + i * dh for i < nh, columns w0 + j * dw for j < nw.
struct Taps {
  int64_t h0, dh, nh, w0, dw, nw;
};

// Taps of a dilated window starting at `start` (possibly in the padding), clipped to [0, n).
inline void clip_taps(int64_t start, int64_t k, int64_t d, int64_t n, int64_t& first, int64_t& count) {
  const int64_t skip = start < 0 ? (-start + d - 1) / d : 0;
  const int64_t end = start + (k - 1) * d < n ? k : std::max<int64_t>(0, (n - start + d - 1) / d);
  first = start + skip * d;
  count = std::max<int64_t>(0, end - skip);
}

// Max pooling's order rule, PyTorch's: a later tap replaces the best when it is larger or NaN,
// so ties keep the first maximum in scan order and a window with NaN gives its last NaN.
template <class T>
inline bool takes(T v, T best) {
  return v > best || v != v;
}

// The window's maximum and its flat position. A dilated window can miss the input entirely
// (padding up to half the dilated kernel): it gives -inf (the lowest integer) at position -1,
// which the backward skips.
template <class T>
void window_max(const T* x, int64_t W, const Taps& t, T* y, int64_t* idx) {
  if (t.nh <= 0 || t.nw <= 0) {
    using L = std::numeric_limits<T>;
    *y = L::has_infinity ? -L::infinity() : L::lowest();
    if (idx) *idx = -1;
    return;
  }
  int64_t at = t.h0 * W + t.w0;
  T best = x[at];
  for (int64_t i = 0; i < t.nh; ++i)
    for (int64_t j = 0; j < t.nw; ++j) {
      const int64_t pos = (t.h0 + i * t.dh) * W + t.w0 + j * t.dw;
      if (takes(x[pos], best)) {
        best = x[pos];
        at = pos;
      }
    }
  *y = best;
  if (idx) *idx = at;
}

// Window (oh, ow) of avg pooling clipped to the input, and its size counting the padding
// (as PyTorch counts it: the padded window, itself clipped to the padded input).
struct AvgWindow {
  int64_t h0, h1, w0, w1, padded_size;
};
inline AvgWindow avg_window(const PoolGeom& g, int64_t oh, int64_t ow) {
  int64_t h0 = oh * g.sh - g.ph, w0 = ow * g.sw - g.pw;
  int64_t h1 = std::min(h0 + g.kh, g.H + g.ph), w1 = std::min(w0 + g.kw, g.W + g.pw);
  const int64_t padded = (h1 - h0) * (w1 - w0);
  return {std::max<int64_t>(h0, 0), std::min(h1, g.H), std::max<int64_t>(w0, 0), std::min(w1, g.W), padded};
}

inline int64_t avg_divisor(const AvgWindow& a, bool count_include_pad, int64_t divisor) {
  if (divisor) return divisor;
  return count_include_pad ? a.padded_size : (a.h1 - a.h0) * (a.w1 - a.w0);
}

// A window wholly in the padding (possible with ceil_mode) averages nothing: 0.
inline bool empty_window(const AvgWindow& a) { return a.h0 >= a.h1 || a.w0 >= a.w1; }

// The window's average, summed in T in scan order and divided once, as PyTorch does.
template <class T>
T window_avg(const T* x, int64_t W, const AvgWindow& a, int64_t div) {
  if (empty_window(a)) return T(0);
  T s = 0;
  for (int64_t h = a.h0; h < a.h1; ++h)
    for (int64_t w = a.w0; w < a.w1; ++w) s += x[h * W + w];
  return s / T(div);
}

// Spreads dy / div over the window of dx.
template <class T>
void window_avg_backward(T dy, T* dx, int64_t W, const AvgWindow& a, int64_t div) {
  if (empty_window(a)) return;
  const T share = dy / T(div);
  for (int64_t h = a.h0; h < a.h1; ++h)
    for (int64_t w = a.w0; w < a.w1; ++w) dx[h * W + w] += share;
}

// Adaptive pooling as an AvgWindow (padded_size is the window's size: there is no padding).
inline AvgWindow adaptive_window(const PoolGeom& g, int64_t oh, int64_t ow) {
  const int64_t h0 = adaptive_start(oh, g.H, g.OH), h1 = adaptive_end(oh, g.H, g.OH);
  const int64_t w0 = adaptive_start(ow, g.W, g.OW), w1 = adaptive_end(ow, g.W, g.OW);
  return {h0, h1, w0, w1, (h1 - h0) * (w1 - w0)};
}

}  // namespace pt::cpu::pool_detail

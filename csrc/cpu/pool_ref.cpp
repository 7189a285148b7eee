// Reference pooling kernels: every output cell is its own window (pool_window.h), in plain
// loops. The tests hold the fast kernels of pool.cpp to these, bit for bit.
#include <algorithm>

#include "cpu/pool.h"
#include "cpu/pool_window.h"

namespace pt::cpu {

using namespace pool_detail;

template <class T>
void max_pool2d_ref(const PoolGeom& g, const T* x, T* y, int64_t* idx) {
  for (int64_t p = 0; p < g.planes; ++p)
    for (int64_t oh = 0; oh < g.OH; ++oh)
      for (int64_t ow = 0; ow < g.OW; ++ow) {
        Taps t{0, g.dh, 0, 0, g.dw, 0};
        clip_taps(oh * g.sh - g.ph, g.kh, g.dh, g.H, t.h0, t.nh);
        clip_taps(ow * g.sw - g.pw, g.kw, g.dw, g.W, t.w0, t.nw);
        const int64_t o = (p * g.OH + oh) * g.OW + ow;
        window_max(x + p * g.H * g.W, g.W, t, y + o, idx ? idx + o : nullptr);
      }
}

template <class T>
void adaptive_max_pool2d_ref(const PoolGeom& g, const T* x, T* y, int64_t* idx) {
  for (int64_t p = 0; p < g.planes; ++p)
    for (int64_t oh = 0; oh < g.OH; ++oh)
      for (int64_t ow = 0; ow < g.OW; ++ow) {
        const AvgWindow a = adaptive_window(g, oh, ow);
        const int64_t o = (p * g.OH + oh) * g.OW + ow;
        window_max(x + p * g.H * g.W, g.W, Taps{a.h0, 1, a.h1 - a.h0, a.w0, 1, a.w1 - a.w0}, y + o,
                   idx ? idx + o : nullptr);
      }
}

template <class T>
void avg_pool2d_ref(const PoolGeom& g, const T* x, T* y, bool count_include_pad, int64_t divisor) {
  for (int64_t p = 0; p < g.planes; ++p)
    for (int64_t oh = 0; oh < g.OH; ++oh)
      for (int64_t ow = 0; ow < g.OW; ++ow) {
        const AvgWindow a = avg_window(g, oh, ow);
        y[(p * g.OH + oh) * g.OW + ow] =
            window_avg(x + p * g.H * g.W, g.W, a, avg_divisor(a, count_include_pad, divisor));
      }
}

template <class T>
void avg_pool2d_backward_ref(const PoolGeom& g, const T* dy, T* dx, bool count_include_pad, int64_t divisor) {
  std::fill(dx, dx + g.planes * g.H * g.W, T(0));
  for (int64_t p = 0; p < g.planes; ++p)
    for (int64_t oh = 0; oh < g.OH; ++oh)
      for (int64_t ow = 0; ow < g.OW; ++ow) {
        const AvgWindow a = avg_window(g, oh, ow);
        window_avg_backward(dy[(p * g.OH + oh) * g.OW + ow], dx + p * g.H * g.W, g.W, a,
                            avg_divisor(a, count_include_pad, divisor));
      }
}

template <class T>
void adaptive_avg_pool2d_ref(const PoolGeom& g, const T* x, T* y) {
  for (int64_t p = 0; p < g.planes; ++p)
    for (int64_t oh = 0; oh < g.OH; ++oh)
      for (int64_t ow = 0; ow < g.OW; ++ow) {
        const AvgWindow a = adaptive_window(g, oh, ow);
        y[(p * g.OH + oh) * g.OW + ow] = window_avg(x + p * g.H * g.W, g.W, a, a.padded_size);
      }
}

template <class T>
void adaptive_avg_pool2d_backward_ref(const PoolGeom& g, const T* dy, T* dx) {
  std::fill(dx, dx + g.planes * g.H * g.W, T(0));
  for (int64_t p = 0; p < g.planes; ++p)
    for (int64_t oh = 0; oh < g.OH; ++oh)
      for (int64_t ow = 0; ow < g.OW; ++ow) {
        const AvgWindow a = adaptive_window(g, oh, ow);
        window_avg_backward(dy[(p * g.OH + oh) * g.OW + ow], dx + p * g.H * g.W, g.W, a, a.padded_size);
      }
}

#define PT_POOL_MAX(T)                                                                \
  template void max_pool2d_ref<T>(const PoolGeom&, const T*, T*, int64_t*);         \
  template void adaptive_max_pool2d_ref<T>(const PoolGeom&, const T*, T*, int64_t*);
#define PT_POOL_FLOAT(T)                                                                       \
  template void avg_pool2d_ref<T>(const PoolGeom&, const T*, T*, bool, int64_t);             \
  template void avg_pool2d_backward_ref<T>(const PoolGeom&, const T*, T*, bool, int64_t);    \
  template void adaptive_avg_pool2d_ref<T>(const PoolGeom&, const T*, T*);                   \
  template void adaptive_avg_pool2d_backward_ref<T>(const PoolGeom&, const T*, T*);
PT_POOL_MAX(uint8_t)
PT_POOL_MAX(int32_t)
PT_POOL_MAX(int64_t)
PT_POOL_MAX(float)
PT_POOL_MAX(double)
PT_POOL_FLOAT(float)
PT_POOL_FLOAT(double)
#undef PT_POOL_MAX
#undef PT_POOL_FLOAT

}  // namespace pt::cpu

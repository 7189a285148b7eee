// CPU pooling kernels on contiguous [planes, H, W] buffers (planes = N * C), threaded over
// planes and vectorised across output columns (pool.cpp), and their plain one-window-at-a-time
// references (pool_ref.cpp, suffix _ref, single-threaded) that the tests hold them to.
#pragma once
#include <cstdint>

namespace pt::cpu {

// Windows of kh x kw with stride, top/left padding and dilation; OH/OW given.
struct PoolGeom {
  int64_t planes, H, W, OH, OW;
  int64_t kh, kw, sh, sw, ph, pw, dh, dw;
};

// Adaptive pooling: output cell (oh, ow) covers rows [oh*H/OH, ceil((oh+1)*H/OH)) and the
// same for columns; only planes, H, W, OH and OW of the geometry are used.
inline int64_t adaptive_start(int64_t o, int64_t in, int64_t out) { return o * in / out; }
inline int64_t adaptive_end(int64_t o, int64_t in, int64_t out) { return ((o + 1) * in + out - 1) / out; }

// y = the window maxima, idx = their flat positions h * W + w in the plane (not written when
// null). Ties keep the first maximum in scan order; NaN wins (the last NaN of a window), as in
// PyTorch.
template <class T>
void max_pool2d(const PoolGeom& g, const T* x, T* y, int64_t* idx);
template <class T>
void adaptive_max_pool2d(const PoolGeom& g, const T* x, T* y, int64_t* idx);
template <class T>
void max_pool2d_ref(const PoolGeom& g, const T* x, T* y, int64_t* idx);
template <class T>
void adaptive_max_pool2d_ref(const PoolGeom& g, const T* x, T* y, int64_t* idx);

// divisor 0: the window's size (with or without padding as count_include_pad says). Sums
// run in T in scan order, divided once (as PyTorch).
template <class T>
void avg_pool2d(const PoolGeom& g, const T* x, T* y, bool count_include_pad, int64_t divisor);
template <class T>
void avg_pool2d_backward(const PoolGeom& g, const T* dy, T* dx, bool count_include_pad, int64_t divisor);
template <class T>
void adaptive_avg_pool2d(const PoolGeom& g, const T* x, T* y);
template <class T>
void adaptive_avg_pool2d_backward(const PoolGeom& g, const T* dy, T* dx);
template <class T>
void avg_pool2d_ref(const PoolGeom& g, const T* x, T* y, bool count_include_pad, int64_t divisor);
template <class T>
void avg_pool2d_backward_ref(const PoolGeom& g, const T* dy, T* dx, bool count_include_pad, int64_t divisor);
template <class T>
void adaptive_avg_pool2d_ref(const PoolGeom& g, const T* x, T* y);
template <class T>
void adaptive_avg_pool2d_backward_ref(const PoolGeom& g, const T* dy, T* dx);

// Max pooling's backward and its own backward: dx[idx] += dy (dx zeroed here) and
// y = x[idx], plane by plane (H * W input entries, OH * OW outputs per plane).
template <class T>
void index_scatter_add(const PoolGeom& g, const T* dy, const int64_t* idx, T* dx);
template <class T>
void index_gather(const PoolGeom& g, const T* x, const int64_t* idx, T* y);

}  // namespace pt::cpu

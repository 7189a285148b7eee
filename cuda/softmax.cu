// Softmax and log_softmax on CUDA with cpu/softmax.h's contract: contiguous tensors viewed as
// (outer, len, inner) around dim. Along the last dim (inner == 1) a warp owns a row of up to
// 1024 values held in registers (one read, one write); a longer row gets a block and three
// passes (max, sum of exp, write). Along an outer dim a thread owns an (outer, inner) column and
// walks its line; neighbouring threads take neighbouring columns, so reads coalesce. Sums
// accumulate in double (as the CPU's) in a fixed order (cuda/row_reduce.cuh).
#include <algorithm>
#include <type_traits>

#include "core/error.h"
#include "cuda/kernels.h"
#include "cuda/loop.cuh"
#include "cuda/row_reduce.cuh"

namespace pt::cuda {
namespace {

constexpr int64_t kMaxWarpRow = 32 * kWarp;  // longest row a warp holds in registers

// The per-element formulas, shared by the three layouts. Forward: from the line's max m and
// the constant k that `finish` makes of its sum of exps. Backward: `term` is what the line sums, `grad` the input gradient from its
// sum st (softmax: y (g - st) with st = sum(g y); log_softmax: g - exp(y) st with st = sum(g)).
template <class T>
struct Formula {
  bool log;
  __device__ T finish(double s) const { return static_cast<T>(log ? ::log(s) : 1.0 / s); }
  __device__ T forward(T x, T m, T k) const { return log ? (x - m) - k : ::exp(x - m) * k; }
  __device__ double term(T y, T g) const { return log ? g : g * y; }
  __device__ T grad(T y, T g, T st) const { return log ? g - ::exp(y) * st : y * (g - st); }
};

__device__ inline int64_t global_thread() {
  return static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
}
__device__ inline int64_t thread_count() { return static_cast<int64_t>(gridDim.x) * blockDim.x; }

// ---- last dim, short rows: a warp per row, lane l holding elements l, l + 32, ... ----

template <class T, int N>
__global__ void softmax_warp_kernel(const T* x, T* y, int64_t rows, int len, Formula<T> f) {
  const int lane = threadIdx.x % kWarp;
  for (int64_t r = global_thread() / kWarp; r < rows; r += thread_count() / kWarp) {
    const T* xr = x + r * len;
    T v[N];
    T m = -INFINITY;
#pragma unroll
    for (int k = 0; k < N; ++k) {
      const int j = lane + k * kWarp;
      v[k] = j < len ? xr[j] : T(0);
      if (j < len) m = v[k] > m ? v[k] : m;
    }
    m = warp_reduce(m, MaxOp{});
    double s = 0;
#pragma unroll
    for (int k = 0; k < N; ++k)
      if (lane + k * kWarp < len) s += ::exp(v[k] - m);
    const T fin = f.finish(warp_reduce(s, SumOp{}));
    T* yr = y + r * len;
#pragma unroll
    for (int k = 0; k < N; ++k) {
      const int j = lane + k * kWarp;
      if (j < len) yr[j] = f.forward(v[k], m, fin);
    }
  }
}

template <class T, int N>
__global__ void softmax_backward_warp_kernel(const T* y, const T* g, T* dx, int64_t rows, int len,
                                             Formula<T> f) {
  const int lane = threadIdx.x % kWarp;
  for (int64_t r = global_thread() / kWarp; r < rows; r += thread_count() / kWarp) {
    T yv[N], gv[N];
    double s = 0;
#pragma unroll
    for (int k = 0; k < N; ++k) {
      const int j = lane + k * kWarp;
      yv[k] = j < len ? y[r * len + j] : T(0);
      gv[k] = j < len ? g[r * len + j] : T(0);
      if (j < len) s += f.term(yv[k], gv[k]);
    }
    const T st = static_cast<T>(warp_reduce(s, SumOp{}));
#pragma unroll
    for (int k = 0; k < N; ++k) {
      const int j = lane + k * kWarp;
      if (j < len) dx[r * len + j] = f.grad(yv[k], gv[k], st);
    }
  }
}

// Calls f(std::integral_constant<int, N>) with the fewest registers per lane (a power of two)
// that hold a row of `len` <= kMaxWarpRow.
template <class F>
void with_lane_count(int64_t len, F f) {
  if (len <= 1 * kWarp) f(std::integral_constant<int, 1>{});
  else if (len <= 2 * kWarp) f(std::integral_constant<int, 2>{});
  else if (len <= 4 * kWarp) f(std::integral_constant<int, 4>{});
  else if (len <= 8 * kWarp) f(std::integral_constant<int, 8>{});
  else if (len <= 16 * kWarp) f(std::integral_constant<int, 16>{});
  else f(std::integral_constant<int, 32>{});
}

// ---- last dim, long rows: a block per row ----

template <class T>
__global__ void softmax_block_kernel(const T* x, T* y, int64_t rows, int64_t len, Formula<T> f) {
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {  // uniform over the block
    const T* xr = x + r * len;
    T m = -INFINITY;
    for (int64_t j = threadIdx.x; j < len; j += blockDim.x) m = xr[j] > m ? xr[j] : m;
    m = block_reduce(m, MaxOp{}, T(-INFINITY));
    double s = 0;
    for (int64_t j = threadIdx.x; j < len; j += blockDim.x) s += ::exp(xr[j] - m);
    const T fin = f.finish(block_reduce(s, SumOp{}, 0.0));
    T* yr = y + r * len;
    for (int64_t j = threadIdx.x; j < len; j += blockDim.x) yr[j] = f.forward(xr[j], m, fin);
  }
}

template <class T>
__global__ void softmax_backward_block_kernel(const T* y, const T* g, T* dx, int64_t rows, int64_t len,
                                              Formula<T> f) {
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const T* yr = y + r * len;
    const T* gr = g + r * len;
    double s = 0;
    for (int64_t j = threadIdx.x; j < len; j += blockDim.x) s += f.term(yr[j], gr[j]);
    const T st = static_cast<T>(block_reduce(s, SumOp{}, 0.0));
    T* dr = dx + r * len;
    for (int64_t j = threadIdx.x; j < len; j += blockDim.x) dr[j] = f.grad(yr[j], gr[j], st);
  }
}

// ---- outer dims: a thread per (outer, inner) column ----

template <class T>
__global__ void softmax_column_kernel(const T* x, T* y, int64_t outer, int64_t len, int64_t inner,
                                      Formula<T> f) {
  for (int64_t p = global_thread(); p < outer * inner; p += thread_count()) {
    const int64_t base = p / inner * len * inner + p % inner;
    T m = -INFINITY;
    for (int64_t l = 0; l < len; ++l) m = x[base + l * inner] > m ? x[base + l * inner] : m;
    double s = 0;
    for (int64_t l = 0; l < len; ++l) s += ::exp(x[base + l * inner] - m);
    const T fin = f.finish(s);
    for (int64_t l = 0; l < len; ++l) y[base + l * inner] = f.forward(x[base + l * inner], m, fin);
  }
}

template <class T>
__global__ void softmax_backward_column_kernel(const T* y, const T* g, T* dx, int64_t outer, int64_t len,
                                               int64_t inner, Formula<T> f) {
  for (int64_t p = global_thread(); p < outer * inner; p += thread_count()) {
    const int64_t base = p / inner * len * inner + p % inner;
    double s = 0;
    for (int64_t l = 0; l < len; ++l) s += f.term(y[base + l * inner], g[base + l * inner]);
    const T st = static_cast<T>(s);
    for (int64_t l = 0; l < len; ++l) {
      const int64_t i = base + l * inner;
      dx[i] = f.grad(y[i], g[i], st);
    }
  }
}

// (outer, len, inner) of a contiguous shape around dim (a 0-d tensor is one line of one).
struct Line {
  int64_t outer = 1, len = 1, inner = 1;
  Line(const Tensor& t, int64_t dim) {
    for (int64_t d = 0; d < t->dim(); ++d) (d < dim ? outer : d == dim ? len : inner) *= t->sizes()[d];
  }
};

// One block per row, up to the grid-x limit that the row loop strides over.
int row_blocks(int64_t rows) { return static_cast<int>(std::min<int64_t>(rows, 65535)); }

}  // namespace

void softmax(const Tensor& in, int64_t dim, bool log, const Tensor& out) {
  const Line L(in, dim);
  if (in->numel() == 0) return;
  PT_DISPATCH_FLOAT(in->dtype(), log ? "log_softmax" : "softmax", [&] {
    const scalar_t* x = in->data<scalar_t>();
    scalar_t* y = out->data<scalar_t>();
    const Formula<scalar_t> f{log};
    if (L.inner > 1) {
      softmax_column_kernel<<<grid_for(L.outer * L.inner), kThreads>>>(x, y, L.outer, L.len, L.inner, f);
      check_launch("softmax_column_kernel");
    } else if (L.len <= kMaxWarpRow) {
      with_lane_count(L.len, [&](auto n) {
        softmax_warp_kernel<scalar_t, decltype(n)::value>
            <<<grid_for(L.outer * kWarp), kThreads>>>(x, y, L.outer, static_cast<int>(L.len), f);
      });
      check_launch("softmax_warp_kernel");
    } else {
      softmax_block_kernel<<<row_blocks(L.outer), kThreads>>>(x, y, L.outer, L.len, f);
      check_launch("softmax_block_kernel");
    }
  });
}

void softmax_backward(const Tensor& y, const Tensor& g, int64_t dim, bool log, const Tensor& out) {
  const Line L(y, dim);
  if (y->numel() == 0) return;
  PT_DISPATCH_FLOAT(y->dtype(), log ? "log_softmax_backward" : "softmax_backward", [&] {
    const scalar_t* yp = y->data<scalar_t>();
    const scalar_t* gp = g->data<scalar_t>();
    scalar_t* dp = out->data<scalar_t>();
    const Formula<scalar_t> f{log};
    if (L.inner > 1) {
      softmax_backward_column_kernel<<<grid_for(L.outer * L.inner), kThreads>>>(yp, gp, dp, L.outer, L.len,
                                                                                 L.inner, f);
      check_launch("softmax_backward_column_kernel");
    } else if (L.len <= kMaxWarpRow) {
      with_lane_count(L.len, [&](auto n) {
        softmax_backward_warp_kernel<scalar_t, decltype(n)::value>
            <<<grid_for(L.outer * kWarp), kThreads>>>(yp, gp, dp, L.outer, static_cast<int>(L.len), f);
      });
      check_launch("softmax_backward_warp_kernel");
    } else {
      softmax_backward_block_kernel<<<row_blocks(L.outer), kThreads>>>(yp, gp, dp, L.outer, L.len, f);
      check_launch("softmax_backward_block_kernel");
    }
  });
}

}  // namespace pt::cuda

// CUDA kernels of batch norm and layer norm with the contracts of cpu/norm.h: the contiguous
// input seen as (outer, C, inner), statistics per channel in double, as on the CPU.
// Reductions are fixed-order and two-pass: each channel's elements are split into `parts`
// slices, a block sums one slice (thread-strided, then warp shuffles and shared memory), and a
// thread per channel adds its slices in order. So a few huge channels (batch norm) and many
// short rows (layer norm) both fill the device, and results are bit-identical run to run.
// The variance is a second pass about the mean (no cancellation), as on the CPU.
#include <algorithm>

#include "core/error.h"
#include "cpu/norm.h"
#include "cuda/kernels.h"
#include "cuda/loop.cuh"

namespace pt::cuda {
namespace {

constexpr int64_t kPartElems = 4096;     // a statistics block sums at least this many elements
constexpr int64_t kTargetBlocks = 1024;  // enough blocks to fill the device a few times
constexpr int64_t kMaxGrid = 1 << 20;    // blocks beyond this loop (grid-stride over blocks)

// Sums each v[j] over the block (blockDim.x == kThreads) in a fixed order; thread 0 holds the
// totals. Every thread of the block must call it; it ends with the shared memory free again.
template <int M>
__device__ void block_sum(double (&v)[M]) {
  constexpr int kWarps = kThreads / 32;
  __shared__ double warp_sums[M][kWarps];
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
#pragma unroll
  for (int j = 0; j < M; ++j)
    for (int off = 16; off > 0; off >>= 1) v[j] += __shfl_down_sync(0xffffffffu, v[j], off);
  if (lane == 0) {
#pragma unroll
    for (int j = 0; j < M; ++j) warp_sums[j][warp] = v[j];
  }
  __syncthreads();
  if (warp == 0) {
#pragma unroll
    for (int j = 0; j < M; ++j) {
      v[j] = lane < kWarps ? warp_sums[j][lane] : 0.0;
      for (int off = 16; off > 0; off >>= 1) v[j] += __shfl_down_sync(0xffffffffu, v[j], off);
    }
  }
  __syncthreads();
}

// The geometry on the device, and how each channel's elements are split into parts.
struct Layout {
  int64_t outer, channels, inner;
  int64_t parts, chunk;  // chunk: elements per part (the last part may be shorter)
  __device__ int64_t count() const { return outer * inner; }
  // Element k (< count) of channel c: its flat index, and its inner position in *i.
  __device__ int64_t index(int64_t c, int64_t k, int64_t* i) const {
    const int64_t o = k / inner;
    *i = k - o * inner;
    return (o * channels + c) * inner + *i;
  }
};

Layout make_layout(const cpu::NormGeometry& g) {
  const int64_t count = g.outer * g.inner;
  const int64_t by_size = (count + kPartElems - 1) / kPartElems;
  const int64_t by_blocks = (kTargetBlocks + g.channels - 1) / std::max<int64_t>(1, g.channels);
  const int64_t parts = std::max<int64_t>(1, std::min(by_size, by_blocks));
  return {g.outer, g.channels, g.inner, parts, std::max<int64_t>(1, (count + parts - 1) / parts)};
}

__device__ inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

int grid_blocks(int64_t n) { return static_cast<int>(std::max<int64_t>(1, std::min(n, kMaxGrid))); }

// Block b (of channels * parts) sums over part b % parts of channel b / parts:
// x - center[c] (Square false, center null: plain x) or (x - center[c])^2.
template <class T, bool Square>
__global__ void stat_partials(const T* x, Layout L, const double* center, double* out) {
  const int64_t nb = L.channels * L.parts;
  for (int64_t b = blockIdx.x; b < nb; b += gridDim.x) {
    const int64_t c = b / L.parts, begin = (b % L.parts) * L.chunk;
    const int64_t end = min64(begin + L.chunk, L.count());
    const double m = center ? center[c] : 0.0;
    double s[1] = {0.0};
    for (int64_t k = begin + threadIdx.x; k < end; k += blockDim.x) {
      int64_t i;
      const double d = static_cast<double>(x[L.index(c, k, &i)]) - m;
      s[0] += Square ? d * d : d;
    }
    block_sum(s);
    if (threadIdx.x == 0) out[b] = s[0];
  }
}

// One thread per channel: out[c] = the sum of its parts in order, divided by the count.
__global__ void channel_mean(const double* partial, Layout L, double* out) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  const double count = static_cast<double>(L.outer * L.inner);
  for (int64_t c = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; c < L.channels; c += step) {
    double s = 0;
    for (int64_t p = 0; p < L.parts; ++p) s += partial[c * L.parts + p];
    out[c] = s / count;
  }
}

// One thread per channel: the statistics used, from mean_in / var_in when given, else from
// the batch mean and the parts' sums of squared deviations (0 for empty channels).
template <class T>
__global__ void write_stats(Layout L, const double* mean_d, const double* sq_partial, const T* mean_in,
                            const T* var_in, double eps, T* mean, T* rstd, T* var) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  const int64_t count = L.outer * L.inner;
  for (int64_t c = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; c < L.channels; c += step) {
    double m = 0, v = 0;
    if (mean_in) {
      m = mean_in[c];
      v = var_in[c];
    } else if (count) {
      double ss = 0;
      for (int64_t p = 0; p < L.parts; ++p) ss += sq_partial[c * L.parts + p];
      m = mean_d[c];
      v = ss / static_cast<double>(count);
    }
    mean[c] = static_cast<T>(m);
    rstd[c] = static_cast<T>(1.0 / sqrt(v + eps));
    if (var) var[c] = static_cast<T>(v);
  }
}

// y = (x - mean) * rstd * w + b, elementwise; w and b indexed by channel or by inner position.
template <class T>
__global__ void normalize(const T* x, T* y, int64_t n, int64_t C, int64_t inner, bool by_channel, const T* w,
                          const T* b, const T* mean, const T* rstd) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t idx = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; idx < n; idx += step) {
    const int64_t row = idx / inner, i = idx - row * inner, c = row % C;
    const T tm = mean[c], tr = rstd[c];
    if (!by_channel && (w || b)) {
      y[idx] = (x[idx] - tm) * tr * (w ? w[i] : T(1)) + (b ? b[i] : T(0));
    } else {
      const T sc = tr * (w ? w[c] : T(1)), sh = b ? b[c] : T(0);
      y[idx] = (x[idx] - tm) * sc + sh;
    }
  }
}

// Backward, block b as in stat_partials: sums of g, g*xhat, g*w, g*w*xhat over its part,
// stored at out[j * nb + b] for j = 0..3.
template <class T>
__global__ void grad_partials(const T* x, const T* g, const T* w, bool by_channel, Layout L, const T* mean,
                              const T* rstd, double* out) {
  const int64_t nb = L.channels * L.parts;
  for (int64_t b = blockIdx.x; b < nb; b += gridDim.x) {
    const int64_t c = b / L.parts, begin = (b % L.parts) * L.chunk;
    const int64_t end = min64(begin + L.chunk, L.count());
    const double m = mean[c], r = rstd[c];
    double s[4] = {0.0, 0.0, 0.0, 0.0};
    for (int64_t k = begin + threadIdx.x; k < end; k += blockDim.x) {
      int64_t i;
      const int64_t idx = L.index(c, k, &i);
      const double xh = (x[idx] - m) * r, gi = g[idx];
      const double gw = gi * (w ? (by_channel ? w[c] : w[i]) : T(1));
      s[0] += gi;
      s[1] += gi * xh;
      s[2] += gw;
      s[3] += gw * xh;
    }
    block_sum(s);
    if (threadIdx.x == 0) {
#pragma unroll
      for (int j = 0; j < 4; ++j) out[j * nb + b] = s[j];
    }
  }
}

// One thread per channel: adds the parts; writes the per-channel weight and bias gradients
// (batch norm) and coef[c] = mean of g*w, coef[C + c] = mean of g*w*xhat for dx (0 when the
// statistics were constants).
template <class T>
__global__ void grad_channels(const double* partial, Layout L, bool batch_stats, bool by_channel, T* dw, T* db,
                              double* coef) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  const int64_t nb = L.channels * L.parts, count = L.outer * L.inner;
  for (int64_t c = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; c < L.channels; c += step) {
    double s[4] = {0.0, 0.0, 0.0, 0.0};
    if (count) {
      for (int j = 0; j < 4; ++j)
        for (int64_t p = 0; p < L.parts; ++p) s[j] += partial[j * nb + c * L.parts + p];
    }
    if (by_channel && dw) dw[c] = static_cast<T>(s[1]);
    if (by_channel && db) db[c] = static_cast<T>(s[0]);
    const bool use = batch_stats && count;
    coef[c] = use ? s[2] / count : 0.0;
    coef[L.channels + c] = use ? s[3] / count : 0.0;
  }
}

// dx = rstd * (g * w - coef_a - xhat * coef_b), elementwise in double.
template <class T>
__global__ void grad_input(const T* x, const T* g, const T* w, bool by_channel, int64_t n, int64_t C,
                           int64_t inner, const T* mean, const T* rstd, const double* coef, T* dx) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t idx = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; idx < n; idx += step) {
    const int64_t row = idx / inner, i = idx - row * inner, c = row % C;
    const double m = mean[c], r = rstd[c];
    const double xh = (x[idx] - m) * r;
    const T wt = w ? (by_channel ? w[c] : w[i]) : T(1);
    dx[idx] = static_cast<T>(r * (g[idx] * static_cast<double>(wt) - coef[c] - xh * coef[C + c]));
  }
}

// Per-inner weight and bias gradients (layer norm): thread i of column block blockIdx.x sums
// rows [blockIdx.y * rchunk, ...) of column i in order into out_w / out_b[blockIdx.y * inner + i].
template <class T>
__global__ void column_partials(const T* x, const T* g, int64_t rows, int64_t C, int64_t inner, int64_t rchunk,
                                const T* mean, const T* rstd, double* out_w, double* out_b) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= inner) return;
  const int64_t r0 = blockIdx.y * rchunk, r1 = min64(r0 + rchunk, rows);
  double sw = 0, sb = 0;
  for (int64_t row = r0; row < r1; ++row) {
    const int64_t c = row % C, idx = row * inner + i;
    const double m = mean[c], r = rstd[c];
    sw += g[idx] * ((x[idx] - m) * r);
    sb += g[idx];
  }
  out_w[blockIdx.y * inner + i] = sw;
  out_b[blockIdx.y * inner + i] = sb;
}

// One thread per column: the row parts added in order.
template <class T>
__global__ void column_sums(const double* part_w, const double* part_b, int64_t rparts, int64_t inner, T* dw,
                            T* db) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < inner; i += step) {
    double sw = 0, sb = 0;
    for (int64_t p = 0; p < rparts; ++p) {
      sw += part_w[p * inner + i];
      sb += part_b[p * inner + i];
    }
    if (dw) dw[i] = static_cast<T>(sw);
    if (db) db[i] = static_cast<T>(sb);
  }
}

template <class T>
T* or_null(const Tensor* t) {
  return t ? (*t)->data<T>() : nullptr;
}

template <class T>
void forward(const cpu::NormGeometry& geo, const Tensor& x, const Tensor& y, const Tensor* w, const Tensor* b,
             const Tensor* mean_in, const Tensor* var_in, double eps, const Tensor& mean, const Tensor& rstd,
             const Tensor* var) {
  const Layout L = make_layout(geo);
  const int64_t C = geo.channels, count = geo.outer * geo.inner, nb = C * L.parts;
  if (C == 0) return;
  const T* xp = x->data<T>();
  Tensor scratch;  // [nb] partial sums, then [C] batch means
  double *partial = nullptr, *mean_d = nullptr;
  if (!mean_in && count) {
    scratch = pt::empty({nb + C}, DType::Float64, x->device());
    partial = scratch->data<double>();
    mean_d = partial + nb;
    stat_partials<T, false><<<grid_blocks(nb), kThreads>>>(xp, L, nullptr, partial);
    check_launch("norm_stat_partials");
    channel_mean<<<grid_for(C), kThreads>>>(partial, L, mean_d);
    check_launch("norm_channel_mean");
    stat_partials<T, true><<<grid_blocks(nb), kThreads>>>(xp, L, mean_d, partial);
    check_launch("norm_stat_partials");
  }
  write_stats<T><<<grid_for(C), kThreads>>>(L, mean_d, partial, or_null<T>(mean_in), or_null<T>(var_in), eps,
                                            mean->data<T>(), rstd->data<T>(), or_null<T>(var));
  check_launch("norm_write_stats");
  const int64_t n = x->numel();
  if (n == 0) return;
  normalize<T><<<grid_for(n), kThreads>>>(xp, y->data<T>(), n, C, geo.inner, geo.affine_by_channel, or_null<T>(w),
                                          or_null<T>(b), mean->data<T>(), rstd->data<T>());
  check_launch("norm_normalize");
}

template <class T>
void backward(const cpu::NormGeometry& geo, const Tensor& x, const Tensor& g, const Tensor* w, const Tensor& mean,
              const Tensor& rstd, bool batch_stats, const Tensor* dx, const Tensor* dw, const Tensor* db) {
  const Layout L = make_layout(geo);
  const int64_t C = geo.channels, inner = geo.inner, nb = C * L.parts, n = x->numel();
  const bool by_channel = geo.affine_by_channel;
  const T *xp = x->data<T>(), *gp = g->data<T>(), *wp = or_null<T>(w);
  const T *mp = mean->data<T>(), *rp = rstd->data<T>();
  if (C > 0 && (dx || (by_channel && (dw || db)))) {
    Tensor scratch = pt::empty({4 * nb + 2 * C}, DType::Float64, x->device());
    double* partial = scratch->data<double>();
    double* coef = partial + 4 * nb;
    if (n > 0) {
      grad_partials<T><<<grid_blocks(nb), kThreads>>>(xp, gp, wp, by_channel, L, mp, rp, partial);
      check_launch("norm_grad_partials");
    }
    grad_channels<T><<<grid_for(C), kThreads>>>(partial, L, batch_stats, by_channel, or_null<T>(dw),
                                                or_null<T>(db), coef);
    check_launch("norm_grad_channels");
    if (dx && n > 0) {
      grad_input<T><<<grid_for(n), kThreads>>>(xp, gp, wp, by_channel, n, C, inner, mp, rp, coef, (*dx)->data<T>());
      check_launch("norm_grad_input");
    }
  }
  if (by_channel || !(dw || db) || inner == 0) return;
  const int64_t rows = geo.outer * C;
  // Row parts: enough blocks for the device, at most 2**24 partial sums of each kind.
  const int64_t rparts = std::max<int64_t>(
      1, std::min({(rows + 63) / 64, int64_t{256}, std::max<int64_t>(1, (int64_t{1} << 24) / inner)}));
  const int64_t rchunk = std::max<int64_t>(1, (rows + rparts - 1) / rparts);
  Tensor scratch = pt::empty({2 * rparts * inner}, DType::Float64, x->device());
  double* part_w = scratch->data<double>();
  double* part_b = part_w + rparts * inner;
  if (rows > 0) {
    const dim3 grid(static_cast<unsigned>((inner + kThreads - 1) / kThreads), static_cast<unsigned>(rparts));
    column_partials<T><<<grid, kThreads>>>(xp, gp, rows, C, inner, rchunk, mp, rp, part_w, part_b);
    check_launch("norm_column_partials");
  }
  column_sums<T><<<grid_for(inner), kThreads>>>(part_w, part_b, rows > 0 ? rparts : 0, inner, or_null<T>(dw),
                                                or_null<T>(db));
  check_launch("norm_column_sums");
}

template <class T>
__global__ void running_update(int64_t C, T* rm, int64_t sm, T* rv, int64_t sv, const T* bm, const T* bv,
                               double momentum, double unbias) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t c = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; c < C; c += step) {
    rm[c * sm] = static_cast<T>((1 - momentum) * rm[c * sm] + momentum * bm[c]);
    rv[c * sv] = static_cast<T>((1 - momentum) * rv[c * sv] + momentum * bv[c] * unbias);
  }
}

}  // namespace

void norm_forward(const cpu::NormGeometry& geo, const Tensor& x, const Tensor& y, const Tensor* w, const Tensor* b,
                  const Tensor* mean_in, const Tensor* var_in, double eps, const Tensor& mean, const Tensor& rstd,
                  const Tensor* var) {
  PT_DISPATCH_FLOAT(x->dtype(), "norm_forward",
                    [&] { forward<scalar_t>(geo, x, y, w, b, mean_in, var_in, eps, mean, rstd, var); });
}

void norm_backward(const cpu::NormGeometry& geo, const Tensor& x, const Tensor& g, const Tensor* w,
                   const Tensor& mean, const Tensor& rstd, bool batch_stats, const Tensor* dx, const Tensor* dw,
                   const Tensor* db) {
  PT_DISPATCH_FLOAT(x->dtype(), "norm_backward",
                    [&] { backward<scalar_t>(geo, x, g, w, mean, rstd, batch_stats, dx, dw, db); });
}

void batch_norm_update_stats(const Tensor& running_mean, const Tensor& running_var, const Tensor& mean,
                             const Tensor& var, double momentum, double unbias) {
  const int64_t C = mean->numel();
  if (C == 0) return;
  PT_DISPATCH_FLOAT(mean->dtype(), "batch_norm", [&] {
    running_update<scalar_t><<<grid_for(C), kThreads>>>(
        C, running_mean->data<scalar_t>(), running_mean->strides()[0], running_var->data<scalar_t>(),
        running_var->strides()[0], mean->data<scalar_t>(), var->data<scalar_t>(), momentum, unbias);
    check_launch("batch_norm_running_update");
  });
}

}  // namespace pt::cuda

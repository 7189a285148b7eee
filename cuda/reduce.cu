// CUDA reductions and scans, with the contract of cpu::reduce / cpu::cumulative (cpu/reduce.h).
//
// Geometry (host): the kept dims and the reduced dims each drop size-1 dims and get an
// offset calculator (cuda/offsets.cuh: sorted innermost-last and coalesced, as on the CPU).
// One kernel runs every reduction on tiles of `cols` outputs x one chunk of the reduced range,
// `tpo` = 256 / cols threads per output; a thread folds every tpo-th element of its chunk,
// then a fixed shared-memory tree merges the tpo partials. Layouts:
//   rows:    the reduced dims are innermost: an output's threads are neighbours (tpo up to
//            256, fewer for short rows), so a warp reads consecutive elements;
//   columns: a kept dim is innermost: 32 or more neighbouring outputs per warp, up to 8
//            threads each down the reduced range, so a warp reads consecutive elements of a row;
//   split:   few outputs with long reductions (the full sum of 64M elements): the reduced
//            range is cut into a chunk count fixed by the shapes alone; pass 1 writes one
//            accumulator per (output, chunk) to scratch memory, pass 2 merges them per output.
// No atomics, every order fixed by the shapes: results are bit-identical run to run.
// Accumulators as on the CPU: float sums, products, means, norms and log-sum-exp in double
// (memory bound anyway, and the CPU's bits are then matched up to summation order), integer
// sums and products in uint64 (wrapping like int64), var/std by Welford steps merged with
// Chan's formula in double, max/min in the input's type with NaN propagating.
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "core/error.h"
#include "cpu/reduce.h"
#include "cuda/kernels.h"
#include "cuda/loop.cuh"
#include "cuda/offsets.cuh"

namespace pt::cuda {

using cpu::ReduceArgs;
using cpu::ReduceKind;

namespace {

// ---------------------------------------------------------------------------------------------
// Geometry

struct Geom {
  OffsetCalc kept, red;
  int64_t n_out, n_red;
  bool columns;         // thread layout: see thread_place
  int cols, tpo;        // outputs per block, threads per output (cols * tpo == kThreads)
  int64_t chunks, chunk_len;  // the reduced range of an output is cut into `chunks`
  __host__ __device__ int64_t tiles() const { return (n_out + cols - 1) / cols * chunks; }
};

constexpr int64_t kChunk = 4096;      // least elements per block in a split reduction
constexpr int64_t kMaxChunks = 1024;  // partials per output in a split reduction
constexpr int64_t kFewTiles = 512;    // fewer output tiles than this may split

Geom make_geom(const Tensor& in, uint64_t mask, const Tensor& out) {
  const DimVec out_strides = contiguous_strides(out->sizes());
  DimVec ks, ki, ko, rs, ri, ro;
  Geom g{};
  g.n_out = 1;
  g.n_red = 1;
  for (int64_t d = 0; d < in->dim(); ++d) {
    const int64_t s = in->sizes()[d];
    const bool reduced = mask >> d & 1;
    (reduced ? g.n_red : g.n_out) *= s;
    if (s == 1) continue;
    (reduced ? rs : ks).push_back(s);
    (reduced ? ri : ki).push_back(in->strides()[d]);
    (reduced ? ro : ko).push_back(reduced ? 0 : out_strides[d]);
  }
  g.kept = offset_calc(ks, ki, ko, "reduction");
  g.red = offset_calc(rs, ri, ro, "reduction");
  g.columns = g.kept.nd && g.red.nd && g.red.inner_in() > g.kept.inner_in();
  // Threads per output: the power of two covering the reduced range, up to a block for rows
  // and up to 8 for columns (then at least 32 neighbouring outputs share a warp).
  g.tpo = 1;
  while (g.tpo < (g.columns ? 8 : kThreads) && g.tpo < g.n_red) g.tpo *= 2;
  g.cols = kThreads / g.tpo;
  g.chunks = 1;
  const int64_t out_tiles = (g.n_out + g.cols - 1) / g.cols;
  if (out_tiles < kFewTiles && g.n_red >= 2 * kChunk)
    g.chunks = std::min({(g.n_red + kChunk - 1) / kChunk, kMaxChunks, (2 * kFewTiles + out_tiles - 1) / out_tiles});
  g.chunk_len = (g.n_red + g.chunks - 1) / g.chunks;
  if (g.n_red > 0) g.chunks = (g.n_red + g.chunk_len - 1) / g.chunk_len;
  return g;
}

// ---------------------------------------------------------------------------------------------
// Ops: init / step(acc, x, flat reduced index) / merge, as in cpu/reduce.cpp.

template <class T>
__device__ bool is_nan(T x) {
  if constexpr (std::is_floating_point_v<T>) return x != x;
  else return false;
}

template <class T>
using wide_t = std::conditional_t<std::is_floating_point_v<T>, double, uint64_t>;
template <class T>
using sum_out_t = std::conditional_t<std::is_floating_point_v<T>, T, int64_t>;

// The maps a sum runs over.
template <class A>
struct Plain {
  template <class T>
  __device__ A operator()(T x) const { return A(x); }
};
template <class A>
struct SkipNan {
  template <class T>
  __device__ A operator()(T x) const { return is_nan(x) ? A(0) : A(x); }
};
template <class A>
struct NonZero {
  template <class T>
  __device__ A operator()(T x) const { return A(x != T(0)); }
};
struct Square {
  template <class T>
  __device__ double operator()(T x) const { return double(x) * double(x); }
};
struct Magnitude {
  template <class T>
  __device__ double operator()(T x) const { return ::fabs(double(x)); }
};
struct PowMagnitude {
  double p;
  template <class T>
  __device__ double operator()(T x) const { return ::pow(::fabs(double(x)), p); }
};
struct AbsT {
  template <class T>
  __device__ T operator()(T x) const { return x < T(0) ? -x : x; }
};
struct Same {
  template <class T>
  __device__ T operator()(T x) const { return x; }
};

template <class T, class A, class F>
struct SumOp {
  using acc_t = A;
  F f;
  __device__ A init() const { return A(0); }
  __device__ A step(A a, T x, int64_t) const { return a + f(x); }
  __device__ A merge(A a, A b) const { return a + b; }
};

template <class T, class A>
struct ProdOp {
  using acc_t = A;
  __device__ A init() const { return A(1); }
  __device__ A step(A a, T x, int64_t) const { return a * A(x); }
  __device__ A merge(A a, A b) const { return a * b; }
};

// max (kMax) or min of f(x); NaN wins over everything. `start` (the identity) comes from
// the host: std::numeric_limits is host-only without --expt-relaxed-constexpr.
template <class T, bool kMax, class F>
struct MaxOp {
  using acc_t = T;
  F f;
  T start;
  __device__ T init() const { return start; }
  __device__ T step(T a, T x, int64_t) const { return merge(a, f(x)); }
  __device__ T merge(T a, T b) const { return (kMax ? b > a : b < a) || is_nan(b) ? b : a; }
};
template <class T, bool kMax, class F>
MaxOp<T, kMax, F> max_op(F f) {
  using L = std::numeric_limits<T>;
  if constexpr (std::is_floating_point_v<T>) return {f, kMax ? -L::infinity() : L::infinity()};
  else return {f, kMax ? L::lowest() : L::max()};
}

template <class T>
struct ValIdx {
  T v;
  int64_t i;  // -1: nothing seen yet
};
// The first max (min): ties go to the lower index, the first NaN beats any number.
template <class T, bool kMax>
struct ArgOp {
  using acc_t = ValIdx<T>;
  __device__ static bool better(T x, int64_t i, const acc_t& a) {
    if (a.i < 0) return true;
    if (is_nan(a.v)) return is_nan(x) && i < a.i;
    if (is_nan(x) || (kMax ? x > a.v : x < a.v)) return true;
    return x == a.v && i < a.i;
  }
  __device__ acc_t init() const { return {T(0), -1}; }
  __device__ acc_t step(acc_t a, T x, int64_t i) const { return better(x, i, a) ? acc_t{x, i} : a; }
  __device__ acc_t merge(acc_t a, acc_t b) const { return b.i >= 0 && better(b.v, b.i, a) ? b : a; }
};

template <class T, bool kAll>
struct LogicOp {
  using acc_t = bool;
  __device__ bool init() const { return kAll; }
  __device__ bool step(bool a, T x, int64_t) const { return kAll ? a && x != T(0) : a || x != T(0); }
  __device__ bool merge(bool a, bool b) const { return kAll ? a && b : a || b; }
};

struct NanMeanAcc {
  double s;
  int64_t n;
};
template <class T>
struct NanMeanOp {
  using acc_t = NanMeanAcc;
  __device__ acc_t init() const { return {0, 0}; }
  __device__ acc_t step(acc_t a, T x, int64_t) const { return is_nan(x) ? a : acc_t{a.s + double(x), a.n + 1}; }
  __device__ acc_t merge(acc_t a, acc_t b) const { return {a.s + b.s, a.n + b.n}; }
};

// Online log-sum-exp: s = sum exp(x - m) for the running max m, rescaled when m grows.
struct LseAcc {
  double m, s;
  bool nan;
};
template <class T>
struct LseOp {
  using acc_t = LseAcc;
  __device__ acc_t init() const { return {-INFINITY, 0, false}; }
  __device__ acc_t step(acc_t a, T xt, int64_t) const {
    const double x = xt;
    if (x != x) a.nan = true;
    else if (x > a.m) a = {x, a.s * ::exp(a.m - x) + 1, a.nan};
    else a.s += x == a.m ? 1 : ::exp(x - a.m);  // x == m == +-inf adds 1, not NaN
    return a;
  }
  __device__ acc_t merge(acc_t a, acc_t b) const {
    if (b.m > a.m) {
      const acc_t t = a;
      a = b;
      b = t;
    }
    a.s += b.m == a.m ? b.s : b.s * ::exp(b.m - a.m);
    a.nan = a.nan || b.nan;
    return a;
  }
};

// Count, mean and sum of squared deviations: Welford steps, merged with Chan's formula.
struct Moments {
  double n, mean, m2;
};
template <class T>
struct MomentsOp {
  using acc_t = Moments;
  __device__ acc_t init() const { return {0, 0, 0}; }
  __device__ acc_t step(acc_t a, T xt, int64_t) const {
    const double x = xt;
    a.n += 1;
    const double d = x - a.mean;
    a.mean += d / a.n;
    a.m2 += d * (x - a.mean);
    return a;
  }
  __device__ acc_t merge(acc_t a, acc_t b) const {
    if (b.n == 0) return a;
    if (a.n == 0) return b;
    const double n = a.n + b.n, d = b.mean - a.mean;
    return {n, a.mean + d * (b.n / n), a.m2 + b.m2 + d * d * (a.n * b.n / n)};
  }
};

// ---------------------------------------------------------------------------------------------
// Sinks: write an output's accumulator at its output offset.

// out[o] = Out(fin(acc)).
template <class Out, class Fin>
struct Store {
  Out* out;
  Fin fin;
  template <class A>
  __device__ void operator()(int64_t o, const A& a) const { out[o] = static_cast<Out>(fin(a)); }
};
template <class Out, class Fin>
Store<Out, Fin> store(const Tensor& t, Fin fin) { return {t->data<Out>(), fin}; }

struct Keep {
  template <class A>
  __device__ A operator()(const A& a) const { return a; }
};
struct DivideBy {
  double n;
  __device__ double operator()(double a) const { return a / n; }
};
struct Root {
  double inv_p;  // 0.5: sqrt
  __device__ double operator()(double a) const { return inv_p == 0.5 ? ::sqrt(a) : ::pow(a, inv_p); }
};
struct NanMeanFin {
  __device__ double operator()(const NanMeanAcc& a) const { return a.s / double(a.n); }
};
struct LseFin {
  __device__ double operator()(const LseAcc& a) const {
    if (a.nan) return NAN;
    if (::isinf(a.m)) return a.m;
    return a.m + ::log(a.s);
  }
};
struct IndexFin {
  template <class T>
  __device__ int64_t operator()(const ValIdx<T>& a) const { return a.i; }
};

template <class T>
struct ValueIndexSink {
  T* v;
  int64_t* i;
  __device__ void operator()(int64_t o, const ValIdx<T>& a) const {
    v[o] = a.v;
    i[o] = a.i;
  }
};

template <class T>
struct MomentsSink {
  T* var;
  T* mean;  // nullptr: var/std only
  double correction;
  bool is_std;
  __device__ void operator()(int64_t o, const Moments& a) const {
    const double v = a.m2 / ::fmax(0.0, a.n - correction);
    var[o] = static_cast<T>(is_std ? ::sqrt(v) : v);
    if (mean) mean[o] = static_cast<T>(a.n != 0 ? a.mean : NAN);
  }
};

// ---------------------------------------------------------------------------------------------
// Kernels

// A fixed tree over the tpo partials of each output in shared memory: slot `slot`'s partials
// sit at sh[slot * tpo + r]. Every thread of the block reaches each barrier.
template <class Op>
__device__ typename Op::acc_t block_merge(const Op& op, typename Op::acc_t* sh, typename Op::acc_t acc,
                                          int slot, int r, int tpo) {
  sh[slot * tpo + r] = acc;
  __syncthreads();
  for (int s = tpo / 2; s > 0; s /= 2) {
    if (r < s) sh[slot * tpo + r] = op.merge(sh[slot * tpo + r], sh[slot * tpo + r + s]);
    __syncthreads();
  }
  const typename Op::acc_t result = sh[slot * tpo];
  __syncthreads();  // the next tile reuses sh
  return result;
}

// Thread layout of a tile: rows put an output's threads side by side, columns put the
// outputs side by side.
__device__ inline void thread_place(const Geom& g, int& slot, int& r) {
  const int t = threadIdx.x;
  slot = g.columns ? t % g.cols : t / g.tpo;
  r = g.columns ? t / g.cols : t % g.tpo;
}

// Pass 1 (or the only pass): tile k covers outputs [k / chunks * cols, +cols) and chunk
// k % chunks. With one chunk the sink writes the result; otherwise partial[o * chunks + c].
template <class Op, class T, class Sink>
__global__ void reduce_kernel(const T* in, Geom g, Op op, Sink sink,
                              typename Op::acc_t* partial) {
  using A = typename Op::acc_t;
  extern __shared__ __align__(16) unsigned char smem[];
  A* sh = reinterpret_cast<A*>(smem);
  int slot, r;
  thread_place(g, slot, r);
  const int64_t tiles = g.tiles();
  for (int64_t k = blockIdx.x; k < tiles; k += gridDim.x) {  // uniform across the block
    const int64_t o = k / g.chunks * g.cols + slot, c = k % g.chunks;
    A acc = op.init();
    int64_t off_out = 0;
    if (o < g.n_out) {
      int64_t base;
      g.kept.offsets(o, base, off_out);
      const int64_t end = g.n_red < (c + 1) * g.chunk_len ? g.n_red : (c + 1) * g.chunk_len;
      for (int64_t i = c * g.chunk_len + r; i < end; i += g.tpo)
        acc = op.step(acc, in[base + g.red.offset_in(i)], i);
    }
    acc = block_merge(op, sh, acc, slot, r, g.tpo);
    if (r == 0 && o < g.n_out) {
      if (g.chunks == 1) sink(off_out, acc);
      else partial[o * g.chunks + c] = acc;
    }
  }
}

// Pass 2: a block per output merges its chunks' partials (thread t folds chunks t, t + 256,
// ... in order, then the tree), and the sink writes the result.
template <class Op, class Sink>
__global__ void merge_kernel(const typename Op::acc_t* partial, Geom g, Op op, Sink sink) {
  using A = typename Op::acc_t;
  extern __shared__ __align__(16) unsigned char smem[];
  A* sh = reinterpret_cast<A*>(smem);
  const int t = threadIdx.x;
  for (int64_t o = blockIdx.x; o < g.n_out; o += gridDim.x) {  // uniform across the block
    A acc = op.init();
    for (int64_t c = t; c < g.chunks; c += blockDim.x) acc = op.merge(acc, partial[o * g.chunks + c]);
    acc = block_merge(op, sh, acc, 0, t, blockDim.x);
    if (t == 0) {
      int64_t off_in, off_out;
      g.kept.offsets(o, off_in, off_out);
      sink(off_out, acc);
    }
  }
}

int blocks_for(int64_t n) { return grid_for(n * kThreads); }

template <class T, class Op, class Sink>
void run(const char* kernel, const Tensor& in, const Geom& g, const Op& op, const Sink& sink) {
  using A = typename Op::acc_t;
  if (g.n_out == 0) return;
  const size_t shared = sizeof(A) * kThreads;
  const T* x = in->data<T>();
  if (g.chunks == 1) {
    reduce_kernel<<<blocks_for(g.tiles()), kThreads, shared>>>(x, g, op, sink, static_cast<A*>(nullptr));
    check_launch(kernel);
    return;
  }
  // Scratch for the partials through the caching allocator (bytes; A is trivially copyable).
  // Freed on return while the kernels may still run: safe, as a block handed out again is
  // only used by later work on the same default stream.
  const Tensor scratch = empty({g.n_out * g.chunks * static_cast<int64_t>(sizeof(A))}, DType::UInt8, in->device());
  A* partial = reinterpret_cast<A*>(scratch->data<uint8_t>());
  reduce_kernel<<<blocks_for(g.tiles()), kThreads, shared>>>(x, g, op, sink, partial);
  check_launch(kernel);
  merge_kernel<<<blocks_for(g.n_out), kThreads, shared>>>(static_cast<const A*>(partial), g, op, sink);
  check_launch(kernel);
}

template <class T, bool kMax>
void max_min(const Tensor& in, const Geom& g, const Tensor& out, const Tensor& idx) {
  const char* k = kMax ? "max_cuda" : "min_cuda";
  if (!idx) return run<T>(k, in, g, max_op<T, kMax>(Same{}), store<T>(out, Keep{}));
  run<T>(k, in, g, ArgOp<T, kMax>{}, ValueIndexSink<T>{out->data<T>(), idx->data<int64_t>()});
}

template <class T>
void norm(const Tensor& in, const Geom& g, const Tensor& out, double p) {
  if (p == 2) run<T>("norm_cuda", in, g, SumOp<T, double, Square>{}, store<T>(out, Root{0.5}));
  else if (p == 1) run<T>("norm_cuda", in, g, SumOp<T, double, Magnitude>{}, store<T>(out, Keep{}));
  else if (p == 0) run<T>("norm_cuda", in, g, SumOp<T, double, NonZero<double>>{}, store<T>(out, Keep{}));
  else if (std::isinf(p) && p > 0) run<T>("norm_cuda", in, g, max_op<T, true>(AbsT{}), store<T>(out, Keep{}));
  else if (std::isinf(p)) run<T>("norm_cuda", in, g, max_op<T, false>(AbsT{}), store<T>(out, Keep{}));
  else run<T>("norm_cuda", in, g, SumOp<T, double, PowMagnitude>{{p}}, store<T>(out, Root{1.0 / p}));
}

// ---------------------------------------------------------------------------------------------
// Scans

// One thread per line, walking it in order: lines of `len` elements `inner` apart, so that
// neighbouring threads read neighbouring elements when inner > 1.
template <class T, bool kProd>
__global__ void scan_lines_kernel(const T* x, T* y, int64_t lines, int64_t len, int64_t inner) {
  using A = wide_t<T>;
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t t = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; t < lines; t += step) {
    const int64_t base = t / inner * len * inner + t % inner;
    A acc = A(kProd ? 1 : 0);
    for (int64_t l = 0; l < len; ++l) {
      const A v = A(x[base + l * inner]);
      acc = kProd ? acc * v : acc + v;
      y[base + l * inner] = static_cast<T>(acc);
    }
  }
}

// A block per contiguous line: tiles of kThreads elements, each scanned in shared memory
// (Hillis-Steele, double-buffered) and offset by the running total of the tiles before.
template <class T, bool kProd>
__global__ void scan_block_kernel(const T* x, T* y, int64_t lines, int64_t len) {
  using A = wide_t<T>;
  __shared__ A buf[2][kThreads];
  const int t = threadIdx.x;
  for (int64_t line = blockIdx.x; line < lines; line += gridDim.x) {  // uniform across the block
    const T* xl = x + line * len;
    T* yl = y + line * len;
    A carry = A(kProd ? 1 : 0);
    for (int64_t b = 0; b < len; b += kThreads) {
      const int64_t i = b + t;
      int cur = 0;
      buf[0][t] = i < len ? A(xl[i]) : A(kProd ? 1 : 0);
      __syncthreads();
      for (int s = 1; s < kThreads; s *= 2) {
        const A v = buf[cur][t];
        buf[cur ^ 1][t] = t >= s ? (kProd ? buf[cur][t - s] * v : buf[cur][t - s] + v) : v;
        cur ^= 1;
        __syncthreads();
      }
      const A total = kProd ? carry * buf[cur][t] : carry + buf[cur][t];
      if (i < len) yl[i] = static_cast<T>(total);
      const A tile = buf[cur][kThreads - 1];
      __syncthreads();  // everyone has read buf before the next tile writes it
      carry = kProd ? carry * tile : carry + tile;
    }
  }
}

constexpr int64_t kBlockScanLen = 512;  // contiguous lines at least this long scan per block

template <class T, bool kProd>
void scan(const T* x, T* y, int64_t outer, int64_t len, int64_t inner) {
  if (inner == 1 && len >= kBlockScanLen) {
    scan_block_kernel<T, kProd><<<blocks_for(outer), kThreads>>>(x, y, outer, len);
    check_launch("scan_block_kernel");
  } else {
    scan_lines_kernel<T, kProd><<<grid_for(outer * inner), kThreads>>>(x, y, outer * inner, len, inner);
    check_launch("scan_lines_kernel");
  }
}

}  // namespace

void reduce(ReduceKind kind, const Tensor& in, uint64_t mask, const Tensor& out, const Tensor& out2,
            const ReduceArgs& args) {
  const Geom g = make_geom(in, mask, out);
  const DType dt = in->dtype();
  switch (kind) {
    case ReduceKind::Sum:
      PT_DISPATCH_ALL(dt, "sum", [&] {
        using A = wide_t<scalar_t>;
        run<scalar_t>("sum_cuda", in, g, SumOp<scalar_t, A, Plain<A>>{}, store<sum_out_t<scalar_t>>(out, Keep{}));
      });
      break;
    case ReduceKind::NanSum:
      PT_DISPATCH_ALL(dt, "nansum", [&] {
        using A = wide_t<scalar_t>;
        run<scalar_t>("nansum_cuda", in, g, SumOp<scalar_t, A, SkipNan<A>>{}, store<sum_out_t<scalar_t>>(out, Keep{}));
      });
      break;
    case ReduceKind::Prod:
      PT_DISPATCH_ALL(dt, "prod", [&] {
        run<scalar_t>("prod_cuda", in, g, ProdOp<scalar_t, wide_t<scalar_t>>{}, store<sum_out_t<scalar_t>>(out, Keep{}));
      });
      break;
    case ReduceKind::Mean:
      PT_DISPATCH_FLOAT(dt, "mean", [&] {
        run<scalar_t>("mean_cuda", in, g, SumOp<scalar_t, double, Plain<double>>{},
                      store<scalar_t>(out, DivideBy{double(g.n_red)}));
      });
      break;
    case ReduceKind::NanMean:
      PT_DISPATCH_FLOAT(dt, "nanmean", [&] {
        run<scalar_t>("nanmean_cuda", in, g, NanMeanOp<scalar_t>{}, store<scalar_t>(out, NanMeanFin{}));
      });
      break;
    case ReduceKind::Max:
      PT_DISPATCH_ALL(dt, "max", [&] { max_min<scalar_t, true>(in, g, out, out2); });
      break;
    case ReduceKind::Min:
      PT_DISPATCH_ALL(dt, "min", [&] { max_min<scalar_t, false>(in, g, out, out2); });
      break;
    case ReduceKind::ArgMax:
      PT_DISPATCH_ALL(dt, "argmax", [&] {
        run<scalar_t>("argmax_cuda", in, g, ArgOp<scalar_t, true>{}, store<int64_t>(out, IndexFin{}));
      });
      break;
    case ReduceKind::ArgMin:
      PT_DISPATCH_ALL(dt, "argmin", [&] {
        run<scalar_t>("argmin_cuda", in, g, ArgOp<scalar_t, false>{}, store<int64_t>(out, IndexFin{}));
      });
      break;
    case ReduceKind::All:
    case ReduceKind::Any:
      PT_DISPATCH_ALL(dt, "all", [&] {
        const bool u8 = out->dtype() == DType::UInt8;
        if (kind == ReduceKind::All) {
          if (u8) run<scalar_t>("all_cuda", in, g, LogicOp<scalar_t, true>{}, store<uint8_t>(out, Keep{}));
          else run<scalar_t>("all_cuda", in, g, LogicOp<scalar_t, true>{}, store<bool>(out, Keep{}));
        } else {
          if (u8) run<scalar_t>("any_cuda", in, g, LogicOp<scalar_t, false>{}, store<uint8_t>(out, Keep{}));
          else run<scalar_t>("any_cuda", in, g, LogicOp<scalar_t, false>{}, store<bool>(out, Keep{}));
        }
      });
      break;
    case ReduceKind::CountNonzero:
      PT_DISPATCH_ALL(dt, "count_nonzero", [&] {
        run<scalar_t>("count_nonzero_cuda", in, g, SumOp<scalar_t, int64_t, NonZero<int64_t>>{},
                      store<int64_t>(out, Keep{}));
      });
      break;
    case ReduceKind::Var:
    case ReduceKind::Std:
      PT_DISPATCH_FLOAT(dt, "var", [&] {
        run<scalar_t>("var_cuda", in, g, MomentsOp<scalar_t>{},
                      MomentsSink<scalar_t>{out->data<scalar_t>(), out2 ? out2->data<scalar_t>() : nullptr,
                                            args.correction, kind == ReduceKind::Std});
      });
      break;
    case ReduceKind::Norm:
      PT_DISPATCH_FLOAT(dt, "norm", [&] { norm<scalar_t>(in, g, out, args.p); });
      break;
    case ReduceKind::LogSumExp:
      PT_DISPATCH_FLOAT(dt, "logsumexp", [&] {
        run<scalar_t>("logsumexp_cuda", in, g, LseOp<scalar_t>{}, store<scalar_t>(out, LseFin{}));
      });
      break;
  }
}

void cumulative(bool prod, const Tensor& in, int64_t dim, const Tensor& out) {
  int64_t outer = 1, len = 1, inner = 1;
  for (int64_t d = 0; d < in->dim(); ++d) (d < dim ? outer : d == dim ? len : inner) *= in->sizes()[d];
  if (in->numel() == 0) return;
  PT_DISPATCH_ALL(out->dtype(), prod ? "cumprod" : "cumsum", [&] {
    const scalar_t* x = in->data<scalar_t>();
    scalar_t* y = out->data<scalar_t>();
    if (prod) scan<scalar_t, true>(x, y, outer, len, inner);
    else scan<scalar_t, false>(x, y, outer, len, inner);
  });
}

}  // namespace pt::cuda

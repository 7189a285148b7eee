// CUDA kernels of the index family, with the contracts of cpu/index.h (and zero_triangle of
// cpu/shape.h, behind tril/triu).
//
// Versions:
//   1. Elementwise-shaped kernels (index offsets, gather and put through offsets, range checks,
//      masked_fill) run one thread per element of a StridedLoop, through LoopArgs of
//      cuda/loop.cuh (strided_kernel below).
//   2. A kernel cannot throw: an out-of-range index is recorded as the smallest flat loop
//      position holding one (an integer atomicMin into a device word, so the answer does not
//      depend on thread order); the host reads the word back after the kernel (cudaMemcpy
//      waits for it), fetches that index and throws cpu::OutOfRange as the CPU kernel does.
//   3. gather/scatter along a dim: one thread per lane (every dim but `dim`) walking `dim` in
//      order, as on the CPU: lanes write disjoint elements, so scatter's reductions need no
//      atomics and duplicate indices reduce in index order.
//   4. index_put with accumulate (duplicate indices add up): the index positions are sorted by
//      destination offset (a bitonic sort of (offset, position) pairs), then one thread per
//      (data position, run of equal offsets) adds its run in position order. Deterministic,
//      no atomics.
//   5. nonzero: per-block counts, a host prefix sum over the blocks (the output size is needed
//      on the host anyway), then each block writes its coordinates in order (ballot scan).
//   6. zero_triangle: one thread per element, zeroing those outside the triangle.
#include <cuda_runtime.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/flags.h"
#include "cpu/index.h"
#include "cuda/kernels.h"
#include "cuda/loop.cuh"

namespace pt::cuda {

namespace {

using cpu::dispatch_bytes;

Operand operand(const Tensor& t) { return {static_cast<char*>(t->raw_data()), &t->strides(), t->itemsize()}; }
Operand operand(const Tensor& t, const DimVec& strides) {
  return {static_cast<char*>(t->raw_data()), &strides, t->itemsize()};
}

template <class T>
__device__ T& at(char* p) { return *reinterpret_cast<T*>(p); }

// f(p, i, off) for every flat position i of the loop, off[k] the byte offset of operand k.
template <int N, class F>
__global__ void strided_kernel(LoopArgs<N> p, F f) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < p.numel; i += step) {
    int64_t off[N];
    p.offsets(i, off);
    f(p, i, off);
  }
}

template <int N, class F>
void run_strided(const char* kernel, const LoopArgs<N>& p, const F& f) {
  if (p.numel == 0) return;
  strided_kernel<<<grid_for(p.numel), kThreads>>>(p, f);
  check_launch(kernel);
}

// ---- out-of-range reports ----

constexpr unsigned long long kNoBadIndex = ~0ull;

// Operand k's index (int32 or int64) at flat position `pos`, into *out.
template <int N>
__global__ void fetch_index(LoopArgs<N> p, int k, bool int32, int64_t pos, int64_t* out) {
  int64_t off[N];
  p.offsets(pos, off);
  const char* q = p.data[k] + off[k];
  *out = int32 ? int64_t{*reinterpret_cast<const int32_t*>(q)} : *reinterpret_cast<const int64_t*>(q);
}

// The device word a range-checking kernel writes: the smallest bad flat position, or
// kNoBadIndex.
class BadIndex {
 public:
  explicit BadIndex(Device device) : word_(pt::empty({1}, DType::Int64, device)) {
    check(cudaMemsetAsync(ptr(), 0xFF, sizeof(uint64_t)), "cudaMemsetAsync");
  }
  unsigned long long* ptr() const { return static_cast<unsigned long long*>(word_->raw_data()); }

  // After the kernel on `p`: throws OutOfRange with operand k's index at the bad position.
  template <int N>
  void raise_if_any(const LoopArgs<N>& p, int k, bool int32) const {
    unsigned long long pos = kNoBadIndex;
    check(cudaMemcpy(&pos, ptr(), sizeof(pos), cudaMemcpyDeviceToHost), "cudaMemcpy");
    if (pos == kNoBadIndex) return;
    int64_t* slot = reinterpret_cast<int64_t*>(ptr());
    fetch_index<<<1, 1>>>(p, k, int32, static_cast<int64_t>(pos), slot);
    check_launch("fetch_index");
    int64_t value = 0;
    check(cudaMemcpy(&value, slot, sizeof(value), cudaMemcpyDeviceToHost), "cudaMemcpy");
    throw cpu::OutOfRange{value};
  }

 private:
  Tensor word_;
};

__device__ void report_bad(unsigned long long* bad, int64_t i) { atomicMin(bad, static_cast<unsigned long long>(i)); }

// ---- advanced indexing through element offsets ----

template <class I>
struct AddOffsets {
  int64_t size, stride;
  bool first, wrap;
  unsigned long long* bad;
  __device__ void operator()(const LoopArgs<2>& p, int64_t i, const int64_t* off) const {
    const int64_t v = at<I>(p.data[1] + off[1]);
    const int64_t w = wrap && v < 0 ? v + size : v;
    if (w < 0 || w >= size) return report_bad(bad, i);
    int64_t& o = at<int64_t>(p.data[0] + off[0]);
    o = first ? w * stride : o + w * stride;
  }
};

template <class T>
struct GatherAt {
  __device__ void operator()(const LoopArgs<3>& p, int64_t, const int64_t* off) const {
    at<T>(p.data[0] + off[0]) = at<T>(p.data[1] + off[1] + at<int64_t>(p.data[2] + off[2]) * int64_t(sizeof(T)));
  }
};

template <class T>
struct PutAt {
  __device__ void operator()(const LoopArgs<3>& p, int64_t, const int64_t* off) const {
    at<T>(p.data[0] + off[0] + at<int64_t>(p.data[2] + off[2]) * int64_t(sizeof(T))) = at<T>(p.data[1] + off[1]);
  }
};

// Position i of the B loop: its destination offset (operand 0), padded past nb with the
// largest key so that the padding sorts last.
__global__ void load_keys(LoopArgs<2> B, int64_t n, int64_t* key, int64_t* pos) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) {
    int64_t off[2] = {0, 0};
    if (i < B.numel) B.offsets(i, off);
    key[i] = i < B.numel ? at<int64_t>(B.data[0] + off[0]) : INT64_MAX;
    pos[i] = i;
  }
}

// One compare-exchange step (k, j) of a bitonic sort of n (a power of two) pairs ordered by
// key, then position (a total order, so the result is unique). Pair (i, i ^ j) belongs to the
// thread of the smaller i.
__global__ void bitonic_step(int64_t* key, int64_t* pos, int64_t n, int64_t k, int64_t j) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) {
    const int64_t l = i ^ j;
    if (l <= i) continue;
    const bool ascending = (i & k) == 0;
    const bool greater = key[i] > key[l] || (key[i] == key[l] && pos[i] > pos[l]);
    if (greater == ascending) {
      const int64_t tk = key[i], tp = pos[i];
      key[i] = key[l], pos[i] = pos[l];
      key[l] = tk, pos[l] = tp;
    }
  }
}

// Thread (run start i, data position x), x fastest so that a warp walks contiguous data:
// dst[x, key] += val[x, pos] over the run of equal keys starting at i, in position order, or
// (!Accumulate) dst[x, key] = the run's last value, as the CPU's sequential writes leave it.
template <class T, bool Accumulate>
__global__ void add_runs(LoopArgs<2> X, LoopArgs<2> B, const int64_t* key, const int64_t* pos, int64_t nb) {
  const int64_t total = X.numel * nb, step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t t = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; t < total; t += step) {
    const int64_t i = t / X.numel, x = t - i * X.numel;
    if (i > 0 && key[i] == key[i - 1]) continue;  // inside a run: its first thread adds it
    int64_t xo[2];
    X.offsets(x, xo);
    T& d = at<T>(X.data[0] + xo[0] + key[i] * int64_t(sizeof(T)));
    T acc = d;
    for (int64_t j = i; j < nb && key[j] == key[i]; ++j) {
      int64_t bo[2];
      B.offsets(pos[j], bo);
      const T v = at<T>(X.data[1] + xo[1] + bo[1]);
      acc = Accumulate ? static_cast<T>(acc + v) : v;
    }
    d = acc;
  }
}

// dst[off] += val (or = val, the last of each repeated offset) with repeated offsets. dst does
// not vary over the index dims (stride 0) and `off` does not vary over the others, so the shape
// splits into data dims X and index dims B; equal offsets can only meet within one x, and the
// sort groups them.
void sorted_put(const Tensor& dst, const Tensor& val, const Tensor& off, bool accumulate) {
  DimVec xs, bs, dst_x, val_x, val_b, off_b;
  const DimVec& shape = dst->sizes();
  for (int64_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    const bool index_dim = off->strides()[d] != 0;
    (index_dim ? bs : xs).push_back(shape[d]);
    if (index_dim) {
      off_b.push_back(off->strides()[d]);
      val_b.push_back(val->strides()[d]);
    } else {
      dst_x.push_back(dst->strides()[d]);
      val_x.push_back(val->strides()[d]);
    }
  }
  const Operand xops[2] = {operand(dst, dst_x), operand(val, val_x)};
  const Operand bops[2] = {operand(off, off_b), operand(val, val_b)};
  const LoopArgs<2> X = make_args<2>(StridedLoop(xs, 2, xops), 0, "index_put_accumulate");
  const LoopArgs<2> B = make_args<2>(StridedLoop(bs, 2, bops), 0, "index_put_accumulate");
  const int64_t nb = B.numel;
  if (nb == 0 || X.numel == 0) return;
  int64_t n = 1;
  while (n < nb) n <<= 1;
  Tensor scratch = pt::empty({2, n}, DType::Int64, dst->device());
  int64_t* key = scratch->data<int64_t>();
  int64_t* pos = key + n;
  load_keys<<<grid_for(n), kThreads>>>(B, n, key, pos);
  check_launch("index_put_load_keys");
  for (int64_t k = 2; k <= n; k <<= 1) {
    for (int64_t j = k >> 1; j > 0; j >>= 1) {
      bitonic_step<<<grid_for(n / 2), kThreads>>>(key, pos, n, k, j);
      check_launch("index_put_bitonic_step");
    }
  }
  PT_DISPATCH_ALL(dst->dtype(), "index_put_", [&] {
    if (accumulate) add_runs<scalar_t, true><<<grid_for(X.numel * nb), kThreads>>>(X, B, key, pos, nb);
    else add_runs<scalar_t, false><<<grid_for(X.numel * nb), kThreads>>>(X, B, key, pos, nb);
    check_launch("index_put_add_runs");
  });
  // The scratch goes back to the caching allocator when this returns; the kernels above are
  // ordered before any later use of it on the same stream.
}

}  // namespace

void add_index_offsets(const Tensor& off, const Tensor& idx, int64_t size, int64_t stride, bool first,
                       bool wrap) {
  const Operand ops[2] = {operand(off), operand(idx)};
  const LoopArgs<2> p = make_args<2>(StridedLoop(off->sizes(), 2, ops), 0, "add_index_offsets");
  if (p.numel == 0) return;
  const BadIndex bad(off->device());
  const bool int32 = idx->dtype() == DType::Int32;
  if (int32) run_strided("add_index_offsets", p, AddOffsets<int32_t>{size, stride, first, wrap, bad.ptr()});
  else run_strided("add_index_offsets", p, AddOffsets<int64_t>{size, stride, first, wrap, bad.ptr()});
  bad.raise_if_any(p, 1, int32);
}

void index_gather(const Tensor& out, const Tensor& src, const Tensor& off) {
  const Operand ops[3] = {operand(out), operand(src), operand(off)};
  const LoopArgs<3> p = make_args<3>(StridedLoop(out->sizes(), 3, ops), 0, "index_gather");
  dispatch_bytes(out->itemsize(), [&](auto zero) { run_strided("index_gather", p, GatherAt<decltype(zero)>{}); });
}

// Without accumulate, a repeated index keeps one of its values (which one is unspecified, as
// in PyTorch on CUDA).
void index_put(const Tensor& dst, const Tensor& val, const Tensor& off, bool accumulate) {
  // Plain writes race when offsets repeat (which one lands is unspecified, as in PyTorch);
  // deterministic algorithms take the sorted path, whose last value wins as on the CPU.
  if (accumulate || deterministic_algorithms()) return sorted_put(dst, val, off, accumulate);
  const Operand ops[3] = {operand(dst), operand(val), operand(off)};
  const LoopArgs<3> p = make_args<3>(StridedLoop(dst->sizes(), 3, ops), 0, "index_put");
  dispatch_bytes(dst->itemsize(), [&](auto zero) { run_strided("index_put", p, PutAt<decltype(zero)>{}); });
}

namespace {

struct RangeCheck {
  int64_t lo, hi;
  unsigned long long* bad;
  __device__ void operator()(const LoopArgs<1>& p, int64_t i, const int64_t* off) const {
    const int64_t v = at<int64_t>(p.data[0] + off[0]);
    if (v < lo || v >= hi) report_bad(bad, i);
  }
};

}  // namespace

void check_index_range(const Tensor& index, int64_t size, bool wrap) {
  const Operand ops[1] = {operand(index)};
  const LoopArgs<1> p = make_args<1>(StridedLoop(index->sizes(), 1, ops), 0, "check_index_range");
  if (p.numel == 0) return;
  const BadIndex bad(index->device());
  run_strided("check_index_range", p, RangeCheck{wrap ? -size : 0, size, bad.ptr()});
  bad.raise_if_any(p, 0, false);
}

// ---- gather / scatter along a dim ----

namespace {

// out[p] = self[p with dim -> index[p]]: `self` is given with stride 0 on dim, which
// `dim_stride` (bytes) replaces.
template <class T>
struct GatherDim {
  int64_t dim_stride;
  __device__ void operator()(const LoopArgs<3>& p, int64_t, const int64_t* off) const {
    at<T>(p.data[0] + off[0]) = at<T>(p.data[1] + off[1] + at<int64_t>(p.data[2] + off[2]) * dim_stride);
  }
};

template <class T> struct Assign { __device__ T operator()(T, T b) const { return b; } };
template <class T> struct Times {
  __device__ T operator()(T a, T b) const {
    if constexpr (std::is_same_v<T, bool>) return a && b;
    else return static_cast<T>(a * b);
  }
};
template <class T> struct AddScaled {
  T alpha;
  __device__ T operator()(T a, T b) const { return static_cast<T>(a + alpha * b); }
};

// One thread per lane of the (self, src, index) loop; `len` index entries along the dim with
// byte strides ds, ss, is.
template <class T, class Op>
__global__ void scatter_lanes(LoopArgs<3> p, int64_t len, int64_t ds, int64_t ss, int64_t is, Op op) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t l = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; l < p.numel; l += step) {
    int64_t off[3];
    p.offsets(l, off);
    char* d = p.data[0] + off[0];
    const char* s = p.data[1] + off[1];
    const char* ix = p.data[2] + off[2];
    for (int64_t j = 0; j < len; ++j) {
      T& dst = at<T>(d + *reinterpret_cast<const int64_t*>(ix + j * is) * ds);
      dst = op(dst, *reinterpret_cast<const T*>(s + j * ss));
    }
  }
}

}  // namespace

void gather(const Tensor& out, const Tensor& self, int64_t dim, const Tensor& index) {
  DimVec self_strides = self->strides();
  self_strides[dim] = 0;
  const Operand ops[3] = {operand(out), operand(self, self_strides), operand(index)};
  const LoopArgs<3> p = make_args<3>(StridedLoop(index->sizes(), 3, ops), 0, "gather");
  const int64_t ds = self->strides()[dim] * self->itemsize();
  dispatch_bytes(self->itemsize(), [&](auto zero) { run_strided("gather", p, GatherDim<decltype(zero)>{ds}); });
}

void scatter(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src, cpu::Reduce reduce,
             const Scalar& alpha) {
  DimVec lanes = index->sizes();
  const int64_t len = lanes[dim];
  lanes[dim] = 1;
  const Operand ops[3] = {operand(self), operand(src), operand(index)};
  const LoopArgs<3> p = make_args<3>(StridedLoop(lanes, 3, ops), 0, "scatter");
  if (p.numel == 0 || len == 0) return;
  const int64_t ds = self->strides()[dim] * self->itemsize(), ss = src->strides()[dim] * src->itemsize();
  const int64_t is = index->strides()[dim] * index->itemsize();
  PT_DISPATCH_ALL(self->dtype(), "scatter", [&] {
    using T = scalar_t;
    const int grid = grid_for(p.numel);
    if (reduce == cpu::Reduce::None) scatter_lanes<T><<<grid, kThreads>>>(p, len, ds, ss, is, Assign<T>{});
    else if (reduce == cpu::Reduce::Multiply) scatter_lanes<T><<<grid, kThreads>>>(p, len, ds, ss, is, Times<T>{});
    else scatter_lanes<T><<<grid, kThreads>>>(p, len, ds, ss, is, AddScaled<T>{alpha.to<T>()});
    check_launch("scatter_lanes");
  });
}

// ---- masked_fill ----

namespace {

template <class T>
struct MaskedFill {
  T value;
  __device__ void operator()(const LoopArgs<2>& p, int64_t, const int64_t* off) const {
    if (at<bool>(p.data[1] + off[1])) at<T>(p.data[0] + off[0]) = value;
  }
};

}  // namespace

void masked_fill(const Tensor& t, const Tensor& mask, const Scalar& value) {
  const Operand ops[2] = {operand(t), operand(mask)};
  const LoopArgs<2> p = make_args<2>(StridedLoop(t->sizes(), 2, ops), 0, "masked_fill_");
  PT_DISPATCH_ALL(t->dtype(), "masked_fill_", [&] {
    run_strided("masked_fill_", p, MaskedFill<scalar_t>{value.to<scalar_t>()});
  });
}

// ---- nonzero ----

namespace {

constexpr int kWarps = kThreads / 32;
constexpr int64_t kNonzeroChunk = int64_t{kThreads} * 16;  // elements per block

__device__ int64_t chunk_end(int64_t b0, int64_t n) { return n - b0 < kNonzeroChunk ? n : b0 + kNonzeroChunk; }

struct Shape {
  int64_t sizes[kMaxDims];
  int ndim;
};

// counts[b] = nonzeros in block b's chunk (an integer sum: any order gives the same count).
template <class T>
__global__ void count_nonzero_chunks(const T* x, int64_t n, int64_t* counts) {
  __shared__ int64_t warp_sums[kWarps];
  const int64_t b0 = static_cast<int64_t>(blockIdx.x) * kNonzeroChunk, b1 = chunk_end(b0, n);
  int64_t c = 0;
  for (int64_t i = b0 + threadIdx.x; i < b1; i += kThreads) c += x[i] != T(0);
  for (int o = 16; o > 0; o >>= 1) c += __shfl_down_sync(0xffffffffu, c, o);
  if (threadIdx.x % 32 == 0) warp_sums[threadIdx.x / 32] = c;
  __syncthreads();
  if (threadIdx.x == 0) {
    int64_t total = 0;
    for (int w = 0; w < kWarps; ++w) total += warp_sums[w];
    counts[blockIdx.x] = total;
  }
}

// Block b writes the coordinates of its chunk's nonzeros from row starts[b] on, in element
// order: each tile of kThreads elements is ranked by a warp ballot plus the counts of the
// warps before. Every thread runs every tile, so the barriers are reached by all.
template <class T>
__global__ void write_nonzero(const T* x, int64_t n, const int64_t* starts, Shape shape, int64_t* out,
                              int64_t rs, int64_t cs) {
  __shared__ int warp_counts[kWarps];
  const int64_t b0 = static_cast<int64_t>(blockIdx.x) * kNonzeroChunk, b1 = chunk_end(b0, n);
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  int64_t row = starts[blockIdx.x];
  for (int64_t t0 = b0; t0 < b1; t0 += kThreads) {
    const int64_t i = t0 + threadIdx.x;
    const bool nz = i < b1 && x[i] != T(0);
    const unsigned ballot = __ballot_sync(0xffffffffu, nz);
    if (lane == 0) warp_counts[warp] = __popc(ballot);
    __syncthreads();
    int64_t at_row = row + __popc(ballot & ((1u << lane) - 1u)), tile = 0;
    for (int w = 0; w < kWarps; ++w) {
      if (w < warp) at_row += warp_counts[w];
      tile += warp_counts[w];
    }
    if (nz) {
      int64_t rem = i;
      for (int d = shape.ndim - 1; d >= 0; --d) {
        out[at_row * rs + d * cs] = rem % shape.sizes[d];
        rem /= shape.sizes[d];
      }
    }
    __syncthreads();  // warp_counts is rewritten by the next tile
    row += tile;
  }
}

}  // namespace

Tensor nonzero(const Tensor& t, bool transposed) {
  const int64_t n = t->numel(), nd = t->dim();
  PT_CHECK(nd <= kMaxDims, NotImplementedError, "nonzero: CUDA tensors of more than ", kMaxDims,
           " dims are not supported, got ", nd);
  const int64_t blocks = (n + kNonzeroChunk - 1) / kNonzeroChunk;
  Tensor counts = pt::empty({blocks}, DType::Int64, t->device());
  std::vector<int64_t> starts(blocks);
  int64_t total = 0;
  Tensor out;
  PT_DISPATCH_ALL(t->dtype(), "nonzero", [&] {
    const scalar_t* x = static_cast<const scalar_t*>(t->raw_data());
    if (blocks > 0) {
      count_nonzero_chunks<<<blocks, kThreads>>>(x, n, counts->data<int64_t>());
      check_launch("count_nonzero_chunks");
      check(cudaMemcpy(starts.data(), counts->raw_data(), blocks * sizeof(int64_t), cudaMemcpyDeviceToHost),
            "cudaMemcpy");
      for (int64_t& s : starts) total += std::exchange(s, total);  // exclusive prefix sum
    }
    out = transposed ? pt::empty({nd, total}, DType::Int64, t->device())
                     : pt::empty({total, nd}, DType::Int64, t->device());
    if (total == 0 || nd == 0) return;
    check(cudaMemcpy(counts->raw_data(), starts.data(), blocks * sizeof(int64_t), cudaMemcpyHostToDevice),
          "cudaMemcpy");
    Shape shape{};
    shape.ndim = static_cast<int>(nd);
    for (int64_t d = 0; d < nd; ++d) shape.sizes[d] = t->sizes()[d];
    write_nonzero<<<blocks, kThreads>>>(x, n, counts->data<int64_t>(), shape, out->data<int64_t>(),
                                        transposed ? 1 : nd, transposed ? total : 1);
    check_launch("write_nonzero");
  });
  return out;
}

// ---- tril / triu ----

namespace {

struct Triangle {
  int64_t rows, cols, row_stride, col_stride, k;
  int64_t batch_sizes[kMaxDims], batch_strides[kMaxDims];
  int batch_dims;
  bool lower;
  int64_t numel;
};

template <class T>
__global__ void zero_triangle_kernel(T* base, Triangle g) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < g.numel; i += step) {
    const int64_t c = i % g.cols, rm = i / g.cols, r = rm % g.rows;
    if (g.lower ? c <= r + g.k : c >= r + g.k) continue;  // inside the kept triangle
    int64_t off = r * g.row_stride + c * g.col_stride;
    for (int64_t d = g.batch_dims - 1, m = rm / g.rows; d >= 0; --d) {
      off += (m % g.batch_sizes[d]) * g.batch_strides[d];
      m /= g.batch_sizes[d];
    }
    base[off] = T(0);
  }
}

}  // namespace

void zero_triangle(const Tensor& t, int64_t k, bool lower) {
  const int64_t nd = t->dim();
  if (t->numel() == 0) return;
  PT_CHECK(nd - 2 <= kMaxDims, NotImplementedError, lower ? "tril" : "triu", ": CUDA tensors of more than ",
           kMaxDims + 2, " dims are not supported, got ", nd);
  Triangle g{};
  g.rows = t->sizes()[nd - 2];
  g.cols = t->sizes()[nd - 1];
  g.row_stride = t->strides()[nd - 2];
  g.col_stride = t->strides()[nd - 1];
  g.k = std::clamp<int64_t>(k, -g.rows - 1, g.cols + 1);  // so that r + k cannot overflow
  g.batch_dims = static_cast<int>(nd - 2);
  for (int64_t d = 0; d < nd - 2; ++d) {
    g.batch_sizes[d] = t->sizes()[d];
    g.batch_strides[d] = t->strides()[d];
  }
  g.lower = lower;
  g.numel = t->numel();
  PT_DISPATCH_ALL(t->dtype(), "zero_triangle", [&] {
    zero_triangle_kernel<<<grid_for(g.numel), kThreads>>>(static_cast<scalar_t*>(t->raw_data()), g);
    check_launch("zero_triangle_kernel");
  });
}

}  // namespace pt::cuda

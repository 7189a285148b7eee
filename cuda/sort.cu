// CUDA sorting and selection along one dim, with the contract of cpu::select (cpu/sort.h):
// a block per line sorts (value, index) pairs in shared memory with a bitonic network, for
// lines of up to kMaxLine elements (longer ones raise NotImplementedError). The comparison is
// a total order (numbers by value, then index; NaNs after the numbers in index order; descending
// puts the NaNs first, then the numbers largest first, ties still by index), so the unstable
// network gives the CPU's stable answer, and top-k, k-th value and median read it off the
// sorted line as the CPU's selections do.
#include "core/error.h"
#include "cpu/sort.h"
#include "cuda/kernels.h"
#include "cuda/loop.cuh"
#include "cuda/offsets.cuh"

namespace pt::cuda {

using cpu::Selection;

namespace {

constexpr int64_t kMaxLine = 2048;

template <class T>
__device__ bool is_nan(T x) {
  if constexpr (std::is_floating_point_v<T>) return x != x;
  else return false;
}

// Whether (a, ia) goes before (b, ib); index -1 marks the padding up to a power of two, last.
template <class T>
__device__ bool before(T a, int64_t ia, T b, int64_t ib, bool descending) {
  if (ia < 0) return false;
  if (ib < 0) return true;
  const bool na = is_nan(a), nb = is_nan(b);
  if (na != nb) return descending ? na : nb;
  if (na || a == b) return ia < ib;
  return descending ? a > b : a < b;
}

struct SelectArgs {
  OffsetCalc lines;  // the other dims: input and output offsets of each line
  int64_t n_lines, n, stride, m, out_stride;
  int pow2;  // n rounded up to a power of two
  Selection::Kind kind;
  bool descending;
  int64_t k;
};

template <class T>
__global__ void select_kernel(const T* x, T* values, int64_t* indices, SelectArgs a) {
  extern __shared__ __align__(16) unsigned char smem[];
  int64_t* idx = reinterpret_cast<int64_t*>(smem);
  T* key = reinterpret_cast<T*>(idx + a.pow2);
  const int t = threadIdx.x, nt = blockDim.x;
  const bool desc = a.kind == Selection::Sort || a.kind == Selection::TopK ? a.descending : false;
  for (int64_t line = blockIdx.x; line < a.n_lines; line += gridDim.x) {  // uniform across the block
    int64_t in_off, out_off;
    a.lines.offsets(line, in_off, out_off);
    for (int i = t; i < a.pow2; i += nt) {
      idx[i] = i < a.n ? i : -1;
      key[i] = i < a.n ? x[in_off + i * a.stride] : T(0);
    }
    __syncthreads();
    // Bitonic: merge runs of size `size`; pairs (i, i + j), ascending where i & size == 0.
    for (int size = 2; size <= a.pow2; size *= 2) {
      for (int j = size / 2; j > 0; j /= 2) {
        for (int q = t; q < a.pow2 / 2; q += nt) {
          const int i = q / j * 2 * j + q % j, p = i + j;
          const bool up = (i & size) == 0;
          const bool swap = up ? before(key[p], idx[p], key[i], idx[i], desc)
                               : before(key[i], idx[i], key[p], idx[p], desc);
          if (swap) {
            const T kv = key[i];
            key[i] = key[p];
            key[p] = kv;
            const int64_t iv = idx[i];
            idx[i] = idx[p];
            idx[p] = iv;
          }
        }
        __syncthreads();
      }
    }
    if (a.kind == Selection::Sort || a.kind == Selection::TopK) {
      for (int64_t j = t; j < a.m; j += nt) {
        if (values) values[out_off + j * a.out_stride] = key[j];
        indices[out_off + j * a.out_stride] = idx[j];
      }
    } else if (t == 0) {
      int64_t r = a.kind == Selection::Kth ? a.k : (a.n - 1) / 2;
      if (a.kind == Selection::Median && is_nan(key[a.n - 1])) {
        // PyTorch's median of a line with NaN is its first NaN: the NaNs close the sorted
        // line in index order, so find where they start.
        int64_t lo = 0, hi = a.n - 1;
        while (lo < hi) {
          const int64_t mid = (lo + hi) / 2;
          if (is_nan(key[mid])) hi = mid;
          else lo = mid + 1;
        }
        r = lo;
      }
      if (values) values[out_off] = key[r];
      indices[out_off] = idx[r];
    }
    __syncthreads();  // the next line reuses the shared arrays
  }
}

}  // namespace

void select(const char* op, const Tensor& in, int64_t dim, const Selection& sel, const Tensor& values,
            const Tensor& indices) {
  const int64_t n = in->sizes()[dim];
  PT_CHECK(n <= kMaxLine, NotImplementedError, op, ": CUDA tensors with more than ", kMaxLine,
           " elements along the dim are not supported yet, got ", n);
  SelectArgs a{};
  DimVec sizes, in_strides, out_strides;
  for (int64_t d = 0; d < in->dim(); ++d) {
    if (d == dim || in->sizes()[d] == 1) continue;
    sizes.push_back(in->sizes()[d]);
    in_strides.push_back(in->strides()[d]);
    out_strides.push_back(indices->strides()[d]);
  }
  a.lines = offset_calc(sizes, in_strides, out_strides, op);
  a.n_lines = n ? in->numel() / n : 0;
  if (a.n_lines == 0) return;
  a.n = n;
  a.stride = in->strides()[dim];
  a.m = indices->sizes()[dim];
  a.out_stride = indices->strides()[dim];
  a.pow2 = 1;
  while (a.pow2 < n) a.pow2 *= 2;
  a.kind = sel.kind;
  a.descending = sel.descending;
  a.k = sel.k;
  const int threads = static_cast<int>(std::min<int64_t>(kThreads, std::max(32, a.pow2 / 2)));
  PT_DISPATCH_ALL(in->dtype(), op, [&] {
    const size_t shared = static_cast<size_t>(a.pow2) * (sizeof(int64_t) + sizeof(scalar_t));
    select_kernel<scalar_t><<<grid_for(a.n_lines * kThreads), threads, shared>>>(
        in->data<scalar_t>(), values ? values->data<scalar_t>() : nullptr, indices->data<int64_t>(), a);
    check_launch("select_kernel");
  });
}

}  // namespace pt::cuda

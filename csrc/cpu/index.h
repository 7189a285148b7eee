// CPU kernels of the index family. Shapes, dtypes and index ranges are checked by ops/index*;
// the kernels that read index values still bounds-check them (throwing OutOfRange) wherever
// the op has not already validated every index.
#pragma once
#include <cstdint>

#include "core/scalar.h"
#include "core/tensor.h"

namespace pt::cpu {

// Thrown by kernels for an index outside [-size, size) (or [0, size) without wrapping); the
// op catches it and raises the message that names itself, the dim and the size.
struct OutOfRange {
  int64_t value;
};

enum class Reduce : uint8_t { None, Add, Multiply };

// off += wrap(idx) * stride over a shape B (off contiguous int64, idx int32/int64 viewed to B);
// `first` writes instead of adding.
void add_index_offsets(const Tensor& off, const Tensor& idx, int64_t size, int64_t stride,
                       bool first, bool wrap);
// out[i] = src[off[i]] and dst[off[i]] (+)= val[i]: src, dst, val and off are views to out's
// shape (stride 0 where they do not vary), `off` in elements of src/dst.
void index_gather(const Tensor& out, const Tensor& src, const Tensor& off);
void index_put(const Tensor& dst, const Tensor& val, const Tensor& off, bool accumulate);

// Throws OutOfRange for the first int64 index outside [0, size) ([-size, size) with wrap).
void check_index_range(const Tensor& index, int64_t size, bool wrap);

// Along `dim`, for every position p of the int64 `index` (all values already in range):
// gather:  out[p] = self[p with dim -> index[p]]
// scatter: self[p with dim -> index[p]] = / += alpha * / *= src[p]
// Lanes (the other dims) run in parallel; each lane walks `dim` in order, so duplicate indices
// reduce deterministically.
void gather(const Tensor& out, const Tensor& self, int64_t dim, const Tensor& index);
void scatter(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src, Reduce reduce,
             const Scalar& alpha);

// t[mask] = value with `mask` a bool view broadcast to t's shape.
void masked_fill(const Tensor& t, const Tensor& mask, const Scalar& value);
// Coordinates of the nonzero elements of `t` as an int64 tensor: (n, ndim) row-major, or
// (ndim, n) when `transposed` (the layout of nonzero(as_tuple=True)).
Tensor nonzero(const Tensor& t, bool transposed);

// Same-size unsigned type for kernels that only move bytes (the CPU's and the CUDA ones).
template <class F>
void dispatch_bytes(int64_t itemsize, const F& f) {
  switch (itemsize) {
    case 1: f(uint8_t{}); break;
    case 4: f(uint32_t{}); break;
    default: f(uint64_t{}); break;
  }
}

}  // namespace pt::cpu

// An offset calculator for kernels that walk a set of dims by flat index (reductions over the
// kept and the reduced dims, sorts over the lines): the dims are sorted innermost-last by
// input stride and coalesced on the host, as the CPU kernels do, and packed by value.
#pragma once
#include <cstdint>
#include <cstdlib>
#include <utility>

#include "core/dimvec.h"
#include "core/error.h"
#include "cuda/loop.cuh"

namespace pt::cuda {

struct OffsetCalc {
  int64_t sizes[kMaxDims];
  int64_t in[kMaxDims];   // input strides, elements
  int64_t out[kMaxDims];  // output strides, elements (0 where there is no output)
  int nd;
  bool small;  // the flat indices fit 32 bits: 32-bit division, several times cheaper

  // Offsets of the element with flat index i (innermost dim last) in the input and output.
  __device__ void offsets(int64_t i, int64_t& off_in, int64_t& off_out) const {
    off_in = 0;
    off_out = 0;
    if (small) {
      uint32_t r = static_cast<uint32_t>(i);
      for (int d = nd - 1; d >= 0; --d) {
        const uint32_t s = static_cast<uint32_t>(sizes[d]), q = r / s, idx = r - q * s;
        off_in += idx * in[d];
        off_out += idx * out[d];
        r = q;
      }
      return;
    }
    for (int d = nd - 1; d >= 0; --d) {
      const int64_t q = i / sizes[d], idx = i - q * sizes[d];
      off_in += idx * in[d];
      off_out += idx * out[d];
      i = q;
    }
  }
  __device__ int64_t offset_in(int64_t i) const {
    if (nd == 1) return i * in[0];
    int64_t off = 0;
    if (small) {
      uint32_t r = static_cast<uint32_t>(i);
      for (int d = nd - 1; d >= 0; --d) {
        const uint32_t s = static_cast<uint32_t>(sizes[d]), q = r / s;
        off += (r - q * s) * in[d];
        r = q;
      }
      return off;
    }
    for (int d = nd - 1; d >= 0; --d) {
      const int64_t q = i / sizes[d];
      off += (i - q * sizes[d]) * in[d];
      i = q;
    }
    return off;
  }
  // The smallest input stride (0 without dims).
  int64_t inner_in() const { return nd ? std::abs(in[nd - 1]) : 0; }
};

// Dims (size-1 dims already dropped) with their input and output strides: sorted by |input
// stride| innermost-last, neighbours that step as one dim in both merged. `op` names the
// caller in the error for more than kMaxDims dims left.
inline OffsetCalc offset_calc(DimVec sizes, DimVec in, DimVec out, const char* op) {
  const int64_t nd = sizes.size();
  for (int64_t i = 1; i < nd; ++i)
    for (int64_t j = i; j > 0 && std::abs(in[j - 1]) < std::abs(in[j]); --j) {
      std::swap(sizes[j - 1], sizes[j]);
      std::swap(in[j - 1], in[j]);
      std::swap(out[j - 1], out[j]);
    }
  int64_t last = 0;
  for (int64_t d = 1; d < nd; ++d) {
    if (in[last] == in[d] * sizes[d] && out[last] == out[d] * sizes[d]) {
      sizes[last] *= sizes[d];
    } else {
      ++last;
      sizes[last] = sizes[d];
    }
    in[last] = in[d];
    out[last] = out[d];
  }
  const int64_t n = nd ? last + 1 : 0;
  PT_CHECK(n <= kMaxDims, NotImplementedError, op, ": CUDA kernels take at most ", kMaxDims,
           " dims after coalescing, got ", n);
  OffsetCalc c{};
  c.nd = static_cast<int>(n);
  int64_t count = 1;
  for (int d = 0; d < c.nd; ++d) {
    c.sizes[d] = sizes[d];
    c.in[d] = in[d];
    c.out[d] = out[d];
    count = sizes[d] && count > int64_t{UINT32_MAX} / sizes[d] ? int64_t{UINT32_MAX} + 1 : count * sizes[d];
  }
  c.small = count <= int64_t{UINT32_MAX};
  return c;
}

}  // namespace pt::cuda

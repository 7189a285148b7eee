// The strided loop every elementwise kernel runs on: operands broadcast to one shape, dims
// reordered by stride and coalesced, then walked in chunks of a flat index range so that a
// single huge row and many tiny rows both split across threads. The kernel sees only a 1-D
// inner loop fn(ptrs, byte_strides, n), where a contiguous fast path is a stride compare.
#pragma once
#include <algorithm>
#include <cstdint>

#include "core/dimvec.h"
#include "core/gil.h"
#include "core/parallel.h"

namespace pt {

constexpr int kMaxOperands = 4;
constexpr int64_t kElementwiseGrain = 32768;

struct Operand {
  char* data;
  const DimVec* strides;  // in elements, one per dim of the loop shape (0 where broadcast)
  int64_t itemsize;
};

class StridedLoop {
 public:
  StridedLoop(const DimVec& shape, int nops, const Operand* ops) : nops_(nops) {
    const int64_t nd = shape.size();
    numel_ = 1;
    for (int64_t s : shape) numel_ *= s;
    // Drop size-1 dims, keeping byte strides.
    for (int64_t d = 0; d < nd; ++d) {
      if (shape[d] == 1) continue;
      shape_.push_back(shape[d]);
      for (int k = 0; k < nops; ++k) strides_[k].push_back((*ops[k].strides)[d] * ops[k].itemsize);
    }
    for (int k = 0; k < nops; ++k) base_[k] = ops[k].data;
    reorder();
    coalesce();
    if (shape_.empty()) {
      shape_.push_back(1);
      for (int k = 0; k < nops; ++k) strides_[k].push_back(0);
    }
  }

  int64_t numel() const { return numel_; }
  int64_t ndim() const { return shape_.size(); }
  // The coalesced loop, innermost dim last, for backends that walk it themselves (CUDA).
  int nops() const { return nops_; }
  const DimVec& shape() const { return shape_; }
  const DimVec& byte_strides(int k) const { return strides_[k]; }
  char* data(int k) const { return base_[k]; }

  // fn(char** ptrs, const int64_t* inner_strides, int64_t n) on every inner run of elements.
  template <class F>
  void run(const F& fn, int64_t grain = kElementwiseGrain) const {
    if (numel_ == 0) return;
    GilRelease nogil(numel_ >= kElementwiseGrain);
    parallel_for(0, numel_, grain, [&](int64_t b, int64_t e) { run_range(b, e, fn); });
  }

 private:
  // Innermost dim last, ordered by the strides of the first operand that tells dims apart,
  // so a transposed output is still written in memory order.
  void reorder() {
    const int64_t nd = shape_.size();
    for (int64_t i = 1; i < nd; ++i) {
      for (int64_t j = i; j > 0; --j) {
        bool swap = false;
        for (int k = 0; k < nops_; ++k) {
          const int64_t a = strides_[k][j - 1], b = strides_[k][j];
          if (a == 0 || b == 0 || a == b) continue;
          swap = a < b;
          break;
        }
        if (!swap) break;
        std::swap(shape_[j - 1], shape_[j]);
        for (int k = 0; k < nops_; ++k) std::swap(strides_[k][j - 1], strides_[k][j]);
      }
    }
  }
  void coalesce() {
    int64_t out = 0;
    for (int64_t d = 1; d < shape_.size(); ++d) {
      bool can = true;
      for (int k = 0; k < nops_ && can; ++k)
        can = strides_[k][out] == strides_[k][d] * shape_[d];
      if (can) {
        shape_[out] *= shape_[d];
        for (int k = 0; k < nops_; ++k) strides_[k][out] = strides_[k][d];
      } else {
        ++out;
        shape_[out] = shape_[d];
        for (int k = 0; k < nops_; ++k) strides_[k][out] = strides_[k][d];
      }
    }
    const int64_t nd = shape_.empty() ? 0 : out + 1;
    shape_.resize(nd);
    for (int k = 0; k < nops_; ++k) strides_[k].resize(nd);
  }

  template <class F>
  void run_range(int64_t begin, int64_t end, const F& fn) const {
    const int64_t nd = shape_.size();
    const int64_t inner = shape_[nd - 1];
    int64_t inner_strides[kMaxOperands];
    for (int k = 0; k < nops_; ++k) inner_strides[k] = strides_[k][nd - 1];
    DimVec idx(nd);
    int64_t rem = begin;
    for (int64_t d = nd - 1; d >= 0; --d) {
      idx[d] = rem % shape_[d];
      rem /= shape_[d];
    }
    char* ptrs[kMaxOperands];
    int64_t pos = begin;
    while (pos < end) {
      for (int k = 0; k < nops_; ++k) {
        char* p = base_[k];
        for (int64_t d = 0; d < nd; ++d) p += idx[d] * strides_[k][d];
        ptrs[k] = p;
      }
      const int64_t n = std::min(inner - idx[nd - 1], end - pos);
      fn(ptrs, inner_strides, n);
      pos += n;
      idx[nd - 1] += n;
      for (int64_t d = nd - 1; d > 0 && idx[d] == shape_[d]; --d) {
        idx[d] = 0;
        ++idx[d - 1];
      }
    }
  }

  int nops_;
  int64_t numel_;
  DimVec shape_;
  DimVec strides_[kMaxOperands];
  char* base_[kMaxOperands];
};

}  // namespace pt

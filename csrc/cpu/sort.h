// CPU sorting and selection along one dim: sort, top-k, k-th smallest and median. NaN ranks
// above every number, as in PyTorch.
#pragma once
#include <cstdint>

#include "core/tensor.h"

namespace pt::cpu {

struct Selection {
  enum Kind { Sort, TopK, Kth, Median } kind = Sort;
  bool descending = false;  // Sort: largest first; TopK: the k largest
  int64_t k = 0;            // TopK: how many; Kth: the 0-based rank
};

// Per line of `in` along `dim` (rank >= 1, size n > 0), writes the selected elements and their
// indices along the same dim of `values` (may be null) and `indices`: contiguous, in's rank,
// with n (Sort), k (TopK) or 1 (Kth, Median) elements along `dim`. Sort is always stable.
void select(const Tensor& in, int64_t dim, const Selection& sel, const Tensor& values,
            const Tensor& indices);

}  // namespace pt::cpu

// Sorting and selection along a dim: sort, argsort, msort, topk, kthvalue, median.
#pragma once
#include <optional>

#include "core/tensor.h"
#include "ops/reduce.h"

namespace pt::ops {

// Always stable (so `stable` only documents the caller's intent); NaN sorts as the largest.
ValuesIndices sort(const Tensor& t, int64_t dim, bool descending, std::optional<bool> stable);
Tensor argsort(const Tensor& t, int64_t dim, bool descending, std::optional<bool> stable);
Tensor msort(const Tensor& t);  // sort along dim 0, values only
// The k largest (or smallest), in order (sorted=false returns them in order too).
ValuesIndices topk(const Tensor& t, int64_t k, int64_t dim, bool largest, bool sorted);
// The k-th smallest (1-based) along dim.
ValuesIndices kthvalue(const Tensor& t, int64_t k, int64_t dim, bool keepdim);
// The lower median: of everything (0-d), or along dim with its index; NaN if any is NaN.
Tensor median(const Tensor& t);
ValuesIndices median(const Tensor& t, int64_t dim, bool keepdim);

}  // namespace pt::ops

// Pieces shared by the index family's ops files (index_basic, index_advanced, index_scatter);
// not part of the ops API.
#pragma once
#include <string>
#include <vector>

#include "autograd/node.h"
#include "ops/index.h"

namespace pt::ops::detail {

// An advanced index found by the basic pass: integer indices for `dim` of the basic view, or a
// bool/uint8 mask covering dims [dim, dim + mask.dim()).
struct AdvIndex {
  int64_t dim;
  Tensor index;
};

// PyTorch prints shapes in index messages as lists: [3, 4].
std::string list_str(const DimVec& v);
// A 0-d tensor of `dtype` holding `v`.
Tensor scalar_tensor(const Scalar& v, DType dtype);
// Every element of `t` set to `value`, on t's device (no checks, no version bump).
void fill_values(const Tensor& t, const Scalar& value);
// `t` as a view of `sizes` with strides 0 where `t` broadcasts (same storage).
Tensor expand_view(const Tensor& t, const DimVec& sizes, const char* op);
// The view t.select(dim, i) for an `i` already in range.
Tensor select_view(const Tensor& t, int64_t dim, int64_t i);

// t[adv] for a basic view `v`: a copy. Indices wrap when negative if `wrap`; an index out of
// range raises IndexError (prefixed with `op` when given).
Tensor gather_advanced(const Tensor& v, const std::vector<AdvIndex>& adv, const char* op, bool wrap);
// v[adv] = value (broadcast to the indexed shape, cast to v's dtype), adding when `accumulate`.
void put_advanced(const Tensor& v, const std::vector<AdvIndex>& adv, const Tensor& value,
                  bool accumulate);
// `value` with leading size-1 dims beyond `shape` dropped, after checking it broadcasts to
// `shape` (RuntimeError "shape mismatch" otherwise), as __setitem__ accepts.
Tensor fit_value(const Tensor& value, const DimVec& shape);

// A copy of `t` for the out-of-place form of a write (scatter, index_put...), made without
// recording: the write's own node links the result to `t`.
Tensor copy_for_write(const Tensor& t);
// The sum of the elements of `g` where `mask` (broadcast to g's shape) is true: the gradient of
// a fill value given as a 0-d tensor.
Tensor masked_sum(const Tensor& g, const Tensor& mask);

// An index expression kept by a backward node: its tensors are saved like any input (version
// checked, freed by release_saved) and put back in place by unpack.
class SavedIndex {
 public:
  SavedIndex() = default;
  explicit SavedIndex(const IndexList& items);
  IndexList unpack(const autograd::Node* owner) const;
  void reset();

 private:
  IndexList items_;  // tensor items hold null here
  std::vector<autograd::SavedVariable> tensors_;
};

}  // namespace pt::ops::detail

// Indexing: the views of basic indexing (select, narrow, slice, t[1, ::2, None, ...]), the
// copies of advanced indexing (integer tensors and bool masks), writes through both, and the
// named index ops (index_select, gather, scatter, index_add_, masked_fill, nonzero, take...).
// Each differentiable op records its backward node (PyTorch's name) when an input needs grad;
// in-place forms raise PyTorch's error on a leaf that requires grad.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/scalar.h"
#include "core/tensor.h"

namespace pt::ops {

// One element of an index expression, already parsed from Python by the bindings.
struct IndexItem {
  enum class Kind : uint8_t { Int, Slice, None, Ellipsis, Bool, Tensor };
  Kind kind = Kind::None;
  // Int: `start` is the index. Slice: Python bounds, with INT64_MAX for an open stop.
  int64_t start = 0, stop = 0, step = 1;
  bool flag = false;  // Bool
  Tensor tensor;      // Tensor: integer indices or a bool/uint8 mask

  static IndexItem integer(int64_t i) { return make(Kind::Int, i, 0, 1); }
  static IndexItem slice(int64_t start, int64_t stop, int64_t step) {
    return make(Kind::Slice, start, stop, step);
  }
  static IndexItem none() { return make(Kind::None, 0, 0, 1); }
  static IndexItem ellipsis() { return make(Kind::Ellipsis, 0, 0, 1); }
  static IndexItem boolean(bool b) {
    IndexItem it = make(Kind::Bool, 0, 0, 1);
    it.flag = b;
    return it;
  }
  static IndexItem index(Tensor t) {
    IndexItem it = make(Kind::Tensor, 0, 0, 1);
    it.tensor = std::move(t);
    return it;
  }

 private:
  static IndexItem make(Kind k, int64_t start, int64_t stop, int64_t step) {
    IndexItem it;
    it.kind = k;
    it.start = start;
    it.stop = stop;
    it.step = step;
    return it;
  }
};
using IndexList = std::vector<IndexItem>;

// t[items]: a view when every item is basic, else a copy.
Tensor index(const Tensor& t, const IndexList& items);
// t[i] and t[start:stop:step] on dim 0: the fast paths of __getitem__ (views).
Tensor index_int(const Tensor& t, int64_t i);
Tensor index_slice(const Tensor& t, int64_t start, int64_t stop, int64_t step);
// t[items] = value (value broadcast to the indexed shape and cast to t's dtype).
void index_put_items(const Tensor& t, const IndexList& items, const Tensor& value,
                     bool accumulate = false);
void index_put_items(const Tensor& t, const IndexList& items, const Scalar& value);
// index_put_(indices, values, accumulate): `indices` hold tensors or null (a full slice).
const Tensor& index_put_(const Tensor& t, const std::vector<Tensor>& indices, const Tensor& values,
                         bool accumulate);
Tensor index_put(const Tensor& t, const std::vector<Tensor>& indices, const Tensor& values,
                 bool accumulate);

// Views.
Tensor select(const Tensor& t, int64_t dim, int64_t index);
Tensor narrow(const Tensor& t, int64_t dim, int64_t start, int64_t length);
// Python slice semantics on one dim: bounds clamp, step > 0.
Tensor slice(const Tensor& t, int64_t dim, int64_t start, int64_t stop, int64_t step = 1);

// Copies along one dim.
Tensor index_select(const Tensor& t, int64_t dim, const Tensor& index);
Tensor gather(const Tensor& t, int64_t dim, const Tensor& index);
Tensor take(const Tensor& t, const Tensor& index);

// Scatters. `reduce` is empty, "add" or "multiply".
const Tensor& scatter_(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src,
                       const std::string& reduce = "");
const Tensor& scatter_(const Tensor& t, int64_t dim, const Tensor& index, const Scalar& value,
                       const std::string& reduce = "");
Tensor scatter(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src,
               const std::string& reduce = "");
Tensor scatter(const Tensor& t, int64_t dim, const Tensor& index, const Scalar& value,
               const std::string& reduce = "");
const Tensor& scatter_add_(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src);
Tensor scatter_add(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src);
const Tensor& index_add_(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& source,
                         const Scalar& alpha);
Tensor index_add(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& source,
                 const Scalar& alpha);
// A fill value given as a 0-d tensor (the Tensor overloads) gets a gradient; a number does not.
const Tensor& index_fill_(const Tensor& t, int64_t dim, const Tensor& index, const Scalar& value);
const Tensor& index_fill_(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& value);
Tensor index_fill(const Tensor& t, int64_t dim, const Tensor& index, const Scalar& value);
Tensor index_fill(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& value);

// Masks.
const Tensor& masked_fill_(const Tensor& t, const Tensor& mask, const Scalar& value);
const Tensor& masked_fill_(const Tensor& t, const Tensor& mask, const Tensor& value);
Tensor masked_fill(const Tensor& t, const Tensor& mask, const Scalar& value);
Tensor masked_fill(const Tensor& t, const Tensor& mask, const Tensor& value);
Tensor masked_select(const Tensor& t, const Tensor& mask);
// (n, ndim) int64 coordinates of the nonzero elements, in row-major order.
Tensor nonzero(const Tensor& t);
// nonzero(as_tuple=True) and where(cond): one contiguous 1-D tensor per dim (one for 0-d).
std::vector<Tensor> nonzero_tuple(const Tensor& t);

// The value of a 0-d tensor used where a number is expected (masked_fill, index_fill_).
Scalar scalar_of(const Tensor& t, const char* op);

}  // namespace pt::ops

// Shape ops. Views (shape_view.cpp) share the input's storage and only compute new sizes,
// strides and offset; joins and copies (shape_join.cpp) allocate and fill through copy_. Each op
// records its backward node (PyTorch's name) when an input requires grad; the formulas are shape
// ops themselves, so create_graph differentiates them again.
#pragma once
#include <functional>
#include <optional>
#include <ostream>
#include <vector>

#include "autograd/record.h"
#include "core/tensor.h"

namespace pt::ops {

// ---- views: never copy ----
Tensor view(const Tensor& t, const DimVec& shape);
// A view when the strides allow one (also for non-contiguous inputs), else a contiguous copy.
Tensor reshape(const Tensor& t, const DimVec& shape);
Tensor flatten(const Tensor& t, int64_t start_dim = 0, int64_t end_dim = -1);
Tensor unflatten(const Tensor& t, int64_t dim, const DimVec& sizes);
Tensor ravel(const Tensor& t);
// Three forms, as PyTorch's nodes tell them apart: SqueezeBackward0 / 1 / 2.
Tensor squeeze(const Tensor& t);                        // every size-1 dim
Tensor squeeze(const Tensor& t, int64_t dim);           // `dim` if it has size 1
Tensor squeeze(const Tensor& t, const DimVec& dims);    // size-1 dims among `dims`
Tensor unsqueeze(const Tensor& t, int64_t dim);
Tensor permute(const Tensor& t, const DimVec& dims);
Tensor transpose(const Tensor& t, int64_t dim0, int64_t dim1);
Tensor t(const Tensor& self);          // <= 2-D only
Tensor numpy_T(const Tensor& t);       // .T: all dims reversed
Tensor matrix_T(const Tensor& t);      // .mT: last two dims swapped
Tensor movedim(const Tensor& t, const DimVec& source, const DimVec& destination);
Tensor expand(const Tensor& t, const DimVec& sizes);  // -1 keeps a size; stride 0 where broadcast
Tensor broadcast_to(const Tensor& t, const DimVec& shape);
std::vector<Tensor> broadcast_tensors(const std::vector<Tensor>& ts);
Tensor diagonal(const Tensor& t, int64_t offset = 0, int64_t dim1 = 0, int64_t dim2 = 1);
Tensor atleast_nd(const Tensor& t, int64_t n);  // atleast_1d / 2d / 3d
std::vector<Tensor> unbind(const Tensor& t, int64_t dim = 0);
std::vector<Tensor> split(const Tensor& t, int64_t split_size, int64_t dim = 0);
std::vector<Tensor> split_with_sizes(const Tensor& t, const DimVec& sizes, int64_t dim = 0);
std::vector<Tensor> chunk(const Tensor& t, int64_t chunks, int64_t dim = 0);
std::vector<Tensor> tensor_split(const Tensor& t, int64_t sections, int64_t dim = 0);
std::vector<Tensor> tensor_split_indices(const Tensor& t, const DimVec& indices, int64_t dim = 0);

// In-place views: `self` takes the geometry of the matching view and is returned. Only metadata
// changes, yet the version is bumped (as in PyTorch): a saved `self` would now read differently.
const Tensor& squeeze_(const Tensor& self, std::optional<DimVec> dims);
const Tensor& squeeze_(const Tensor& self, int64_t dim);
const Tensor& unsqueeze_(const Tensor& self, int64_t dim);
const Tensor& transpose_(const Tensor& self, int64_t dim0, int64_t dim1);
const Tensor& t_(const Tensor& self);

// ---- joins and copies: fresh contiguous outputs ----
Tensor cat(const std::vector<Tensor>& ts, int64_t dim = 0);
Tensor stack(const std::vector<Tensor>& ts, int64_t dim = 0);
Tensor hstack(const std::vector<Tensor>& ts);
Tensor vstack(const std::vector<Tensor>& ts);
Tensor dstack(const std::vector<Tensor>& ts);
Tensor flip(const Tensor& t, const DimVec& dims);
Tensor fliplr(const Tensor& t);
Tensor flipud(const Tensor& t);
Tensor roll(const Tensor& t, const DimVec& shifts, const DimVec& dims);  // dims empty: flattened
Tensor repeat(const Tensor& t, const DimVec& repeats);
Tensor tile(const Tensor& t, const DimVec& dims);
Tensor repeat_interleave(const Tensor& t, int64_t repeats, std::optional<int64_t> dim);
Tensor repeat_interleave(const Tensor& t, const Tensor& repeats, std::optional<int64_t> dim);
Tensor tril(const Tensor& t, int64_t diagonal = 0);
Tensor triu(const Tensor& t, int64_t diagonal = 0);
const Tensor& tril_(const Tensor& self, int64_t diagonal = 0);
const Tensor& triu_(const Tensor& self, int64_t diagonal = 0);
Tensor diag(const Tensor& t, int64_t diagonal = 0);

// ---- helpers shared by the two files ----
// [start, start + length) of `dim` as a view, and one index of `dim` with the dim dropped.
// Callers pass checked bounds (narrow/select with their user-facing checks are index ops).
Tensor dim_slice(const Tensor& t, int64_t dim, int64_t start, int64_t length);
Tensor dim_select(const Tensor& t, int64_t dim, int64_t index);
// Wrapped dims, raising PyTorch's error when one appears twice.
DimVec wrap_dims_unique(const DimVec& dims, int64_t ndim, const char* op);
// wrap_dim for ops that need a real dim: a 0-d tensor raises IndexError as in PyTorch.
int64_t wrap_dim_nonscalar(int64_t dim, const Tensor& t, const char* op);
// Sizes in PyTorch's message style: [2, 3].
struct ListStr { const DimVec& v; };
std::ostream& operator<<(std::ostream& os, ListStr s);

// ---- autograd helpers shared by the two files ----
namespace detail {
template <class N, class Inputs, class F, class... Args>
Tensor record_node(const Inputs& inputs, bool is_view, const F& forward, Args&&... args) {
  if (!autograd::needs_grad(inputs)) return forward();
  Tensor out;
  {
    autograd::GradModeGuard off(false);
    out = forward();
  }
  auto node = autograd::make_node<N>(inputs, std::forward<Args>(args)...);
  if (is_view) autograd::set_view_history(out, node);
  else autograd::set_history(out, node);
  return out;
}
}  // namespace detail

// Runs `forward` and, when an input needs a gradient, records node N(args...) on its output
// (marked as a view when `is_view`). The forward then runs with recording off, so that the ops
// it is built from (clone, copy_, zeros...) leave no nodes of their own.
template <class N, class F, class... Args>
Tensor record(const Tensor& in, bool is_view, const F& forward, Args&&... args) {
  return detail::record_node<N>(std::initializer_list<const Tensor*>{&in}, is_view, forward,
                                std::forward<Args>(args)...);
}
template <class N, class F, class... Args>
Tensor record(const std::vector<Tensor>& ins, bool is_view, const F& forward, Args&&... args) {
  return detail::record_node<N>(ins, is_view, forward, std::forward<Args>(args)...);
}

// Strided geometries (a slice, a select, a diagonal) make a view of their argument. Reading
// through one and writing a gradient into zeros through it are each other's backward.
using Geometry = std::function<Tensor(const Tensor&)>;
struct GeometryNames {
  const char* view;   // the node of reading, e.g. "SliceBackward0"
  const char* embed;  // the node of writing, e.g. "SliceBackwardBackward0"
};
// geometry(t) as a view (or a copy of it), recorded as names.view.
Tensor geometry_view(const Tensor& t, Geometry geometry, GeometryNames names, bool copy = false);
// Zeros of `sizes` with `src` copied into geometry(zeros), recorded as names.embed.
Tensor geometry_embed(const Tensor& src, const DimVec& sizes, Geometry geometry, GeometryNames names);
// dim_slice and dim_select that record SliceBackward0 / SelectBackward0 (backward formulas use them).
Tensor slice_along(const Tensor& t, int64_t dim, int64_t start, int64_t length);
Tensor select_along(const Tensor& t, int64_t dim, int64_t index);

}  // namespace pt::ops

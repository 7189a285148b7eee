// Shape ops. Views (shape_view.cpp) share the input's storage and only compute new sizes,
// strides and offset; joins and copies (shape_join.cpp) allocate and fill through copy_.
#pragma once
#include <optional>
#include <ostream>
#include <vector>

#include "core/tensor.h"

namespace pt::ops {

// ---- views: never copy ----
Tensor view(const Tensor& t, const DimVec& shape);
// A view when the strides allow one (also for non-contiguous inputs), else a contiguous copy.
Tensor reshape(const Tensor& t, const DimVec& shape);
Tensor flatten(const Tensor& t, int64_t start_dim = 0, int64_t end_dim = -1);
Tensor unflatten(const Tensor& t, int64_t dim, const DimVec& sizes);
Tensor ravel(const Tensor& t);
Tensor squeeze(const Tensor& t);                        // every size-1 dim
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

// In-place views: `self` takes the geometry of the matching view and is returned.
const Tensor& squeeze_(const Tensor& self, std::optional<DimVec> dims);
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

}  // namespace pt::ops

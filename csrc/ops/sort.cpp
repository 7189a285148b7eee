#include "ops/sort.h"

#include <limits>

#include "autograd/record.h"
#include "core/error.h"
#include "cpu/sort.h"
#include "cuda/kernels.h"
#include "ops/copy.h"

namespace pt::ops {

namespace {

// Runs a selection along `dim` that keeps `m` elements there. A 0-d tensor is a line of one.
ValuesIndices run(const char* op, const Tensor& t, int64_t dim, const cpu::Selection& sel, int64_t m,
                  bool keepdim, bool want_values) {
  const bool scalar = t->dim() == 0;
  const Tensor x = scalar ? make_view(t, DimVec{1}, DimVec{1}, t->offset()) : t;
  DimVec sizes = x->sizes();
  sizes[dim] = m;
  Tensor values = want_values ? empty(sizes, t->dtype(), t->device()) : nullptr;
  Tensor indices = empty(sizes, DType::Int64, t->device());
  if (indices->numel() && t->device().is_cuda()) cuda::select(op, x, dim, sel, values, indices);
  else if (indices->numel()) cpu::select(x, dim, sel, values, indices);
  if (scalar || (!keepdim && m == 1)) {  // drop the dim: a reduction, or back to 0-d
    sizes.erase(dim);
    const DimVec strides = contiguous_strides(sizes);
    if (values) values = make_view(values, sizes, strides, 0);
    indices = make_view(indices, sizes, strides, 0);
  }
  return {values, indices};
}

void check_reducible(const Tensor& t, int64_t dim, const char* op) {
  PT_CHECK(t->dim() == 0 || t->sizes()[dim] != 0, IndexError, op, "(): Expected reduction dim ",
           dim, " to have non-zero size.");
}

}  // namespace

ValuesIndices sort(const Tensor& t, int64_t dim, bool descending, std::optional<bool>) {
  const int64_t d = wrap_dim(dim, t->dim());
  cpu::Selection sel;
  sel.descending = descending;
  ValuesIndices r = run("sort", t, d, sel, t->dim() ? t->sizes()[d] : 1, true, true);
  if (autograd::needs_grad({&t})) record_selection("SortBackward0", t, r.values, r.indices, d, true);
  return r;
}

Tensor argsort(const Tensor& t, int64_t dim, bool descending, std::optional<bool>) {
  const int64_t d = wrap_dim(dim, t->dim());
  cpu::Selection sel;
  sel.descending = descending;
  return run("argsort", t, d, sel, t->dim() ? t->sizes()[d] : 1, true, false).indices;
}

Tensor msort(const Tensor& t) { return sort(t, 0, false, std::nullopt).values; }

ValuesIndices topk(const Tensor& t, int64_t k, int64_t dim, bool largest, bool) {
  PT_CHECK(t->dtype() != DType::Bool, RuntimeError, "topk does not support bool dtypes on CPU");
  const int64_t d = wrap_dim(dim, t->dim());
  const int64_t n = t->dim() ? t->sizes()[d] : 1;
  PT_CHECK(k >= 0 && k <= n, RuntimeError, "selected index k out of range");
  cpu::Selection sel;
  sel.kind = cpu::Selection::TopK;
  sel.descending = largest;
  sel.k = t->dim() ? k : 1;  // PyTorch returns the element of a 0-d tensor even for k = 0
  ValuesIndices r = run("topk", t, d, sel, sel.k, true, true);
  if (autograd::needs_grad({&t})) record_selection("TopkBackward0", t, r.values, r.indices, d, true);
  return r;
}

ValuesIndices kthvalue(const Tensor& t, int64_t k, int64_t dim, bool keepdim) {
  const int64_t d = wrap_dim(dim, t->dim());
  check_reducible(t, d, "kthvalue");
  const int64_t n = t->dim() ? t->sizes()[d] : 1;
  PT_CHECK(k >= 1 && k <= n, RuntimeError, "kthvalue(): selected number k out of range for dimension ", d);
  cpu::Selection sel;
  sel.kind = cpu::Selection::Kth;
  sel.k = k - 1;
  ValuesIndices r = run("kthvalue", t, d, sel, 1, keepdim, true);
  if (autograd::needs_grad({&t}))
    record_selection("KthvalueBackward0", t, r.values, r.indices, d, keepdim);
  return r;
}

ValuesIndices median(const Tensor& t, int64_t dim, bool keepdim) {
  const int64_t d = wrap_dim(dim, t->dim());
  check_reducible(t, d, "median");
  cpu::Selection sel;
  sel.kind = cpu::Selection::Median;
  ValuesIndices r = run("median", t, d, sel, 1, keepdim, true);
  if (autograd::needs_grad({&t}))
    record_selection("MedianBackward1", t, r.values, r.indices, d, keepdim);
  return r;
}

Tensor median(const Tensor& t) {
  Tensor out;
  if (t->numel() == 0) {
    PT_CHECK(is_floating(t->dtype()), RuntimeError,
             "median(): cannot take the median of an empty ", t->dtype(), " tensor");
    out = empty(DimVec{}, t->dtype());
    PT_DISPATCH_FLOAT(t->dtype(), "median", [&] {
      *out->data<scalar_t>() = std::numeric_limits<scalar_t>::quiet_NaN();
    });
    out = to(out, out->dtype(), t->device());
  } else {  // the flat view carries no autograd state, so only the node below is recorded
    const Tensor c = contiguous(t);
    out = median(make_view(c, DimVec{c->numel()}, DimVec{1}, c->offset()), 0, false).values;
  }
  if (autograd::needs_grad({&t})) record_evenly_distributed("MedianBackward0", t, out);
  return out;
}

}  // namespace pt::ops

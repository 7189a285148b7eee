// gather, scatter (with reduce), scatter_add, index_add_ and index_fill_: ops that pair an
// index along one dim with positions in the other dims. Every index is range-checked before
// the first write, so a bad index leaves `self` untouched.
#include "core/error.h"
#include "cpu/fill.h"
#include "cpu/index.h"
#include "ops/copy.h"
#include "ops/index.h"
#include "ops/index_internal.h"

namespace pt::ops {

using namespace detail;

namespace {

// Index tensors may be int32 or int64; kernels read int64.
Tensor index_as_int64(const Tensor& index, const char* op) {
  PT_CHECK(index->dtype() == DType::Int64 || index->dtype() == DType::Int32, RuntimeError, op,
           "(): Expected dtype int32/int64 for index, but got ", index->dtype());
  return to(index, DType::Int64, index->device());
}

// 0-d tensors take part as one-element vectors, as in PyTorch.
Tensor as_1d(const Tensor& t) { return t->dim() ? t : make_view(t, {1}, {1}, t->offset()); }
int64_t dim_1d(const Tensor& t) { return std::max<int64_t>(t->dim(), 1); }

void check_range(const Tensor& index, int64_t dim, int64_t size, const char* op) {
  try {
    cpu::check_index_range(index, size, false);
  } catch (const cpu::OutOfRange& e) {
    throw RuntimeError(str_cat(op, "(): index ", e.value, " is out of bounds for dimension ", dim,
                               " with size ", size));
  }
}

cpu::Reduce parse_reduce(const std::string& reduce) {
  if (reduce.empty()) return cpu::Reduce::None;
  if (reduce == "add") return cpu::Reduce::Add;
  PT_CHECK(reduce == "multiply", RuntimeError, "reduce argument must be either add or multiply.");
  return cpu::Reduce::Multiply;
}

// self[index along dim] (op)= src, where `src` is null for a value broadcast from `value_src`
// (a 0-d tensor), so the src-shape rules do not apply to it.
const Tensor& scatter_impl(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src,
                           bool src_is_value, cpu::Reduce reduce, const Scalar& alpha,
                           const char* op) {
  check_cpu(t, op);
  check_cpu(index, op);
  check_cpu(src, op);
  const Tensor idx = as_1d(index_as_int64(index, op));
  dim = wrap_dim(dim, t->dim(), op);
  PT_CHECK(dim_1d(index) == dim_1d(t), RuntimeError, op,
           "(): Index tensor must have the same number of dimensions as self tensor");
  if (!src_is_value) {
    PT_CHECK(dim_1d(src) == dim_1d(index), RuntimeError, op,
             "(): Index tensor must have the same number of dimensions as src tensor");
    PT_CHECK(src->dtype() == t->dtype(), RuntimeError, op,
             "(): Expected self.dtype to be equal to src.dtype (got ", t->dtype(), " and ",
             src->dtype(), ")");
  }
  const Tensor self1 = as_1d(t), src1 = src_is_value ? src : as_1d(src);
  bool ok = true;
  for (int64_t d = 0; d < idx->dim(); ++d) {
    ok &= d == dim || idx->sizes()[d] <= self1->sizes()[d];
    ok &= src_is_value || idx->sizes()[d] <= src1->sizes()[d];
  }
  PT_CHECK(ok, RuntimeError, op, "(): Expected index ", list_str(index->sizes()),
           " to be no larger than self ", list_str(t->sizes()), " apart from dimension ", dim,
           src_is_value ? "" : " and to be no larger size than src ",
           src_is_value ? "" : list_str(src->sizes()));
  if (idx->numel() == 0) return t;
  check_range(idx, dim, self1->sizes()[dim], op);
  check_no_internal_overlap(t, op);
  Tensor s = src_is_value ? make_view(src, idx->sizes(), DimVec(idx->dim(), 0), src->offset())
                          : make_view(src1, idx->sizes(), src1->strides(), src1->offset());
  if (s->storage() == t->storage()) s = clone(s);
  t->bump_version();
  cpu::scatter(self1, dim, idx, s, reduce, alpha);
  return t;
}

}  // namespace

Tensor gather(const Tensor& t, int64_t dim, const Tensor& index) {
  check_cpu(t, "gather");
  check_cpu(index, "gather");
  const Tensor idx = as_1d(index_as_int64(index, "gather"));
  dim = wrap_dim(dim, t->dim(), "gather()");
  PT_CHECK(dim_1d(index) == dim_1d(t), RuntimeError,
           "gather(): Index tensor must have the same number of dimensions as input tensor");
  const Tensor self1 = as_1d(t);
  for (int64_t d = 0; d < idx->dim(); ++d)
    PT_CHECK(d == dim || idx->sizes()[d] <= self1->sizes()[d], RuntimeError,
             "gather(): Size does not match at dimension ", d, " expected index ",
             list_str(index->sizes()), " to be no larger than self ", list_str(t->sizes()),
             " apart from dimension ", dim);
  Tensor out = empty(index->sizes(), t->dtype());
  if (out->numel() == 0) return out;
  check_range(idx, dim, self1->sizes()[dim], "gather");
  cpu::gather(as_1d(out), self1, dim, idx);
  return out;
}

const Tensor& scatter_(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src,
                       const std::string& reduce) {
  return scatter_impl(t, dim, index, src, false, parse_reduce(reduce), Scalar::from_int(1), "scatter");
}

const Tensor& scatter_(const Tensor& t, int64_t dim, const Tensor& index, const Scalar& value,
                       const std::string& reduce) {
  check_scalar_fits(value, t->dtype(), "scatter");
  return scatter_impl(t, dim, index, scalar_tensor(value, t->dtype()), true, parse_reduce(reduce),
                      Scalar::from_int(1), "scatter");
}

Tensor scatter(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src,
               const std::string& reduce) {
  Tensor out = clone(t);
  scatter_(out, dim, index, src, reduce);
  return out;
}

Tensor scatter(const Tensor& t, int64_t dim, const Tensor& index, const Scalar& value,
               const std::string& reduce) {
  Tensor out = clone(t);
  scatter_(out, dim, index, value, reduce);
  return out;
}

const Tensor& scatter_add_(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src) {
  return scatter_impl(t, dim, index, src, false, cpu::Reduce::Add, Scalar::from_int(1), "scatter_add");
}

Tensor scatter_add(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src) {
  Tensor out = clone(t);
  scatter_add_(out, dim, index, src);
  return out;
}

// index_add_ is scatter_add with the index spread along `dim` over source's shape.
const Tensor& index_add_(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& source,
                         const Scalar& alpha) {
  const Tensor idx = index_as_int64(index, "index_add_");
  PT_CHECK(index->dim() <= 1, IndexError, "index_add_(): Index is supposed to be a vector, but got dim: ",
           index->dim(), " with size: ", list_str(index->sizes()));
  dim = wrap_dim(dim, t->dim(), "index_add_()");
  PT_CHECK(source->dtype() == t->dtype(), RuntimeError, "index_add_(): self (", t->dtype(),
           ") and source (", source->dtype(), ") must have the same scalar type");
  const Tensor src1 = as_1d(source), self1 = as_1d(t);
  bool same = dim_1d(source) == dim_1d(t);
  for (int64_t d = 0; same && d < self1->dim(); ++d)
    same = d == dim || src1->sizes()[d] == self1->sizes()[d];
  PT_CHECK(same, RuntimeError, "index_add_(): source tensor shape must match self tensor shape, "
           "excluding the specified dimension. Got self.shape = ", list_str(t->sizes()),
           " source.shape = ", list_str(source->sizes()));
  PT_CHECK(idx->numel() == src1->sizes()[dim], RuntimeError, "index_add_(): Number of indices (",
           idx->numel(), ") should be equal to source.size(dim): (", src1->sizes()[dim],
           "), for dim: ", dim);
  check_scalar_fits(alpha, t->dtype(), "index_add_");
  DimVec strides(src1->dim(), 0);
  strides[dim] = idx->dim() ? idx->strides()[0] : 1;
  const Tensor spread = make_view(idx, src1->sizes(), strides, idx->offset());
  return scatter_impl(t, dim, spread, source, false, cpu::Reduce::Add, alpha, "index_add_");
}

Tensor index_add(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& source,
                 const Scalar& alpha) {
  Tensor out = clone(t);
  index_add_(out, dim, index, source, alpha);
  return out;
}

const Tensor& index_fill_(const Tensor& t, int64_t dim, const Tensor& index, const Scalar& value) {
  check_cpu(t, "index_fill_");
  const Tensor idx = contiguous(index_as_int64(index, "index_fill_"));
  PT_CHECK(index->dim() <= 1, IndexError, "index_fill_(): Index has to be a vector/scalar, but got "
           "an index of shape ", list_str(index->sizes()));
  dim = wrap_dim(dim, t->dim(), "index_fill_()");
  check_scalar_fits(value, t->dtype(), "index_fill_");
  const Tensor self1 = as_1d(t);
  const int64_t size = self1->sizes()[dim], n = idx->numel();
  const int64_t* ix = idx->data<int64_t>();
  for (int64_t i = 0; i < n; ++i)
    PT_CHECK(ix[i] >= -size && ix[i] < size, IndexError, "index_fill_(): index ", ix[i],
             " is out of bounds for dimension ", dim, " with size ", size);
  if (n == 0 || t->numel() == 0) return t;
  check_no_internal_overlap(t, "index_fill_");
  t->bump_version();
  for (int64_t i = 0; i < n; ++i)
    cpu::fill(select_view(self1, dim, ix[i] < 0 ? ix[i] + size : ix[i]), value);
  return t;
}

Tensor index_fill(const Tensor& t, int64_t dim, const Tensor& index, const Scalar& value) {
  Tensor out = clone(t);
  index_fill_(out, dim, index, value);
  return out;
}

}  // namespace pt::ops

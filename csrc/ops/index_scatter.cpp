// gather, scatter (with reduce), scatter_add, index_add_ and index_fill_: ops that pair an
// index along one dim with positions in the other dims, and their backward nodes. Every index
// is range-checked before the first write, so a bad index leaves `self` untouched.
#include "autograd/record.h"
#include "core/error.h"
#include "cpu/fill.h"
#include "cpu/index.h"
#include "cuda/kernels.h"
#include "ops/copy.h"
#include "ops/elementwise.h"
#include "ops/factory.h"
#include "ops/index.h"
#include "ops/index_internal.h"
#include "ops/shape.h"

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
    if (index->device().is_cuda()) cuda::check_index_range(index, size, false);
    else cpu::check_index_range(index, size, false);
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
  same_device(op, {&t, &index, src_is_value ? nullptr : &src});
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
  // A value (a 0-d CPU tensor) goes to self's device.
  const Tensor value = src_is_value && src->device() != t->device() ? to(src, src->dtype(), t->device()) : src;
  Tensor s = src_is_value ? make_view(value, idx->sizes(), DimVec(idx->dim(), 0), value->offset())
                          : make_view(src1, idx->sizes(), src1->strides(), src1->offset());
  if (s->storage() == t->storage()) s = clone(s);
  t->bump_version();
  if (t->device().is_cuda()) cuda::scatter(self1, dim, idx, s, reduce, alpha);
  else cpu::scatter(self1, dim, idx, s, reduce, alpha);
  return t;
}


// `g` (the index's shape) as the gradient of a src of shape `sizes`, which may be larger: the
// elements past the index's extent were never read. 0-d and one-element 1-d count as the same.
Tensor pad_to(const Tensor& g, const DimVec& sizes) {
  const Tensor g1 = g->dim() == sizes.size() ? g : reshape(g, DimVec(sizes.size(), 1));
  if (g1->sizes() == sizes) return g1;
  Tensor z = zeros(sizes, g->dtype(), g->device());
  IndexList items;
  for (int64_t d = 0; d < g1->dim(); ++d) items.push_back(IndexItem::slice(0, g1->sizes()[d], 1));
  index_put_items(z, items, g1);
  return z;
}

// gather: each output element came from one element of self; the gradient is added back there
// (scatter_add, as an index may repeat).
struct GatherBackward0 final : autograd::Node {
  std::string name() const override { return "GatherBackward0"; }
  autograd::TensorList apply(autograd::TensorList&& grads) override {
    const Tensor& g = grads[0];
    Tensor dself = zeros(self_sizes, g->dtype(), g->device());
    scatter_add_(dself, dim, index.unpack(this), g);
    return {dself};
  }
  void release_saved() override { index.reset(); }
  int64_t dim = 0;
  autograd::SavedVariable index;
  DimVec self_sizes;
};

// scatter_ (ScatterBackward0 with src, ScatterBackward1 with a number) and scatter_add_
// (ScatterAddBackward0): self's gradient passes where nothing was overwritten (everywhere when
// adding); src's is gathered from the positions each of its elements went to.
struct ScatterBackward final : autograd::Node {
  ScatterBackward(const char* name, bool overwrite) : name_(name), overwrite(overwrite) {}
  std::string name() const override { return name_; }
  autograd::TensorList apply(autograd::TensorList&& grads) override {
    const Tensor& g = grads[0];
    autograd::TensorList out(2);
    if (next_edges[0].fn)
      out[0] = overwrite ? scatter(g, dim, index.unpack(this), Scalar::from_int(0)) : g;
    if (next_edges[1].fn) out[1] = pad_to(gather(g, dim, index.unpack(this)), src_sizes);
    return out;
  }
  void release_saved() override { index.reset(); }
  const char* name_;
  bool overwrite;
  int64_t dim = 0;
  autograd::SavedVariable index;
  DimVec src_sizes;
};

// PyTorch does not differentiate scatter with `reduce`; a backward that reaches it says so.
struct ScatterReduceBackward final : autograd::Node {
  std::string name() const override { return "NotImplemented"; }
  autograd::TensorList apply(autograd::TensorList&&) override {
    throw RuntimeError("derivative for scatter with reduce is not implemented; use scatter "
                       "without reduce or scatter_add");
  }
};

// Records dst (self written in place, or a copy of self) as self with src, or a number when
// src is null, scattered into it.
void record_scatter(const Tensor& dst, const Tensor& self, int64_t dim, const Tensor& index,
                    const Tensor& src, const char* name, bool overwrite) {
  if (!autograd::needs_grad({&self, &src})) return;
  auto node = autograd::make_node<ScatterBackward>({&self, &src}, name, overwrite);
  node->dim = dim;
  const bool src_grad = node->next_edges[1].fn != nullptr;
  if (overwrite || src_grad) node->index = autograd::SavedVariable(index, false);
  if (src_grad) node->src_sizes = src->sizes();
  autograd::set_history(dst, node);
}

void scatter_into(const Tensor& dst, const Tensor& self, int64_t dim, const Tensor& index,
                  const Tensor& src, const Scalar& value, const std::string& reduce) {
  const cpu::Reduce r = parse_reduce(reduce);
  if (src) {
    scatter_impl(dst, dim, index, src, false, r, Scalar::from_int(1), "scatter");
  } else {
    check_scalar_fits(value, dst->dtype(), "scatter");
    scatter_impl(dst, dim, index, scalar_tensor(value, dst->dtype()), true, r, Scalar::from_int(1),
                 "scatter");
  }
  if (r == cpu::Reduce::None)
    record_scatter(dst, self, dim, index, src, src ? "ScatterBackward0" : "ScatterBackward1", true);
  else if (autograd::needs_grad({&self, &src}))
    autograd::set_history(dst, autograd::make_node<ScatterReduceBackward>({&self, &src}));
}

void scatter_add_into(const Tensor& dst, const Tensor& self, int64_t dim, const Tensor& index,
                      const Tensor& src) {
  scatter_impl(dst, dim, index, src, false, cpu::Reduce::Add, Scalar::from_int(1), "scatter_add");
  record_scatter(dst, self, dim, index, src, "ScatterAddBackward0", false);
}

// index_add_: self's gradient passes whole; source's is the rows its rows were added to.
struct IndexAddBackward0 final : autograd::Node {
  std::string name() const override { return "IndexAddBackward0"; }
  autograd::TensorList apply(autograd::TensorList&& grads) override {
    const Tensor& g = grads[0];
    autograd::TensorList out(2);
    if (next_edges[0].fn) out[0] = g;
    if (next_edges[1].fn) {
      Tensor d = index_select(g, dim, index.unpack(this));
      if (alpha.f != 1) d = mul(d, alpha);
      out[1] = d->sizes() == source_sizes ? d : reshape(d, source_sizes);  // 0-d vs 1-element
    }
    return out;
  }
  void release_saved() override { index.reset(); }
  int64_t dim = 0;
  autograd::SavedVariable index;
  Scalar alpha;
  DimVec source_sizes;
};

// index_add_ is scatter_add with the index spread along `dim` over source's shape.
void index_add_into(const Tensor& dst, const Tensor& self, int64_t dim, const Tensor& index,
                    const Tensor& source, const Scalar& alpha) {
  const Tensor idx = index_as_int64(index, "index_add_");
  PT_CHECK(index->dim() <= 1, IndexError, "index_add_(): Index is supposed to be a vector, but got dim: ",
           index->dim(), " with size: ", list_str(index->sizes()));
  const int64_t d = wrap_dim(dim, dst->dim(), "index_add_()");
  PT_CHECK(source->dtype() == dst->dtype(), RuntimeError, "index_add_(): self (", dst->dtype(),
           ") and source (", source->dtype(), ") must have the same scalar type");
  const Tensor src1 = as_1d(source), self1 = as_1d(dst);
  bool same = dim_1d(source) == dim_1d(dst);
  for (int64_t k = 0; same && k < self1->dim(); ++k)
    same = k == d || src1->sizes()[k] == self1->sizes()[k];
  PT_CHECK(same, RuntimeError, "index_add_(): source tensor shape must match self tensor shape, "
           "excluding the specified dimension. Got self.shape = ", list_str(dst->sizes()),
           " source.shape = ", list_str(source->sizes()));
  PT_CHECK(idx->numel() == src1->sizes()[d], RuntimeError, "index_add_(): Number of indices (",
           idx->numel(), ") should be equal to source.size(dim): (", src1->sizes()[d],
           "), for dim: ", d);
  check_scalar_fits(alpha, dst->dtype(), "index_add_");
  DimVec strides(src1->dim(), 0);
  strides[d] = idx->dim() ? idx->strides()[0] : 1;
  const Tensor spread = make_view(idx, src1->sizes(), strides, idx->offset());
  if (dst->device().is_cuda()) {
    // On the device, a lane walk along a long index (embedding rows) would run one thread per
    // lane: the same sum goes through index_put_'s sorted accumulate instead.
    same_device("index_add_", {&dst, &index, &source});
    if (spread->numel() > 0) {
      check_range(idx, d, self1->sizes()[d], "index_add_");
      autograd::GradModeGuard off(false);
      const Tensor scaled = alpha.f == 1 ? source : mul(source, alpha);
      put_advanced(self1, {{d, as_1d(idx)}}, as_1d(scaled), /*accumulate=*/true);
    }
  } else {
    scatter_impl(dst, d, spread, source, false, cpu::Reduce::Add, alpha, "index_add_");
  }

  if (!autograd::needs_grad({&self, &source})) return;
  auto node = autograd::make_node<IndexAddBackward0>({&self, &source});
  node->dim = d;
  node->alpha = alpha;
  if (node->next_edges[1].fn) {
    node->index = autograd::SavedVariable(index, false);
    node->source_sizes = source->sizes();
  }
  autograd::set_history(dst, node);
}

// index_fill_: the filled positions pass no gradient to self; a value given as a 0-d tensor
// (IndexFillBackward1) gets their sum, each position counted once however often it is indexed.
struct IndexFillBackward final : autograd::Node {
  std::string name() const override {
    return value_is_tensor ? "IndexFillBackward1" : "IndexFillBackward0";
  }
  autograd::TensorList apply(autograd::TensorList&& grads) override {
    const Tensor& g = grads[0];
    const Tensor idx = index.unpack(this);
    autograd::TensorList out(2);
    if (next_edges[0].fn) out[0] = index_fill(g, dim, idx, Scalar::from_int(0));
    if (next_edges[1].fn) {
      Tensor filled = zeros(g->sizes(), DType::Bool, g->device());
      index_fill_(filled, dim, idx, Scalar::from_bool(true));
      out[1] = masked_sum(g, filled);
    }
    return out;
  }
  void release_saved() override { index.reset(); }
  int64_t dim = 0;
  autograd::SavedVariable index;
  bool value_is_tensor = false;
};

// dst = self with `value` along dim at index; dst is self for index_fill_, a copy otherwise.
// `value_t` is the value when it came as a 0-d tensor (null for a number).
void index_fill_into(const Tensor& dst, const Tensor& self, int64_t dim, const Tensor& index,
                     const Scalar& value, const Tensor& value_t) {
  same_device("index_fill_", {&dst, &index});
  // The indices are read on the host: one fill per index.
  const Tensor idx = contiguous(to(index_as_int64(index, "index_fill_"), DType::Int64, cpu_device()));
  PT_CHECK(index->dim() <= 1, IndexError, "index_fill_(): Index has to be a vector/scalar, but got "
           "an index of shape ", list_str(index->sizes()));
  const int64_t d = wrap_dim(dim, dst->dim(), "index_fill_()");
  check_scalar_fits(value, dst->dtype(), "index_fill_");
  const Tensor self1 = as_1d(dst);
  const int64_t size = self1->sizes()[d], n = idx->numel();
  const int64_t* ix = idx->data<int64_t>();
  for (int64_t i = 0; i < n; ++i)
    PT_CHECK(ix[i] >= -size && ix[i] < size, IndexError, "index_fill_(): index ", ix[i],
             " is out of bounds for dimension ", d, " with size ", size);
  if (n > 0 && dst->numel() > 0) {
    check_no_internal_overlap(dst, "index_fill_");
    dst->bump_version();
    for (int64_t i = 0; i < n; ++i)
      fill_values(select_view(self1, d, ix[i] < 0 ? ix[i] + size : ix[i]), value);
  }

  if (!autograd::needs_grad({&self, &value_t})) return;
  auto node = autograd::make_node<IndexFillBackward>({&self, &value_t});
  node->dim = d;
  node->index = autograd::SavedVariable(index, false);
  node->value_is_tensor = value_t != nullptr;
  autograd::set_history(dst, node);
}

}  // namespace

Tensor gather(const Tensor& t, int64_t dim, const Tensor& index) {
  const Device dev = same_device("gather", {&t, &index});
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
  Tensor out = pt::empty(index->sizes(), t->dtype(), dev);
  if (out->numel() > 0) {
    check_range(idx, dim, self1->sizes()[dim], "gather");
    if (dev.is_cuda()) cuda::gather(as_1d(out), self1, dim, idx);
    else cpu::gather(as_1d(out), self1, dim, idx);
  }
  if (autograd::needs_grad({&t})) {
    auto node = autograd::make_node<GatherBackward0>({&t});
    node->dim = dim;
    node->index = autograd::SavedVariable(index, false);
    node->self_sizes = t->sizes();
    autograd::set_history(out, node);
  }
  return out;
}

const Tensor& scatter_(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src,
                       const std::string& reduce) {
  autograd::check_inplace(t, "scatter_");
  scatter_into(t, t, dim, index, src, Scalar{}, reduce);
  return t;
}

const Tensor& scatter_(const Tensor& t, int64_t dim, const Tensor& index, const Scalar& value,
                       const std::string& reduce) {
  autograd::check_inplace(t, "scatter_");
  scatter_into(t, t, dim, index, nullptr, value, reduce);
  return t;
}

Tensor scatter(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src,
               const std::string& reduce) {
  Tensor out = copy_for_write(t);
  scatter_into(out, t, dim, index, src, Scalar{}, reduce);
  return out;
}

Tensor scatter(const Tensor& t, int64_t dim, const Tensor& index, const Scalar& value,
               const std::string& reduce) {
  Tensor out = copy_for_write(t);
  scatter_into(out, t, dim, index, nullptr, value, reduce);
  return out;
}

const Tensor& scatter_add_(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src) {
  autograd::check_inplace(t, "scatter_add_");
  scatter_add_into(t, t, dim, index, src);
  return t;
}

Tensor scatter_add(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src) {
  Tensor out = copy_for_write(t);
  scatter_add_into(out, t, dim, index, src);
  return out;
}

const Tensor& index_add_(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& source,
                         const Scalar& alpha) {
  autograd::check_inplace(t, "index_add_");
  index_add_into(t, t, dim, index, source, alpha);
  return t;
}

Tensor index_add(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& source,
                 const Scalar& alpha) {
  Tensor out = copy_for_write(t);
  index_add_into(out, t, dim, index, source, alpha);
  return out;
}

const Tensor& index_fill_(const Tensor& t, int64_t dim, const Tensor& index, const Scalar& value) {
  autograd::check_inplace(t, "index_fill_");
  index_fill_into(t, t, dim, index, value, nullptr);
  return t;
}

const Tensor& index_fill_(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& value) {
  autograd::check_inplace(t, "index_fill_");
  index_fill_into(t, t, dim, index, scalar_of(value, "index_fill_"), value);
  return t;
}

Tensor index_fill(const Tensor& t, int64_t dim, const Tensor& index, const Scalar& value) {
  Tensor out = copy_for_write(t);
  index_fill_into(out, t, dim, index, value, nullptr);
  return out;
}

Tensor index_fill(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& value) {
  Tensor out = copy_for_write(t);
  index_fill_into(out, t, dim, index, scalar_of(value, "index_fill"), value);
  return out;
}

}  // namespace pt::ops

// Advanced indexing (integer tensors and masks, as a copy) and writes through it, plus the ops
// built on the same machinery: index_select, take, masked_select, masked_fill and nonzero, with
// the backward nodes of those ops.
#include "autograd/record.h"
#include "core/error.h"
#include "cpu/index.h"
#include "cuda/kernels.h"
#include "ops/copy.h"
#include "ops/factory.h"
#include "ops/index.h"
#include "ops/index_internal.h"
#include "ops/reduce.h"
#include "ops/shape.h"

namespace pt::ops {

using namespace detail;

namespace {

// Where advanced indices put their result (numpy's and PyTorch's rule): the broadcast index
// shape replaces the indexed dims when those are adjacent, and goes first otherwise.
struct Plan {
  DimVec shape;         // of the result
  DimVec data_strides;  // of the indexed view, over `shape` (0 on the index dims)
  Tensor offsets;       // element offsets into the view, viewed to `shape`
};

// The coordinates of t's nonzero elements (t contiguous), on t's device.
Tensor nonzero_of(const Tensor& t, bool transposed) {
  return t->device().is_cuda() ? cuda::nonzero(t, transposed) : cpu::nonzero(t, transposed);
}

Plan plan(const Tensor& v, const std::vector<AdvIndex>& adv, const char* op, bool wrap) {
  const Device dev = v->device();
  // One integer index per dim: a k-dim mask becomes the k columns of its nonzero(). Index
  // tensors on the CPU index a CUDA tensor too (as in PyTorch): they move to its device.
  std::vector<AdvIndex> idx;
  for (const AdvIndex& a : adv) {
    PT_CHECK(a.index->device().is_cpu() || a.index->device() == dev, RuntimeError,
             "indices should be either on cpu or on the same device as the indexed tensor (",
             dev.str(), ")");
    const Tensor index = a.index->device() == dev ? a.index : to(a.index, a.index->dtype(), dev);
    if (index->dtype() != DType::Bool && index->dtype() != DType::UInt8) {
      idx.push_back({a.dim, index});
      continue;
    }
    Tensor cols = nonzero_of(contiguous(index), /*transposed=*/true);
    for (int64_t j = 0; j < index->dim(); ++j) idx.push_back({a.dim + j, select_view(cols, 0, j)});
  }

  DimVec b;
  for (const AdvIndex& a : idx) {
    const DimVec& s = a.index->sizes();
    const int64_t nd = std::max(b.size(), s.size());
    DimVec next(nd);
    bool ok = true;
    for (int64_t i = 0; i < nd; ++i) {
      const int64_t x = i < nd - b.size() ? 1 : b[i - (nd - b.size())];
      const int64_t y = i < nd - s.size() ? 1 : s[i - (nd - s.size())];
      ok = ok && (x == y || x == 1 || y == 1);
      next[i] = x == 1 ? y : x;
    }
    if (!ok) {
      std::string shapes;
      for (const AdvIndex& c : idx) shapes += (shapes.empty() ? "" : ", ") + list_str(c.index->sizes());
      throw IndexError(str_cat("shape mismatch: indexing tensors could not be broadcast together "
                               "with shapes ", shapes));
    }
    b = std::move(next);
  }

  const int64_t nd = v->dim();
  const int64_t first = idx.empty() ? 0 : idx.front().dim;
  bool adjacent = true;
  for (int64_t j = 0; j < static_cast<int64_t>(idx.size()); ++j) adjacent &= idx[j].dim == first + j;
  DimVec indexed(nd, 0);
  for (const AdvIndex& a : idx) indexed[a.dim] = 1;

  Plan p;
  DimVec off_strides;
  const DimVec bstrides = contiguous_strides(b);
  auto add_index_dims = [&] {
    for (int64_t i = 0; i < b.size(); ++i) {
      p.shape.push_back(b[i]);
      p.data_strides.push_back(0);
      off_strides.push_back(bstrides[i]);
    }
  };
  if (!adjacent) add_index_dims();
  for (int64_t d = 0; d < nd; ++d) {
    if (adjacent && d == first) add_index_dims();
    if (indexed[d]) continue;
    p.shape.push_back(v->sizes()[d]);
    p.data_strides.push_back(v->strides()[d]);
    off_strides.push_back(0);
  }
  if (adjacent && first == nd) add_index_dims();

  Tensor off = pt::empty(b, DType::Int64, dev);
  if (idx.empty()) fill_values(off, Scalar::from_int(0));
  for (int64_t j = 0; j < static_cast<int64_t>(idx.size()); ++j) {
    const int64_t d = idx[j].dim, size = v->sizes()[d];
    const Tensor index = expand_view(idx[j].index, b, "index");
    try {
      if (dev.is_cuda()) cuda::add_index_offsets(off, index, size, v->strides()[d], j == 0, wrap);
      else cpu::add_index_offsets(off, index, size, v->strides()[d], j == 0, wrap);
    } catch (const cpu::OutOfRange& e) {
      throw IndexError(str_cat(op ? op : "", op ? ": " : "", "index ", e.value,
                               " is out of bounds for dimension ", d, " with size ", size));
    }
  }
  p.offsets = make_view(off, p.shape, off_strides, 0);
  return p;
}

}  // namespace

namespace detail {

Tensor gather_advanced(const Tensor& v, const std::vector<AdvIndex>& adv, const char* op, bool wrap) {
  Plan p = plan(v, adv, op, wrap);
  Tensor out = pt::empty(p.shape, v->dtype(), v->device());
  if (out->numel() == 0) return out;
  const Tensor src = make_view(v, p.shape, p.data_strides, v->offset());
  if (v->device().is_cuda()) cuda::index_gather(out, src, p.offsets);
  else cpu::index_gather(out, src, p.offsets);
  return out;
}

void put_advanced(const Tensor& v, const std::vector<AdvIndex>& adv, const Tensor& value,
                  bool accumulate) {
  Plan p = plan(v, adv, nullptr, true);
  Tensor val = fit_value(value, p.shape);
  // A value that shares memory with the destination is read in full before any write.
  if (val->dtype() != v->dtype() || val->storage() == v->storage() || val->device() != v->device())
    val = to(val, v->dtype(), v->device(), /*copy=*/true);
  if (p.offsets->numel() == 0) return;
  check_no_internal_overlap(v, "index_put_");
  v->bump_version();
  const Tensor dst = make_view(v, p.shape, p.data_strides, v->offset());
  const Tensor src = expand_view(val, p.shape, "index_put_");
  if (v->device().is_cuda()) cuda::index_put(dst, src, p.offsets, accumulate);
  else cpu::index_put(dst, src, p.offsets, accumulate);
}

Tensor masked_sum(const Tensor& g, const Tensor& mask) {
  return sum(masked_select(g, mask), std::nullopt, false, std::nullopt);
}

}  // namespace detail

namespace {

// The nodes of the reads below: where the output's elements came from, the incoming gradient
// goes back, in zeros of the input's shape, through a differentiable write (index_add_,
// index_put_items) so that create_graph differentiates it again.
struct IndexSelectBackward0 final : autograd::Node {
  std::string name() const override { return "IndexSelectBackward0"; }
  autograd::TensorList apply(autograd::TensorList&& grads) override {
    const Tensor& g = grads[0];
    Tensor dself = zeros(self_sizes, g->dtype(), g->device());
    index_add_(dself, dim, index.unpack(this), g, Scalar::from_int(1));  // rows may repeat
    return {dself};
  }
  void release_saved() override { index.reset(); }
  int64_t dim = 0;
  autograd::SavedVariable index;
  DimVec self_sizes;
};

struct TakeBackward0 final : autograd::Node {
  std::string name() const override { return "TakeBackward0"; }
  autograd::TensorList apply(autograd::TensorList&& grads) override {
    const Tensor& g = grads[0];
    Tensor flat = zeros({checked_numel(self_sizes, "take")}, g->dtype(), g->device());
    index_put_items(flat, {IndexItem::index(index.unpack(this))}, g, /*accumulate=*/true);
    return {reshape(flat, self_sizes)};
  }
  void release_saved() override { index.reset(); }
  autograd::SavedVariable index;
  DimVec self_sizes;
};

// The input may broadcast against the mask: its gradient is summed back to its shape.
struct MaskedSelectBackward0 final : autograd::Node {
  std::string name() const override { return "MaskedSelectBackward0"; }
  autograd::TensorList apply(autograd::TensorList&& grads) override {
    const Tensor& g = grads[0];
    const Tensor m = mask.unpack(this);
    const DimVec shape = broadcast_shapes(self_sizes, m->sizes(), "masked_select");
    Tensor dself = zeros(shape, g->dtype(), g->device());
    index_put_items(dself, {IndexItem::index(expand_view(m, shape, "masked_select"))}, g);
    return {sum_to(dself, self_sizes)};
  }
  void release_saved() override { mask.reset(); }
  autograd::SavedVariable mask;
  DimVec self_sizes;
};

// masked_fill: the filled positions pass no gradient to self; a value given as a 0-d tensor
// (MaskedFillBackward1) gets their sum.
struct MaskedFillBackward final : autograd::Node {
  std::string name() const override {
    return value_is_tensor ? "MaskedFillBackward1" : "MaskedFillBackward0";
  }
  autograd::TensorList apply(autograd::TensorList&& grads) override {
    const Tensor& g = grads[0];
    const Tensor m = mask.unpack(this);
    autograd::TensorList out(2);
    if (next_edges[0].fn) out[0] = sum_to(masked_fill(g, m, Scalar::from_int(0)), self_sizes);
    if (next_edges[1].fn) out[1] = masked_sum(g, m);
    return out;
  }
  void release_saved() override { mask.reset(); }
  autograd::SavedVariable mask;
  DimVec self_sizes;
  bool value_is_tensor = false;
};

}  // namespace

static Tensor index_select_forward(const Tensor& t, int64_t dim, const Tensor& index) {
  same_device("index_select", {&t, &index});
  PT_CHECK(index->dtype() == DType::Int64 || index->dtype() == DType::Int32, RuntimeError,
           "index_select(): Expected dtype int32 or int64 for index, but got ", index->dtype());
  PT_CHECK(index->dim() <= 1, IndexError, "index_select(): Index is supposed to be a vector, but got "
           "an index of shape ", list_str(index->sizes()));
  dim = wrap_dim(dim, t->dim(), "index_select()");
  const Tensor idx = make_view(index, {index->numel()}, {index->dim() ? index->strides()[0] : 1},
                               index->offset());
  if (t->dim() > 0) return gather_advanced(t, {{dim, idx}}, "index_select()", false);
  PT_CHECK(idx->numel() == 1, IndexError, "index_select(): Index to scalar can have only 1 value, got ",
           idx->numel(), " value(s)");
  Tensor out = gather_advanced(make_view(t, {1}, {1}, t->offset()), {{0, idx}}, "index_select()", false);
  return make_view(out, {}, {}, 0);
}

Tensor index_select(const Tensor& t, int64_t dim, const Tensor& index) {
  Tensor out = index_select_forward(t, dim, index);
  if (autograd::needs_grad({&t})) {
    auto node = autograd::make_node<IndexSelectBackward0>({&t});
    node->dim = dim;
    node->index = autograd::SavedVariable(index, false);
    node->self_sizes = t->sizes();
    autograd::set_history(out, node);
  }
  return out;
}

Tensor take(const Tensor& t, const Tensor& index) {
  PT_CHECK(index->dtype() == DType::Int64, RuntimeError,
           "take(): Expected a long tensor for index, but got ", index->dtype());
  same_device("take", {&t, &index});
  const Tensor c = contiguous(t);
  Tensor out =
      gather_advanced(make_view(c, {c->numel()}, {1}, c->offset()), {{0, index}}, "take()", true);
  if (autograd::needs_grad({&t})) {
    auto node = autograd::make_node<TakeBackward0>({&t});
    node->index = autograd::SavedVariable(index, false);
    node->self_sizes = t->sizes();
    autograd::set_history(out, node);
  }
  return out;
}

namespace {

void masked_fill_write(const Tensor& t, const Tensor& mask, const Scalar& value) {
  same_device("masked_fill_", {&t, &mask});
  PT_CHECK(mask->dtype() == DType::Bool, RuntimeError,
           "masked_fill_ only supports boolean masks, but got mask with dtype ", mask->dtype());
  PT_CHECK(broadcast_shapes(t->sizes(), mask->sizes(), "masked_fill_") == t->sizes(), RuntimeError,
           "masked_fill_: output with shape ", list_str(t->sizes()),
           " doesn't match the broadcast shape ",
           list_str(broadcast_shapes(t->sizes(), mask->sizes(), "masked_fill_")));
  check_scalar_fits(value, t->dtype(), "masked_fill_");
  if (t->numel() == 0) return;
  check_no_internal_overlap(t, "masked_fill_");
  const Tensor m = partial_overlap(t, mask) ? clone(mask) : mask;
  t->bump_version();
  const Tensor em = expand_view(m, t->sizes(), "masked_fill_");
  if (t->device().is_cuda()) cuda::masked_fill(t, em, value);
  else cpu::masked_fill(t, em, value);
}

// dst = self with `value` where mask is true; dst is self itself for masked_fill_, a copy of
// self broadcast to the mask's shape otherwise. `value_t` is the value when it came as a 0-d
// tensor (null for a number), so that it gets a gradient.
void masked_fill_into(const Tensor& dst, const Tensor& self, const Tensor& mask, const Scalar& value,
                      const Tensor& value_t) {
  masked_fill_write(dst, mask, value);
  if (!autograd::needs_grad({&self, &value_t})) return;
  auto node = autograd::make_node<MaskedFillBackward>({&self, &value_t});
  node->mask = autograd::SavedVariable(mask, false);
  node->self_sizes = self->sizes();
  node->value_is_tensor = value_t != nullptr;
  autograd::set_history(dst, node);
}

Tensor masked_fill_copy(const Tensor& t, const Tensor& mask) {
  autograd::GradModeGuard off(false);
  Tensor out = pt::empty(broadcast_shapes(t->sizes(), mask->sizes(), "masked_fill"), t->dtype(),
                         t->device());
  copy_(out, t, "masked_fill");
  return out;
}

}  // namespace

const Tensor& masked_fill_(const Tensor& t, const Tensor& mask, const Scalar& value) {
  autograd::check_inplace(t, "masked_fill_");
  masked_fill_into(t, t, mask, value, nullptr);
  return t;
}

const Tensor& masked_fill_(const Tensor& t, const Tensor& mask, const Tensor& value) {
  autograd::check_inplace(t, "masked_fill_");
  masked_fill_into(t, t, mask, scalar_of(value, "masked_fill_"), value);
  return t;
}

Tensor masked_fill(const Tensor& t, const Tensor& mask, const Scalar& value) {
  Tensor out = masked_fill_copy(t, mask);
  masked_fill_into(out, t, mask, value, nullptr);
  return out;
}

Tensor masked_fill(const Tensor& t, const Tensor& mask, const Tensor& value) {
  Tensor out = masked_fill_copy(t, mask);
  masked_fill_into(out, t, mask, scalar_of(value, "masked_fill"), value);
  return out;
}

Tensor masked_select(const Tensor& t, const Tensor& mask) {
  PT_CHECK(mask->dtype() == DType::Bool, RuntimeError, "masked_select: expected BoolTensor for mask");
  same_device("masked_select", {&t, &mask});
  DimVec shape = broadcast_shapes(t->sizes(), mask->sizes(), "masked_select");
  if (shape.empty()) shape = {1};  // a 0-d mask still selects into a 1-D result
  Tensor out = gather_advanced(expand_view(t, shape, "masked_select"),
                               {{0, expand_view(mask, shape, "masked_select")}}, "masked_select", true);
  if (autograd::needs_grad({&t})) {
    auto node = autograd::make_node<MaskedSelectBackward0>({&t});
    node->mask = autograd::SavedVariable(mask, false);
    node->self_sizes = t->sizes();
    autograd::set_history(out, node);
  }
  return out;
}

Tensor nonzero(const Tensor& t) { return nonzero_of(contiguous(t), /*transposed=*/false); }

std::vector<Tensor> nonzero_tuple(const Tensor& t) {
  const Tensor c = contiguous(t);
  // A 0-d input answers like a one-element vector: one index tensor of 0s.
  Tensor cols = nonzero_of(t->dim() ? c : make_view(c, {1}, {1}, c->offset()), true);
  std::vector<Tensor> out;
  for (int64_t d = 0; d < cols->sizes()[0]; ++d) out.push_back(select_view(cols, 0, d));
  return out;
}

Scalar scalar_of(const Tensor& t, const char* op) {
  PT_CHECK(t->dim() == 0, RuntimeError, op, " only supports a 0-dimensional value tensor, but got "
           "tensor with ", t->dim(), " dimension(s).");
  const Tensor c = to(t, t->dtype(), cpu_device());
  Scalar s;
  PT_DISPATCH_ALL(c->dtype(), op, [&] {
    const scalar_t v = *c->data<scalar_t>();
    if constexpr (std::is_same_v<scalar_t, bool>) s = Scalar::from_bool(v);
    else if constexpr (std::is_floating_point_v<scalar_t>) s = Scalar::from_double(v);
    else s = Scalar::from_int(v);
  });
  return s;
}

}  // namespace pt::ops

// Advanced indexing (integer tensors and masks, as a copy) and writes through it, plus the ops
// built on the same machinery: index_select, take, masked_select, masked_fill and nonzero.
#include "core/error.h"
#include "cpu/index.h"
#include "ops/copy.h"
#include "ops/index.h"
#include "ops/index_internal.h"

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

Plan plan(const Tensor& v, const std::vector<AdvIndex>& adv, const char* op, bool wrap) {
  check_cpu(v, op ? op : "index");
  // One integer index per dim: a k-dim mask becomes the k columns of its nonzero().
  std::vector<AdvIndex> idx;
  for (const AdvIndex& a : adv) {
    check_cpu(a.index, op ? op : "index");
    if (a.index->dtype() != DType::Bool && a.index->dtype() != DType::UInt8) {
      idx.push_back(a);
      continue;
    }
    Tensor cols = cpu::nonzero(contiguous(a.index), /*transposed=*/true);
    for (int64_t j = 0; j < a.index->dim(); ++j) idx.push_back({a.dim + j, select_view(cols, 0, j)});
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

  Tensor off = empty(b, DType::Int64);
  if (idx.empty()) *off->data<int64_t>() = 0;
  for (int64_t j = 0; j < static_cast<int64_t>(idx.size()); ++j) {
    const int64_t d = idx[j].dim, size = v->sizes()[d];
    try {
      cpu::add_index_offsets(off, expand_view(idx[j].index, b, "index"), size, v->strides()[d],
                             j == 0, wrap);
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
  Tensor out = empty(p.shape, v->dtype());
  if (out->numel() > 0)
    cpu::index_gather(out, make_view(v, p.shape, p.data_strides, v->offset()), p.offsets);
  return out;
}

void put_advanced(const Tensor& v, const std::vector<AdvIndex>& adv, const Tensor& value,
                  bool accumulate) {
  Plan p = plan(v, adv, nullptr, true);
  Tensor val = fit_value(value, p.shape);
  // A value that shares memory with the destination is read in full before any write.
  if (val->dtype() != v->dtype() || val->storage() == v->storage() || !val->device().is_cpu())
    val = to(val, v->dtype(), cpu_device(), /*copy=*/true);
  if (p.offsets->numel() == 0) return;
  check_no_internal_overlap(v, "index_put_");
  v->bump_version();
  cpu::index_put(make_view(v, p.shape, p.data_strides, v->offset()),
                 expand_view(val, p.shape, "index_put_"), p.offsets, accumulate);
}

}  // namespace detail

Tensor index_select(const Tensor& t, int64_t dim, const Tensor& index) {
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

Tensor take(const Tensor& t, const Tensor& index) {
  PT_CHECK(index->dtype() == DType::Int64, RuntimeError,
           "take(): Expected a long tensor for index, but got ", index->dtype());
  const Tensor c = contiguous(t);
  return gather_advanced(make_view(c, {c->numel()}, {1}, c->offset()), {{0, index}}, "take()", true);
}

const Tensor& masked_fill_(const Tensor& t, const Tensor& mask, const Scalar& value) {
  check_cpu(t, "masked_fill_");
  check_cpu(mask, "masked_fill_");
  PT_CHECK(mask->dtype() == DType::Bool, RuntimeError,
           "masked_fill_ only supports boolean masks, but got mask with dtype ", mask->dtype());
  PT_CHECK(broadcast_shapes(t->sizes(), mask->sizes(), "masked_fill_") == t->sizes(), RuntimeError,
           "masked_fill_: output with shape ", list_str(t->sizes()),
           " doesn't match the broadcast shape ",
           list_str(broadcast_shapes(t->sizes(), mask->sizes(), "masked_fill_")));
  check_scalar_fits(value, t->dtype(), "masked_fill_");
  if (t->numel() == 0) return t;
  check_no_internal_overlap(t, "masked_fill_");
  const Tensor m = partial_overlap(t, mask) ? clone(mask) : mask;
  t->bump_version();
  cpu::masked_fill(t, expand_view(m, t->sizes(), "masked_fill_"), value);
  return t;
}

Tensor masked_fill(const Tensor& t, const Tensor& mask, const Scalar& value) {
  Tensor out = empty(broadcast_shapes(t->sizes(), mask->sizes(), "masked_fill"), t->dtype(), t->device());
  copy_(out, t, "masked_fill");
  return masked_fill_(out, mask, value);
}

Tensor masked_select(const Tensor& t, const Tensor& mask) {
  PT_CHECK(mask->dtype() == DType::Bool, RuntimeError, "masked_select: expected BoolTensor for mask");
  DimVec shape = broadcast_shapes(t->sizes(), mask->sizes(), "masked_select");
  if (shape.empty()) shape = {1};  // a 0-d mask still selects into a 1-D result
  return gather_advanced(expand_view(t, shape, "masked_select"),
                         {{0, expand_view(mask, shape, "masked_select")}}, "masked_select", true);
}

Tensor nonzero(const Tensor& t) {
  check_cpu(t, "nonzero");
  return cpu::nonzero(contiguous(t), /*transposed=*/false);
}

std::vector<Tensor> nonzero_tuple(const Tensor& t) {
  check_cpu(t, "nonzero");
  const Tensor c = contiguous(t);
  // A 0-d input answers like a one-element vector: one index tensor of 0s.
  Tensor cols = cpu::nonzero(t->dim() ? c : make_view(c, {1}, {1}, c->offset()), true);
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

// Basic indexing: select, narrow, slice and the pass that turns an index expression into one
// strided view (ints, slices, None, Ellipsis) plus the advanced indices left for a copy; and
// __setitem__, which writes through that view. With their backward nodes: one for every read
// (the gradient goes back to where the elements came from) and one for every write.
#include <cmath>
#include <limits>

#include "autograd/record.h"
#include "core/error.h"
#include "cpu/fill.h"
#include "cpu/index.h"
#include "cuda/kernels.h"
#include "ops/copy.h"
#include "ops/factory.h"
#include "ops/index.h"
#include "ops/index_internal.h"
#include "ops/reduce.h"
#include "ops/shape.h"

namespace pt::ops {

namespace detail {

std::string list_str(const DimVec& v) {
  std::ostringstream os;
  os << '[';
  for (int64_t i = 0; i < v.size(); ++i) os << (i ? ", " : "") << v[i];
  os << ']';
  return os.str();
}

Tensor scalar_tensor(const Scalar& v, DType dtype) {
  Tensor t = pt::empty({}, dtype);
  cpu::fill(t, v);
  return t;
}

void fill_values(const Tensor& t, const Scalar& value) {
  if (t->device().is_cpu()) return cpu::fill(t, value);
  if (t->numel() == 0) return;
  const Operand op{static_cast<char*>(t->raw_data()), &t->strides(), t->itemsize()};
  cuda::fill(StridedLoop(t->sizes(), 1, &op), t->dtype(), value);
}

Tensor expand_view(const Tensor& t, const DimVec& sizes, const char* op) {
  return make_view(t, sizes, broadcast_strides(t, sizes, op), t->offset());
}

Tensor select_view(const Tensor& t, int64_t dim, int64_t i) {
  DimVec sizes = t->sizes(), strides = t->strides();
  const int64_t offset = t->offset() + i * strides[dim];
  sizes.erase(dim);
  strides.erase(dim);
  return make_view(t, std::move(sizes), std::move(strides), offset);
}

Tensor fit_value(const Tensor& value, const DimVec& shape) {
  int64_t drop = 0;
  while (value->dim() - drop > shape.size() && value->sizes()[drop] == 1) ++drop;
  bool ok = value->dim() - drop <= shape.size();
  for (int64_t i = drop, d = shape.size() - (value->dim() - drop); ok && i < value->dim(); ++i, ++d)
    ok = value->sizes()[i] == 1 || value->sizes()[i] == shape[d];
  PT_CHECK(ok, RuntimeError, "shape mismatch: value tensor of shape ", list_str(value->sizes()),
           " cannot be broadcast to indexing result of shape ", list_str(shape));
  if (drop == 0) return value;
  return make_view(value, DimVec(value->sizes().begin() + drop, value->sizes().end()),
                   DimVec(value->strides().begin() + drop, value->strides().end()), value->offset());
}

Tensor copy_for_write(const Tensor& t) {
  autograd::GradModeGuard off(false);
  return clone(t);
}

SavedIndex::SavedIndex(const IndexList& items) : items_(items) {
  for (IndexItem& it : items_) {
    if (it.kind != IndexItem::Kind::Tensor) continue;
    tensors_.emplace_back(it.tensor, false);
    it.tensor = nullptr;
  }
}

IndexList SavedIndex::unpack(const autograd::Node* owner) const {
  IndexList items = items_;
  size_t k = 0;
  for (IndexItem& it : items)
    if (it.kind == IndexItem::Kind::Tensor) it.tensor = tensors_[k++].unpack(owner);
  return items;
}

void SavedIndex::reset() {
  for (autograd::SavedVariable& t : tensors_) t.reset();
}

}  // namespace detail

using namespace detail;

namespace {

constexpr const char* kZeroDimInt =
    "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ "
    "to convert a 0-dim tensor to a number";
constexpr const char* kZeroDimSlice = "slice() cannot be applied to a 0-dim tensor.";

void check_step(int64_t step) {
  PT_CHECK(step != 0, ValueError, "slice step cannot be zero");
  PT_CHECK(step > 0, ValueError, "step must be greater than zero");
}

// Python's slice.indices() for a positive step: bounds clamp to [0, size].
std::pair<int64_t, int64_t> clamp_slice(int64_t start, int64_t stop, int64_t step, int64_t size) {
  auto clamp = [size](int64_t v) { return v < 0 ? std::max<int64_t>(v + size, 0) : std::min(v, size); };
  start = clamp(start);
  stop = clamp(stop);
  return {start, stop > start ? (stop - start - 1) / step + 1 : 0};
}

Tensor slice_view(const Tensor& t, int64_t dim, int64_t start, int64_t length, int64_t step) {
  DimVec sizes = t->sizes(), strides = t->strides();
  const int64_t offset = t->offset() + start * strides[dim];
  sizes[dim] = length;
  strides[dim] *= step;
  return make_view(t, std::move(sizes), std::move(strides), offset);
}

int64_t checked_index(int64_t i, int64_t dim, int64_t size) {
  PT_CHECK(i >= -size && i < size, IndexError, "index ", i, " is out of bounds for dimension ",
           dim, " with size ", size);
  return i < 0 ? i + size : i;
}

bool is_mask(const Tensor& t) { return t->dtype() == DType::Bool || t->dtype() == DType::UInt8; }

// A 0-d index tensor acts as the Python number it holds: an int, or True/False.
IndexItem normalize(const IndexItem& item) {
  if (item.kind != IndexItem::Kind::Tensor) return item;
  const Tensor& t = item.tensor;
  PT_CHECK(is_integral(t->dtype(), true), IndexError,
           "tensors used as indices must be long, int, byte or bool tensors");
  if (t->dim() != 0) return item;
  const Scalar v = scalar_of(t, "index");
  return is_mask(t) ? IndexItem::boolean(v.i != 0) : IndexItem::integer(v.i);
}

// True/False index a new size-1 dim with [0] or [] (PyTorch's rule), so they combine with other
// advanced indices by broadcasting.
Tensor bool_index(bool flag) {
  Tensor t = pt::empty({flag ? 1 : 0}, DType::Int64);
  if (flag) *t->data<int64_t>() = 0;
  return t;
}

struct Basic {
  Tensor view;
  std::vector<AdvIndex> adv;
  // PyTorch's node for the view: that of the last select/slice/unsqueeze it decomposes into
  // (a whole-dim slice inside a tuple is skipped), or an alias when there is none.
  const char* view_node = "AliasBackward0";
};

Basic apply_basic(const Tensor& t, const IndexList& raw) {
  using K = IndexItem::Kind;
  IndexList items;
  items.reserve(raw.size());
  int64_t consumed = 0, ellipses = 0;
  bool has_int = false, has_slice = false;
  for (const IndexItem& r : raw) {
    items.push_back(normalize(r));
    const IndexItem& it = items.back();
    has_int |= it.kind == K::Int;
    has_slice |= it.kind == K::Slice;
    ellipses += it.kind == K::Ellipsis;
    if (it.kind == K::Int || it.kind == K::Slice) ++consumed;
    if (it.kind == K::Tensor) consumed += is_mask(it.tensor) ? it.tensor->dim() : 1;
  }
  const int64_t nd = t->dim();
  PT_CHECK(ellipses <= 1, IndexError, "an index can only have a single ellipsis ('...')");
  if (consumed > nd) {
    PT_CHECK(nd > 0 || !has_int, IndexError, kZeroDimInt);
    PT_CHECK(nd > 0 || !has_slice, IndexError, kZeroDimSlice);
    throw IndexError(str_cat("too many indices for tensor of dimension ", nd));
  }

  Basic out;
  DimVec sizes, strides, inserted;
  int64_t offset = t->offset(), sd = 0;
  auto keep = [&](int64_t d) {
    sizes.push_back(t->sizes()[d]);
    strides.push_back(t->strides()[d]);
  };
  auto insert = [&] {
    inserted.push_back(sizes.size());
    sizes.push_back(1);
    strides.push_back(0);
  };
  for (const IndexItem& it : items) {
    switch (it.kind) {
      case K::Int:
        offset += checked_index(it.start, sd, t->sizes()[sd]) * t->strides()[sd];
        out.view_node = "SelectBackward0";
        ++sd;
        break;
      case K::Slice: {
        check_step(it.step);
        auto [start, len] = clamp_slice(it.start, it.stop, it.step, t->sizes()[sd]);
        if (start != 0 || len != t->sizes()[sd] || it.step != 1) out.view_node = "SliceBackward0";
        offset += start * t->strides()[sd];
        sizes.push_back(len);
        strides.push_back(t->strides()[sd] * it.step);
        ++sd;
        break;
      }
      case K::None:
        insert();
        out.view_node = "UnsqueezeBackward0";
        break;
      case K::Bool:
        out.adv.push_back({sizes.size(), bool_index(it.flag)});
        insert();
        break;
      case K::Ellipsis:
        for (int64_t n = nd - consumed; n > 0; --n) keep(sd++);
        break;
      case K::Tensor: {
        const Tensor& idx = it.tensor;
        out.adv.push_back({sizes.size(), idx});
        const int64_t k = is_mask(idx) ? idx->dim() : 1;
        for (int64_t j = 0; j < k && is_mask(idx); ++j)
          PT_CHECK(idx->sizes()[j] == t->sizes()[sd + j], IndexError, "The shape of the mask ",
                   list_str(idx->sizes()), " at index ", j,
                   " does not match the shape of the indexed tensor ", list_str(t->sizes()),
                   " at index ", sd + j);
        for (int64_t j = 0; j < k; ++j) keep(sd++);
        break;
      }
    }
  }
  while (sd < nd) keep(sd++);
  // A new axis gets the stride PyTorch's unsqueeze gives it (it spans the dims after it).
  for (int64_t i = inserted.size() - 1; i >= 0; --i) {
    const int64_t d = inserted[i];
    strides[d] = d + 1 < sizes.size() ? sizes[d + 1] * strides[d + 1] : 1;
  }
  out.view = make_view(t, std::move(sizes), std::move(strides), offset);
  return out;
}

// select, narrow and slice as index expressions (every dim before `dim` taken whole), for the
// backward they share with __getitem__.
IndexList on_dim(int64_t dim, const IndexItem& item) {
  IndexList items(dim, IndexItem::slice(0, INT64_MAX, 1));
  items.push_back(item);
  return items;
}

// t[items] = value without recording; true when the write went through advanced indexing.
bool put_items(const Tensor& t, const IndexList& items, const Tensor& value, bool accumulate) {
  Basic b = apply_basic(t, items);
  if (b.adv.empty() && !accumulate) {
    const Tensor v = fit_value(value, b.view->sizes());
    if (b.view->numel() > 0) copy_(b.view, v, "index_put_");
    return false;
  }
  put_advanced(b.view, b.adv, value, accumulate);
  return true;
}

// A copy of t with t[items] = value written, recorded as a write of `t`.
Tensor put_copy(const Tensor& t, const IndexList& items, const Tensor& value, bool accumulate);

// The gradient of a value written into an indexed shape: summed over its broadcast, with the
// leading size-1 dims that __setitem__ drops put back.
Tensor unbroadcast_value(const Tensor& g, const DimVec& value_sizes) {
  int64_t drop = 0;
  while (value_sizes.size() - drop > g->dim() && value_sizes[drop] == 1) ++drop;
  const Tensor r = sum_to(g, DimVec(value_sizes.begin() + drop, value_sizes.end()));
  return drop ? reshape(r, value_sizes) : r;
}

// The reads t[items] (views and advanced indexing): the gradient goes back to where each output
// element came from, in zeros of the input's shape, added up where an index repeats. The
// write is index_put_items, so create_graph differentiates it again.
struct IndexBackward final : autograd::Node {
  IndexBackward(const char* name, const Tensor& self, const IndexList& items, bool accumulate)
      : name_(name), self_sizes(self->sizes()), items(items), accumulate(accumulate) {}
  std::string name() const override { return name_; }
  autograd::TensorList apply(autograd::TensorList&& grads) override {
    const Tensor& g = grads[0];
    Tensor dself = zeros(self_sizes, g->dtype(), g->device());
    index_put_items(dself, items.unpack(this), g, accumulate);
    return {dself};
  }
  void release_saved() override { items.reset(); }

  const char* name_;
  DimVec self_sizes;
  SavedIndex items;
  bool accumulate;  // advanced indices may repeat
};

// `out` is t[items]: a view named `view_node`, or (null) an advanced-index copy.
void record_index(const Tensor& t, const Tensor& out, const IndexList& items, const char* view_node) {
  auto node = autograd::make_node<IndexBackward>({&t}, view_node ? view_node : "IndexBackward0", t,
                                                 items, view_node == nullptr);
  if (view_node) autograd::set_view_history(out, node);
  else autograd::set_history(out, node);
}

}  // namespace

Tensor select(const Tensor& t, int64_t dim, int64_t index) {
  PT_CHECK(t->dim() > 0, IndexError, "select() cannot be applied to a 0-dim tensor.");
  dim = wrap_dim(dim, t->dim(), "select()");
  const int64_t size = t->sizes()[dim];
  PT_CHECK(index >= -size && index < size, IndexError, "select(): index ", index,
           " out of range for tensor of size ", list_str(t->sizes()), " at dimension ", dim);
  Tensor out = select_view(t, dim, index < 0 ? index + size : index);
  if (autograd::needs_grad({&t}))
    record_index(t, out, on_dim(dim, IndexItem::integer(index)), "SelectBackward0");
  return out;
}

Tensor narrow(const Tensor& t, int64_t dim, int64_t start, int64_t length) {
  PT_CHECK(t->dim() > 0, RuntimeError, "narrow() cannot be applied to a 0-dim tensor.");
  dim = wrap_dim(dim, t->dim(), "narrow()");
  const int64_t size = t->sizes()[dim];
  PT_CHECK(length >= 0, RuntimeError, "narrow(): length must be non-negative.");
  PT_CHECK(start >= -size && start <= size, IndexError,
           "narrow(): start out of range (expected to be in range of [", -size, ", ", size,
           "], but got ", start, ")");
  if (start < 0) start += size;
  PT_CHECK(length <= size - start, RuntimeError, "narrow(): start (", start, ") + length (",
           length, ") exceeds dimension size (", size, ").");
  Tensor out = slice_view(t, dim, start, length, 1);
  if (autograd::needs_grad({&t}))
    record_index(t, out, on_dim(dim, IndexItem::slice(start, start + length, 1)), "SliceBackward0");
  return out;
}

Tensor slice(const Tensor& t, int64_t dim, int64_t start, int64_t stop, int64_t step) {
  PT_CHECK(t->dim() > 0, IndexError, kZeroDimSlice);
  dim = wrap_dim(dim, t->dim(), "slice()");
  check_step(step);
  auto [s, len] = clamp_slice(start, stop, step, t->sizes()[dim]);
  Tensor out = slice_view(t, dim, s, len, step);
  if (autograd::needs_grad({&t}))
    record_index(t, out, on_dim(dim, IndexItem::slice(start, stop, step)), "SliceBackward0");
  return out;
}

Tensor index_int(const Tensor& t, int64_t i) {
  PT_CHECK(t->dim() > 0, IndexError, kZeroDimInt);
  Tensor out = select_view(t, 0, checked_index(i, 0, t->sizes()[0]));
  if (autograd::needs_grad({&t})) record_index(t, out, {IndexItem::integer(i)}, "SelectBackward0");
  return out;
}

Tensor index_slice(const Tensor& t, int64_t start, int64_t stop, int64_t step) {
  return slice(t, 0, start, stop, step);
}

Tensor index(const Tensor& t, const IndexList& items) {
  Basic b = apply_basic(t, items);
  Tensor out = b.adv.empty() ? b.view : gather_advanced(b.view, b.adv, nullptr, true);
  if (autograd::needs_grad({&t})) record_index(t, out, items, b.adv.empty() ? b.view_node : nullptr);
  return out;
}

namespace {

// A write t[items] = value (or += with accumulate): the value gets the incoming gradient at the
// written positions, summed over its broadcast; t gets it with those positions zeroed, or whole
// when accumulating. PyTorch names a write through basic indexing CopySlices.
struct IndexPutBackward final : autograd::Node {
  std::string name() const override { return advanced ? "IndexPutBackward0" : "CopySlices"; }
  autograd::TensorList apply(autograd::TensorList&& grads) override {
    const Tensor& g = grads[0];
    const IndexList its = items.unpack(this);
    autograd::TensorList out(2);
    if (next_edges[0].fn)
      out[0] = accumulate ? g : put_copy(g, its, scalar_tensor(Scalar::from_int(0), g->dtype()), false);
    if (next_edges[1].fn) out[1] = unbroadcast_value(index(g, its), value_sizes);
    return out;
  }
  void release_saved() override { items.reset(); }

  SavedIndex items;
  bool accumulate = false, advanced = false;
  DimVec value_sizes;
};

// Records the write dst[items] = value, where dst is `self` written in place or a copy of it;
// `value` is null when a number was written.
void record_put(const Tensor& dst, const Tensor& self, const IndexList& items, const Tensor& value,
                bool accumulate, bool advanced) {
  if (!autograd::needs_grad({&self, &value})) return;
  auto node = autograd::make_node<IndexPutBackward>({&self, &value});
  node->items = SavedIndex(items);
  node->accumulate = accumulate;
  node->advanced = advanced;
  if (value) node->value_sizes = value->sizes();
  autograd::set_history(dst, node);
}

Tensor put_copy(const Tensor& t, const IndexList& items, const Tensor& value, bool accumulate) {
  Tensor out = copy_for_write(t);
  const bool advanced = put_items(out, items, value, accumulate);
  record_put(out, t, items, value, accumulate, advanced);
  return out;
}

// index_put_'s indices (null for a whole dim) as an index expression.
IndexList put_index_list(const Tensor& t, const std::vector<Tensor>& indices, const Tensor& values) {
  PT_CHECK(values->dtype() == t->dtype(), RuntimeError,
           "index_put_(): Index put requires the source and destination dtypes match, got ",
           t->dtype(), " for the destination and ", values->dtype(), " for the source.");
  IndexList items;
  items.reserve(indices.size());
  for (const Tensor& i : indices)
    items.push_back(i ? IndexItem::index(i) : IndexItem::slice(0, INT64_MAX, 1));
  return items;
}

}  // namespace

void index_put_items(const Tensor& t, const IndexList& items, const Tensor& value, bool accumulate) {
  autograd::check_inplace(t, "index_put_");
  const bool advanced = put_items(t, items, value, accumulate);
  record_put(t, t, items, value, accumulate, advanced);
}

void index_put_items(const Tensor& t, const IndexList& items, const Scalar& value) {
  autograd::check_inplace(t, "index_put_");
  check_scalar_fits(value, t->dtype(), "index_put_");
  Basic b = apply_basic(t, items);
  if (!b.adv.empty()) {
    put_advanced(b.view, b.adv, scalar_tensor(value, t->dtype()), false);
  } else if (b.view->numel() > 0) {
    check_no_internal_overlap(b.view, "index_put_");
    t->bump_version();
    fill_values(b.view, value);
  }
  record_put(t, t, items, nullptr, false, !b.adv.empty());
}

const Tensor& index_put_(const Tensor& t, const std::vector<Tensor>& indices, const Tensor& values,
                         bool accumulate) {
  index_put_items(t, put_index_list(t, indices, values), values, accumulate);
  return t;
}

Tensor index_put(const Tensor& t, const std::vector<Tensor>& indices, const Tensor& values,
                 bool accumulate) {
  return put_copy(t, put_index_list(t, indices, values), values, accumulate);
}

}  // namespace pt::ops

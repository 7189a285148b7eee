// View ops: each computes new sizes, strides and storage offset and returns a tensor sharing
// the input's storage. Their backward nodes come first: a few shapes of formula serve every view,
// each node named as PyTorch names the op's. Only geometry_embed (the gradient of a strided view)
// writes element data.
#include <algorithm>
#include <optional>

#include "core/error.h"
#include "ops/copy.h"
#include "ops/factory.h"
#include "ops/reduce.h"
#include "ops/shape.h"

namespace pt::ops {

// ---- backward nodes of the views ----
namespace {

// Views that regroup elements without reordering them (view, reshape, squeeze, unsqueeze...):
// the gradient is reshaped back to the input's sizes.
struct ReshapeBackward final : autograd::Node {
  ReshapeBackward(const char* name, DimVec sizes) : name_(name), sizes_(std::move(sizes)) {}
  std::string name() const override { return name_; }
  autograd::TensorList apply(autograd::TensorList&& grads) override { return {reshape(grads[0], sizes_)}; }
  const char* name_;
  DimVec sizes_;
};

// Reorderings of dims (permute, transpose, t, movedim...): the gradient goes through the inverse
// permutation of `perm`, the input dim behind each output dim.
struct PermuteBackward final : autograd::Node {
  PermuteBackward(const char* name, const DimVec& perm) : name_(name), inverse_(perm.size()) {
    for (int64_t i = 0; i < perm.size(); ++i) inverse_[perm[i]] = i;
  }
  std::string name() const override { return name_; }
  autograd::TensorList apply(autograd::TensorList&& grads) override { return {permute(grads[0], inverse_)}; }
  const char* name_;
  DimVec inverse_;
};

// Broadcast dims read each input element many times: their gradients add up.
struct ExpandBackward0 final : autograd::Node {
  explicit ExpandBackward0(DimVec sizes) : sizes_(std::move(sizes)) {}
  std::string name() const override { return "ExpandBackward0"; }
  autograd::TensorList apply(autograd::TensorList&& grads) override { return {sum_to(grads[0], sizes_)}; }
  DimVec sizes_;
};

// A strided geometry read (from_view) or written into zeros: each direction's gradient goes the
// other way. `sizes` is the input's, for the zeros of a read's gradient.
struct GeometryBackward final : autograd::Node {
  GeometryBackward(Geometry geometry, GeometryNames names, bool from_view, DimVec sizes)
      : geometry_(std::move(geometry)), names_(names), from_view_(from_view), sizes_(std::move(sizes)) {}
  std::string name() const override { return from_view_ ? names_.view : names_.embed; }
  autograd::TensorList apply(autograd::TensorList&& grads) override {
    if (from_view_) return {geometry_embed(grads[0], sizes_, geometry_, names_)};
    return {geometry_view(grads[0], geometry_, names_)};
  }
  Geometry geometry_;
  GeometryNames names_;
  bool from_view_;
  DimVec sizes_;
};

// Splits into pieces along `dim`: the pieces' gradients (zeros where an output got none) are
// joined again, stacked for unbind.
struct SplitBackward final : autograd::Node {
  SplitBackward(const char* name, int64_t dim, bool stacked) : name_(name), dim_(dim), stacked_(stacked) {}
  std::string name() const override { return name_; }
  autograd::TensorList apply(autograd::TensorList&& grads) override {
    return {stacked_ ? stack(grads, dim_) : cat(grads, dim_)};
  }
  const char* name_;
  int64_t dim_;
  bool stacked_;
};

}  // namespace

Tensor geometry_view(const Tensor& t, Geometry geometry, GeometryNames names, bool copy) {
  return record<GeometryBackward>(t, !copy, [&] { return copy ? clone(geometry(t)) : geometry(t); },
                                  std::move(geometry), names, true, t->sizes());
}

Tensor geometry_embed(const Tensor& src, const DimVec& sizes, Geometry geometry, GeometryNames names) {
  return record<GeometryBackward>(src, false, [&] {
    Tensor out = zeros(sizes, src->dtype(), src->device());
    copy_(geometry(out), src);
    return out;
  }, std::move(geometry), names, false, DimVec{});
}

Tensor slice_along(const Tensor& t, int64_t dim, int64_t start, int64_t length) {
  if (!autograd::needs_grad({&t})) return dim_slice(t, dim, start, length);
  return geometry_view(t, [=](const Tensor& x) { return dim_slice(x, dim, start, length); },
                       {"SliceBackward0", "SliceBackwardBackward0"});
}

Tensor select_along(const Tensor& t, int64_t dim, int64_t index) {
  if (!autograd::needs_grad({&t})) return dim_select(t, dim, index);
  return geometry_view(t, [=](const Tensor& x) { return dim_select(x, dim, index); },
                       {"SelectBackward0", "SelectBackwardBackward0"});
}

std::ostream& operator<<(std::ostream& os, ListStr s) {
  os << '[';
  for (int64_t i = 0; i < s.v.size(); ++i) os << (i ? ", " : "") << s.v[i];
  return os << ']';
}

Tensor dim_slice(const Tensor& t, int64_t dim, int64_t start, int64_t length) {
  DimVec sizes = t->sizes();
  sizes[dim] = length;
  return make_view(t, std::move(sizes), t->strides(), t->offset() + start * t->strides()[dim]);
}

Tensor dim_select(const Tensor& t, int64_t dim, int64_t index) {
  DimVec sizes = t->sizes(), strides = t->strides();
  sizes.erase(dim);
  strides.erase(dim);
  return make_view(t, std::move(sizes), std::move(strides), t->offset() + index * t->strides()[dim]);
}

DimVec wrap_dims_unique(const DimVec& dims, int64_t ndim, const char* op) {
  DimVec out(dims.size());
  for (int64_t i = 0; i < dims.size(); ++i) {
    out[i] = wrap_dim(dims[i], ndim, op);
    for (int64_t j = 0; j < i; ++j)
      PT_CHECK(out[j] != out[i], RuntimeError, "dim ", out[i], " appears multiple times in the list of dims");
  }
  return out;
}

int64_t wrap_dim_nonscalar(int64_t dim, const Tensor& t, const char* op) {
  PT_CHECK(t->dim() > 0, IndexError, op, ": Dimension specified as ", dim,
           " but tensor has no dimensions");
  return wrap_dim(dim, t->dim(), op);
}

// ---- the views ----

// `shape` with its one -1 resolved against `numel`; PyTorch's errors otherwise.
static DimVec infer_size(const DimVec& shape, int64_t numel) {
  int64_t infer = -1, prod = 1;
  bool overflow = false;
  for (int64_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      PT_CHECK(infer < 0, RuntimeError, "only one dimension can be inferred");
      infer = i;
      continue;
    }
    PT_CHECK(shape[i] >= 0, RuntimeError, "invalid shape dimension ", shape[i], " at index ", i,
             " of shape ", ListStr{shape});
    overflow = overflow || __builtin_mul_overflow(prod, shape[i], &prod);
  }
  if (infer >= 0 && !overflow) {
    PT_CHECK(prod != 0 || numel != 0, RuntimeError, "cannot reshape tensor of 0 elements into shape ",
             ListStr{shape}, " because the unspecified dimension size -1 can be any value and is ambiguous");
    if (prod != 0 && numel % prod == 0) {
      DimVec out = shape;
      out[infer] = numel / prod;
      return out;
    }
  } else if (!overflow && prod == numel) {
    return shape;
  }
  throw RuntimeError(str_cat("shape '", ListStr{shape}, "' is invalid for input of size ", numel));
}

// Strides that let (sizes, strides) be read as `shape` (same numel) without a copy, or nothing.
// The old dims fall into runs where each dim steps exactly over the ones inside it; every run
// must be rebuilt by a group of consecutive new dims with the same element count, and those new
// dims then step through the run with its innermost stride. Size-1 dims may take any stride.
static std::optional<DimVec> view_strides(const DimVec& sizes, const DimVec& strides,
                                          const DimVec& shape, int64_t numel) {
  if (numel == 0) return sizes == shape ? strides : contiguous_strides(shape);
  if (sizes.empty()) return DimVec(shape.size(), 1);
  DimVec out(shape.size());
  int64_t vd = shape.size() - 1;
  int64_t run_stride = strides.back(), run_numel = 1, view_numel = 1;
  for (int64_t d = sizes.size() - 1; d >= 0; --d) {
    run_numel *= sizes[d];
    const bool run_ends = d == 0 || (sizes[d - 1] != 1 && strides[d - 1] != run_numel * run_stride);
    if (!run_ends) continue;
    while (vd >= 0 && (view_numel < run_numel || shape[vd] == 1)) {
      out[vd] = view_numel * run_stride;
      view_numel *= shape[vd];
      --vd;
    }
    if (view_numel != run_numel) return std::nullopt;
    if (d > 0) {
      run_stride = strides[d - 1];
      run_numel = view_numel = 1;
    }
  }
  if (vd != -1) return std::nullopt;
  return out;
}

Tensor view(const Tensor& t, const DimVec& shape) {
  DimVec sizes = infer_size(shape, t->numel());
  std::optional<DimVec> strides = view_strides(t->sizes(), t->strides(), sizes, t->numel());
  PT_CHECK(strides, RuntimeError,
           "view size is not compatible with input tensor's size and stride (at least one dimension "
           "spans across two contiguous subspaces). Use .reshape(...) instead.");
  return record<ReshapeBackward>(t, true, [&] { return make_view(t, sizes, *strides, t->offset()); },
                                 "ViewBackward0", t->sizes());
}

// reshape's node is named as PyTorch names it: a view of a contiguous input, a view of another
// input, or a copy, named `copy_name` (ravel's is a view of a clone in PyTorch).
static Tensor reshape_named(const Tensor& t, const DimVec& shape, const char* copy_name) {
  DimVec sizes = infer_size(shape, t->numel());
  if (std::optional<DimVec> strides = view_strides(t->sizes(), t->strides(), sizes, t->numel()))
    return record<ReshapeBackward>(t, true, [&] { return make_view(t, sizes, *strides, t->offset()); },
                                   t->is_contiguous() ? "ViewBackward0" : "ReshapeAliasBackward0", t->sizes());
  return record<ReshapeBackward>(t, false, [&] {
    Tensor c = clone(t);
    return make_view(c, sizes, contiguous_strides(sizes), 0);
  }, copy_name, t->sizes());
}

Tensor reshape(const Tensor& t, const DimVec& shape) { return reshape_named(t, shape, "UnsafeViewBackward0"); }

Tensor flatten(const Tensor& t, int64_t start_dim, int64_t end_dim) {
  const int64_t start = wrap_dim(start_dim, t->dim(), "flatten");
  const int64_t end = wrap_dim(end_dim, t->dim(), "flatten");
  PT_CHECK(start <= end, RuntimeError, "flatten() has invalid args: start_dim cannot come after end_dim");
  if (t->dim() == 0) return reshape(t, {1});
  if (start == end) return t;
  DimVec shape(t->sizes().begin(), t->sizes().begin() + start);
  int64_t n = 1;
  for (int64_t d = start; d <= end; ++d) n *= t->sizes()[d];
  shape.push_back(n);
  for (int64_t d = end + 1; d < t->dim(); ++d) shape.push_back(t->sizes()[d]);
  return reshape(t, shape);
}

Tensor unflatten(const Tensor& t, int64_t dim, const DimVec& sizes) {
  const int64_t d = wrap_dim_nonscalar(dim, t, "unflatten");
  PT_CHECK(!sizes.empty(), RuntimeError, "unflatten: sizes must be non-empty");
  const int64_t n = t->sizes()[d];
  DimVec split;
  try {
    split = infer_size(sizes, n);
  } catch (const RuntimeError&) {
    throw RuntimeError(str_cat("unflatten: Provided sizes ", ListStr{sizes},
                               " don't multiply up to the size of dim ", d, " (", n, ") in the input tensor"));
  }
  // Splitting one dim is always possible without a copy; view() gives PyTorch's strides.
  DimVec shape(t->sizes().begin(), t->sizes().begin() + d);
  for (int64_t s : split) shape.push_back(s);
  for (int64_t i = d + 1; i < t->dim(); ++i) shape.push_back(t->sizes()[i]);
  return view(t, shape);
}

Tensor ravel(const Tensor& t) { return reshape_named(t, {-1}, "ViewBackward0"); }

// The view of `t` keeping only the dims for which keep(d) is true (all of them size 1 or not).
template <class Keep>
static Tensor drop_dims(const Tensor& t, const Keep& keep) {
  DimVec sizes, strides;
  for (int64_t d = 0; d < t->dim(); ++d) {
    if (!keep(d)) continue;
    sizes.push_back(t->sizes()[d]);
    strides.push_back(t->strides()[d]);
  }
  return make_view(t, std::move(sizes), std::move(strides), t->offset());
}

// The geometries of squeeze, unsqueeze and transpose, shared with their in-place forms.
static Tensor squeezed(const Tensor& t) {
  return drop_dims(t, [&](int64_t d) { return t->sizes()[d] != 1; });
}

static Tensor squeezed(const Tensor& t, const DimVec& dims) {
  const DimVec wrapped = wrap_dims_unique(dims, t->dim(), "squeeze");
  if (t->dim() == 0) return make_view(t, {}, {}, t->offset());
  return drop_dims(t, [&](int64_t d) {
    return t->sizes()[d] != 1 || std::find(wrapped.begin(), wrapped.end(), d) == wrapped.end();
  });
}

static Tensor unsqueezed(const Tensor& t, int64_t dim) {
  const int64_t d = wrap_dim(dim, t->dim() + 1, "unsqueeze");
  DimVec sizes = t->sizes(), strides = t->strides();
  const int64_t stride = d < t->dim() ? sizes[d] * strides[d] : 1;
  sizes.insert(d, 1);
  strides.insert(d, stride);
  return make_view(t, std::move(sizes), std::move(strides), t->offset());
}

// Dims a and b are wrapped.
static Tensor transposed(const Tensor& t, int64_t a, int64_t b) {
  DimVec sizes = t->sizes(), strides = t->strides();
  if (a != b) {
    std::swap(sizes[a], sizes[b]);
    std::swap(strides[a], strides[b]);
  }
  return make_view(t, std::move(sizes), std::move(strides), t->offset());
}

// The identity permutation of `nd` dims with wrapped dims a and b exchanged.
static DimVec swap_perm(int64_t nd, int64_t a, int64_t b) {
  DimVec perm(nd);
  for (int64_t i = 0; i < nd; ++i) perm[i] = i;
  if (a != b) std::swap(perm[a], perm[b]);
  return perm;
}

static int64_t t_dim1(const Tensor& self) {
  PT_CHECK(self->dim() <= 2, RuntimeError, "t() expects a tensor with <= 2 dimensions, but self is ",
           self->dim(), "D");
  return self->dim() == 2 ? 1 : 0;
}

Tensor squeeze(const Tensor& t) {
  return record<ReshapeBackward>(t, true, [&] { return squeezed(t); }, "SqueezeBackward0", t->sizes());
}

Tensor squeeze(const Tensor& t, int64_t dim) {
  return record<ReshapeBackward>(t, true, [&] { return squeezed(t, {dim}); }, "SqueezeBackward1", t->sizes());
}

Tensor squeeze(const Tensor& t, const DimVec& dims) {
  return record<ReshapeBackward>(t, true, [&] { return squeezed(t, dims); }, "SqueezeBackward2", t->sizes());
}

Tensor unsqueeze(const Tensor& t, int64_t dim) {
  return record<ReshapeBackward>(t, true, [&] { return unsqueezed(t, dim); }, "UnsqueezeBackward0", t->sizes());
}

Tensor permute(const Tensor& t, const DimVec& dims) {
  PT_CHECK(dims.size() == t->dim(), RuntimeError,
           "permute(): number of dimensions in the tensor input does not match the length of the "
           "desired ordering of dimensions i.e. input.dim() = ", t->dim(), " is not equal to len(dims) = ",
           dims.size());
  DimVec perm(dims.size()), sizes(dims.size()), strides(dims.size());
  for (int64_t i = 0; i < dims.size(); ++i) {
    perm[i] = wrap_dim(dims[i], t->dim(), "permute");
    for (int64_t j = 0; j < i; ++j)
      PT_CHECK(perm[j] != perm[i], RuntimeError, "permute(): duplicate dims are not allowed.");
    sizes[i] = t->sizes()[perm[i]];
    strides[i] = t->strides()[perm[i]];
  }
  return record<PermuteBackward>(t, true, [&] { return make_view(t, sizes, strides, t->offset()); },
                                 "PermuteBackward0", perm);
}

Tensor transpose(const Tensor& t, int64_t dim0, int64_t dim1) {
  const int64_t a = wrap_dim(dim0, t->dim(), "transpose"), b = wrap_dim(dim1, t->dim(), "transpose");
  return record<PermuteBackward>(t, true, [&] { return transposed(t, a, b); }, "TransposeBackward0",
                                 swap_perm(t->dim(), a, b));
}

Tensor t(const Tensor& self) {
  const int64_t b = t_dim1(self);
  return record<PermuteBackward>(self, true, [&] { return transposed(self, 0, b); }, "TBackward0",
                                 swap_perm(self->dim(), 0, b));
}

Tensor numpy_T(const Tensor& t) {
  DimVec dims(t->dim());
  for (int64_t i = 0; i < t->dim(); ++i) dims[i] = t->dim() - 1 - i;
  return permute(t, dims);
}

Tensor matrix_T(const Tensor& t) {
  PT_CHECK(t->dim() >= 2, RuntimeError,
           "tensor.mT is only supported on matrices or batches of matrices. Got ", t->dim(), "-D tensor.");
  return transpose(t, -2, -1);
}

Tensor movedim(const Tensor& t, const DimVec& source, const DimVec& destination) {
  PT_CHECK(source.size() == destination.size(), RuntimeError,
           "movedim: Invalid source or destination dims: source (", ListStr{source},
           " dims) should contain the same number of dims as destination (", ListStr{destination}, " dims)");
  const int64_t nd = t->dim();
  DimVec src(source.size()), dst(source.size());
  for (int64_t i = 0; i < source.size(); ++i) {
    src[i] = wrap_dim(source[i], nd, "movedim");
    dst[i] = wrap_dim(destination[i], nd, "movedim");
    for (int64_t j = 0; j < i; ++j) {
      PT_CHECK(src[j] != src[i], RuntimeError, "movedim: repeated dim in `source` (", ListStr{source}, ")");
      PT_CHECK(dst[j] != dst[i], RuntimeError, "movedim: repeated dim in `destination` (",
               ListStr{destination}, ")");
    }
  }
  if (nd == 0) return permute(t, {});
  // Output slots named in `destination` take their source dims; the rest keep input order.
  DimVec perm(nd, -1);
  DimVec used(nd, 0);
  for (int64_t i = 0; i < src.size(); ++i) {
    perm[dst[i]] = src[i];
    used[src[i]] = 1;
  }
  int64_t next = 0;
  for (int64_t o = 0; o < nd; ++o) {
    if (perm[o] >= 0) continue;
    while (used[next]) ++next;
    perm[o] = next++;
  }
  return permute(t, perm);
}

Tensor expand(const Tensor& t, const DimVec& sizes) {
  const int64_t nd = sizes.size(), td = t->dim();
  PT_CHECK(nd >= td, RuntimeError, "expand(", t->dtype(), " tensor of shape ", ListStr{t->sizes()},
           ", size=", ListStr{sizes}, "): the number of sizes provided (", nd,
           ") must be greater or equal to the number of dimensions in the tensor (", td, ")");
  DimVec out_sizes(nd), out_strides(nd);
  for (int64_t i = nd - 1; i >= 0; --i) {
    const int64_t k = i - (nd - td);
    if (k >= 0) {
      const int64_t have = t->sizes()[k];
      const int64_t want = sizes[i] == -1 ? have : sizes[i];
      PT_CHECK(want == have || (have == 1 && want >= 0), RuntimeError,
               "The expanded size of the tensor (", want, ") must match the existing size (", have,
               ") at non-singleton dimension ", i, ".  Target sizes: ", ListStr{sizes},
               ".  Tensor sizes: ", ListStr{t->sizes()});
      out_sizes[i] = want;
      out_strides[i] = want == have ? t->strides()[k] : 0;
    } else {
      PT_CHECK(sizes[i] >= 0, RuntimeError, "The expanded size of the tensor (", sizes[i],
               ") isn't allowed in a leading, non-existing dimension ", i);
      out_sizes[i] = sizes[i];
      // A new size-1 dim gets the stride a contiguous layout would give it, as in PyTorch.
      out_strides[i] = sizes[i] != 1 ? 0 : i == nd - 1 ? 1 : out_sizes[i + 1] * out_strides[i + 1];
    }
  }
  return record<ExpandBackward0>(t, true, [&] { return make_view(t, out_sizes, out_strides, t->offset()); },
                                 t->sizes());
}

Tensor broadcast_to(const Tensor& t, const DimVec& shape) { return expand(t, shape); }

std::vector<Tensor> broadcast_tensors(const std::vector<Tensor>& ts) {
  DimVec shape;
  for (const Tensor& x : ts) shape = broadcast_shapes(shape, x->sizes(), "broadcast_tensors");
  std::vector<Tensor> out;
  out.reserve(ts.size());
  // As in PyTorch, a tensor that already has the shape comes back itself.
  for (const Tensor& x : ts) out.push_back(x->sizes() == shape ? x : expand(x, shape));
  return out;
}

// The diagonal's geometry, for wrapped distinct dims a and b.
static Tensor diagonal_at(const Tensor& t, int64_t offset, int64_t a, int64_t b) {
  const int64_t rows = t->sizes()[a], cols = t->sizes()[b];
  // Clamp first so that huge offsets cannot overflow.
  const int64_t k = std::clamp<int64_t>(offset, -rows, cols);
  const int64_t len = std::max<int64_t>(0, k >= 0 ? std::min(rows, cols - k) : std::min(rows + k, cols));
  int64_t start = t->offset();
  if (len > 0) start += k >= 0 ? k * t->strides()[b] : -k * t->strides()[a];
  DimVec sizes, strides;
  for (int64_t d = 0; d < t->dim(); ++d) {
    if (d == a || d == b) continue;
    sizes.push_back(t->sizes()[d]);
    strides.push_back(t->strides()[d]);
  }
  sizes.push_back(len);
  strides.push_back(t->strides()[a] + t->strides()[b]);
  return make_view(t, std::move(sizes), std::move(strides), start);
}

Tensor diagonal(const Tensor& t, int64_t offset, int64_t dim1, int64_t dim2) {
  const int64_t a = wrap_dim(dim1, t->dim(), "diagonal"), b = wrap_dim(dim2, t->dim(), "diagonal");
  PT_CHECK(a != b, RuntimeError, "diagonal dimensions cannot be identical ", dim1, ", ", dim2);
  if (!autograd::needs_grad({&t})) return diagonal_at(t, offset, a, b);
  return geometry_view(t, [=](const Tensor& x) { return diagonal_at(x, offset, a, b); },
                       {"DiagonalBackward0", "DiagonalBackwardBackward0"});
}

Tensor atleast_nd(const Tensor& t, int64_t n) {
  if (t->dim() >= n) return t;
  if (t->dim() == 0) return view(t, DimVec(n, 1));
  // 1-D (N) becomes (1, N) or (1, N, 1); 2-D (M, N) becomes (M, N, 1).
  Tensor out = t->dim() == 1 ? unsqueeze(t, 0) : t;
  return n == 3 ? unsqueeze(out, -1) : out;
}

// Records one node for all the pieces of a split, each output `i` of it and a view of `t`.
static std::vector<Tensor> record_pieces(const Tensor& t, std::vector<Tensor> pieces, const char* name,
                                         int64_t dim, bool stacked) {
  if (autograd::needs_grad({&t})) {
    auto node = autograd::make_node<SplitBackward>({&t}, name, dim, stacked);
    for (size_t i = 0; i < pieces.size(); ++i) autograd::set_view_history(pieces[i], node, i);
  }
  return pieces;
}

std::vector<Tensor> unbind(const Tensor& t, int64_t dim) {
  const int64_t d = wrap_dim_nonscalar(dim, t, "unbind");
  std::vector<Tensor> out;
  out.reserve(t->sizes()[d]);
  for (int64_t i = 0; i < t->sizes()[d]; ++i) out.push_back(dim_select(t, d, i));
  return record_pieces(t, std::move(out), "UnbindBackward0", d, true);
}

static void check_splittable(const Tensor& t, const char* op) {
  PT_CHECK(t->dim() > 0, RuntimeError, op, " expects at least a 1-dimensional tensor");
}

std::vector<Tensor> split(const Tensor& t, int64_t split_size, int64_t dim) {
  check_splittable(t, "split");
  const int64_t d = wrap_dim(dim, t->dim(), "split"), n = t->sizes()[d];
  PT_CHECK(split_size >= 0, RuntimeError, "split expects split_size be non-negative, but got split_size=",
           split_size);
  PT_CHECK(split_size > 0 || n == 0, RuntimeError,
           "split_size can only be 0 if dimension size is 0, but got dimension size of ", n);
  std::vector<Tensor> out;
  if (n == 0) out.push_back(dim_slice(t, d, 0, 0));
  for (int64_t start = 0; start < n; start += split_size)
    out.push_back(dim_slice(t, d, start, std::min(split_size, n - start)));
  return record_pieces(t, std::move(out), "SplitBackward0", d, false);
}

std::vector<Tensor> split_with_sizes(const Tensor& t, const DimVec& sizes, int64_t dim) {
  check_splittable(t, "split_with_sizes");
  const int64_t d = wrap_dim(dim, t->dim(), "split_with_sizes"), n = t->sizes()[d];
  int64_t total = 0;
  for (int64_t s : sizes) {
    PT_CHECK(s >= 0, RuntimeError,
             "split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=",
             ListStr{sizes});
    PT_CHECK(!__builtin_add_overflow(total, s, &total), RuntimeError,
             "split_with_sizes: split_sizes ", ListStr{sizes}, " overflow int64");
  }
  PT_CHECK(total == n, RuntimeError, "split_with_sizes expects split_sizes to sum exactly to ", n,
           " (input tensor's size at dimension ", d, "), but got split_sizes=", ListStr{sizes});
  std::vector<Tensor> out;
  out.reserve(sizes.size());
  int64_t start = 0;
  for (int64_t s : sizes) {
    out.push_back(dim_slice(t, d, start, s));
    start += s;
  }
  return record_pieces(t, std::move(out), "SplitWithSizesBackward0", d, false);
}

std::vector<Tensor> chunk(const Tensor& t, int64_t chunks, int64_t dim) {
  check_splittable(t, "chunk");
  PT_CHECK(chunks > 0, RuntimeError, "chunk expects `chunks` to be greater than 0, got: ", chunks);
  const int64_t n = t->sizes()[wrap_dim(dim, t->dim(), "chunk")];
  // As PyTorch: pieces of ceil(n / chunks), so fewer than `chunks` pieces can come back.
  const int64_t size = n / chunks + (n % chunks != 0);
  if (size == 0) return split_with_sizes(t, DimVec(chunks, 0), dim);
  return split(t, size, dim);
}

// tensor_split's pieces are separate slices (SliceBackward0 each, as in PyTorch): with
// decreasing indices they can overlap, so they cannot share one joining backward.
std::vector<Tensor> tensor_split(const Tensor& t, int64_t sections, int64_t dim) {
  PT_CHECK(t->dim() > 0, RuntimeError,
           "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims");
  PT_CHECK(sections > 0, RuntimeError, "number of sections must be larger than 0, got ", sections);
  const int64_t d = wrap_dim(dim, t->dim(), "tensor_split"), n = t->sizes()[d];
  // The first n % sections pieces are one longer.
  std::vector<Tensor> out;
  out.reserve(sections);
  int64_t start = 0;
  for (int64_t i = 0; i < sections; ++i) {
    const int64_t len = n / sections + (i < n % sections);
    out.push_back(slice_along(t, d, start, len));
    start += len;
  }
  return out;
}

std::vector<Tensor> tensor_split_indices(const Tensor& t, const DimVec& indices, int64_t dim) {
  PT_CHECK(t->dim() > 0, RuntimeError,
           "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims");
  const int64_t d = wrap_dim(dim, t->dim(), "tensor_split"), n = t->sizes()[d];
  // Python slice bounds: negative counts from the end, then clamped to [0, n].
  auto bound = [n](int64_t i) { return std::clamp<int64_t>(i < 0 ? i + n : i, 0, n); };
  std::vector<Tensor> out;
  out.reserve(indices.size() + 1);
  int64_t start = 0;
  for (int64_t i = 0; i <= indices.size(); ++i) {
    const int64_t end = i < indices.size() ? bound(indices[i]) : n;
    out.push_back(slice_along(t, d, start, std::max<int64_t>(0, end - start)));
    start = end;
  }
  return out;
}

// ---- in-place views ----
// Only metadata changes, so a view may take part (its own history gets the node); a leaf that
// requires grad may not, as in PyTorch. Returns node N(args...) built from self's history
// before the change, or null when no gradient is needed.
template <class N, class... Args>
static std::shared_ptr<autograd::Node> inplace_view_node(const Tensor& self, const char* op, Args&&... args) {
  if (!self->autograd() || !self->autograd()->is_view) autograd::check_inplace(self, op);
  if (!autograd::needs_grad({&self})) return nullptr;
  return autograd::make_node<N>({&self}, std::forward<Args>(args)...);
}

static const Tensor& rebind(const Tensor& self, const Tensor& v, const std::shared_ptr<autograd::Node>& node) {
  self->set_(v->storage(), v->offset(), v->sizes(), v->strides(), v->dtype());
  self->bump_version();
  if (node) autograd::set_history(self, node);
  return self;
}

const Tensor& squeeze_(const Tensor& self, std::optional<DimVec> dims) {
  auto node = inplace_view_node<ReshapeBackward>(self, "squeeze_", dims ? "SqueezeBackward5" : "SqueezeBackward3",
                                                 self->sizes());
  return rebind(self, dims ? squeezed(self, *dims) : squeezed(self), node);
}

const Tensor& squeeze_(const Tensor& self, int64_t dim) {
  auto node = inplace_view_node<ReshapeBackward>(self, "squeeze_", "SqueezeBackward4", self->sizes());
  return rebind(self, squeezed(self, {dim}), node);
}

const Tensor& unsqueeze_(const Tensor& self, int64_t dim) {
  auto node = inplace_view_node<ReshapeBackward>(self, "unsqueeze_", "UnsqueezeBackward1", self->sizes());
  return rebind(self, unsqueezed(self, dim), node);
}

const Tensor& transpose_(const Tensor& self, int64_t dim0, int64_t dim1) {
  const int64_t a = wrap_dim(dim0, self->dim(), "transpose_"), b = wrap_dim(dim1, self->dim(), "transpose_");
  auto node = inplace_view_node<PermuteBackward>(self, "transpose_", "TransposeBackward1",
                                                 swap_perm(self->dim(), a, b));
  return rebind(self, transposed(self, a, b), node);
}

const Tensor& t_(const Tensor& self) {
  const int64_t b = t_dim1(self);
  auto node = inplace_view_node<PermuteBackward>(self, "t_", "TBackward1", swap_perm(self->dim(), 0, b));
  return rebind(self, transposed(self, 0, b), node);
}

}  // namespace pt::ops

// View ops: each computes new sizes, strides and storage offset and returns a tensor sharing
// the input's storage. Nothing here touches element data.
#include <algorithm>
#include <optional>

#include "core/error.h"
#include "ops/copy.h"
#include "ops/shape.h"

namespace pt::ops {

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
  return make_view(t, std::move(sizes), std::move(*strides), t->offset());
}

Tensor reshape(const Tensor& t, const DimVec& shape) {
  DimVec sizes = infer_size(shape, t->numel());
  if (std::optional<DimVec> strides = view_strides(t->sizes(), t->strides(), sizes, t->numel()))
    return make_view(t, std::move(sizes), std::move(*strides), t->offset());
  Tensor c = clone(t);
  return make_view(c, sizes, contiguous_strides(sizes), 0);
}

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

Tensor ravel(const Tensor& t) { return reshape(t, {-1}); }

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

Tensor squeeze(const Tensor& t) {
  return drop_dims(t, [&](int64_t d) { return t->sizes()[d] != 1; });
}

Tensor squeeze(const Tensor& t, const DimVec& dims) {
  const DimVec wrapped = wrap_dims_unique(dims, t->dim(), "squeeze");
  if (t->dim() == 0) return make_view(t, {}, {}, t->offset());
  return drop_dims(t, [&](int64_t d) {
    return t->sizes()[d] != 1 || std::find(wrapped.begin(), wrapped.end(), d) == wrapped.end();
  });
}

Tensor unsqueeze(const Tensor& t, int64_t dim) {
  const int64_t d = wrap_dim(dim, t->dim() + 1, "unsqueeze");
  DimVec sizes = t->sizes(), strides = t->strides();
  const int64_t stride = d < t->dim() ? sizes[d] * strides[d] : 1;
  sizes.insert(d, 1);
  strides.insert(d, stride);
  return make_view(t, std::move(sizes), std::move(strides), t->offset());
}

Tensor permute(const Tensor& t, const DimVec& dims) {
  PT_CHECK(dims.size() == t->dim(), RuntimeError,
           "permute(): number of dimensions in the tensor input does not match the length of the "
           "desired ordering of dimensions i.e. input.dim() = ", t->dim(), " is not equal to len(dims) = ",
           dims.size());
  DimVec sizes(dims.size()), strides(dims.size());
  for (int64_t i = 0; i < dims.size(); ++i) {
    const int64_t d = wrap_dim(dims[i], t->dim(), "permute");
    for (int64_t j = 0; j < i; ++j)
      PT_CHECK(wrap_dim(dims[j], t->dim()) != d, RuntimeError, "permute(): duplicate dims are not allowed.");
    sizes[i] = t->sizes()[d];
    strides[i] = t->strides()[d];
  }
  return make_view(t, std::move(sizes), std::move(strides), t->offset());
}

Tensor transpose(const Tensor& t, int64_t dim0, int64_t dim1) {
  const int64_t a = wrap_dim(dim0, t->dim(), "transpose"), b = wrap_dim(dim1, t->dim(), "transpose");
  DimVec sizes = t->sizes(), strides = t->strides();
  if (a != b) {
    std::swap(sizes[a], sizes[b]);
    std::swap(strides[a], strides[b]);
  }
  return make_view(t, std::move(sizes), std::move(strides), t->offset());
}

Tensor t(const Tensor& self) {
  PT_CHECK(self->dim() <= 2, RuntimeError, "t() expects a tensor with <= 2 dimensions, but self is ",
           self->dim(), "D");
  return transpose(self, 0, self->dim() == 2 ? 1 : 0);
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
  if (nd == 0) return make_view(t, {}, {}, t->offset());
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
  return make_view(t, std::move(out_sizes), std::move(out_strides), t->offset());
}

Tensor broadcast_to(const Tensor& t, const DimVec& shape) { return expand(t, shape); }

std::vector<Tensor> broadcast_tensors(const std::vector<Tensor>& ts) {
  DimVec shape;
  for (const Tensor& x : ts) shape = broadcast_shapes(shape, x->sizes(), "broadcast_tensors");
  std::vector<Tensor> out;
  out.reserve(ts.size());
  for (const Tensor& x : ts) out.push_back(expand(x, shape));
  return out;
}

Tensor diagonal(const Tensor& t, int64_t offset, int64_t dim1, int64_t dim2) {
  const int64_t a = wrap_dim(dim1, t->dim(), "diagonal"), b = wrap_dim(dim2, t->dim(), "diagonal");
  PT_CHECK(a != b, RuntimeError, "diagonal dimensions cannot be identical ", dim1, ", ", dim2);
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

Tensor atleast_nd(const Tensor& t, int64_t n) {
  if (t->dim() >= n) return t;
  if (t->dim() == 0) return make_view(t, DimVec(n, 1), DimVec(n, 1), t->offset());
  // 1-D (N) becomes (1, N) or (1, N, 1); 2-D (M, N) becomes (M, N, 1).
  Tensor out = t->dim() == 1 ? unsqueeze(t, 0) : t;
  return n == 3 ? unsqueeze(out, -1) : out;
}

std::vector<Tensor> unbind(const Tensor& t, int64_t dim) {
  const int64_t d = wrap_dim_nonscalar(dim, t, "unbind");
  std::vector<Tensor> out;
  out.reserve(t->sizes()[d]);
  for (int64_t i = 0; i < t->sizes()[d]; ++i) out.push_back(dim_select(t, d, i));
  return out;
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
  if (n == 0) {
    out.push_back(dim_slice(t, d, 0, 0));
    return out;
  }
  for (int64_t start = 0; start < n; start += split_size)
    out.push_back(dim_slice(t, d, start, std::min(split_size, n - start)));
  return out;
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
  return out;
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
    out.push_back(dim_slice(t, d, start, len));
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
    out.push_back(dim_slice(t, d, start, std::max<int64_t>(0, end - start)));
    start = end;
  }
  return out;
}

static const Tensor& rebind(const Tensor& self, const Tensor& v) {
  self->set_(v->storage(), v->offset(), v->sizes(), v->strides());
  return self;
}

const Tensor& squeeze_(const Tensor& self, std::optional<DimVec> dims) {
  return rebind(self, dims ? squeeze(self, *dims) : squeeze(self));
}
const Tensor& unsqueeze_(const Tensor& self, int64_t dim) { return rebind(self, unsqueeze(self, dim)); }
const Tensor& transpose_(const Tensor& self, int64_t dim0, int64_t dim1) {
  return rebind(self, transpose(self, dim0, dim1));
}
const Tensor& t_(const Tensor& self) { return rebind(self, t(self)); }

}  // namespace pt::ops

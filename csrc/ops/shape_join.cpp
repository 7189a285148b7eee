// Joins and copies: each allocates a fresh contiguous output and fills it with one strided
// copy_ per piece (threaded by the copy machinery), writing through views of the output.
#include <cstring>
#include <limits>

#include "core/error.h"
#include "cpu/shape.h"
#include "ops/copy.h"
#include "ops/shape.h"

namespace pt::ops {

// The promoted dtype of all inputs, after checking that they share one device.
static DType common_dtype(const std::vector<Tensor>& ts, const char* op) {
  DType dtype = ts[0]->dtype();
  for (const Tensor& x : ts) {
    PT_CHECK(x->device() == ts[0]->device(), RuntimeError, op,
             ": Expected all tensors to be on the same device, but found at least two devices, ",
             ts[0]->device().str(), " and ", x->device().str(), "!");
    dtype = promote_types(dtype, x->dtype());
  }
  return dtype;
}

static void check_cpu(const Tensor& t, const char* op) {
  PT_CHECK(t->device().is_cpu(), NotImplementedError, op, ": CUDA tensors are not supported yet");
}

Tensor cat(const std::vector<Tensor>& ts, int64_t dim) {
  PT_CHECK(!ts.empty(), ValueError, "cat(): expected a non-empty list of Tensors");
  // Legacy rule kept by PyTorch: 1-D empty tensors are skipped (but still promote the dtype).
  auto skipped = [](const Tensor& x) { return x->dim() == 1 && x->sizes()[0] == 0; };
  const Tensor* ref = nullptr;
  for (int64_t i = 0; i < static_cast<int64_t>(ts.size()); ++i) {
    PT_CHECK(ts[i]->dim() > 0, RuntimeError, "zero-dimensional tensor (at position ", i,
             ") cannot be concatenated");
    if (!ref && !skipped(ts[i])) ref = &ts[i];
  }
  const DType dtype = common_dtype(ts, "cat");
  if (!ref) return empty({0}, dtype, ts[0]->device());
  const int64_t nd = (*ref)->dim(), d = wrap_dim(dim, nd, "cat");
  DimVec sizes = (*ref)->sizes();
  sizes[d] = 0;
  for (int64_t i = 0; i < static_cast<int64_t>(ts.size()); ++i) {
    const Tensor& x = ts[i];
    if (skipped(x)) continue;
    PT_CHECK(x->dim() == nd, RuntimeError, "Tensors must have same number of dimensions: got ", nd,
             " and ", x->dim());
    for (int64_t k = 0; k < nd; ++k)
      PT_CHECK(k == d || x->sizes()[k] == sizes[k], RuntimeError,
               "Sizes of tensors must match except in dimension ", d, ". Expected size ", sizes[k],
               " but got size ", x->sizes()[k], " for tensor number ", i, " in the list.");
    sizes[d] += x->sizes()[d];
  }
  Tensor out = empty(sizes, dtype, ts[0]->device());
  int64_t start = 0;
  for (const Tensor& x : ts) {
    if (skipped(x)) continue;
    copy_(dim_slice(out, d, start, x->sizes()[d]), x, "cat");
    start += x->sizes()[d];
  }
  return out;
}

Tensor stack(const std::vector<Tensor>& ts, int64_t dim) {
  PT_CHECK(!ts.empty(), RuntimeError, "stack expects a non-empty TensorList");
  for (size_t i = 1; i < ts.size(); ++i)
    PT_CHECK(ts[i]->sizes() == ts[0]->sizes(), RuntimeError,
             "stack expects each tensor to be equal size, but got ", ListStr{ts[0]->sizes()},
             " at entry 0 and ", ListStr{ts[i]->sizes()}, " at entry ", i);
  const int64_t d = wrap_dim(dim, ts[0]->dim() + 1, "stack");
  DimVec sizes = ts[0]->sizes();
  sizes.insert(d, ts.size());
  Tensor out = empty(sizes, common_dtype(ts, "stack"), ts[0]->device());
  for (size_t i = 0; i < ts.size(); ++i) copy_(dim_select(out, d, i), ts[i], "stack");
  return out;
}

// hstack / vstack / dstack: lift every input to `n` dims, then cat along `dim`.
static Tensor stack_along(const std::vector<Tensor>& ts, int64_t n, int64_t dim, const char* op) {
  PT_CHECK(!ts.empty(), RuntimeError, op, " expects a non-empty TensorList");
  std::vector<Tensor> lifted;
  lifted.reserve(ts.size());
  for (const Tensor& x : ts) lifted.push_back(atleast_nd(x, n));
  return cat(lifted, dim);
}

Tensor hstack(const std::vector<Tensor>& ts) {
  // 1-D inputs join end to end; anything higher joins along columns.
  const bool flat = !ts.empty() && atleast_nd(ts[0], 1)->dim() == 1;
  return stack_along(ts, 1, flat ? 0 : 1, "hstack");
}
Tensor vstack(const std::vector<Tensor>& ts) { return stack_along(ts, 2, 0, "vstack"); }
Tensor dstack(const std::vector<Tensor>& ts) { return stack_along(ts, 3, 2, "dstack"); }

Tensor flip(const Tensor& t, const DimVec& dims) {
  // Copy from a view that walks the flipped dims backwards (negative strides).
  DimVec strides = t->strides();
  int64_t offset = t->offset();
  for (int64_t d : wrap_dims_unique(dims, t->dim(), "flip")) {
    if (t->dim() == 0 || t->sizes()[d] == 0) continue;
    offset += (t->sizes()[d] - 1) * strides[d];
    strides[d] = -strides[d];
  }
  Tensor out = empty(t->sizes(), t->dtype(), t->device());
  copy_(out, make_view(t, t->sizes(), std::move(strides), offset), "flip");
  return out;
}

Tensor fliplr(const Tensor& t) {
  PT_CHECK(t->dim() >= 2, RuntimeError, "Input must be >= 2-d.");
  return flip(t, {1});
}

Tensor flipud(const Tensor& t) {
  PT_CHECK(t->dim() >= 1, RuntimeError, "Input must be >= 1-d.");
  return flip(t, {0});
}

Tensor roll(const Tensor& t, const DimVec& shifts, const DimVec& dims) {
  if (dims.empty()) {
    PT_CHECK(shifts.size() == 1, RuntimeError, "shifts and dimensions must align. shifts: ",
             shifts.size(), ", dims:0");
    return view(roll(reshape(t, {-1}), shifts, {0}), t->sizes());
  }
  PT_CHECK(shifts.size() == dims.size(), RuntimeError, "shifts and dimensions must align. shifts: ",
           shifts.size(), ", dims:", dims.size());
  // Net shift per dim in [0, n): repeated dims add up, as in PyTorch.
  DimVec shift(t->dim(), 0);
  for (int64_t i = 0; i < dims.size(); ++i) {
    const int64_t d = wrap_dim_nonscalar(dims[i], t, "roll"), n = t->sizes()[d];
    if (n > 0) shift[d] = ((shift[d] + shifts[i] % n) % n + n) % n;
  }
  Tensor out = empty(t->sizes(), t->dtype(), t->device());
  if (t->numel() == 0) return out;
  DimVec rolled;
  for (int64_t d = 0; d < t->dim(); ++d)
    if (shift[d]) rolled.push_back(d);
  // Each rolled dim splits into a head [0, n - s) that moves to [s, n) and a tail that wraps to
  // [0, s); one copy per combination of head/tail over the rolled dims.
  for (int64_t mask = 0; mask < (int64_t{1} << rolled.size()); ++mask) {
    Tensor src = t, dst = out;
    for (int64_t j = 0; j < rolled.size(); ++j) {
      const int64_t d = rolled[j], n = t->sizes()[d], s = shift[d];
      const bool tail = (mask >> j) & 1;
      src = dim_slice(src, d, tail ? n - s : 0, tail ? s : n - s);
      dst = dim_slice(dst, d, tail ? 0 : s, tail ? s : n - s);
    }
    copy_(dst, src, "roll");
  }
  return out;
}

Tensor repeat(const Tensor& t, const DimVec& repeats) {
  const int64_t nd = repeats.size(), lead = nd - t->dim();
  PT_CHECK(lead >= 0, RuntimeError,
           "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor");
  DimVec in_sizes(nd, 1), in_strides(nd, 0), out_sizes(nd);
  bool overflow = false;
  for (int64_t i = lead; i < nd; ++i) {
    in_sizes[i] = t->sizes()[i - lead];
    in_strides[i] = t->strides()[i - lead];
  }
  for (int64_t i = 0; i < nd; ++i) overflow |= __builtin_mul_overflow(in_sizes[i], repeats[i], &out_sizes[i]);
  PT_CHECK(!overflow, RuntimeError, "repeat: sizes ", ListStr{repeats}, " overflow int64 for input of shape ",
           ListStr{t->sizes()});
  for (int64_t i = 0; i < nd; ++i)
    PT_CHECK(out_sizes[i] >= 0, RuntimeError, "Trying to create tensor with negative dimension ",
             out_sizes[i], ": ", ListStr{out_sizes});
  Tensor out = empty(out_sizes, t->dtype(), t->device());
  if (out->numel() == 0) return out;
  // Output dim i seen as (repeats[i], in_sizes[i]); the input broadcasts over the repeat dims.
  DimVec big_sizes, dst_strides, src_strides;
  for (int64_t i = 0; i < nd; ++i) {
    big_sizes.push_back(repeats[i]);
    big_sizes.push_back(in_sizes[i]);
    dst_strides.push_back(in_sizes[i] * out->strides()[i]);
    dst_strides.push_back(out->strides()[i]);
    src_strides.push_back(0);
    src_strides.push_back(in_strides[i]);
  }
  copy_(make_view(out, big_sizes, dst_strides, 0), make_view(t, big_sizes, src_strides, t->offset()),
        "repeat");
  return out;
}

Tensor tile(const Tensor& t, const DimVec& dims) {
  DimVec reps = dims;
  while (reps.size() < t->dim()) reps.insert(0, 1);
  return repeat(t, reps);
}

Tensor repeat_interleave(const Tensor& t, int64_t repeats, std::optional<int64_t> dim) {
  PT_CHECK(repeats >= 0, RuntimeError, "Repeats must be non-negative");
  const Tensor in = dim ? t : reshape(t, {-1});
  const int64_t d = dim ? wrap_dim_nonscalar(*dim, in, "repeat_interleave") : 0;
  DimVec sizes = in->sizes();
  PT_CHECK(!__builtin_mul_overflow(sizes[d], repeats, &sizes[d]), RuntimeError,
           "repeat_interleave: repeats ", repeats, " overflow int64");
  Tensor out = empty(sizes, in->dtype(), in->device());
  if (out->numel() == 0) return out;
  // Output dim d seen as (n, repeats); the input broadcasts over the repeat dim.
  DimVec big_sizes = in->sizes(), dst_strides = out->strides(), src_strides = in->strides();
  big_sizes.insert(d + 1, repeats);
  dst_strides[d] *= repeats;
  dst_strides.insert(d + 1, out->strides()[d]);
  src_strides.insert(d + 1, 0);
  copy_(make_view(out, big_sizes, dst_strides, 0), make_view(in, big_sizes, src_strides, in->offset()),
        "repeat_interleave");
  return out;
}

Tensor repeat_interleave(const Tensor& t, const Tensor& repeats, std::optional<int64_t> dim) {
  PT_CHECK(is_integral(repeats->dtype(), false), RuntimeError,
           "repeat_interleave: repeats must be an integer tensor, but got ", repeats->dtype());
  PT_CHECK(repeats->dim() <= 1, RuntimeError, "repeats must be 0-dim or 1-dim tensor");
  check_cpu(repeats, "repeat_interleave");
  const Tensor reps = to(contiguous(repeats), DType::Int64, cpu_device());
  const int64_t* r = reps->data<int64_t>();
  if (reps->numel() == 1) return repeat_interleave(t, r[0], dim);
  const Tensor in = dim ? t : reshape(t, {-1});
  const int64_t d = dim ? wrap_dim_nonscalar(*dim, in, "repeat_interleave") : 0, n = in->sizes()[d];
  PT_CHECK(reps->numel() == n, RuntimeError,
           "repeats must have the same size as input along dim, but got repeats.size(0) = ",
           reps->numel(), " and input.size(", d, ") = ", n);
  DimVec sizes = in->sizes();
  sizes[d] = 0;
  for (int64_t i = 0; i < n; ++i) {
    PT_CHECK(r[i] >= 0, RuntimeError, "repeats can not be negative");
    PT_CHECK(!__builtin_add_overflow(sizes[d], r[i], &sizes[d]), RuntimeError,
             "repeat_interleave: repeats overflow int64");
  }
  Tensor out = empty(sizes, in->dtype(), in->device());
  int64_t start = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (r[i] == 0) continue;
    copy_(dim_slice(out, d, start, r[i]), dim_slice(in, d, i, 1), "repeat_interleave");
    start += r[i];
  }
  return out;
}

static void check_matrix(const Tensor& t, const char* op) {
  PT_CHECK(t->dim() >= 2, RuntimeError, op, ": input tensor must have at least 2 dimensions");
  check_cpu(t, op);
}

Tensor tril(const Tensor& t, int64_t diagonal) {
  check_matrix(t, "tril");
  Tensor out = clone(t);
  cpu::zero_triangle(out, diagonal, true);
  return out;
}

Tensor triu(const Tensor& t, int64_t diagonal) {
  check_matrix(t, "triu");
  Tensor out = clone(t);
  cpu::zero_triangle(out, diagonal, false);
  return out;
}

const Tensor& tril_(const Tensor& self, int64_t diagonal) {
  check_matrix(self, "tril_");
  check_no_internal_overlap(self, "tril_");
  self->bump_version();
  cpu::zero_triangle(self, diagonal, true);
  return self;
}

const Tensor& triu_(const Tensor& self, int64_t diagonal) {
  check_matrix(self, "triu_");
  check_no_internal_overlap(self, "triu_");
  self->bump_version();
  cpu::zero_triangle(self, diagonal, false);
  return self;
}

Tensor diag(const Tensor& t, int64_t diagonal) {
  PT_CHECK(t->dim() == 1 || t->dim() == 2, RuntimeError, "diag(): Supports 1D or 2D tensors. Got ",
           t->dim(), "D");
  if (t->dim() == 2) return clone(ops::diagonal(t, diagonal));
  check_cpu(t, "diag");
  const int64_t n = t->sizes()[0];
  int64_t m = 0;
  PT_CHECK(diagonal > std::numeric_limits<int64_t>::min() &&
               !__builtin_add_overflow(n, diagonal < 0 ? -diagonal : diagonal, &m),
           RuntimeError, "diag: diagonal ", diagonal, " is too large");
  Tensor out = empty({m, m}, t->dtype(), t->device());
  // A fresh contiguous CPU buffer: all-zero bytes are 0 in every dtype.
  std::memset(out->raw_data(), 0, out->numel() * out->itemsize());
  copy_(ops::diagonal(out, diagonal), t, "diag");
  return out;
}

}  // namespace pt::ops

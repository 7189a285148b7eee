// Joins and copies: each allocates a fresh contiguous output and fills it with one strided
// copy_ per piece (threaded by the copy machinery), writing through views of the output. Each
// op's backward node follows it.
#include <limits>
#include <utility>

#include "core/error.h"
#include "cpu/shape.h"
#include "cuda/kernels.h"
#include "ops/copy.h"
#include "ops/reduce.h"
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

// Legacy rule kept by PyTorch: cat skips 1-D empty tensors (but they still promote the dtype).
static bool skipped(const Tensor& x) { return x->dim() == 1 && x->sizes()[0] == 0; }

namespace {
// A join's inputs get their pieces of the output's gradient (a slice for cat, a select for
// stack), cast back to their own dtypes; cat's skipped inputs get an empty gradient.
struct JoinBackward final : autograd::Node {
  JoinBackward(const char* name, int64_t dim, bool stacked, const std::vector<Tensor>& ts)
      : name_(name), dim_(dim), stacked_(stacked) {
    int64_t start = 0;
    for (const Tensor& x : ts) {
      const bool skip = !stacked && skipped(x);
      const int64_t length = stacked ? 1 : skip ? 0 : x->sizes()[dim];
      pieces_.push_back({start, length, x->dtype(), skip});
      start += length;
    }
  }
  std::string name() const override { return name_; }
  autograd::TensorList apply(autograd::TensorList&& grads) override {
    const Tensor& g = grads[0];
    autograd::TensorList out(pieces_.size());
    for (size_t i = 0; i < pieces_.size(); ++i) {
      if (!next_edges[i].fn) continue;
      const Piece& p = pieces_[i];
      Tensor gi = p.skipped   ? empty({0}, p.dtype, g->device())
                  : stacked_ ? select_along(g, dim_, p.start)
                             : slice_along(g, dim_, p.start, p.length);
      out[i] = gi->dtype() == p.dtype ? gi : to(gi, p.dtype, g->device());
    }
    return out;
  }
  struct Piece {
    int64_t start, length;
    DType dtype;
    bool skipped;
  };
  const char* name_;
  int64_t dim_;
  bool stacked_;
  std::vector<Piece> pieces_;
};
}  // namespace

Tensor cat(const std::vector<Tensor>& ts, int64_t dim) {
  PT_CHECK(!ts.empty(), ValueError, "cat(): expected a non-empty list of Tensors");
  const Tensor* ref = nullptr;
  for (int64_t i = 0; i < static_cast<int64_t>(ts.size()); ++i) {
    PT_CHECK(ts[i]->dim() > 0, RuntimeError, "zero-dimensional tensor (at position ", i,
             ") cannot be concatenated");
    if (!ref && !skipped(ts[i])) ref = &ts[i];
  }
  const DType dtype = common_dtype(ts, "cat");
  if (!ref) return record<JoinBackward>(ts, false, [&] { return empty({0}, dtype, ts[0]->device()); },
                                        "CatBackward0", 0, false, ts);
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
  return record<JoinBackward>(ts, false, [&] {
    Tensor out = empty(sizes, dtype, ts[0]->device());
    int64_t start = 0;
    for (const Tensor& x : ts) {
      if (skipped(x)) continue;
      copy_(dim_slice(out, d, start, x->sizes()[d]), x, "cat");
      start += x->sizes()[d];
    }
    return out;
  }, "CatBackward0", d, false, ts);
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
  const DType dtype = common_dtype(ts, "stack");
  return record<JoinBackward>(ts, false, [&] {
    Tensor out = empty(sizes, dtype, ts[0]->device());
    for (size_t i = 0; i < ts.size(); ++i) copy_(dim_select(out, d, i), ts[i], "stack");
    return out;
  }, "StackBackward0", d, true, ts);
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

namespace {
// Flipping is its own inverse.
struct FlipBackward0 final : autograd::Node {
  explicit FlipBackward0(DimVec dims) : dims_(std::move(dims)) {}
  std::string name() const override { return "FlipBackward0"; }
  autograd::TensorList apply(autograd::TensorList&& grads) override { return {flip(grads[0], dims_)}; }
  DimVec dims_;
};
}  // namespace

Tensor flip(const Tensor& t, const DimVec& dims) {
  // Copy from a view that walks the flipped dims backwards (negative strides).
  const DimVec wrapped = wrap_dims_unique(dims, t->dim(), "flip");
  DimVec strides = t->strides();
  int64_t offset = t->offset();
  for (int64_t d : wrapped) {
    if (t->dim() == 0 || t->sizes()[d] == 0) continue;
    offset += (t->sizes()[d] - 1) * strides[d];
    strides[d] = -strides[d];
  }
  return record<FlipBackward0>(t, false, [&] {
    Tensor out = empty(t->sizes(), t->dtype(), t->device());
    copy_(out, make_view(t, t->sizes(), strides, offset), "flip");
    return out;
  }, wrapped);
}

Tensor fliplr(const Tensor& t) {
  PT_CHECK(t->dim() >= 2, RuntimeError, "Input must be >= 2-d.");
  return flip(t, {1});
}

Tensor flipud(const Tensor& t) {
  PT_CHECK(t->dim() >= 1, RuntimeError, "Input must be >= 1-d.");
  return flip(t, {0});
}

namespace {
// Rolling back by the same shifts; each is reduced modulo its dim first, so negating it cannot
// overflow.
struct RollBackward0 final : autograd::Node {
  RollBackward0(const DimVec& sizes, const DimVec& shifts, DimVec dims) : shifts_(shifts), dims_(std::move(dims)) {
    int64_t numel = 1;
    for (int64_t s : sizes) numel *= s;
    for (int64_t i = 0; i < shifts_.size(); ++i) {
      const int64_t n = dims_.empty() ? numel : sizes[wrap_dim(dims_[i], sizes.size())];
      shifts_[i] = n ? -(shifts_[i] % n) : 0;
    }
  }
  std::string name() const override { return "RollBackward0"; }
  autograd::TensorList apply(autograd::TensorList&& grads) override { return {roll(grads[0], shifts_, dims_)}; }
  DimVec shifts_, dims_;
};
}  // namespace

static Tensor roll_forward(const Tensor& t, const DimVec& shifts, const DimVec& dims) {
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

Tensor roll(const Tensor& t, const DimVec& shifts, const DimVec& dims) {
  return record<RollBackward0>(t, false, [&] { return roll_forward(t, shifts, dims); }, t->sizes(), shifts, dims);
}

// `g` read as `big`, summed down to `small` (1 on the dims that repeat) and read as `sizes`: the
// gradient of an op that repeated each element along those dims.
static Tensor fold(const Tensor& g, const DimVec& big, const DimVec& small, const DimVec& sizes) {
  return reshape(sum_to(reshape(g, big), small), sizes);
}

namespace {
struct RepeatBackward0 final : autograd::Node {
  RepeatBackward0(DimVec big, DimVec small, DimVec sizes)
      : big_(std::move(big)), small_(std::move(small)), sizes_(std::move(sizes)) {}
  std::string name() const override { return "RepeatBackward0"; }
  autograd::TensorList apply(autograd::TensorList&& grads) override { return {fold(grads[0], big_, small_, sizes_)}; }
  DimVec big_, small_, sizes_;
};
}  // namespace

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
  // Output dim i seen as (repeats[i], in_sizes[i]); the input broadcasts over the repeat dims.
  DimVec big_sizes, small_sizes;
  for (int64_t i = 0; i < nd; ++i) {
    big_sizes.push_back(repeats[i]);
    big_sizes.push_back(in_sizes[i]);
    small_sizes.push_back(1);
    small_sizes.push_back(in_sizes[i]);
  }
  return record<RepeatBackward0>(t, false, [&] {
    Tensor out = empty(out_sizes, t->dtype(), t->device());
    if (out->numel() == 0) return out;
    DimVec dst_strides, src_strides;
    for (int64_t i = 0; i < nd; ++i) {
      dst_strides.push_back(in_sizes[i] * out->strides()[i]);
      dst_strides.push_back(out->strides()[i]);
      src_strides.push_back(0);
      src_strides.push_back(in_strides[i]);
    }
    copy_(make_view(out, big_sizes, dst_strides, 0), make_view(t, big_sizes, src_strides, t->offset()),
          "repeat");
    return out;
  }, big_sizes, small_sizes, t->sizes());
}

Tensor tile(const Tensor& t, const DimVec& dims) {
  DimVec reps = dims;
  while (reps.size() < t->dim()) reps.insert(0, 1);
  return repeat(t, reps);
}

// repeat_interleave in runs: k consecutive entries along the dim, each repeated r times.
using Runs = std::vector<std::pair<int64_t, int64_t>>;

namespace {
// Each run's gradient, read as (k, r) along the dim, sums over r back into its k entries.
struct RepeatInterleaveBackward final : autograd::Node {
  RepeatInterleaveBackward(const char* name, int64_t dim, Runs runs, DimVec sizes)
      : name_(name), dim_(dim), runs_(std::move(runs)), sizes_(std::move(sizes)) {}
  std::string name() const override { return name_; }
  autograd::TensorList apply(autograd::TensorList&& grads) override {
    const Tensor& g = grads[0];
    std::vector<Tensor> parts;
    int64_t start = 0;
    for (auto [k, r] : runs_) {
      const Tensor piece = runs_.size() == 1 ? g : slice_along(g, dim_, start, k * r);
      start += k * r;
      DimVec big = piece->sizes(), small = piece->sizes(), sizes = piece->sizes();
      big[dim_] = r;
      big.insert(dim_, k);
      small[dim_] = 1;
      small.insert(dim_, k);
      sizes[dim_] = k;
      parts.push_back(fold(piece, big, small, sizes));
    }
    return {reshape(parts.size() == 1 ? parts[0] : cat(parts, dim_), sizes_)};
  }
  const char* name_;
  int64_t dim_;
  Runs runs_;
  DimVec sizes_;
};
}  // namespace

// `t` (flattened first when `flat`) with its entries along `d` repeated by `runs`, which add up
// to `total`. One broadcasting copy per run.
static Tensor interleave(const Tensor& t, bool flat, int64_t d, Runs runs, int64_t total, const char* name) {
  return record<RepeatInterleaveBackward>(t, false, [&] {
    const Tensor in = flat ? reshape(t, {-1}) : t;
    DimVec sizes = in->sizes();
    sizes[d] = total;
    Tensor out = empty(sizes, in->dtype(), in->device());
    if (out->numel() == 0) return out;
    int64_t in_start = 0, out_start = 0;
    for (auto [k, r] : runs) {
      // The run's output seen as (k, r) along d; its input broadcasts over r.
      const Tensor src = dim_slice(in, d, in_start, k), dst = dim_slice(out, d, out_start, k * r);
      DimVec big = src->sizes(), dst_strides = dst->strides(), src_strides = src->strides();
      big.insert(d + 1, r);
      dst_strides[d] *= r;
      dst_strides.insert(d + 1, dst->strides()[d]);
      src_strides.insert(d + 1, 0);
      copy_(make_view(dst, big, dst_strides, dst->offset()), make_view(src, big, src_strides, src->offset()),
            "repeat_interleave");
      in_start += k;
      out_start += k * r;
    }
    return out;
  }, name, d, std::move(runs), t->sizes());
}

// One count for every entry; PyTorch names the node ViewBackward0 for an int, IndexSelectBackward0
// for a tensor of one element.
static Tensor interleave_uniform(const Tensor& t, int64_t repeats, std::optional<int64_t> dim, const char* name) {
  PT_CHECK(repeats >= 0, RuntimeError, "Repeats must be non-negative");
  const int64_t d = dim ? wrap_dim_nonscalar(*dim, t, "repeat_interleave") : 0;
  const int64_t n = dim ? t->sizes()[d] : t->numel();
  int64_t total = 0;
  PT_CHECK(!__builtin_mul_overflow(n, repeats, &total), RuntimeError, "repeat_interleave: repeats ",
           repeats, " overflow int64");
  return interleave(t, !dim, d, {{n, repeats}}, total, name);
}

Tensor repeat_interleave(const Tensor& t, int64_t repeats, std::optional<int64_t> dim) {
  return interleave_uniform(t, repeats, dim, "ViewBackward0");
}

Tensor repeat_interleave(const Tensor& t, const Tensor& repeats, std::optional<int64_t> dim) {
  PT_CHECK(is_integral(repeats->dtype(), false), RuntimeError,
           "repeat_interleave: repeats must be an integer tensor, but got ", repeats->dtype());
  PT_CHECK(repeats->dim() <= 1, RuntimeError, "repeats must be 0-dim or 1-dim tensor");
  // The counts are read on the host, wherever they live.
  const Tensor reps = to(contiguous(repeats), DType::Int64, cpu_device());
  const int64_t* r = reps->data<int64_t>();
  if (reps->numel() == 1) return interleave_uniform(t, r[0], dim, "IndexSelectBackward0");
  const int64_t d = dim ? wrap_dim_nonscalar(*dim, t, "repeat_interleave") : 0;
  const int64_t n = dim ? t->sizes()[d] : t->numel();
  PT_CHECK(reps->numel() == n, RuntimeError,
           "repeats must have the same size as input along dim, but got repeats.size(0) = ",
           reps->numel(), " and input.size(", d, ") = ", n);
  Runs runs{{0, n ? r[0] : 0}};
  int64_t total = 0;
  for (int64_t i = 0; i < n; ++i) {
    PT_CHECK(r[i] >= 0, RuntimeError, "repeats can not be negative");
    PT_CHECK(!__builtin_add_overflow(total, r[i], &total), RuntimeError,
             "repeat_interleave: repeats overflow int64");
    if (r[i] != runs.back().second) runs.push_back({0, r[i]});
    ++runs.back().first;
  }
  return interleave(t, !dim, d, std::move(runs), total, "IndexSelectBackward0");
}

static void check_matrix(const Tensor& t, const char* op) {
  PT_CHECK(t->dim() >= 2, RuntimeError, op, ": input tensor must have at least 2 dimensions");
}

static void zero_triangle(const Tensor& t, int64_t diagonal, bool lower) {
  if (t->device().is_cuda()) cuda::zero_triangle(t, diagonal, lower);
  else cpu::zero_triangle(t, diagonal, lower);
}

namespace {
// The gradient keeps the same triangle.
struct TriangleBackward final : autograd::Node {
  TriangleBackward(int64_t diagonal, bool lower) : diagonal_(diagonal), lower_(lower) {}
  std::string name() const override { return lower_ ? "TrilBackward0" : "TriuBackward0"; }
  autograd::TensorList apply(autograd::TensorList&& grads) override {
    return {lower_ ? tril(grads[0], diagonal_) : triu(grads[0], diagonal_)};
  }
  int64_t diagonal_;
  bool lower_;
};
}  // namespace

static Tensor triangle(const Tensor& t, int64_t diagonal, bool lower, const char* op) {
  check_matrix(t, op);
  return record<TriangleBackward>(t, false, [&] {
    Tensor out = clone(t);
    zero_triangle(out, diagonal, lower);
    return out;
  }, diagonal, lower);
}

Tensor tril(const Tensor& t, int64_t diagonal) { return triangle(t, diagonal, true, "tril"); }
Tensor triu(const Tensor& t, int64_t diagonal) { return triangle(t, diagonal, false, "triu"); }

// In place: the node takes self's history from before the write; nothing is saved, so later
// writes to self do not invalidate it.
static const Tensor& triangle_(const Tensor& self, int64_t diagonal, bool lower, const char* op) {
  check_matrix(self, op);
  check_no_internal_overlap(self, op);
  autograd::check_inplace(self, op);
  std::shared_ptr<autograd::Node> node;
  if (autograd::needs_grad({&self})) node = autograd::make_node<TriangleBackward>({&self}, diagonal, lower);
  self->bump_version();
  zero_triangle(self, diagonal, lower);
  if (node) autograd::set_history(self, node);
  return self;
}

const Tensor& tril_(const Tensor& self, int64_t diagonal) { return triangle_(self, diagonal, true, "tril_"); }
const Tensor& triu_(const Tensor& self, int64_t diagonal) { return triangle_(self, diagonal, false, "triu_"); }

Tensor diag(const Tensor& t, int64_t diagonal) {
  PT_CHECK(t->dim() == 1 || t->dim() == 2, RuntimeError, "diag(): Supports 1D or 2D tensors. Got ",
           t->dim(), "D");
  // Both directions go through the diagonal of a matrix: reading it (2-D) or writing it (1-D).
  Geometry geometry = [diagonal](const Tensor& x) { return ops::diagonal(x, diagonal, 0, 1); };
  if (t->dim() == 2)
    return geometry_view(t, std::move(geometry), {"DiagonalBackward0_copy", "DiagonalBackwardBackward0"}, true);
  const int64_t n = t->sizes()[0];
  int64_t m = 0;
  PT_CHECK(diagonal > std::numeric_limits<int64_t>::min() &&
               !__builtin_add_overflow(n, diagonal < 0 ? -diagonal : diagonal, &m),
           RuntimeError, "diag: diagonal ", diagonal, " is too large");
  return geometry_embed(t, {m, m}, std::move(geometry), {"DiagonalBackward0", "DiagEmbedBackward0"});
}

}  // namespace pt::ops

#include "ops/reduce.h"

#include <atomic>
#include <cmath>

#include "autograd/record.h"
#include "core/error.h"
#include "cpu/reduce.h"
#include "cuda/kernels.h"
#include "ops/copy.h"
#include "ops/elementwise.h"
#include "ops/factory.h"
#include "ops/index.h"
#include "ops/shape.h"

namespace pt::ops {

using cpu::ReduceArgs;
using cpu::ReduceKind;

namespace {

std::atomic<bool> g_reference{false};

// Bit d set: dim d is reduced. PyTorch caps reductions at 64 dims the same way.
uint64_t dim_mask(const Tensor& t, const Dims& dims, bool empty_means_all = true) {
  PT_CHECK(t->dim() <= 64, RuntimeError, "reductions support tensors of up to 64 dims, got ",
           t->dim());
  if (!dims || (dims->empty() && empty_means_all))
    return t->dim() == 64 ? ~uint64_t(0) : (uint64_t(1) << t->dim()) - 1;
  uint64_t mask = 0;
  for (int64_t d : *dims) {
    const int64_t w = wrap_dim(d, t->dim());
    PT_CHECK(!(mask >> w & 1), RuntimeError, "dim ", w, " appears multiple times in the list of dims");
    mask |= uint64_t(1) << w;
  }
  return mask;
}

DimVec reduced_sizes(const DimVec& sizes, uint64_t mask, bool keepdim) {
  DimVec s;
  for (int64_t d = 0; d < static_cast<int64_t>(sizes.size()); ++d) {
    if (!(mask >> d & 1)) s.push_back(sizes[d]);
    else if (keepdim) s.push_back(1);
  }
  return s;
}

// A fresh output in keepdim form (what the kernels take) and the tensor to return.
struct Out {
  Tensor kernel, result;
};
Out make_out(const Tensor& t, uint64_t mask, bool keepdim, DType dtype) {
  Tensor full = pt::empty(reduced_sizes(t->sizes(), mask, true), dtype, t->device());
  if (keepdim) return {full, full};
  DimVec s = reduced_sizes(t->sizes(), mask, false);
  DimVec st = contiguous_strides(s);
  return {full, make_view(full, std::move(s), std::move(st), 0)};
}

void launch(ReduceKind kind, const Tensor& in, uint64_t mask, const Out& out, const Out* out2,
            const ReduceArgs& args = {}) {
  const Tensor second = out2 ? out2->kernel : nullptr;
  if (in->device().is_cuda()) cuda::reduce(kind, in, mask, out.kernel, second, args);
  else if (g_reference.load(std::memory_order_relaxed)) cpu::reduce_ref(kind, in, mask, out.kernel, second, args);
  else cpu::reduce(kind, in, mask, out.kernel, second, args);
}

// One output of `dtype`, the common case.
Tensor reduce1(ReduceKind kind, const Tensor& in, uint64_t mask, bool keepdim, DType dtype,
               const ReduceArgs& args = {}) {
  Out out = make_out(in, mask, keepdim, dtype);
  launch(kind, in, mask, out, nullptr, args);
  return out.result;
}

// max/min/argmax...: no identity, so an empty reduction is an error (PyTorch's wording).
void check_nonempty(const Tensor& t, uint64_t mask, bool dim_given, const char* op,
                    bool index_error = false) {
  if (t->numel() != 0) return;
  if (!dim_given) {
    const std::string msg = str_cat(op, "(): Expected reduction dim to be specified for input.numel() == 0.");
    if (index_error) throw IndexError(msg);
    throw RuntimeError(msg + " Specify the reduction dim with the 'dim' argument.");
  }
  for (int64_t d = 0; d < t->dim(); ++d)
    PT_CHECK(!(mask >> d & 1) || t->sizes()[d] != 0, IndexError, op,
             "(): Expected reduction dim ", d, " to have non-zero size.");
}

DType int_to_long(DType t) { return is_floating(t) ? t : DType::Int64; }

// sum/nansum/prod: integers and bool accumulate to int64 unless dtype= says otherwise.
Tensor sum_like(ReduceKind kind, const char* op, const Tensor& t, uint64_t mask, bool keepdim,
                std::optional<DType> dtype) {
  const Tensor x = dtype ? to(t, *dtype, t->device()) : t;
  Tensor r = reduce1(kind, x, mask, keepdim, int_to_long(x->dtype()));
  return dtype && r->dtype() != *dtype ? to(r, *dtype, r->device()) : r;
}

Tensor mean_like(ReduceKind kind, const char* op, const Tensor& t, const Dims& dim, bool keepdim,
                 std::optional<DType> dtype) {
  if (kind == ReduceKind::NanMean)
    PT_CHECK(is_floating(t->dtype()), RuntimeError, op,
             "(): expected input to have floating point or complex dtype but got ",
             torch_dtype_name(t->dtype()));
  const DType dt = dtype.value_or(t->dtype());
  PT_CHECK(is_floating(dt), RuntimeError, op,
           "(): could not infer output dtype. ", dtype ? "Optional" : "Input",
           " dtype must be either a floating point or complex dtype. Got: ", torch_dtype_name(dt));
  const uint64_t mask = dim_mask(t, dim);
  return reduce1(kind, to(t, dt, t->device()), mask, keepdim, dt);
}

Tensor extreme(ReduceKind kind, const char* op, const Tensor& t, const Dims& dim, bool keepdim) {
  const uint64_t mask = dim_mask(t, dim);
  check_nonempty(t, mask, dim && !dim->empty(), op);
  return reduce1(kind, t, mask, keepdim, t->dtype());
}

ValuesIndices extreme_dim(ReduceKind kind, const char* op, const Tensor& t, int64_t dim,
                          bool keepdim) {
  const uint64_t mask = dim_mask(t, DimVec{dim});
  check_nonempty(t, mask, true, op);
  Out values = make_out(t, mask, keepdim, t->dtype());
  Out indices = make_out(t, mask, keepdim, DType::Int64);
  launch(kind, t, mask, values, &indices);
  return {values.result, indices.result};
}

Tensor arg(ReduceKind kind, const char* op, const Tensor& t, std::optional<int64_t> dim,
           bool keepdim) {
  PT_CHECK(t->dtype() != DType::Bool, RuntimeError, op, "(): does not support bool input");
  if (dim) {
    const uint64_t mask = dim_mask(t, DimVec{*dim});
    check_nonempty(t, mask, true, op, true);
    return reduce1(kind, t, mask, keepdim, DType::Int64);
  }
  check_nonempty(t, 0, false, op, true);
  // Flat indices count in row-major order, so reduce a contiguous 1-d view.
  const Tensor c = contiguous(t);
  const Tensor flat = make_view(c, DimVec{c->numel()}, DimVec{1}, c->offset());
  Tensor r = reduce1(kind, flat, 1, false, DType::Int64);
  if (!keepdim) return r;
  const DimVec ones(t->dim(), 1);
  return make_view(r, ones, contiguous_strides(ones), 0);
}

std::pair<Tensor, Tensor> moments(ReduceKind kind, const Tensor& t, const Dims& dim,
                                  double correction, bool keepdim, bool with_mean) {
  PT_CHECK(is_floating(t->dtype()), RuntimeError,
           "std and var only support floating point and complex dtypes");
  const uint64_t mask = dim_mask(t, dim);
  Out v = make_out(t, mask, keepdim, t->dtype());
  Out m = with_mean ? make_out(t, mask, keepdim, t->dtype()) : Out{};
  ReduceArgs args;
  args.correction = correction;
  launch(kind, t, mask, v, with_mean ? &m : nullptr, args);
  return {v.result, m.result};
}

Tensor logic(ReduceKind kind, const char* op, const Tensor& t, const Dims& dim, bool keepdim) {
  const DType out = t->dtype() == DType::UInt8 ? DType::UInt8 : DType::Bool;
  return reduce1(kind, t, dim_mask(t, dim, false), keepdim, out);
}

Tensor scan(bool is_prod, const Tensor& t, int64_t dim, std::optional<DType> dtype) {
  const int64_t d = wrap_dim(dim, t->dim());
  const DType dt = dtype.value_or(int_to_long(t->dtype()));
  const Tensor x = contiguous(to(t, dt, t->device()));
  Tensor out = pt::empty(t->sizes(), dt, t->device());
  if (t->device().is_cuda()) cuda::cumulative(is_prod, x, t->dim() ? d : 0, out);
  else cpu::cumulative(is_prod, x, t->dim() ? d : 0, out);
  return out;
}

// ---- autograd ----
// Every reduction (and scan) records the same node: its input's geometry, up to two saved
// tensors and the formula of its op, which is written with ops so create_graph can
// differentiate it again.

// What a backward knows about the forward's input and reduced dims.
struct ReduceInfo {
  ReduceInfo(const Tensor& t, uint64_t mask, bool keepdim)
      : sizes(t->sizes()), dtype(t->dtype()), mask(mask), keepdim(keepdim) {}
  DimVec sizes;  // the input's
  DType dtype;
  uint64_t mask;
  bool keepdim;
  bool all = false;  // dim=None: prod runs flat; var/std's formula differs at dof <= 0
  double arg = 0;    // norm's p, var/std's correction

  // An output-shaped tensor with size-1 dims back where dims were reduced.
  Tensor restore(const Tensor& g) const {
    return keepdim ? g : reshape(g, reduced_sizes(sizes, mask, true));
  }
  Tensor expand(const Tensor& g) const { return ops::expand(restore(g), sizes); }
  DimVec dims() const {
    DimVec d;
    for (int64_t i = 0; i < static_cast<int64_t>(sizes.size()); ++i)
      if (mask >> i & 1) d.push_back(i);
    return d;
  }
  int64_t dim() const { return __builtin_ctzll(mask); }  // the one dim of a dim= op
  int64_t count() const {  // input elements per output element
    int64_t n = 1;
    for (int64_t d : dims()) n *= sizes[d];
    return n;
  }
};

// grads (one per output), the saved input and output (null when not saved) -> input gradient.
using Formula = Tensor (*)(const autograd::TensorList& grads, const Tensor& x, const Tensor& y,
                           const ReduceInfo& r);

struct ReductionBackward final : autograd::Node {
  ReductionBackward(const char* name, Formula formula, ReduceInfo info)
      : info(std::move(info)), formula_(formula), name_(name) {}
  std::string name() const override { return name_; }
  autograd::TensorList apply(autograd::TensorList&& grads) override {
    const Tensor gx = formula_(grads, input.unpack(this), output.unpack(this), info);
    return {gx ? to(gx, info.dtype, gx->device()) : gx};  // dtype= casts come back as the input's
  }
  void release_saved() override {
    input.reset();
    output.reset();
  }
  ReduceInfo info;
  autograd::SavedVariable input, output;

 private:
  Formula formula_;
  const char* name_;
};

enum Save : unsigned { kNothing = 0, kInput = 1, kOutput = 2 };

// Makes `out` (and `out2`, var_mean's mean) outputs of a new node with input `t`; `saved` is
// the output the formula reads (default: out).
void record(const char* name, Formula f, const Tensor& t, ReduceInfo info, const Tensor& out,
            unsigned save, const Tensor& out2 = nullptr, const Tensor& saved = nullptr) {
  auto node = autograd::make_node<ReductionBackward>({&t}, name, f, std::move(info));
  if (save & kInput) node->input = autograd::SavedVariable(t, false);
  if (save & kOutput) node->output = autograd::SavedVariable(saved ? saved : out, true);
  autograd::set_history(out, node, 0);
  if (out2) autograd::set_history(out2, node, 1);
}

bool any_zero(const Tensor& x) {
  const Tensor r = any(eq(x, Scalar::from_int(0)), std::nullopt, false);
  return *to(r, DType::Bool, cpu_device())->data<bool>();
}

Tensor reverse_cumsum(const Tensor& g, int64_t d) {
  return flip(cumsum(flip(g, {d}), d, std::nullopt), {d});
}

// [1, x0, x0*x1, ...] along d: the product of the elements before each one.
Tensor exclusive_cumprod(const Tensor& x, int64_t d) {
  const int64_t n = x->sizes()[d];
  DimVec one = x->sizes();
  one[d] = 1;
  return cat({ops::ones(one, x->dtype(), x->device()),
              narrow(cumprod(x, d, std::nullopt), d, 0, n - 1)}, d);
}

}  // namespace

void use_reference_reductions(bool on) { g_reference.store(on); }

// ---- sums, means, products ----
// Each op's backward formula sits just above it; (g, x, y, r) are the output gradients, the
// saved input and output, and the ReduceInfo.

using Grads = autograd::TensorList;

static Tensor sum_backward(const Grads& g, const Tensor&, const Tensor&, const ReduceInfo& r) {
  return r.expand(g[0]);
}
Tensor sum(const Tensor& t, const Dims& dim, bool keepdim, std::optional<DType> dtype) {
  const uint64_t mask = dim_mask(t, dim);
  Tensor out = sum_like(ReduceKind::Sum, "sum", t, mask, keepdim, dtype);
  if (autograd::needs_grad({&t}))
    record(dim ? "SumBackward1" : "SumBackward0", sum_backward, t, {t, mask, keepdim}, out, kNothing);
  return out;
}

static Tensor nansum_backward(const Grads& g, const Tensor& x, const Tensor&, const ReduceInfo& r) {
  return where(isnan(x), Scalar::from_int(0), r.restore(g[0]));
}
Tensor nansum(const Tensor& t, const Dims& dim, bool keepdim, std::optional<DType> dtype) {
  const uint64_t mask = dim_mask(t, dim);
  Tensor out = sum_like(ReduceKind::NanSum, "nansum", t, mask, keepdim, dtype);
  if (autograd::needs_grad({&t}))
    record("NansumBackward0", nansum_backward, t, {t, mask, keepdim}, out, kInput);
  return out;
}

static Tensor mean_grad(const Tensor& g, const ReduceInfo& r) {
  return r.expand(div(g, Scalar::from_int(r.count())));
}
static Tensor mean_backward(const Grads& g, const Tensor&, const Tensor&, const ReduceInfo& r) {
  return mean_grad(g[0], r);
}
Tensor mean(const Tensor& t, const Dims& dim, bool keepdim, std::optional<DType> dtype) {
  Tensor out = mean_like(ReduceKind::Mean, "mean", t, dim, keepdim, dtype);
  if (autograd::needs_grad({&t}))
    record(dim ? "MeanBackward1" : "MeanBackward0", mean_backward, t, {t, dim_mask(t, dim), keepdim},
           out, kNothing);
  return out;
}

// PyTorch's nanmean is nansum / (count of non-NaN), hence the name of its node.
static Tensor nanmean_backward(const Grads& g, const Tensor& x, const Tensor&, const ReduceInfo& r) {
  const Tensor kept = logical_not(isnan(x));
  return mul(kept, div(r.restore(g[0]), sum(kept, r.dims(), true, std::nullopt)));
}
Tensor nanmean(const Tensor& t, const Dims& dim, bool keepdim, std::optional<DType> dtype) {
  Tensor out = mean_like(ReduceKind::NanMean, "nanmean", t, dim, keepdim, dtype);
  if (autograd::needs_grad({&t}))
    record("DivBackward0", nanmean_backward, t, {t, dim_mask(t, dim), keepdim}, out, kInput);
  return out;
}

// The product of the other elements: result / x without zeros; with zeros, the running
// products from both sides, which divide by nothing and stay exact under create_graph.
static Tensor prod_backward(const Grads& g, const Tensor& x, const Tensor& y, const ReduceInfo& r) {
  const Tensor gk = r.restore(g[0]);
  if (!any_zero(x)) return mul(gk, div(r.restore(y), x));
  const bool flat = r.all || x->dim() == 0;  // prod() of everything runs along the flat input
  const Tensor v = flat ? reshape(x, {x->numel()}) : x;
  const int64_t d = flat ? 0 : r.dim();
  const Tensor others = mul(exclusive_cumprod(v, d), flip(exclusive_cumprod(flip(v, {d}), d), {d}));
  return mul(gk, flat ? reshape(others, r.sizes) : others);
}
Tensor prod(const Tensor& t, std::optional<int64_t> dim, bool keepdim, std::optional<DType> dtype) {
  const uint64_t mask = dim_mask(t, dim ? Dims(DimVec{*dim}) : std::nullopt);
  Tensor out = sum_like(ReduceKind::Prod, "prod", t, mask, keepdim, dtype);
  if (autograd::needs_grad({&t})) {
    ReduceInfo info(t, mask, keepdim);
    info.all = !dim;
    record(dim ? "ProdBackward1" : "ProdBackward0", prod_backward, t, std::move(info), out,
           kInput | kOutput);
  }
  return out;
}

// ---- max and min ----

// max()/min()/median() of everything: an even split among the ties (NaN ties NaN).
static Tensor evenly_backward(const Grads& g, const Tensor& x, const Tensor& y, const ReduceInfo&) {
  const Tensor hit = logical_or(eq(x, y), logical_and(isnan(x), isnan(y)));
  return mul(hit, div(g[0], sum(hit, std::nullopt, false, std::nullopt)));
}
void record_evenly_distributed(const char* name, const Tensor& input, const Tensor& value) {
  record(name, evenly_backward, input, {input, dim_mask(input, std::nullopt), false}, value,
         kInput | kOutput);
}
Tensor max(const Tensor& t) {
  Tensor out = extreme(ReduceKind::Max, "max", t, std::nullopt, false);
  if (autograd::needs_grad({&t})) record_evenly_distributed("MaxBackward1", t, out);
  return out;
}
Tensor min(const Tensor& t) {
  Tensor out = extreme(ReduceKind::Min, "min", t, std::nullopt, false);
  if (autograd::needs_grad({&t})) record_evenly_distributed("MinBackward1", t, out);
  return out;
}

// Along a dim (and for sort, topk...): all of the gradient to the element whose index came out.
static Tensor selection_backward(const Grads& g, const Tensor&, const Tensor& indices, const ReduceInfo& r) {
  if (r.sizes.empty()) return reshape(g[0], r.sizes);  // a 0-d input's only element
  return scatter(zeros(r.sizes, g[0]->dtype(), g[0]->device()), r.dim(), r.restore(indices),
                 r.restore(g[0]));
}
void record_selection(const char* name, const Tensor& input, const Tensor& values,
                      const Tensor& indices, int64_t dim, bool keepdim) {
  record(name, selection_backward, input, {input, uint64_t(1) << dim, keepdim}, values, kOutput,
         nullptr, indices);
}
ValuesIndices max(const Tensor& t, int64_t dim, bool keepdim) {
  ValuesIndices r = extreme_dim(ReduceKind::Max, "max", t, dim, keepdim);
  if (autograd::needs_grad({&t}))
    record_selection("MaxBackward0", t, r.values, r.indices, wrap_dim(dim, t->dim()), keepdim);
  return r;
}
ValuesIndices min(const Tensor& t, int64_t dim, bool keepdim) {
  ValuesIndices r = extreme_dim(ReduceKind::Min, "min", t, dim, keepdim);
  if (autograd::needs_grad({&t}))
    record_selection("MinBackward0", t, r.values, r.indices, wrap_dim(dim, t->dim()), keepdim);
  return r;
}

// amax/amin: each output's gradient split evenly among its ties (a NaN result has none, so
// its gradient is NaN, as in PyTorch).
static Tensor amax_backward(const Grads& g, const Tensor& x, const Tensor& y, const ReduceInfo& r) {
  const Tensor hit = eq(x, r.restore(y));
  return mul(hit, div(r.restore(g[0]), sum(hit, r.dims(), true, std::nullopt)));
}
Tensor amax(const Tensor& t, const Dims& dim, bool keepdim) {
  Tensor out = extreme(ReduceKind::Max, "amax", t, dim, keepdim);
  if (autograd::needs_grad({&t}))
    record("AmaxBackward0", amax_backward, t, {t, dim_mask(t, dim), keepdim}, out, kInput | kOutput);
  return out;
}
Tensor amin(const Tensor& t, const Dims& dim, bool keepdim) {
  Tensor out = extreme(ReduceKind::Min, "amin", t, dim, keepdim);
  if (autograd::needs_grad({&t}))
    record("AminBackward0", amax_backward, t, {t, dim_mask(t, dim), keepdim}, out, kInput | kOutput);
  return out;
}
Tensor argmax(const Tensor& t, std::optional<int64_t> dim, bool keepdim) {
  return arg(ReduceKind::ArgMax, "argmax", t, dim, keepdim);
}
Tensor argmin(const Tensor& t, std::optional<int64_t> dim, bool keepdim) {
  return arg(ReduceKind::ArgMin, "argmin", t, dim, keepdim);
}

// ---- var and std ----

// d var = 2 (x - mean) / (n - correction) with gv (the var gradient, dims kept); for dim=None
// with no degrees of freedom left, PyTorch's inf, NaN where x is the mean.
static Tensor var_grad(const Tensor& gv, const Tensor& x, const ReduceInfo& r) {
  const Tensor centered = sub(x, mean(x, r.dims(), true, std::nullopt));
  const double dof = static_cast<double>(r.count()) - r.arg;
  if (r.all && dof <= 0)
    return mul(gv, where(eq(centered, Scalar::from_int(0)), Scalar::from_double(NAN),
                         Scalar::from_double(INFINITY)));
  return mul(mul(gv, Scalar::from_double(2 / dof)), centered);
}
// g[1], when there, is var_mean's mean gradient.
static Tensor var_backward(const Grads& g, const Tensor& x, const Tensor&, const ReduceInfo& r) {
  const Tensor gx = var_grad(r.restore(g[0]), x, r);
  return g.size() > 1 ? add(gx, mean_grad(g[1], r)) : gx;
}
// d std = d var / (2 std), and 0 where std is 0 (the divisor is made safe there so that
// create_graph stays finite).
static Tensor std_backward(const Grads& g, const Tensor& x, const Tensor& y, const ReduceInfo& r) {
  const Tensor s = r.restore(y);
  const Tensor zero = eq(s, Scalar::from_int(0));
  const Tensor safe = where(zero, Scalar::from_int(1), s);
  const Tensor gv = where(zero, Scalar::from_int(0), div(r.restore(g[0]), mul(safe, Scalar::from_int(2))));
  const Tensor gx = var_grad(gv, x, r);
  return g.size() > 1 ? add(gx, mean_grad(g[1], r)) : gx;
}
// m: var_mean's / std_mean's mean output, or null.
static void record_moments(bool is_std, const Tensor& t, const Dims& dim, double correction,
                           bool keepdim, const Tensor& v, const Tensor& m) {
  ReduceInfo info(t, dim_mask(t, dim), keepdim);
  info.all = !dim || t->dim() == 0;
  info.arg = correction;
  const char* name = is_std ? (m ? "StdMeanBackward0" : "StdBackward0")
                            : (m ? "VarMeanBackward0" : "VarBackward0");
  record(name, is_std ? std_backward : var_backward, t, std::move(info), v,
         is_std ? kInput | kOutput : kInput, m);
}
Tensor var(const Tensor& t, const Dims& dim, double correction, bool keepdim) {
  Tensor v = moments(ReduceKind::Var, t, dim, correction, keepdim, false).first;
  if (autograd::needs_grad({&t})) record_moments(false, t, dim, correction, keepdim, v, nullptr);
  return v;
}
Tensor std(const Tensor& t, const Dims& dim, double correction, bool keepdim) {
  Tensor s = moments(ReduceKind::Std, t, dim, correction, keepdim, false).first;
  if (autograd::needs_grad({&t})) record_moments(true, t, dim, correction, keepdim, s, nullptr);
  return s;
}
std::pair<Tensor, Tensor> var_mean(const Tensor& t, const Dims& dim, double correction, bool keepdim) {
  auto r = moments(ReduceKind::Var, t, dim, correction, keepdim, true);
  if (autograd::needs_grad({&t})) record_moments(false, t, dim, correction, keepdim, r.first, r.second);
  return r;
}
std::pair<Tensor, Tensor> std_mean(const Tensor& t, const Dims& dim, double correction, bool keepdim) {
  auto r = moments(ReduceKind::Std, t, dim, correction, keepdim, true);
  if (autograd::needs_grad({&t})) record_moments(true, t, dim, correction, keepdim, r.first, r.second);
  return r;
}

Tensor all(const Tensor& t, const Dims& dim, bool keepdim) {
  return logic(ReduceKind::All, "all", t, dim, keepdim);
}
Tensor any(const Tensor& t, const Dims& dim, bool keepdim) {
  return logic(ReduceKind::Any, "any", t, dim, keepdim);
}
Tensor count_nonzero(const Tensor& t, const Dims& dim) {
  return reduce1(ReduceKind::CountNonzero, t, dim_mask(t, dim), false, DType::Int64);
}

// ---- norm and logsumexp ----

// PyTorch's subgradients: 0 at a zero vector (p = 2, p > 1) and at zero elements (p < 1), an
// even split among the ties of the extreme |x| for p = +-inf, and no gradient at all for p = 0.
static Tensor norm_backward(const Grads& g, const Tensor& x_in, const Tensor& y, const ReduceInfo& r) {
  const double p = r.arg;
  if (p == 0) return nullptr;
  const Tensor x = to(x_in, y->dtype(), y->device());  // dtype= casts before the norm
  const Tensor gk = r.restore(g[0]), nk = r.restore(y);
  const Tensor a = abs(x);
  if (p == 1) return mul(sign(x), gk);
  if (p == 2) return mul(gk, div(x, where(eq(nk, Scalar::from_int(0)), Scalar::from_int(1), nk)));
  if (std::isinf(p)) {
    const Tensor hit = logical_or(eq(a, nk), isnan(a));
    return mul(sign(x), mul(hit, div(gk, sum(hit, r.dims(), true, std::nullopt))));
  }
  if (p < 1) {  // |x|^(p-1) is infinite at 0, where sign(x) zeroes the term: keep it finite
    const Tensor safe = where(eq(a, Scalar::from_int(0)), Scalar::from_int(1), a);
    return mul(mul(sign(x), pow(safe, Scalar::from_double(p - 1))),
               mul(gk, pow(nk, Scalar::from_double(1 - p))));
  }
  const Tensor safe_norm = where(eq(nk, Scalar::from_int(0)), Scalar::from_int(1), nk);
  return mul(mul(sign(x), pow(a, Scalar::from_double(p - 1))),
             div(gk, pow(safe_norm, Scalar::from_double(p - 1))));
}
Tensor norm(const Tensor& t, double p, const Dims& dim, bool keepdim, std::optional<DType> dtype) {
  PT_CHECK(is_floating(t->dtype()), RuntimeError,
           "linalg.vector_norm: Expected a floating point or complex tensor as input. Got ",
           torch_dtype_name(t->dtype()));
  if (dtype)
    PT_CHECK(is_floating(*dtype), RuntimeError,
             "linalg.vector_norm: dtype should be floating point or complex, but got ",
             torch_dtype_name(*dtype));
  const uint64_t mask = dim_mask(t, dim);
  if (std::isinf(p) && t->numel() == 0) {
    PT_CHECK(dim && !dim->empty(), RuntimeError,
             "linalg.vector_norm cannot compute the ", p > 0 ? "inf" : "-inf",
             " norm on an empty tensor because the operation does not have an identity");
    for (int64_t d = 0; d < t->dim(); ++d)
      PT_CHECK(!(mask >> d & 1) || t->sizes()[d] != 0, RuntimeError,
               "linalg.vector_norm cannot compute the ", p > 0 ? "inf" : "-inf",
               " norm on the dimension ", d,
               " because this dimension is empty and the operation does not have an identity");
  }
  const Tensor x = dtype ? to(t, *dtype, t->device()) : t;
  ReduceArgs args;
  args.p = p;
  Tensor out = reduce1(ReduceKind::Norm, x, mask, keepdim, x->dtype(), args);
  if (autograd::needs_grad({&t})) {
    ReduceInfo info(t, mask, keepdim);
    info.arg = p;
    record("LinalgVectorNormBackward0", norm_backward, t, std::move(info), out, kInput | kOutput);
  }
  return out;
}

// exp(x - logsumexp) is the softmax of x: at most 1, so stable (NaN for an all -inf line, as
// in PyTorch).
static Tensor logsumexp_backward(const Grads& g, const Tensor& x, const Tensor& y, const ReduceInfo& r) {
  return mul(r.restore(g[0]), exp(sub(x, r.restore(y))));
}
Tensor logsumexp(const Tensor& t, const Dims& dim, bool keepdim) {
  // Integers and bool promote to the default float dtype, as in PyTorch.
  const Tensor x = is_floating(t->dtype()) ? t : to(t, DType::Float32, t->device());
  const uint64_t mask = dim_mask(t, dim);
  Tensor out = reduce1(ReduceKind::LogSumExp, x, mask, keepdim, x->dtype());
  if (autograd::needs_grad({&t}))
    record("LogsumexpBackward0", logsumexp_backward, t, {t, mask, keepdim}, out, kInput | kOutput);
  return out;
}

// ---- scans ----

static Tensor cumsum_backward(const Grads& g, const Tensor&, const Tensor&, const ReduceInfo& r) {
  return r.sizes.empty() ? g[0] : reverse_cumsum(g[0], r.dim());
}
Tensor cumsum(const Tensor& t, int64_t dim, std::optional<DType> dtype) {
  Tensor out = scan(false, t, dim, dtype);
  if (autograd::needs_grad({&t}))
    record("CumsumBackward0", cumsum_backward, t, {t, uint64_t(1) << wrap_dim(dim, t->dim()), true},
           out, kNothing);
  return out;
}

// dx_k = sum_{j>=k} g_j prod_{i<=j, i!=k} x_i, built as an n x n table per line so that every
// factor is an op: the form create_graph needs when x has zeros (O(n^2), so only then).
static Tensor cumprod_backward_table(const Tensor& g, const Tensor& x, int64_t d) {
  const int64_t n = x->sizes()[d], last = x->dim() - 1;
  const Tensor xl = movedim(x, {d}, {last});
  DimVec table = xl->sizes();
  table.insert(last, n);  // (..., k, j)
  const Tensor skip_k = where(eye(n, n, DType::Bool, x->device()), Scalar::from_int(1),
                              expand(unsqueeze(xl, last), table));
  const Tensor upper = triu(ones({n, n}, x->dtype(), x->device()), 0);  // j >= k
  const Tensor terms = mul(mul(cumprod(skip_k, last + 1, std::nullopt), upper),
                           unsqueeze(movedim(g, {d}, {last}), last));
  return movedim(sum(terms, DimVec{last + 1}, false, std::nullopt), {last}, {d});
}
// Without zeros, reverse_cumsum(g y) / x. With zeros, per line: that same formula before the
// first zero; at it, the sum over the running product that skips it; after it, 0.
static Tensor cumprod_backward(const Grads& g, const Tensor& x, const Tensor& y, const ReduceInfo& r) {
  if (r.sizes.empty()) return g[0];
  const int64_t d = r.dim();
  if (!any_zero(x)) return div(reverse_cumsum(mul(g[0], y), d), x);
  if (autograd::grad_enabled()) return cumprod_backward_table(g[0], x, d);
  const Tensor zero = eq(x, Scalar::from_int(0));
  const Tensor seen = cumsum(zero, d, std::nullopt);  // zeros so far, this one included
  const Tensor before = eq(seen, Scalar::from_int(0));
  const Tensor first = logical_and(zero, eq(seen, Scalar::from_int(1)));
  const Tensor skip_first = cumprod(where(first, Scalar::from_int(1), x), d, std::nullopt);
  return where(before, div(reverse_cumsum(mul(g[0], y), d), where(before, x, Scalar::from_int(1))),
               where(first, reverse_cumsum(mul(g[0], skip_first), d), Scalar::from_int(0)));
}
Tensor cumprod(const Tensor& t, int64_t dim, std::optional<DType> dtype) {
  Tensor out = scan(true, t, dim, dtype);
  if (autograd::needs_grad({&t}))
    record("CumprodBackward0", cumprod_backward, t, {t, uint64_t(1) << wrap_dim(dim, t->dim()), true},
           out, kInput | kOutput);
  return out;
}

Tensor sum_to(const Tensor& g, const DimVec& shape) {
  if (g->sizes() == shape) return g;
  const int64_t lead = g->dim() - shape.size();
  DimVec dims;
  for (int64_t d = 0; d < g->dim(); ++d)
    if (d < lead || (shape[d - lead] == 1 && g->sizes()[d] != 1)) dims.push_back(d);
  const Tensor r = dims.empty() ? g : sum(g, dims, /*keepdim=*/true, std::nullopt);
  return lead ? reshape(r, shape) : r;
}

}  // namespace pt::ops

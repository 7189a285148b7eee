#include "ops/reduce.h"

#include <atomic>
#include <cmath>

#include "core/error.h"
#include "cpu/reduce.h"
#include "ops/copy.h"
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

DimVec reduced_sizes(const Tensor& t, uint64_t mask, bool keepdim) {
  DimVec s;
  for (int64_t d = 0; d < t->dim(); ++d) {
    if (!(mask >> d & 1)) s.push_back(t->sizes()[d]);
    else if (keepdim) s.push_back(1);
  }
  return s;
}

// A fresh output in keepdim form (what the kernels take) and the tensor to return.
struct Out {
  Tensor kernel, result;
};
Out make_out(const Tensor& t, uint64_t mask, bool keepdim, DType dtype) {
  Tensor full = empty(reduced_sizes(t, mask, true), dtype);
  if (keepdim) return {full, full};
  DimVec s = reduced_sizes(t, mask, false);
  DimVec st = contiguous_strides(s);
  return {full, make_view(full, std::move(s), std::move(st), 0)};
}

void launch(ReduceKind kind, const Tensor& in, uint64_t mask, const Out& out, const Out* out2,
            const ReduceArgs& args = {}) {
  const Tensor second = out2 ? out2->kernel : nullptr;
  if (g_reference.load(std::memory_order_relaxed)) cpu::reduce_ref(kind, in, mask, out.kernel, second, args);
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
  check_cpu(t, op);
  const Tensor x = dtype ? to(t, *dtype, t->device()) : t;
  Tensor r = reduce1(kind, x, mask, keepdim, int_to_long(x->dtype()));
  return dtype && r->dtype() != *dtype ? to(r, *dtype, r->device()) : r;
}

Tensor mean_like(ReduceKind kind, const char* op, const Tensor& t, const Dims& dim, bool keepdim,
                 std::optional<DType> dtype) {
  check_cpu(t, op);
  if (kind == ReduceKind::NanMean)
    PT_CHECK(is_floating(t->dtype()), RuntimeError, op,
             "(): expected input to have floating point or complex dtype but got ",
             torch_type_name(t->dtype()));
  const DType dt = dtype.value_or(t->dtype());
  PT_CHECK(is_floating(dt), RuntimeError, op,
           "(): could not infer output dtype. ", dtype ? "Optional" : "Input",
           " dtype must be either a floating point or complex dtype. Got: ", torch_type_name(dt));
  const uint64_t mask = dim_mask(t, dim);
  return reduce1(kind, to(t, dt, t->device()), mask, keepdim, dt);
}

Tensor extreme(ReduceKind kind, const char* op, const Tensor& t, const Dims& dim, bool keepdim) {
  check_cpu(t, op);
  const uint64_t mask = dim_mask(t, dim);
  check_nonempty(t, mask, dim && !dim->empty(), op);
  return reduce1(kind, t, mask, keepdim, t->dtype());
}

ValuesIndices extreme_dim(ReduceKind kind, const char* op, const Tensor& t, int64_t dim,
                          bool keepdim) {
  check_cpu(t, op);
  const uint64_t mask = dim_mask(t, DimVec{dim});
  check_nonempty(t, mask, true, op);
  Out values = make_out(t, mask, keepdim, t->dtype());
  Out indices = make_out(t, mask, keepdim, DType::Int64);
  launch(kind, t, mask, values, &indices);
  return {values.result, indices.result};
}

Tensor arg(ReduceKind kind, const char* op, const Tensor& t, std::optional<int64_t> dim,
           bool keepdim) {
  check_cpu(t, op);
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
  check_cpu(t, kind == ReduceKind::Var ? "var" : "std");
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
  check_cpu(t, op);
  const DType out = t->dtype() == DType::UInt8 ? DType::UInt8 : DType::Bool;
  return reduce1(kind, t, dim_mask(t, dim, false), keepdim, out);
}

Tensor scan(bool is_prod, const Tensor& t, int64_t dim, std::optional<DType> dtype) {
  const char* op = is_prod ? "cumprod" : "cumsum";
  check_cpu(t, op);
  const int64_t d = wrap_dim(dim, t->dim());
  const DType dt = dtype.value_or(int_to_long(t->dtype()));
  const Tensor x = contiguous(to(t, dt, t->device()));
  Tensor out = empty(t->sizes(), dt);
  cpu::cumulative(is_prod, x, t->dim() ? d : 0, out);
  return out;
}

}  // namespace

void check_cpu(const Tensor& t, const char* op) {
  PT_CHECK(t->device().is_cpu(), NotImplementedError, op, ": ", t->device().str(),
           " tensors are not supported yet (CPU only)");
}

const char* torch_type_name(DType t) {
  switch (t) {
    case DType::Bool: return "Bool";
    case DType::UInt8: return "Byte";
    case DType::Int32: return "Int";
    case DType::Int64: return "Long";
    case DType::Float32: return "Float";
    case DType::Float64: return "Double";
  }
  return "?";
}

void use_reference_reductions(bool on) { g_reference.store(on); }

Tensor sum(const Tensor& t, const Dims& dim, bool keepdim, std::optional<DType> dtype) {
  return sum_like(ReduceKind::Sum, "sum", t, dim_mask(t, dim), keepdim, dtype);
}
Tensor nansum(const Tensor& t, const Dims& dim, bool keepdim, std::optional<DType> dtype) {
  return sum_like(ReduceKind::NanSum, "nansum", t, dim_mask(t, dim), keepdim, dtype);
}
Tensor prod(const Tensor& t, std::optional<int64_t> dim, bool keepdim, std::optional<DType> dtype) {
  const uint64_t mask = dim_mask(t, dim ? Dims(DimVec{*dim}) : std::nullopt);
  return sum_like(ReduceKind::Prod, "prod", t, mask, keepdim, dtype);
}
Tensor mean(const Tensor& t, const Dims& dim, bool keepdim, std::optional<DType> dtype) {
  return mean_like(ReduceKind::Mean, "mean", t, dim, keepdim, dtype);
}
Tensor nanmean(const Tensor& t, const Dims& dim, bool keepdim, std::optional<DType> dtype) {
  return mean_like(ReduceKind::NanMean, "nanmean", t, dim, keepdim, dtype);
}

Tensor max(const Tensor& t) { return extreme(ReduceKind::Max, "max", t, std::nullopt, false); }
Tensor min(const Tensor& t) { return extreme(ReduceKind::Min, "min", t, std::nullopt, false); }
ValuesIndices max(const Tensor& t, int64_t dim, bool keepdim) {
  return extreme_dim(ReduceKind::Max, "max", t, dim, keepdim);
}
ValuesIndices min(const Tensor& t, int64_t dim, bool keepdim) {
  return extreme_dim(ReduceKind::Min, "min", t, dim, keepdim);
}
Tensor amax(const Tensor& t, const Dims& dim, bool keepdim) {
  return extreme(ReduceKind::Max, "amax", t, dim, keepdim);
}
Tensor amin(const Tensor& t, const Dims& dim, bool keepdim) {
  return extreme(ReduceKind::Min, "amin", t, dim, keepdim);
}
Tensor argmax(const Tensor& t, std::optional<int64_t> dim, bool keepdim) {
  return arg(ReduceKind::ArgMax, "argmax", t, dim, keepdim);
}
Tensor argmin(const Tensor& t, std::optional<int64_t> dim, bool keepdim) {
  return arg(ReduceKind::ArgMin, "argmin", t, dim, keepdim);
}

Tensor var(const Tensor& t, const Dims& dim, double correction, bool keepdim) {
  return moments(ReduceKind::Var, t, dim, correction, keepdim, false).first;
}
Tensor std(const Tensor& t, const Dims& dim, double correction, bool keepdim) {
  return moments(ReduceKind::Std, t, dim, correction, keepdim, false).first;
}
std::pair<Tensor, Tensor> var_mean(const Tensor& t, const Dims& dim, double correction, bool keepdim) {
  return moments(ReduceKind::Var, t, dim, correction, keepdim, true);
}
std::pair<Tensor, Tensor> std_mean(const Tensor& t, const Dims& dim, double correction, bool keepdim) {
  return moments(ReduceKind::Std, t, dim, correction, keepdim, true);
}

Tensor all(const Tensor& t, const Dims& dim, bool keepdim) {
  return logic(ReduceKind::All, "all", t, dim, keepdim);
}
Tensor any(const Tensor& t, const Dims& dim, bool keepdim) {
  return logic(ReduceKind::Any, "any", t, dim, keepdim);
}
Tensor count_nonzero(const Tensor& t, const Dims& dim) {
  check_cpu(t, "count_nonzero");
  return reduce1(ReduceKind::CountNonzero, t, dim_mask(t, dim), false, DType::Int64);
}

Tensor norm(const Tensor& t, double p, const Dims& dim, bool keepdim, std::optional<DType> dtype) {
  check_cpu(t, "norm");
  PT_CHECK(is_floating(t->dtype()), RuntimeError,
           "linalg.vector_norm: Expected a floating point or complex tensor as input. Got ",
           torch_type_name(t->dtype()));
  if (dtype)
    PT_CHECK(is_floating(*dtype), RuntimeError,
             "linalg.vector_norm: dtype should be floating point or complex, but got ",
             torch_type_name(*dtype));
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
  return reduce1(ReduceKind::Norm, x, mask, keepdim, x->dtype(), args);
}

Tensor logsumexp(const Tensor& t, const Dims& dim, bool keepdim) {
  check_cpu(t, "logsumexp");
  // Integers and bool promote to the default float dtype, as in PyTorch.
  const Tensor x = is_floating(t->dtype()) ? t : to(t, DType::Float32, t->device());
  return reduce1(ReduceKind::LogSumExp, x, dim_mask(t, dim), keepdim, x->dtype());
}

Tensor cumsum(const Tensor& t, int64_t dim, std::optional<DType> dtype) {
  return scan(false, t, dim, dtype);
}
Tensor cumprod(const Tensor& t, int64_t dim, std::optional<DType> dtype) {
  return scan(true, t, dim, dtype);
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

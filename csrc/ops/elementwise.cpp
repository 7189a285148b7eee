// Elementwise ops: argument checks, result dtype (PyTorch's promotion), output allocation and
// the in-place rules, then the kernels of cpu/elementwise.cpp or cuda/elementwise.cu. Python
// numbers never become tensors: they are converted to the compute dtype into a local buffer
// and enter the loop as a stride-0 operand. Each differentiable op names its backward formula
// (ops/elementwise_backward.cpp) and records it through a Recorder around the kernel call.
#include "ops/elementwise.h"

#include <cmath>
#include <limits>

#include "autograd/record.h"
#include "core/error.h"
#include "core/iter.h"
#include "cpu/elementwise.h"
#include "cuda/kernels.h"
#include "ops/copy.h"
#include "ops/elementwise_backward.h"
#include "ops/factory.h"

namespace pt::ops {

using cpu::BinaryOp;
using cpu::UnaryOp;

// ---- dtypes ----


static DType scalar_dtype(const Scalar& s) {
  return s.is_float() ? default_dtype() : s.dtype();
}

// PyTorch's combine_categories: the higher-priority class wins unless the lower one brings
// floating point into an integer result, or anything into a bool result. -1 means "none".
static int combine(int higher, int lower) {
  if (higher < 0) return lower;
  if (lower < 0) return higher;
  const DType h = static_cast<DType>(higher), l = static_cast<DType>(lower);
  if (is_floating(h)) return higher;
  if (h == DType::Bool || is_floating(l)) return static_cast<int>(promote_types(h, l));
  return higher;
}

DType result_type(std::initializer_list<Arg> args) {
  int state[3] = {-1, -1, -1};  // dim > 0 tensors, 0-d tensors, Python numbers
  for (const Arg& a : args) {
    const DType t = a.is_scalar() ? scalar_dtype(a.scalar) : (*a.tensor)->dtype();
    const int cls = a.is_scalar() ? 2 : (*a.tensor)->dim() == 0 ? 1 : 0;
    state[cls] = state[cls] < 0 ? static_cast<int>(t)
                                : static_cast<int>(promote_types(static_cast<DType>(state[cls]), t));
  }
  return static_cast<DType>(combine(state[0], combine(state[1], state[2])));
}

bool can_cast(DType from, DType to) {
  if (is_floating(from) && !is_floating(to)) return false;
  return !(from != DType::Bool && to == DType::Bool);
}

static DType to_float(DType t) { return is_floating(t) ? t : default_dtype(); }

// ---- shared plumbing ----

// The device an op runs on: that of its tensors, which must agree, except that 0-d CPU
// tensors join any device as numbers do (PyTorch's rule).
static Device common_device(std::initializer_list<Arg> args, const char* op) {
  Device dev;
  bool found = false;
  for (const Arg& a : args) {
    if (a.is_scalar()) continue;
    const Tensor& t = *a.tensor;
    if (t->device().is_cpu() && t->dim() == 0 && args.size() > 1) continue;
    PT_CHECK(!found || t->device() == dev, RuntimeError, op,
             ": Expected all tensors to be on the same device, but found at least two devices, ",
             dev.str(), " and ", t->device().str(), "!");
    dev = t->device();
    found = true;
  }
  return dev;
}

static DimVec broadcast_all(std::initializer_list<Arg> args, const char* op) {
  DimVec shape;
  for (const Arg& a : args)
    if (!a.is_scalar()) shape = broadcast_shapes(shape, (*a.tensor)->sizes(), op);
  return shape;
}

// An input and the dtype the kernel reads it as.
struct In {
  Arg arg;
  DType dtype;
};

// Runs kernel(loop) over {out, ins...}: tensors cast to their read dtype and broadcast to
// out's shape and moved to out's device (0-d CPU tensors), numbers converted into 8-byte host
// slots read with stride 0 (kernel(loop, mask): bit k of mask marks operand k as such a slot).
// When every tensor is contiguous with out's shape the loop is built flat (one dim), which
// keeps small ops cheap.
template <class K>
static void run_loop(const Tensor& out, std::initializer_list<In> ins, const char* op, const K& kernel) {
  Tensor cast[kMaxOperands];
  bool flat = out->is_contiguous();
  int k = 1;
  for (const In& in : ins) {
    if (!in.arg.is_scalar()) {
      const Tensor& t = *in.arg.tensor;
      cast[k] = t->dtype() == in.dtype && t->device() == out->device() ? t : to(t, in.dtype, out->device());
      flat = flat && cast[k]->is_contiguous() && cast[k]->sizes() == out->sizes();
    }
    ++k;
  }
  const DimVec flat_shape{out->numel()}, ones{1};
  const DimVec& shape = flat ? flat_shape : out->sizes();
  const DimVec zeros(shape.size(), 0);
  DimVec strides[kMaxOperands];
  alignas(8) char slots[kMaxOperands][8];
  Operand operands[kMaxOperands] = {{static_cast<char*>(out->raw_data()), flat ? &ones : &out->strides(), out->itemsize()}};
  uint32_t scalars = 0;
  k = 1;
  for (const In& in : ins) {
    if (in.arg.is_scalar()) {
      scalars |= 1u << k;
      PT_DISPATCH_ALL(in.dtype, op, [&] { *reinterpret_cast<scalar_t*>(slots[k]) = in.arg.scalar.to<scalar_t>(); });
      operands[k] = {slots[k], &zeros, itemsize(in.dtype)};
    } else {
      if (!flat) strides[k] = broadcast_strides(cast[k], out->sizes(), op);
      operands[k] = {static_cast<char*>(cast[k]->raw_data()), flat ? &ones : &strides[k], itemsize(in.dtype)};
    }
    ++k;
  }
  if (out->numel() == 0) return;
  kernel(StridedLoop(shape, k, operands), scalars);
}

// The checks before any write into self: the op's result dtype must cast into self, the
// broadcast shape must be self's shape, and self may neither overlap itself nor partly
// overlap an input.
static void check_inplace(const Tensor& self, std::initializer_list<Arg> others, DType result,
                          const char* op) {
  for (const Arg& a : others)
    if (!a.is_scalar()) common_device({self, a}, op);
  PT_CHECK(can_cast(result, self->dtype()), RuntimeError, op, ": result type ", torch_dtype_name(result),
           " can't be cast to the desired output type ", torch_dtype_name(self->dtype()));
  DimVec shape = self->sizes();
  for (const Arg& a : others)
    if (!a.is_scalar()) shape = broadcast_shapes(shape, (*a.tensor)->sizes(), op);
  PT_CHECK(shape == self->sizes(), RuntimeError, op, ": output with shape ", self->sizes(),
           " doesn't match the broadcast shape ", shape);
  check_no_internal_overlap(self, op);
  for (const Arg& a : others)
    PT_CHECK(a.is_scalar() || !partial_overlap(self, *a.tensor), RuntimeError, op,
             ": unsupported operation: some elements of the input tensor and the written-to tensor "
             "refer to a single memory location. Please clone() the tensor before performing the "
             "operation.");
}

// ---- binary ops ----

// The dtype the kernel computes in, after rejecting what PyTorch rejects for this op.
static DType compute_dtype(BinaryOp op, Arg a, Arg b, const char* name, const Scalar& alpha) {
  const DType rt = result_type({a, b});
  const bool any_bool = (a.is_scalar() ? a.scalar.kind == Scalar::Kind::Bool : (*a.tensor)->dtype() == DType::Bool) ||
                        (b.is_scalar() ? b.scalar.kind == Scalar::Kind::Bool : (*b.tensor)->dtype() == DType::Bool);
  switch (op) {
    case BinaryOp::Div:
    case BinaryOp::Atan2: return to_float(rt);
    case BinaryOp::Sub:
      PT_CHECK(!any_bool, RuntimeError, name, ": Subtraction, the `-` operator, with ",
               rt == DType::Bool ? "two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead."
                                 : "a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.");
      [[fallthrough]];
    case BinaryOp::Add:
      PT_CHECK(alpha.kind != Scalar::Kind::Bool || rt == DType::Bool, RuntimeError, name,
               ": Boolean alpha only supported for Boolean results.");
      PT_CHECK(!alpha.is_float() || is_floating(rt), RuntimeError, name,
               ": For integral input tensors, argument alpha must not be a floating point number.");
      return rt;
    case BinaryOp::DivTrunc:
    case BinaryOp::DivFloor:
    case BinaryOp::Remainder:
    case BinaryOp::Fmod:
    case BinaryOp::Pow:
      // bool ** number is allowed as in PyTorch (x ** True is x, x ** False is all true).
      if (rt == DType::Bool && !(op == BinaryOp::Pow && b.is_scalar())) throw_bad_dtype(name, rt);
      if (op == BinaryOp::Pow && !is_floating(rt) && b.is_scalar() && !b.scalar.is_float())
        PT_CHECK(b.scalar.i >= 0, RuntimeError, name, ": Integers to negative integer powers are not allowed.");
      if (op != BinaryOp::Pow && !is_floating(rt) && b.is_scalar() && !b.scalar.is_float())
        PT_CHECK(b.scalar.i != 0, RuntimeError, "ZeroDivisionError");
      return rt;
    case BinaryOp::BitAnd:
    case BinaryOp::BitOr:
    case BinaryOp::BitXor:
      if (is_floating(rt)) throw_bad_dtype(name, rt);
      return rt;
    default: return rt;
  }
}

static void binary_into(BinaryOp op, const Tensor& out, Arg a, Arg b, DType ct, const Scalar& alpha,
                        const char* name) {
  bool ok = true;
  run_loop(out, {{a, ct}, {b, ct}}, name, [&](const StridedLoop& loop, uint32_t scalars) {
    if (out->device().is_cuda()) ok = cuda::binary(op, ct, loop, alpha, scalars);
    else ok = cpu::binary(op, ct, loop, alpha);
  });
  PT_CHECK(ok, RuntimeError, "ZeroDivisionError");
}

// `f`: the backward recorded when an input requires grad (null: the op has none).
static Tensor binary(BinaryOp op, Arg a, Arg b, const char* name, const Formula* f,
                     const Scalar& alpha = Scalar::from_int(1)) {
  PT_CHECK(!a.is_scalar() || !b.is_scalar(), TypeError, name, "(): expected at least one Tensor argument");
  const Device device = common_device({a, b}, name);
  const DType ct = compute_dtype(op, a, b, name, alpha);
  Recorder rec(f, {a, b}, /*inplace=*/false, alpha);
  Tensor out = pt::empty(broadcast_all({a, b}, name), cpu::writes_bool(op) ? DType::Bool : ct, device);
  binary_into(op, out, a, b, ct, alpha, name);
  rec.finish(out);
  return out;
}

static const Tensor& binary_(BinaryOp op, const Tensor& self, Arg other, const char* name,
                             const Formula* f, const Scalar& alpha = Scalar::from_int(1)) {
  autograd::check_inplace(self, name);
  const DType ct = compute_dtype(op, self, other, name, alpha);
  const DType rt = cpu::writes_bool(op) ? DType::Bool : ct;
  check_inplace(self, {other}, rt, name);
  Recorder rec(f, {self, other}, /*inplace=*/true, alpha);
  if (rt == self->dtype() && ct == rt) {
    self->bump_version();
    binary_into(op, self, self, other, ct, alpha, name);
  } else {
    copy_(self, binary(op, self, other, name, nullptr, alpha), name);  // copy_ bumps the version
  }
  rec.finish(self);
  return self;
}

static BinaryOp div_op(RoundingMode mode) {
  return mode == RoundingMode::Trunc ? BinaryOp::DivTrunc
         : mode == RoundingMode::Floor ? BinaryOp::DivFloor : BinaryOp::Div;
}

// PyTorch names the node after which operands are numbers.
static const Formula* pow_formula(Arg a, Arg b) {
  return a.is_scalar() ? &pow_scalar_base_grad : b.is_scalar() ? &pow_scalar_exponent_grad : &pow_grad;
}
static const Formula* remainder_formula(Arg a, Arg b) {
  return a.is_scalar() ? &rremainder_grad : b.is_scalar() ? &remainder_scalar_grad : &remainder_grad;
}
static const Formula* fmod_formula(Arg a, Arg b) {
  return a.is_scalar() ? &rfmod_grad : b.is_scalar() ? &fmod_scalar_grad : &fmod_grad;
}

Tensor add(Arg a, Arg b, Scalar alpha) { return binary(BinaryOp::Add, a, b, "add", &add_grad, alpha); }
Tensor sub(Arg a, Arg b, Scalar alpha) {
  return binary(BinaryOp::Sub, a, b, "sub", a.is_scalar() ? &rsub_grad : &sub_grad, alpha);
}
Tensor mul(Arg a, Arg b) { return binary(BinaryOp::Mul, a, b, "mul", &mul_grad); }
Tensor div(Arg a, Arg b, RoundingMode mode) {
  return binary(div_op(mode), a, b, "div", mode == RoundingMode::None ? &div_grad : &div_rounding_grad);
}
Tensor floor_divide(Arg a, Arg b) {
  return binary(BinaryOp::DivFloor, a, b, "floor_divide", &floor_divide_grad);
}
Tensor remainder(Arg a, Arg b) {
  return binary(BinaryOp::Remainder, a, b, "remainder", remainder_formula(a, b));
}
Tensor fmod(Arg a, Arg b) { return binary(BinaryOp::Fmod, a, b, "fmod", fmod_formula(a, b)); }
Tensor pow(Arg a, Arg b) { return binary(BinaryOp::Pow, a, b, "pow", pow_formula(a, b)); }
Tensor maximum(Arg a, Arg b) { return binary(BinaryOp::Maximum, a, b, "maximum", &maximum_grad); }
Tensor minimum(Arg a, Arg b) { return binary(BinaryOp::Minimum, a, b, "minimum", &minimum_grad); }
Tensor atan2(Arg a, Arg b) { return binary(BinaryOp::Atan2, a, b, "atan2", &atan2_grad); }
Tensor bitwise_and(Arg a, Arg b) { return binary(BinaryOp::BitAnd, a, b, "bitwise_and", nullptr); }
Tensor bitwise_or(Arg a, Arg b) { return binary(BinaryOp::BitOr, a, b, "bitwise_or", nullptr); }
Tensor bitwise_xor(Arg a, Arg b) { return binary(BinaryOp::BitXor, a, b, "bitwise_xor", nullptr); }
Tensor logical_and(Arg a, Arg b) { return binary(BinaryOp::LogicalAnd, a, b, "logical_and", nullptr); }
Tensor logical_or(Arg a, Arg b) { return binary(BinaryOp::LogicalOr, a, b, "logical_or", nullptr); }
Tensor logical_xor(Arg a, Arg b) { return binary(BinaryOp::LogicalXor, a, b, "logical_xor", nullptr); }
Tensor eq(Arg a, Arg b) { return binary(BinaryOp::Eq, a, b, "eq", nullptr); }
Tensor ne(Arg a, Arg b) { return binary(BinaryOp::Ne, a, b, "ne", nullptr); }
Tensor lt(Arg a, Arg b) { return binary(BinaryOp::Lt, a, b, "lt", nullptr); }
Tensor le(Arg a, Arg b) { return binary(BinaryOp::Le, a, b, "le", nullptr); }
Tensor gt(Arg a, Arg b) { return binary(BinaryOp::Gt, a, b, "gt", nullptr); }
Tensor ge(Arg a, Arg b) { return binary(BinaryOp::Ge, a, b, "ge", nullptr); }

const Tensor& add_(const Tensor& self, Arg other, Scalar alpha) {
  return binary_(BinaryOp::Add, self, other, "add_", &add_grad, alpha);
}
const Tensor& sub_(const Tensor& self, Arg other, Scalar alpha) {
  return binary_(BinaryOp::Sub, self, other, "sub_", &sub_grad, alpha);
}
const Tensor& mul_(const Tensor& self, Arg other) { return binary_(BinaryOp::Mul, self, other, "mul_", &mul_grad); }
const Tensor& div_(const Tensor& self, Arg other, RoundingMode mode) {
  return binary_(div_op(mode), self, other, "div_",
                 mode == RoundingMode::None ? &div_grad : &div_rounding_grad);
}
const Tensor& floor_divide_(const Tensor& self, Arg other) {
  return binary_(BinaryOp::DivFloor, self, other, "floor_divide_", &floor_divide_grad);
}
const Tensor& remainder_(const Tensor& self, Arg other) {
  return binary_(BinaryOp::Remainder, self, other, "remainder_", remainder_formula(self, other));
}
const Tensor& fmod_(const Tensor& self, Arg other) {
  return binary_(BinaryOp::Fmod, self, other, "fmod_", fmod_formula(self, other));
}
const Tensor& pow_(const Tensor& self, Arg other) {
  return binary_(BinaryOp::Pow, self, other, "pow_", pow_formula(self, other));
}
const Tensor& bitwise_and_(const Tensor& self, Arg other) {
  return binary_(BinaryOp::BitAnd, self, other, "bitwise_and_", nullptr);
}
const Tensor& bitwise_or_(const Tensor& self, Arg other) {
  return binary_(BinaryOp::BitOr, self, other, "bitwise_or_", nullptr);
}
const Tensor& bitwise_xor_(const Tensor& self, Arg other) {
  return binary_(BinaryOp::BitXor, self, other, "bitwise_xor_", nullptr);
}

// ---- unary ops ----

// What a unary op returns for each input dtype.
enum class Kind {
  Float,     // floating math: integer and bool inputs become the default float dtype
  Rounding,  // floor, ceil, round, trunc: floats computed, integers returned as they are
  Same,      // same dtype out (the op's own function rejects what PyTorch rejects)
  Bool,      // any dtype in, bool out
};

static void run_unary(UnaryOp op, const Tensor& out, const Tensor& x, const char* name,
                      const double* params) {
  run_loop(out, {{x, x->dtype()}}, name, [&](const StridedLoop& loop, uint32_t) {
    if (out->device().is_cuda()) cuda::unary(op, x->dtype(), loop, params);
    else cpu::unary(op, x->dtype(), loop, params);
  });
}

static Tensor unary(UnaryOp op, Kind kind, const Tensor& x, const char* name,
                    const double* params = nullptr) {
  const DType t = x->dtype();
  if (kind == Kind::Float && !is_floating(t)) {
    // Cast once into the output, then compute in place there.
    Tensor out = to(x, default_dtype(), x->device(), /*copy=*/true);
    run_unary(op, out, out, name, params);
    return out;
  }
  if (kind == Kind::Rounding) {
    if (t == DType::Bool) throw_bad_dtype(name, t);
    if (!is_floating(t)) return clone(x);
  }
  // Only floating inputs get here with requires_grad set.
  Recorder rec(op, x, /*inplace=*/false);
  Tensor out = pt::empty(x->sizes(), kind == Kind::Bool ? DType::Bool : t, x->device());
  run_unary(op, out, x, name, params);
  rec.finish(out);
  return out;
}

static const Tensor& unary_(UnaryOp op, Kind kind, const Tensor& x, const char* name,
                            const double* params = nullptr) {
  autograd::check_inplace(x, name);
  const DType t = x->dtype();
  if (kind == Kind::Rounding && t == DType::Bool) throw_bad_dtype(name, t);
  check_inplace(x, {}, kind == Kind::Float ? to_float(t) : t, name);
  x->bump_version();
  if (kind == Kind::Rounding && !is_floating(t)) return x;
  Recorder rec(op, x, /*inplace=*/true);
  run_unary(op, x, x, name, params);
  rec.finish(x);
  return x;
}

static void reject_bool(const Tensor& x, const char* name) {
  if (x->dtype() == DType::Bool) throw_bad_dtype(name, x->dtype());
}
static void check_neg(const Tensor& x, const char* name) {
  PT_CHECK(x->dtype() != DType::Bool, RuntimeError, name,
           ": Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
           "invert a mask, use the `~` or `logical_not()` operator instead.");
}
static void check_relu(const Tensor& x, const char* name) {
  PT_CHECK(x->dtype() != DType::Bool, RuntimeError, name, ": Boolean inputs not supported for relu");
}
static void check_bitwise(const Tensor& x, const char* name) {
  if (is_floating(x->dtype())) throw_bad_dtype(name, x->dtype());
}
static void check_float(const Tensor& x, const char* name) {
  if (!is_floating(x->dtype())) throw_bad_dtype(name, x->dtype());
}

Tensor exp(const Tensor& x) { return unary(UnaryOp::Exp, Kind::Float, x, "exp"); }
const Tensor& exp_(const Tensor& x) { return unary_(UnaryOp::Exp, Kind::Float, x, "exp_"); }
Tensor exp2(const Tensor& x) { return unary(UnaryOp::Exp2, Kind::Float, x, "exp2"); }
const Tensor& exp2_(const Tensor& x) { return unary_(UnaryOp::Exp2, Kind::Float, x, "exp2_"); }
Tensor log(const Tensor& x) { return unary(UnaryOp::Log, Kind::Float, x, "log"); }
const Tensor& log_(const Tensor& x) { return unary_(UnaryOp::Log, Kind::Float, x, "log_"); }
Tensor log2(const Tensor& x) { return unary(UnaryOp::Log2, Kind::Float, x, "log2"); }
const Tensor& log2_(const Tensor& x) { return unary_(UnaryOp::Log2, Kind::Float, x, "log2_"); }
Tensor log10(const Tensor& x) { return unary(UnaryOp::Log10, Kind::Float, x, "log10"); }
const Tensor& log10_(const Tensor& x) { return unary_(UnaryOp::Log10, Kind::Float, x, "log10_"); }
Tensor log1p(const Tensor& x) { return unary(UnaryOp::Log1p, Kind::Float, x, "log1p"); }
const Tensor& log1p_(const Tensor& x) { return unary_(UnaryOp::Log1p, Kind::Float, x, "log1p_"); }
Tensor expm1(const Tensor& x) { return unary(UnaryOp::Expm1, Kind::Float, x, "expm1"); }
const Tensor& expm1_(const Tensor& x) { return unary_(UnaryOp::Expm1, Kind::Float, x, "expm1_"); }
Tensor sqrt(const Tensor& x) { return unary(UnaryOp::Sqrt, Kind::Float, x, "sqrt"); }
const Tensor& sqrt_(const Tensor& x) { return unary_(UnaryOp::Sqrt, Kind::Float, x, "sqrt_"); }
Tensor rsqrt(const Tensor& x) { return unary(UnaryOp::Rsqrt, Kind::Float, x, "rsqrt"); }
const Tensor& rsqrt_(const Tensor& x) { return unary_(UnaryOp::Rsqrt, Kind::Float, x, "rsqrt_"); }
Tensor sin(const Tensor& x) { return unary(UnaryOp::Sin, Kind::Float, x, "sin"); }
const Tensor& sin_(const Tensor& x) { return unary_(UnaryOp::Sin, Kind::Float, x, "sin_"); }
Tensor cos(const Tensor& x) { return unary(UnaryOp::Cos, Kind::Float, x, "cos"); }
const Tensor& cos_(const Tensor& x) { return unary_(UnaryOp::Cos, Kind::Float, x, "cos_"); }
Tensor tan(const Tensor& x) { return unary(UnaryOp::Tan, Kind::Float, x, "tan"); }
const Tensor& tan_(const Tensor& x) { return unary_(UnaryOp::Tan, Kind::Float, x, "tan_"); }
Tensor asin(const Tensor& x) { return unary(UnaryOp::Asin, Kind::Float, x, "asin"); }
const Tensor& asin_(const Tensor& x) { return unary_(UnaryOp::Asin, Kind::Float, x, "asin_"); }
Tensor acos(const Tensor& x) { return unary(UnaryOp::Acos, Kind::Float, x, "acos"); }
const Tensor& acos_(const Tensor& x) { return unary_(UnaryOp::Acos, Kind::Float, x, "acos_"); }
Tensor atan(const Tensor& x) { return unary(UnaryOp::Atan, Kind::Float, x, "atan"); }
const Tensor& atan_(const Tensor& x) { return unary_(UnaryOp::Atan, Kind::Float, x, "atan_"); }
Tensor sinh(const Tensor& x) { return unary(UnaryOp::Sinh, Kind::Float, x, "sinh"); }
const Tensor& sinh_(const Tensor& x) { return unary_(UnaryOp::Sinh, Kind::Float, x, "sinh_"); }
Tensor cosh(const Tensor& x) { return unary(UnaryOp::Cosh, Kind::Float, x, "cosh"); }
const Tensor& cosh_(const Tensor& x) { return unary_(UnaryOp::Cosh, Kind::Float, x, "cosh_"); }
Tensor tanh(const Tensor& x) { return unary(UnaryOp::Tanh, Kind::Float, x, "tanh"); }
const Tensor& tanh_(const Tensor& x) { return unary_(UnaryOp::Tanh, Kind::Float, x, "tanh_"); }
Tensor sigmoid(const Tensor& x) { return unary(UnaryOp::Sigmoid, Kind::Float, x, "sigmoid"); }
const Tensor& sigmoid_(const Tensor& x) {
  return unary_(UnaryOp::Sigmoid, Kind::Float, x, "sigmoid_");
}
Tensor reciprocal(const Tensor& x) {
  return unary(UnaryOp::Reciprocal, Kind::Float, x, "reciprocal");
}
const Tensor& reciprocal_(const Tensor& x) {
  return unary_(UnaryOp::Reciprocal, Kind::Float, x, "reciprocal_");
}
Tensor erf(const Tensor& x) { return unary(UnaryOp::Erf, Kind::Float, x, "erf"); }
const Tensor& erf_(const Tensor& x) { return unary_(UnaryOp::Erf, Kind::Float, x, "erf_"); }
Tensor erfc(const Tensor& x) { return unary(UnaryOp::Erfc, Kind::Float, x, "erfc"); }
const Tensor& erfc_(const Tensor& x) { return unary_(UnaryOp::Erfc, Kind::Float, x, "erfc_"); }
Tensor erfinv(const Tensor& x) { return unary(UnaryOp::Erfinv, Kind::Float, x, "erfinv"); }
const Tensor& erfinv_(const Tensor& x) { return unary_(UnaryOp::Erfinv, Kind::Float, x, "erfinv_"); }

// PyTorch's activations take floating inputs only (its kernels' names in the message).
static void check_activation(const Tensor& x, const char* kernel) {
  PT_CHECK(is_floating(x->dtype()), NotImplementedError, "\"", kernel, "\" not implemented for '",
           torch_dtype_name(x->dtype()), "'");
}
Tensor silu(const Tensor& x) {
  check_activation(x, "silu_cpu");
  return unary(UnaryOp::Silu, Kind::Same, x, "silu");
}
const Tensor& silu_(const Tensor& x) {
  check_activation(x, "silu_cpu");
  return unary_(UnaryOp::Silu, Kind::Same, x, "silu_");
}
Tensor gelu(const Tensor& x, const std::string& approximate) {
  PT_CHECK(approximate == "none" || approximate == "tanh", RuntimeError,
           "approximate argument must be either none or tanh.");
  check_activation(x, "GeluKernelImpl");
  return unary(approximate == "tanh" ? UnaryOp::GeluTanh : UnaryOp::GeluErf, Kind::Same, x, "gelu");
}

Tensor activation_backward(UnaryOp op, const Tensor& grad, const Tensor& v) {
  const Device device = common_device({grad, v}, "activation_backward");
  const DType t = v->dtype();
  Tensor out = pt::empty(broadcast_shapes(grad->sizes(), v->sizes(), "activation_backward"), t, device);
  run_loop(out, {{grad, t}, {v, t}}, "activation_backward", [&](const StridedLoop& loop, uint32_t) {
    if (device.is_cuda()) cuda::activation_backward(op, t, loop);
    else cpu::activation_backward(op, t, loop);
  });
  return out;
}

Tensor floor(const Tensor& x) { return unary(UnaryOp::Floor, Kind::Rounding, x, "floor"); }
const Tensor& floor_(const Tensor& x) {
  return unary_(UnaryOp::Floor, Kind::Rounding, x, "floor_");
}
Tensor ceil(const Tensor& x) { return unary(UnaryOp::Ceil, Kind::Rounding, x, "ceil"); }
const Tensor& ceil_(const Tensor& x) { return unary_(UnaryOp::Ceil, Kind::Rounding, x, "ceil_"); }
Tensor trunc(const Tensor& x) { return unary(UnaryOp::Trunc, Kind::Rounding, x, "trunc"); }
const Tensor& trunc_(const Tensor& x) {
  return unary_(UnaryOp::Trunc, Kind::Rounding, x, "trunc_");
}
Tensor frac(const Tensor& x) {
  check_float(x, "frac"); return unary(UnaryOp::Frac, Kind::Same, x, "frac");
}
const Tensor& frac_(const Tensor& x) {
  check_float(x, "frac_"); return unary_(UnaryOp::Frac, Kind::Same, x, "frac_");
}
Tensor abs(const Tensor& x) {
  reject_bool(x, "abs"); return unary(UnaryOp::Abs, Kind::Same, x, "abs");
}
const Tensor& abs_(const Tensor& x) {
  reject_bool(x, "abs_"); return unary_(UnaryOp::Abs, Kind::Same, x, "abs_");
}
Tensor neg(const Tensor& x) {
  check_neg(x, "neg"); return unary(UnaryOp::Neg, Kind::Same, x, "neg");
}
const Tensor& neg_(const Tensor& x) {
  check_neg(x, "neg_"); return unary_(UnaryOp::Neg, Kind::Same, x, "neg_");
}
Tensor sign(const Tensor& x) { return unary(UnaryOp::Sign, Kind::Same, x, "sign"); }
const Tensor& sign_(const Tensor& x) { return unary_(UnaryOp::Sign, Kind::Same, x, "sign_"); }
Tensor relu(const Tensor& x) {
  check_relu(x, "relu"); return unary(UnaryOp::Relu, Kind::Same, x, "relu");
}
const Tensor& relu_(const Tensor& x) {
  check_relu(x, "relu_"); return unary_(UnaryOp::Relu, Kind::Same, x, "relu_");
}
Tensor bitwise_not(const Tensor& x) {
  check_bitwise(x, "bitwise_not"); return unary(UnaryOp::BitNot, Kind::Same, x, "bitwise_not");
}
const Tensor& bitwise_not_(const Tensor& x) {
  check_bitwise(x, "bitwise_not_"); return unary_(UnaryOp::BitNot, Kind::Same, x, "bitwise_not_");
}

// square(x) is pow(x, 2): a bool input promotes to int64 through the integer 2.
Tensor square(const Tensor& x) {
  if (x->dtype() == DType::Bool) return unary(UnaryOp::Square, Kind::Same, to(x, DType::Int64, x->device()), "square");
  return unary(UnaryOp::Square, Kind::Same, x, "square");
}
const Tensor& square_(const Tensor& x) {
  if (x->dtype() == DType::Bool) check_inplace(x, {}, DType::Int64, "square_");  // raises
  return unary_(UnaryOp::Square, Kind::Same, x, "square_");
}

Tensor logical_not(const Tensor& x) { return unary(UnaryOp::LogicalNot, Kind::Bool, x, "logical_not"); }
Tensor isnan(const Tensor& x) { return unary(UnaryOp::IsNan, Kind::Bool, x, "isnan"); }
Tensor isinf(const Tensor& x) { return unary(UnaryOp::IsInf, Kind::Bool, x, "isinf"); }
Tensor isfinite(const Tensor& x) { return unary(UnaryOp::IsFinite, Kind::Bool, x, "isfinite"); }
Tensor isposinf(const Tensor& x) { return unary(UnaryOp::IsPosInf, Kind::Bool, x, "isposinf"); }
Tensor isneginf(const Tensor& x) { return unary(UnaryOp::IsNegInf, Kind::Bool, x, "isneginf"); }

// round(decimals=0) rounds half to even; with decimals it scales by 10^decimals first.
Tensor round(const Tensor& x, int64_t decimals) {
  if (decimals == 0) return unary(UnaryOp::Round, Kind::Rounding, x, "round");
  check_float(x, "round");
  const double params[1] = {static_cast<double>(decimals)};
  return unary(UnaryOp::RoundDecimals, Kind::Same, x, "round", params);
}
const Tensor& round_(const Tensor& x, int64_t decimals) {
  if (decimals == 0) return unary_(UnaryOp::Round, Kind::Rounding, x, "round_");
  check_float(x, "round_");
  const double params[1] = {static_cast<double>(decimals)};
  return unary_(UnaryOp::RoundDecimals, Kind::Same, x, "round_", params);
}

// NaN -> nan, +-inf -> posinf/neginf, which default to the dtype's largest finite values.
static void nan_to_num_params(DType t, std::optional<double> nan, std::optional<double> posinf,
                              std::optional<double> neginf, double* params) {
  const double big = t == DType::Float32 ? std::numeric_limits<float>::max()
                                         : std::numeric_limits<double>::max();
  params[0] = nan.value_or(0.0);
  params[1] = posinf.value_or(big);
  params[2] = neginf.value_or(-big);
}
Tensor nan_to_num(const Tensor& x, std::optional<double> nan, std::optional<double> posinf,
                  std::optional<double> neginf) {
  if (!is_floating(x->dtype())) return clone(x);
  double params[3];
  nan_to_num_params(x->dtype(), nan, posinf, neginf, params);
  return unary(UnaryOp::NanToNum, Kind::Same, x, "nan_to_num", params);
}
const Tensor& nan_to_num_(const Tensor& x, std::optional<double> nan, std::optional<double> posinf,
                          std::optional<double> neginf) {
  if (!is_floating(x->dtype())) return x;  // integers hold no NaN or inf
  double params[3];
  nan_to_num_params(x->dtype(), nan, posinf, neginf, params);
  return unary_(UnaryOp::NanToNum, Kind::Same, x, "nan_to_num_", params);
}

// ---- clamp, where, fill ----

// clamp's node: ClampBackward0 when a bound is a tensor, ClampBackward1 when all are numbers;
// with one bound it keeps the gradient at the bound like clamp_min/clamp_max.
static const Formula* clamp_formula(const std::optional<Arg>& lo, const std::optional<Arg>& hi) {
  const bool tensor_bound = (lo && !lo->is_scalar()) || (hi && !hi->is_scalar());
  if (!hi) return tensor_bound ? &clamp_lo_tensor_grad : &clamp_lo_scalar_grad;
  if (!lo) return tensor_bound ? &clamp_hi_tensor_grad : &clamp_hi_scalar_grad;
  return tensor_bound ? &clamp_tensor_grad : &clamp_scalar_grad;
}

static void run_clamp(const Tensor& out, const Tensor& x, Arg lo, Arg hi, DType ct, const char* name) {
  run_loop(out, {{x, ct}, {lo, ct}, {hi, ct}}, name, [&](const StridedLoop& loop, uint32_t scalars) {
    if (out->device().is_cuda()) cuda::clamp(ct, loop, scalars);
    else cpu::clamp(ct, loop);
  });
}

static Tensor clamp_impl(const Tensor& x, const std::optional<Arg>& lo, const std::optional<Arg>& hi,
                         const char* name, const Formula* f) {
  PT_CHECK(lo || hi, RuntimeError, name, ": At least one of 'min' or 'max' must not be None");
  if (!hi) return binary(BinaryOp::Maximum, x, *lo, name, f);
  if (!lo) return binary(BinaryOp::Minimum, x, *hi, name, f);
  const Device device = common_device({x, *lo, *hi}, name);
  const DType ct = result_type({x, *lo, *hi});
  Recorder rec(f, {x, *lo, *hi}, /*inplace=*/false);
  Tensor out = pt::empty(broadcast_all({x, *lo, *hi}, name), ct, device);
  run_clamp(out, x, *lo, *hi, ct, name);
  rec.finish(out);
  return out;
}

static const Tensor& clamp_impl_(const Tensor& x, const std::optional<Arg>& lo,
                                 const std::optional<Arg>& hi, const char* name) {
  PT_CHECK(lo || hi, RuntimeError, name, ": At least one of 'min' or 'max' must not be None");
  const Formula* f = clamp_formula(lo, hi);
  if (!hi) return binary_(BinaryOp::Maximum, x, *lo, name, f);
  if (!lo) return binary_(BinaryOp::Minimum, x, *hi, name, f);
  autograd::check_inplace(x, name);
  common_device({x, *lo, *hi}, name);
  const DType ct = result_type({x, *lo, *hi});
  check_inplace(x, {*lo, *hi}, ct, name);
  Recorder rec(f, {x, *lo, *hi}, /*inplace=*/true);
  if (ct != x->dtype()) {
    copy_(x, clamp_impl(x, lo, hi, name, nullptr), name);
  } else {
    x->bump_version();
    run_clamp(x, x, *lo, *hi, ct, name);
  }
  rec.finish(x);
  return x;
}

Tensor clamp(const Tensor& x, std::optional<Arg> min, std::optional<Arg> max) {
  return clamp_impl(x, min, max, "clamp", clamp_formula(min, max));
}
const Tensor& clamp_(const Tensor& x, std::optional<Arg> min, std::optional<Arg> max) {
  return clamp_impl_(x, min, max, "clamp_");
}
static const Formula* clamp_min_formula(Arg min) {
  return min.is_scalar() ? &clamp_min_scalar_grad : &clamp_min_tensor_grad;
}
static const Formula* clamp_max_formula(Arg max) {
  return max.is_scalar() ? &clamp_max_scalar_grad : &clamp_max_tensor_grad;
}
Tensor clamp_min(const Tensor& x, Arg min) {
  return binary(BinaryOp::Maximum, x, min, "clamp_min", clamp_min_formula(min));
}
Tensor clamp_max(const Tensor& x, Arg max) {
  return binary(BinaryOp::Minimum, x, max, "clamp_max", clamp_max_formula(max));
}
const Tensor& clamp_min_(const Tensor& x, Arg min) {
  return binary_(BinaryOp::Maximum, x, min, "clamp_min_", clamp_min_formula(min));
}
const Tensor& clamp_max_(const Tensor& x, Arg max) {
  return binary_(BinaryOp::Minimum, x, max, "clamp_max_", clamp_max_formula(max));
}

Tensor where(const Tensor& cond, Arg a, Arg b) {
  const Device device = common_device({cond, a, b}, "where");
  PT_CHECK(cond->dtype() == DType::Bool, RuntimeError,
           "where expected condition to be a boolean tensor, but got a tensor with dtype ",
           torch_dtype_name(cond->dtype()));
  const DType ct = result_type({a, b});
  Recorder rec(&where_grad, {cond, a, b}, /*inplace=*/false);
  Tensor out = pt::empty(broadcast_all({cond, a, b}, "where"), ct, device);
  run_loop(out, {{cond, DType::Bool}, {a, ct}, {b, ct}}, "where", [&](const StridedLoop& loop, uint32_t scalars) {
    if (device.is_cuda()) cuda::where(ct, loop, scalars);
    else cpu::where(ct, loop);
  });
  rec.finish(out);
  return out;
}

static Scalar item_scalar(const Tensor& value) {
  const Tensor t = value->device().is_cpu() ? value : to(value, value->dtype(), cpu_device());
  Scalar s;
  PT_DISPATCH_ALL(t->dtype(), "fill_", [&] {
    const scalar_t v = *t->data<scalar_t>();
    if constexpr (std::is_same_v<scalar_t, bool>) s = Scalar::from_bool(v);
    else if constexpr (std::is_floating_point_v<scalar_t>) s = Scalar::from_double(v);
    else s = Scalar::from_int(v);
  });
  return s;
}

// fill_ and zero_ on a tensor with history cut it off: the old values get a zero gradient.
const Tensor& fill_(const Tensor& self, Arg value) {
  autograd::check_inplace(self, "fill_");
  if (value.is_scalar()) {
    Recorder rec(&fill_scalar_grad, {self}, /*inplace=*/true);
    fill_(self, value.scalar);  // ops/factory.cpp
    rec.finish(self);
    return self;
  }
  const Tensor& v = *value.tensor;
  PT_CHECK(v->dim() == 0, RuntimeError, "fill_ only supports 0-dimension value tensor but got tensor with ",
           v->dim(), " dimensions.");
  common_device({self, v}, "fill_");
  Recorder rec(&fill_tensor_grad, {self, v}, /*inplace=*/true);
  fill_(self, item_scalar(v));
  rec.finish(self);
  return self;
}

const Tensor& zero_(const Tensor& self) {
  autograd::check_inplace(self, "zero_");
  Recorder rec(&zero_grad, {self}, /*inplace=*/true);
  fill_(self, Scalar::from_int(0));
  rec.finish(self);
  return self;
}

}  // namespace pt::ops

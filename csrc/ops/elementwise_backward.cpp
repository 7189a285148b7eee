// Backward formulas of the elementwise family (PyTorch's, including its conventions at
// ties, bounds and zeros) and the one node type that runs them.
#include "ops/elementwise_backward.h"

#include <cmath>

#include "autograd/record.h"
#include "core/error.h"
#include "ops/copy.h"
#include "ops/factory.h"
#include "ops/reduce.h"

namespace pt::ops {

using C = GradContext;

struct ElementwiseBackward final : autograd::Node {
  explicit ElementwiseBackward(const Formula* f) : formula(f) {}
  std::string name() const override { return formula->name; }

  autograd::TensorList apply(autograd::TensorList&& grads) override {
    C c;
    c.grad = std::move(grads[0]);
    c.alpha = alpha;
    for (int i = 0; i < 3; ++i) {
      c.tensor[i] = saved[i].unpack(this);
      c.scalar[i] = scalar[i];
      c.is_scalar[i] = is_scalar[i];
    }
    c.result = result.unpack(this);
    autograd::TensorList out(next_edges.size());
    for (size_t i = 0; i < next_edges.size(); ++i)
      if (next_edges[i].fn && formula->grad[i]) out[i] = sum_to(formula->grad[i](c), shapes[i]);
    return out;
  }
  void release_saved() override {
    for (auto& s : saved) s.reset();
    result.reset();
  }

  const Formula* formula;
  autograd::SavedVariable saved[3], result;
  Scalar scalar[3], alpha;
  bool is_scalar[3] = {false, false, false};
  bool save_result = false;
  DimVec shapes[3];
};

void Recorder::start(const Formula* f, std::initializer_list<Arg> inputs, bool inplace,
                     const Scalar& alpha) {
  if (!f) return;
  node_ = std::make_shared<ElementwiseBackward>(f);
  ElementwiseBackward& n = *node_;
  n.alpha = alpha;
  uint8_t reads = 0;
  int i = 0;
  for (const Arg& a : inputs) {
    n.is_scalar[i] = a.is_scalar();
    if (a.is_scalar()) {
      n.scalar[i] = a.scalar;
      n.next_edges.push_back({});
    } else {
      n.shapes[i] = (*a.tensor)->sizes();
      n.next_edges.push_back(autograd::gradient_edge(*a.tensor));
      if (n.next_edges.back().fn) reads |= f->reads[i];
    }
    ++i;
  }
  i = 0;
  const Tensor& self = *inputs.begin()->tensor;
  for (const Arg& a : inputs) {
    if (!a.is_scalar() && (reads & (1u << i))) {
      const Tensor& t = *a.tensor;
      if (inplace && i == 0)
        n.saved[i] = autograd::SavedVariable(clone(t), false);
      else  // self as another operand (x.mul_(x)): saved as the output it becomes, not as a
            // strong reference that would form a cycle; unpacking it raises the version error
        n.saved[i] = autograd::SavedVariable(t, /*is_output=*/inplace && t == self);
    }
    ++i;
  }
  n.save_result = reads & kResult;
}

void Recorder::finish_slow(const Tensor& out) {
  autograd::set_history(out, node_);
  if (node_->save_result) node_->result = autograd::SavedVariable(out, /*is_output=*/true);
}

// ---- helpers ----

static Scalar num(double v) { return Scalar::from_double(v); }
static const Scalar kZero = Scalar::from_int(0);
static const Scalar kOne = Scalar::from_int(1);

static Scalar negated(const Scalar& s) {
  return s.is_float() ? Scalar::from_double(-s.f) : Scalar::from_int(-s.i);
}
static bool is_one(const Scalar& s) { return s.is_float() ? s.f == 1.0 : s.i == 1; }

static Tensor zero_grad_fn(const C& c) {
  return zeros(c.grad->sizes(), c.grad->dtype(), c.grad->device());
}
static Tensor pass(const C& c) { return c.grad; }
static Tensor negate(const C& c) { return neg(c.grad); }
// grad where mask holds, else 0.
static Tensor grad_where(const Tensor& mask, const C& c) { return where(mask, c.grad, kZero); }

// ---- unary ----

static const double kLn2 = std::log(2.0), kLn10 = std::log(10.0);

static const Formula kExp{"ExpBackward0", {[](const C& c) { return mul(c.grad, c.result); }}, {kResult}};
static const Formula kExp2{"Exp2Backward0",
    {[](const C& c) { return mul(c.grad, mul(c.result, num(kLn2))); }}, {kResult}};
static const Formula kLog{"LogBackward0", {[](const C& c) { return div(c.grad, c.in(0)); }}, {kIn0}};
static const Formula kLog2{"Log2Backward0",
    {[](const C& c) { return div(c.grad, mul(c.in(0), num(kLn2))); }}, {kIn0}};
static const Formula kLog10{"Log10Backward0",
    {[](const C& c) { return div(c.grad, mul(c.in(0), num(kLn10))); }}, {kIn0}};
static const Formula kLog1p{"Log1PBackward0",
    {[](const C& c) { return div(c.grad, add(c.in(0), kOne)); }}, {kIn0}};
static const Formula kExpm1{"Expm1Backward0",
    {[](const C& c) { return mul(c.grad, add(c.result, kOne)); }}, {kResult}};
// 1 / (2 sqrt(x)): inf at 0, as PyTorch.
static const Formula kSqrt{"SqrtBackward0",
    {[](const C& c) { return div(c.grad, mul(c.result, num(2))); }}, {kResult}};
static const Formula kRsqrt{"RsqrtBackward0",
    {[](const C& c) { return mul(c.grad, mul(pow(c.result, num(3)), num(-0.5))); }}, {kResult}};
static const Formula kSin{"SinBackward0", {[](const C& c) { return mul(c.grad, cos(c.tensor[0])); }}, {kIn0}};
static const Formula kCos{"CosBackward0",
    {[](const C& c) { return mul(c.grad, neg(sin(c.tensor[0]))); }}, {kIn0}};
static const Formula kTan{"TanBackward0",
    {[](const C& c) { return mul(c.grad, add(square(c.result), kOne)); }}, {kResult}};
static Tensor inv_sqrt_one_minus_sq(const Tensor& x) { return rsqrt(sub(kOne, square(x))); }
static const Formula kAsin{"AsinBackward0",
    {[](const C& c) { return mul(c.grad, inv_sqrt_one_minus_sq(c.tensor[0])); }}, {kIn0}};
static const Formula kAcos{"AcosBackward0",
    {[](const C& c) { return mul(neg(c.grad), inv_sqrt_one_minus_sq(c.tensor[0])); }}, {kIn0}};
static const Formula kAtan{"AtanBackward0",
    {[](const C& c) { return div(c.grad, add(square(c.tensor[0]), kOne)); }}, {kIn0}};
static const Formula kSinh{"SinhBackward0", {[](const C& c) { return mul(c.grad, cosh(c.tensor[0])); }}, {kIn0}};
static const Formula kCosh{"CoshBackward0", {[](const C& c) { return mul(c.grad, sinh(c.tensor[0])); }}, {kIn0}};
// Activations: one fused kernel for the gradient unless create_graph asks for a graph of it,
// which the same formula written with ops gives.
static Tensor fused_or(const C& c, cpu::UnaryOp op, const Tensor& v, Tensor (*composite)(const C&)) {
  return autograd::grad_enabled() ? composite(c) : activation_backward(op, c.grad, v);
}
static const Formula kTanh{"TanhBackward0",
    {[](const C& c) {
      return fused_or(c, cpu::UnaryOp::Tanh, c.result,
                      [](const C& c) { return mul(c.grad, sub(kOne, square(c.result))); });
    }}, {kResult}};
static const Formula kSigmoid{"SigmoidBackward0",
    {[](const C& c) {
      return fused_or(c, cpu::UnaryOp::Sigmoid, c.result,
                      [](const C& c) { return mul(c.grad, mul(c.result, sub(kOne, c.result))); });
    }}, {kResult}};
// silu' = s (1 + x (1 - s)), s = sigmoid(x).
static const Formula kSilu{"SiluBackward0",
    {[](const C& c) {
      return fused_or(c, cpu::UnaryOp::Silu, c.tensor[0], [](const C& c) {
        const Tensor& x = c.tensor[0];
        const Tensor s = sigmoid(x);
        return mul(c.grad, mul(s, add(mul(x, sub(kOne, s)), kOne)));
      });
    }}, {kIn0}};
// gelu' = Phi(x) + x phi(x).
static const double kSqrtHalf = std::sqrt(0.5), kInvSqrt2Pi = 1 / std::sqrt(2 * M_PI);
static const Formula kGeluErf{"GeluBackward0",
    {[](const C& c) {
      return fused_or(c, cpu::UnaryOp::GeluErf, c.tensor[0], [](const C& c) {
        const Tensor& x = c.tensor[0];
        const Tensor cdf = mul(erfc(mul(x, num(-kSqrtHalf))), num(0.5));
        const Tensor pdf = mul(exp(mul(square(x), num(-0.5))), num(kInvSqrt2Pi));
        return mul(c.grad, add(cdf, mul(x, pdf)));
      });
    }}, {kIn0}};
// gelu(tanh) = x sigmoid(2u), u = k0 (x + k1 x^3): gelu' = s + x s (1 - s) 2u', s = sigmoid(2u)
// (the tanh form's 1 + tanh(u) would cancel for negative x).
static const double kGeluK0 = std::sqrt(2 / M_PI), kGeluK1 = 0.044715;
static const Formula kGeluTanh{"GeluBackward0",
    {[](const C& c) {
      return fused_or(c, cpu::UnaryOp::GeluTanh, c.tensor[0], [](const C& c) {
        const Tensor& x = c.tensor[0];
        const Tensor x2 = square(x);
        const Tensor s = sigmoid(mul(x, add(mul(x2, num(2 * kGeluK0 * kGeluK1)), num(2 * kGeluK0))));
        const Tensor du = add(mul(x2, num(6 * kGeluK0 * kGeluK1)), num(2 * kGeluK0));
        return mul(c.grad, add(s, mul(mul(x, mul(s, sub(kOne, s))), du)));
      });
    }}, {kIn0}};
static const double kTwoOverSqrtPi = 2 / std::sqrt(M_PI);
static const Formula kErf{"ErfBackward0",
    {[](const C& c) { return mul(c.grad, mul(exp(neg(square(c.tensor[0]))), num(kTwoOverSqrtPi))); }},
    {kIn0}};
static const Formula kErfc{"ErfcBackward0",
    {[](const C& c) { return mul(c.grad, mul(exp(neg(square(c.tensor[0]))), num(-kTwoOverSqrtPi))); }},
    {kIn0}};
static const Formula kErfinv{"ErfinvBackward0",
    {[](const C& c) { return mul(c.grad, mul(exp(square(c.result)), num(0.5 * std::sqrt(M_PI)))); }},
    {kResult}};
static const Formula kReciprocal{"ReciprocalBackward0",
    {[](const C& c) { return mul(neg(c.grad), square(c.result)); }}, {kResult}};
static const Formula kFloor{"FloorBackward0", {zero_grad_fn}, {0}};
static const Formula kCeil{"CeilBackward0", {zero_grad_fn}, {0}};
static const Formula kRound{"RoundBackward0", {zero_grad_fn}, {0}};
static const Formula kRoundDecimals{"RoundBackward1", {zero_grad_fn}, {0}};
static const Formula kTrunc{"TruncBackward0", {zero_grad_fn}, {0}};
static const Formula kSign{"SignBackward0", {zero_grad_fn}, {0}};
static const Formula kFrac{"FracBackward0", {pass}, {0}};
static const Formula kNanToNum{"NanToNumBackward0",
    {[](const C& c) { return mul(c.grad, isfinite(c.tensor[0])); }}, {kIn0}};
// sign(0) = 0: abs has gradient 0 at 0, as PyTorch.
static const Formula kAbs{"AbsBackward0", {[](const C& c) { return mul(c.grad, sign(c.tensor[0])); }}, {kIn0}};
static const Formula kNeg{"NegBackward0", {negate}, {0}};
static const Formula kSquare{"PowBackward0",
    {[](const C& c) { return mul(c.grad, mul(c.tensor[0], num(2))); }}, {kIn0}};
// Gradient 0 where the result is 0, x = 0 included (threshold_backward).
static const Formula kRelu{"ReluBackward0", {[](const C& c) { return grad_where(gt(c.result, kZero), c); }}, {kResult}};

const Formula* unary_formula(cpu::UnaryOp op) {
  using U = cpu::UnaryOp;
  switch (op) {
    case U::Exp: return &kExp;
    case U::Exp2: return &kExp2;
    case U::Log: return &kLog;
    case U::Log2: return &kLog2;
    case U::Log10: return &kLog10;
    case U::Log1p: return &kLog1p;
    case U::Expm1: return &kExpm1;
    case U::Sqrt: return &kSqrt;
    case U::Rsqrt: return &kRsqrt;
    case U::Sin: return &kSin;
    case U::Cos: return &kCos;
    case U::Tan: return &kTan;
    case U::Asin: return &kAsin;
    case U::Acos: return &kAcos;
    case U::Atan: return &kAtan;
    case U::Sinh: return &kSinh;
    case U::Cosh: return &kCosh;
    case U::Tanh: return &kTanh;
    case U::Sigmoid: return &kSigmoid;
    case U::Silu: return &kSilu;
    case U::GeluErf: return &kGeluErf;
    case U::GeluTanh: return &kGeluTanh;
    case U::Erf: return &kErf;
    case U::Erfc: return &kErfc;
    case U::Erfinv: return &kErfinv;
    case U::Reciprocal: return &kReciprocal;
    case U::Floor: return &kFloor;
    case U::Ceil: return &kCeil;
    case U::Round: return &kRound;
    case U::RoundDecimals: return &kRoundDecimals;
    case U::Trunc: return &kTrunc;
    case U::Frac: return &kFrac;
    case U::NanToNum: return &kNanToNum;
    case U::Abs: return &kAbs;
    case U::Neg: return &kNeg;
    case U::Sign: return &kSign;
    case U::Square: return &kSquare;
    case U::Relu: return &kRelu;
    default: return nullptr;  // bitwise_not and the bool-valued tests
  }
}

// ---- arithmetic ----

static Tensor times_alpha(const C& c) { return is_one(c.alpha) ? c.grad : mul(c.grad, c.alpha); }
static Tensor times_minus_alpha(const C& c) {
  return is_one(c.alpha) ? neg(c.grad) : mul(c.grad, negated(c.alpha));
}

const Formula add_grad{"AddBackward0", {pass, times_alpha}, {0, 0}};
const Formula sub_grad{"SubBackward0", {pass, times_minus_alpha}, {0, 0}};
const Formula rsub_grad{"RsubBackward1", {nullptr, times_minus_alpha}, {0, 0}};
const Formula mul_grad{"MulBackward0",
    {[](const C& c) { return mul(c.grad, c.in(1)); }, [](const C& c) { return mul(c.grad, c.in(0)); }},
    {kIn1, kIn0}};
const Formula div_grad{"DivBackward0",
    {[](const C& c) { return div(c.grad, c.in(1)); },
     [](const C& c) { return mul(neg(c.grad), div(div(c.in(0), c.in(1)), c.in(1))); }},
    {kIn1, kIn0 | kIn1}};
// Rounded quotients are piecewise constant.
const Formula div_rounding_grad{"DivBackward2", {zero_grad_fn, zero_grad_fn}, {0, 0}};

// PyTorch records these and raises only if a backward reaches them.
[[noreturn]] static void not_implemented(const char* op) {
  throw RuntimeError(str_cat("derivative for aten::", op, " is not implemented"));
}
const Formula floor_divide_grad{"NotImplemented",
    {[](const C&) -> Tensor { not_implemented("floor_divide"); },
     [](const C&) -> Tensor { not_implemented("floor_divide"); }}, {0, 0}};
const Formula rremainder_grad{"NotImplemented",
    {nullptr, [](const C&) -> Tensor { not_implemented("remainder"); }}, {0, 0}};
const Formula rfmod_grad{"NotImplemented",
    {nullptr, [](const C&) -> Tensor { not_implemented("fmod"); }}, {0, 0}};

// x ** e: e * x^(e-1), and 0 everywhere when e is 0 (so 0 ** 0 has gradient 0).
static Tensor pow_base_grad(const C& c) {
  const Scalar& e = c.scalar[1];
  if (e.is_float() ? e.f == 0.0 : e.i == 0) return zero_grad_fn(c);
  const Scalar e1 = e.is_float() ? num(e.f - 1) : Scalar::from_int(e.i - 1);
  const Scalar ek = e.is_float() ? e : Scalar::from_int(e.i);  // a bool exponent as 0/1
  return mul(c.grad, mul(pow(c.tensor[0], e1), ek));
}
// d/db a^b = a^b log a, taken as 0 where a = 0 and b >= 0 (the limit PyTorch uses).
static Tensor pow_exponent_grad(const C& c, const Tensor& zero_base, Arg log_base) {
  return mul(c.grad, where(zero_base, kZero, mul(c.result, log_base)));
}
const Formula pow_scalar_exponent_grad{"PowBackward0", {pow_base_grad}, {kIn0}};
const Formula pow_grad{"PowBackward1",
    {[](const C& c) {
       const Tensor& b = c.tensor[1];
       return where(eq(b, kZero), kZero, mul(c.grad, mul(b, pow(c.tensor[0], sub(b, kOne)))));
     },
     [](const C& c) {
       const Tensor& a = c.tensor[0];
       return pow_exponent_grad(c, logical_and(eq(a, kZero), ge(c.tensor[1], kZero)), log(a));
     }},
    {kIn0 | kIn1, kIn0 | kIn1 | kResult}};
const Formula pow_scalar_base_grad{"PowBackward2",
    {nullptr,
     [](const C& c) {
       const double base = c.scalar[0].to<double>();
       if (base == 0.0) return pow_exponent_grad(c, ge(c.tensor[1], kZero), num(-INFINITY));
       return mul(c.grad, mul(c.result, num(std::log(base))));
     }},
    {0, kIn1 | kResult}};

// The winner takes the gradient; ties split it half and half, as PyTorch. Either operand
// may be a Python number (pytensor's maximum/minimum/atan2 take them), hence c.in().
static Tensor split_ties(const C& c, const Tensor& loses) {
  return where(loses, kZero, where(eq(c.in(0), c.in(1)), mul(c.grad, num(0.5)), c.grad));
}
const Formula maximum_grad{"MaximumBackward0",
    {[](const C& c) { return split_ties(c, lt(c.in(0), c.in(1))); },
     [](const C& c) { return split_ties(c, gt(c.in(0), c.in(1))); }},
    {kIn0 | kIn1, kIn0 | kIn1}};
const Formula minimum_grad{"MinimumBackward0",
    {[](const C& c) { return split_ties(c, gt(c.in(0), c.in(1))); },
     [](const C& c) { return split_ties(c, lt(c.in(0), c.in(1))); }},
    {kIn0 | kIn1, kIn0 | kIn1}};

// 1 / (a^2 + b^2), taken as 0 at the origin, where PyTorch gives both gradients 0.
static Tensor atan2_scale(const C& c) {
  Tensor d;
  if (c.is_scalar[0] || c.is_scalar[1]) {
    const int t = c.is_scalar[0] ? 1 : 0;
    const double v = c.scalar[1 - t].to<double>();
    d = add(square(c.tensor[t]), num(v * v));
  } else {
    d = add(square(c.tensor[0]), square(c.tensor[1]));
  }
  return where(eq(d, kZero), kZero, reciprocal(d));
}
const Formula atan2_grad{"Atan2Backward0",
    {[](const C& c) { return mul(mul(c.grad, c.in(1)), atan2_scale(c)); },
     [](const C& c) { return mul(mul(neg(c.grad), c.in(0)), atan2_scale(c)); }},
    {kIn0 | kIn1, kIn0 | kIn1}};

// a - b * q with q = floor(a / b) (remainder) or trunc(a / b) (fmod), q held constant.
const Formula remainder_scalar_grad{"RemainderBackward0", {pass}, {0}};
const Formula remainder_grad{"RemainderBackward1",
    {pass, [](const C& c) { return mul(neg(c.grad), div(c.in(0), c.tensor[1], RoundingMode::Floor)); }},
    {0, kIn0 | kIn1}};
const Formula fmod_scalar_grad{"FmodBackward0", {pass}, {0}};
const Formula fmod_grad{"FmodBackward1",
    {pass, [](const C& c) { return mul(neg(c.grad), div(c.in(0), c.tensor[1], RoundingMode::Trunc)); }},
    {0, kIn0 | kIn1}};

// ---- clamp, where, fill ----

// One bound: x keeps the gradient where it is inside (bound included), the bound elsewhere.
static Tensor above_lo(const C& c) { return grad_where(ge(c.tensor[0], c.in(1)), c); }
static Tensor below_lo(const C& c) { return grad_where(lt(c.tensor[0], c.tensor[1]), c); }
static Tensor below_hi(const C& c) { return grad_where(le(c.tensor[0], c.in(1)), c); }
static Tensor above_hi(const C& c) { return grad_where(gt(c.tensor[0], c.tensor[1]), c); }
const Formula clamp_min_scalar_grad{"ClampMinBackward0", {above_lo}, {kIn0 | kIn1}};
const Formula clamp_min_tensor_grad{"ClampMinBackward1", {above_lo, below_lo}, {kIn0 | kIn1, kIn0 | kIn1}};
const Formula clamp_max_scalar_grad{"ClampMaxBackward0", {below_hi}, {kIn0 | kIn1}};
const Formula clamp_max_tensor_grad{"ClampMaxBackward1", {below_hi, above_hi}, {kIn0 | kIn1, kIn0 | kIn1}};
const Formula clamp_lo_scalar_grad{"ClampBackward1", {above_lo}, {kIn0 | kIn1}};
const Formula clamp_lo_tensor_grad{"ClampBackward0", {above_lo, below_lo}, {kIn0 | kIn1, kIn0 | kIn1}};
const Formula clamp_hi_scalar_grad{"ClampBackward1", {below_hi}, {kIn0 | kIn1}};
const Formula clamp_hi_tensor_grad{"ClampBackward0", {below_hi, above_hi}, {kIn0 | kIn1, kIn0 | kIn1}};

// Both bounds: when min > max the result is max, so max takes the gradient.
static Tensor clamp_x(const C& c) {
  return grad_where(logical_and(ge(c.tensor[0], c.in(1)), le(c.tensor[0], c.in(2))), c);
}
static Tensor clamp_lo(const C& c) {
  return grad_where(logical_and(lt(c.tensor[0], c.tensor[1]), lt(c.tensor[1], c.in(2))), c);
}
static Tensor clamp_hi(const C& c) {
  return grad_where(logical_or(gt(c.tensor[0], c.tensor[2]), lt(c.tensor[2], c.in(1))), c);
}
static constexpr uint8_t kAll3 = kIn0 | kIn1 | kIn2;
const Formula clamp_tensor_grad{"ClampBackward0", {clamp_x, clamp_lo, clamp_hi}, {kAll3, kAll3, kAll3}};
const Formula clamp_scalar_grad{"ClampBackward1", {clamp_x}, {kAll3}};

const Formula where_grad{"WhereBackward0",
    {nullptr, [](const C& c) { return grad_where(c.tensor[0], c); },
     [](const C& c) { return where(c.tensor[0], kZero, c.grad); }},
    {0, kIn0, kIn0}};

// The old values are gone: zero to self's history; a tensor value gets the summed gradient.
const Formula fill_scalar_grad{"FillBackward2", {zero_grad_fn}, {0}};
const Formula fill_tensor_grad{"FillBackward3", {zero_grad_fn, pass}, {0, 0}};
const Formula zero_grad{"ZeroBackward0", {zero_grad_fn}, {0}};

}  // namespace pt::ops

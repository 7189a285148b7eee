// The elementwise family: binary arithmetic with broadcasting and PyTorch's type promotion,
// comparisons, logical and bitwise ops, unary math, clamp, where, fill, and their in-place
// forms. In-place ops keep self's dtype, bump its version and return it.
#pragma once
#include <initializer_list>
#include <optional>
#include <string>

#include "core/scalar.h"
#include "core/tensor.h"

namespace pt::ops {

// One operand: a tensor, or a Python number that stays a Scalar (a stride-0 operand of the
// loop, never a tensor). Holds a pointer to the caller's tensor: pass, never store.
struct Arg {
  Arg(const Tensor& t) : tensor(&t) {}
  Arg(const Scalar& s) : scalar(s) {}
  const Tensor* tensor = nullptr;
  Scalar scalar;
  bool is_scalar() const { return tensor == nullptr; }
};

// PyTorch's result_type: dim>0 tensors outrank 0-d tensors, which outrank Python numbers,
// except that a lower class with a higher category (bool < integer < floating) still counts.
DType result_type(std::initializer_list<Arg> args);
// torch.can_cast: no floating into integer or bool, no integer into bool.
bool can_cast(DType from, DType to);

enum class RoundingMode { None, Trunc, Floor };

Tensor add(Arg a, Arg b, Scalar alpha = Scalar::from_int(1));
Tensor sub(Arg a, Arg b, Scalar alpha = Scalar::from_int(1));
Tensor mul(Arg a, Arg b);
Tensor div(Arg a, Arg b, RoundingMode mode = RoundingMode::None);
Tensor floor_divide(Arg a, Arg b);
Tensor remainder(Arg a, Arg b);
Tensor fmod(Arg a, Arg b);
Tensor pow(Arg a, Arg b);
Tensor maximum(Arg a, Arg b);
Tensor minimum(Arg a, Arg b);
Tensor atan2(Arg a, Arg b);
Tensor bitwise_and(Arg a, Arg b);
Tensor bitwise_or(Arg a, Arg b);
Tensor bitwise_xor(Arg a, Arg b);
Tensor logical_and(Arg a, Arg b);
Tensor logical_or(Arg a, Arg b);
Tensor logical_xor(Arg a, Arg b);
Tensor eq(Arg a, Arg b);
Tensor ne(Arg a, Arg b);
Tensor lt(Arg a, Arg b);
Tensor le(Arg a, Arg b);
Tensor gt(Arg a, Arg b);
Tensor ge(Arg a, Arg b);

const Tensor& add_(const Tensor& self, Arg other, Scalar alpha = Scalar::from_int(1));
const Tensor& sub_(const Tensor& self, Arg other, Scalar alpha = Scalar::from_int(1));
const Tensor& mul_(const Tensor& self, Arg other);
const Tensor& div_(const Tensor& self, Arg other, RoundingMode mode = RoundingMode::None);
const Tensor& floor_divide_(const Tensor& self, Arg other);
const Tensor& remainder_(const Tensor& self, Arg other);
const Tensor& fmod_(const Tensor& self, Arg other);
const Tensor& pow_(const Tensor& self, Arg other);
const Tensor& bitwise_and_(const Tensor& self, Arg other);
const Tensor& bitwise_or_(const Tensor& self, Arg other);
const Tensor& bitwise_xor_(const Tensor& self, Arg other);

// Unary ops and their in-place forms.
Tensor exp(const Tensor& x);
const Tensor& exp_(const Tensor& x);
Tensor exp2(const Tensor& x);
const Tensor& exp2_(const Tensor& x);
Tensor log(const Tensor& x);
const Tensor& log_(const Tensor& x);
Tensor log2(const Tensor& x);
const Tensor& log2_(const Tensor& x);
Tensor log10(const Tensor& x);
const Tensor& log10_(const Tensor& x);
Tensor log1p(const Tensor& x);
const Tensor& log1p_(const Tensor& x);
Tensor expm1(const Tensor& x);
const Tensor& expm1_(const Tensor& x);
Tensor sqrt(const Tensor& x);
const Tensor& sqrt_(const Tensor& x);
Tensor rsqrt(const Tensor& x);
const Tensor& rsqrt_(const Tensor& x);
Tensor sin(const Tensor& x);
const Tensor& sin_(const Tensor& x);
Tensor cos(const Tensor& x);
const Tensor& cos_(const Tensor& x);
Tensor tan(const Tensor& x);
const Tensor& tan_(const Tensor& x);
Tensor asin(const Tensor& x);
const Tensor& asin_(const Tensor& x);
Tensor acos(const Tensor& x);
const Tensor& acos_(const Tensor& x);
Tensor atan(const Tensor& x);
const Tensor& atan_(const Tensor& x);
Tensor sinh(const Tensor& x);
const Tensor& sinh_(const Tensor& x);
Tensor cosh(const Tensor& x);
const Tensor& cosh_(const Tensor& x);
Tensor tanh(const Tensor& x);
const Tensor& tanh_(const Tensor& x);
Tensor sigmoid(const Tensor& x);
const Tensor& sigmoid_(const Tensor& x);
Tensor erf(const Tensor& x);
const Tensor& erf_(const Tensor& x);
Tensor erfc(const Tensor& x);
const Tensor& erfc_(const Tensor& x);
Tensor erfinv(const Tensor& x);
const Tensor& erfinv_(const Tensor& x);
// Activations (torch._C._nn): one kernel forward and one fused kernel backward each.
Tensor silu(const Tensor& x);
const Tensor& silu_(const Tensor& x);
// approximate: "none" (erf) or "tanh".
Tensor gelu(const Tensor& x, const std::string& approximate = "none");
Tensor reciprocal(const Tensor& x);
const Tensor& reciprocal_(const Tensor& x);
Tensor floor(const Tensor& x);
const Tensor& floor_(const Tensor& x);
Tensor ceil(const Tensor& x);
const Tensor& ceil_(const Tensor& x);
Tensor trunc(const Tensor& x);
const Tensor& trunc_(const Tensor& x);
Tensor frac(const Tensor& x);
const Tensor& frac_(const Tensor& x);
Tensor abs(const Tensor& x);
const Tensor& abs_(const Tensor& x);
Tensor neg(const Tensor& x);
const Tensor& neg_(const Tensor& x);
Tensor sign(const Tensor& x);
const Tensor& sign_(const Tensor& x);
Tensor square(const Tensor& x);
const Tensor& square_(const Tensor& x);
Tensor relu(const Tensor& x);
const Tensor& relu_(const Tensor& x);
Tensor bitwise_not(const Tensor& x);
const Tensor& bitwise_not_(const Tensor& x);
Tensor logical_not(const Tensor& x);

Tensor round(const Tensor& x, int64_t decimals = 0);
const Tensor& round_(const Tensor& x, int64_t decimals = 0);
Tensor nan_to_num(const Tensor& x, std::optional<double> nan = std::nullopt,
                  std::optional<double> posinf = std::nullopt,
                  std::optional<double> neginf = std::nullopt);
const Tensor& nan_to_num_(const Tensor& x, std::optional<double> nan = std::nullopt,
                          std::optional<double> posinf = std::nullopt,
                          std::optional<double> neginf = std::nullopt);
Tensor isnan(const Tensor& x);
Tensor isinf(const Tensor& x);
Tensor isfinite(const Tensor& x);
Tensor isposinf(const Tensor& x);
Tensor isneginf(const Tensor& x);

// clamp with an absent bound given as nullopt; at least one bound is required.
Tensor clamp(const Tensor& x, std::optional<Arg> min, std::optional<Arg> max);
const Tensor& clamp_(const Tensor& x, std::optional<Arg> min, std::optional<Arg> max);
Tensor clamp_min(const Tensor& x, Arg min);
Tensor clamp_max(const Tensor& x, Arg max);
const Tensor& clamp_min_(const Tensor& x, Arg min);
const Tensor& clamp_max_(const Tensor& x, Arg max);

Tensor where(const Tensor& cond, Arg a, Arg b);

// fill_ from a number or a 0-d tensor; zero_ is fill_(0).
const Tensor& fill_(const Tensor& self, Arg value);
const Tensor& zero_(const Tensor& self);

}  // namespace pt::ops

// CPU kernels of the elementwise family. ops/elementwise.cpp has already checked dtypes,
// broadcast the operands into a StridedLoop and cast every input to the compute dtype; a
// kernel only walks the loop. Operand 0 is always the output.
#pragma once
#include <cstdint>

#include "core/dtype.h"
#include "core/iter.h"
#include "core/scalar.h"

namespace pt::cpu {

// Comparisons and logical ops write bool; every other op writes the compute dtype.
enum class BinaryOp : uint8_t {
  Add, Sub, Mul, Div, DivTrunc, DivFloor, Remainder, Fmod, Pow, Maximum, Minimum, Atan2,
  BitAnd, BitOr, BitXor, Eq, Ne, Lt, Le, Gt, Ge, LogicalAnd, LogicalOr, LogicalXor,
};
inline bool writes_bool(BinaryOp op) { return op >= BinaryOp::Eq; }

// {out, a, b}: out = a op b, with b scaled by alpha for Add and Sub. Returns false when an
// integer division met a zero divisor (the caller raises; the output is then unspecified).
bool binary(BinaryOp op, DType dtype, const StridedLoop& loop, const Scalar& alpha);

enum class UnaryOp : uint8_t {
  // floating point only
  Exp, Exp2, Log, Log2, Log10, Log1p, Expm1, Sqrt, Rsqrt, Sin, Cos, Tan, Asin, Acos, Atan,
  Sinh, Cosh, Tanh, Sigmoid, Reciprocal, Floor, Ceil, Round, RoundDecimals, Trunc, Frac,
  NanToNum, Erf, Erfc, Erfinv, Silu, GeluErf, GeluTanh,
  // any numeric dtype, output of the same dtype
  Abs, Neg, Sign, Square, Relu, BitNot,
  // any dtype, bool output
  IsNan, IsInf, IsFinite, IsPosInf, IsNegInf, LogicalNot,
};

// {out, x}. params: RoundDecimals {decimals}; NanToNum {nan, posinf, neginf}.
void unary(UnaryOp op, DType dtype, const StridedLoop& loop, const double* params = nullptr);

// {out, grad, v}: grad times the derivative of a floating unary op, from v = its input (Silu,
// GeluErf, GeluTanh) or its result (Sigmoid, Tanh): the fused activation backward kernels.
void activation_backward(UnaryOp op, DType dtype, const StridedLoop& loop);

// {out, x, lo, hi}: min(max(x, lo), hi), NaN in any operand giving NaN.
void clamp(DType dtype, const StridedLoop& loop);
// {out, cond, a, b}: cond is bool; a, b and out are `dtype`.
void where(DType dtype, const StridedLoop& loop);

}  // namespace pt::cpu

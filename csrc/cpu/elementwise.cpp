// CPU elementwise kernels: binary arithmetic, comparison and logical ops, unary math, clamp,
// and where, all walking a StridedLoop.
//
// Each inner run takes one of three paths: all operands contiguous, one input a stride-0
// scalar (Python numbers and broadcast 0-d tensors), or the general strided loop. The first
// two are plain indexed loops that GCC vectorises at -O3 for the cheap ops; libm calls stay
// scalar, except float32 exp/log/tanh/sigmoid/silu/gelu, which run cpu/vecmath's
// vector kernels where the CPU has them (these scalar loops are their reference). Integer arithmetic runs in the unsigned type so overflow wraps as in PyTorch
// instead of being undefined. This is the plain loop, so there is no separate reference file.
#include "cpu/elementwise.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <type_traits>

#include "cpu/elementwise_scalar.h"
#include "cpu/vecmath.h"

namespace pt::cpu {
namespace {

// The ops' scalar semantics, shared with the CUDA functors.
using namespace scalar;

// ---- loops: operand 0 is the output; strides are in bytes ----

template <class R, class T, class F>
inline void loop1(char** p, const int64_t* s, int64_t n, const F& f) {
  if (s[0] == sizeof(R) && s[1] == sizeof(T)) {
    R* out = reinterpret_cast<R*>(p[0]);
    const T* x = reinterpret_cast<const T*>(p[1]);
    for (int64_t i = 0; i < n; ++i) out[i] = f(x[i]);
    return;
  }
  for (int64_t i = 0; i < n; ++i)
    *reinterpret_cast<R*>(p[0] + i * s[0]) = f(*reinterpret_cast<const T*>(p[1] + i * s[1]));
}

template <class R, class T, class F>
inline void loop2(char** p, const int64_t* s, int64_t n, const F& f) {
  R* out = reinterpret_cast<R*>(p[0]);
  const T* a = reinterpret_cast<const T*>(p[1]);
  const T* b = reinterpret_cast<const T*>(p[2]);
  if (s[0] == sizeof(R)) {
    if (s[1] == sizeof(T) && s[2] == sizeof(T)) {
      for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], b[i]);
      return;
    }
    if (s[1] == sizeof(T) && s[2] == 0) {
      const T bv = *b;
      for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], bv);
      return;
    }
    if (s[1] == 0 && s[2] == sizeof(T)) {
      const T av = *a;
      for (int64_t i = 0; i < n; ++i) out[i] = f(av, b[i]);
      return;
    }
  }
  for (int64_t i = 0; i < n; ++i)
    *reinterpret_cast<R*>(p[0] + i * s[0]) = f(*reinterpret_cast<const T*>(p[1] + i * s[1]),
                                               *reinterpret_cast<const T*>(p[2] + i * s[2]));
}

// Ternary ops read operand 1 as C (bool for where, T for clamp) and operands 2, 3 as T.
template <class C, class T, class F>
inline void loop3(char** p, const int64_t* s, int64_t n, const F& f) {
  T* out = reinterpret_cast<T*>(p[0]);
  const C* c = reinterpret_cast<const C*>(p[1]);
  const T* a = reinterpret_cast<const T*>(p[2]);
  const T* b = reinterpret_cast<const T*>(p[3]);
  if (s[0] == sizeof(T) && s[1] == sizeof(C)) {
    if (s[2] == sizeof(T) && s[3] == sizeof(T)) {
      for (int64_t i = 0; i < n; ++i) out[i] = f(c[i], a[i], b[i]);
      return;
    }
    if (s[2] == 0 && s[3] == 0) {
      const T av = *a, bv = *b;
      for (int64_t i = 0; i < n; ++i) out[i] = f(c[i], av, bv);
      return;
    }
  }
  for (int64_t i = 0; i < n; ++i)
    *reinterpret_cast<T*>(p[0] + i * s[0]) = f(*reinterpret_cast<const C*>(p[1] + i * s[1]),
                                               *reinterpret_cast<const T*>(p[2] + i * s[2]),
                                               *reinterpret_cast<const T*>(p[3] + i * s[3]));
}

template <class R, class T, class F>
void run1(const StridedLoop& loop, const F& f) {
  loop.run([&](char** p, const int64_t* s, int64_t n) { loop1<R, T>(p, s, n, f); });
}
template <class R, class T, class F>
void run2(const StridedLoop& loop, const F& f) {
  loop.run([&](char** p, const int64_t* s, int64_t n) { loop2<R, T>(p, s, n, f); });
}

template <class T>
void binary_typed(BinaryOp op, const StridedLoop& loop, const Scalar& alpha_s,
                  std::atomic<bool>* zero) {
  constexpr bool is_bool = std::is_same_v<T, bool>;
  switch (op) {
    case BinaryOp::Add:
    case BinaryOp::Sub: {
      const T alpha = alpha_s.to<T>();
      const bool plain = alpha_s.is_float() ? alpha_s.f == 1 : alpha_s.i == 1;
      if (op == BinaryOp::Add) {
        if (plain) run2<T, T>(loop, [](T a, T b) { return add(a, b); });
        else run2<T, T>(loop, [alpha](T a, T b) { return add(a, mul(alpha, b)); });
      } else if constexpr (!is_bool) {
        if (plain) run2<T, T>(loop, [](T a, T b) { return sub(a, b); });
        else run2<T, T>(loop, [alpha](T a, T b) { return sub(a, mul(alpha, b)); });
      }
      break;
    }
    case BinaryOp::Mul: run2<T, T>(loop, [](T a, T b) { return mul(a, b); }); break;
    case BinaryOp::Div:
      if constexpr (kIsFloat<T>) run2<T, T>(loop, [](T a, T b) { return a / b; });
      break;
    case BinaryOp::DivTrunc:
      if constexpr (kIsFloat<T>) run2<T, T>(loop, [](T a, T b) { return std::trunc(a / b); });
      else if constexpr (kIsInt<T>)
        run2<T, T>(loop, [zero](T a, T b) { return int_div<IntDiv::Trunc>(a, b, zero); });
      break;
    case BinaryOp::DivFloor:
      if constexpr (kIsFloat<T>) run2<T, T>(loop, [](T a, T b) { return div_floor_float(a, b); });
      else if constexpr (kIsInt<T>)
        run2<T, T>(loop, [zero](T a, T b) { return int_div<IntDiv::Floor>(a, b, zero); });
      break;
    case BinaryOp::Remainder:
      if constexpr (kIsFloat<T>) run2<T, T>(loop, [](T a, T b) { return remainder_float(a, b); });
      else if constexpr (kIsInt<T>)
        run2<T, T>(loop, [zero](T a, T b) { return int_div<IntDiv::Remainder>(a, b, zero); });
      break;
    case BinaryOp::Fmod:
      if constexpr (kIsFloat<T>) run2<T, T>(loop, [](T a, T b) { return std::fmod(a, b); });
      else if constexpr (kIsInt<T>)
        run2<T, T>(loop, [zero](T a, T b) { return int_div<IntDiv::Fmod>(a, b, zero); });
      break;
    case BinaryOp::Pow:
      if constexpr (kIsFloat<T>) run2<T, T>(loop, [](T a, T b) { return b == 2 ? a * a : std::pow(a, b); });
      else if constexpr (kIsInt<T>) run2<T, T>(loop, [](T a, T b) { return int_pow(a, b); });
      else run2<T, T>(loop, [](T a, T b) { return b ? a : true; });
      break;
    case BinaryOp::Maximum: run2<T, T>(loop, [](T a, T b) { return max_nan(a, b); }); break;
    case BinaryOp::Minimum: run2<T, T>(loop, [](T a, T b) { return min_nan(a, b); }); break;
    case BinaryOp::Atan2:
      if constexpr (kIsFloat<T>) run2<T, T>(loop, [](T a, T b) { return std::atan2(a, b); });
      break;
    case BinaryOp::BitAnd:
      if constexpr (!kIsFloat<T>) run2<T, T>(loop, [](T a, T b) { return T(a & b); });
      break;
    case BinaryOp::BitOr:
      if constexpr (!kIsFloat<T>) run2<T, T>(loop, [](T a, T b) { return T(a | b); });
      break;
    case BinaryOp::BitXor:
      if constexpr (!kIsFloat<T>) run2<T, T>(loop, [](T a, T b) { return T(a ^ b); });
      break;
    case BinaryOp::Eq: run2<bool, T>(loop, [](T a, T b) { return a == b; }); break;
    case BinaryOp::Ne: run2<bool, T>(loop, [](T a, T b) { return a != b; }); break;
    case BinaryOp::Lt: run2<bool, T>(loop, [](T a, T b) { return a < b; }); break;
    case BinaryOp::Le: run2<bool, T>(loop, [](T a, T b) { return a <= b; }); break;
    case BinaryOp::Gt: run2<bool, T>(loop, [](T a, T b) { return a > b; }); break;
    case BinaryOp::Ge: run2<bool, T>(loop, [](T a, T b) { return a >= b; }); break;
    case BinaryOp::LogicalAnd: run2<bool, T>(loop, [](T a, T b) { return a != T(0) && b != T(0); }); break;
    case BinaryOp::LogicalOr: run2<bool, T>(loop, [](T a, T b) { return a != T(0) || b != T(0); }); break;
    case BinaryOp::LogicalXor: run2<bool, T>(loop, [](T a, T b) { return (a != T(0)) != (b != T(0)); }); break;
  }
}

// erfinv in double: a closed-form first guess (Winitzki's, ~2e-3 relative) refined by three
// Halley steps on erf(x) - y, written with erfc beyond |y| = 0.5, where 1 - |y| is exact and
// erf(x) near 1 would lose the digits.
inline double erfinv_double(double y) {
  const double ay = std::fabs(y);
  if (!(ay < 1)) return ay == 1 ? std::copysign(INFINITY, y) : NAN;  // nan stays nan
  if (y == 0) return y;
  constexpr double kA = 0.147, kPi = 3.14159265358979323846, kTwoOverSqrtPi = 1.12837916709551257390;
  const double l = std::log1p(-ay) + std::log1p(ay);  // log(1 - y^2)
  const double b = 2 / (kPi * kA) + l / 2;
  double x = std::sqrt(std::sqrt(b * b - l / kA) - b);
  for (int k = 0; k < 3; ++k) {  // two suffice below |y| = 1 - 1e-10; the far tail needs a third
    const double f = ay < 0.5 ? std::erf(x) - ay : (1 - ay) - std::erfc(x);
    const double d = f / (kTwoOverSqrtPi * std::exp(-x * x));
    x -= d / (1 + x * d);
  }
  return std::copysign(x, y);
}

// The GELUs and SiLU, with their derivatives, in forms that keep their relative precision
// on the far negative side (where 1 + erf and 1 + tanh cancel): gelu(x) = x Phi(x) with Phi
// written with erfc, and PyTorch's 0.5 x (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3),
// as x sigmoid(2u). sigmoid(x) is 1 / (1 + e) or e / (1 + e) with e = exp(-|x|) <= 1, so it
// neither overflows nor flushes tiny results to 0.
constexpr double kSqrtHalf = 0.70710678118654752440, kInvSqrt2Pi = 0.39894228040143267794;
constexpr double kGeluK0 = 0.79788456080286535588, kGeluK1 = 0.044715;
template <class T>
inline T sigmoid(T x) {
  const T e = std::exp(-std::fabs(x));
  return (x < 0 ? e : T(1)) / (T(1) + e);
}
template <class T>
inline T gelu_erf(T x) { return x * T(0.5) * std::erfc(-x * T(kSqrtHalf)); }
template <class T>
inline T gelu_erf_grad(T x) {
  return T(0.5) * std::erfc(-x * T(kSqrtHalf)) + x * T(kInvSqrt2Pi) * std::exp(T(-0.5) * x * x);
}
// 2u and d(2u)/dx.
template <class T>
inline T gelu_tanh_arg(T x) { return x * (T(2 * kGeluK0) + T(2 * kGeluK0 * kGeluK1) * x * x); }
template <class T>
inline T gelu_tanh(T x) { return x * sigmoid(gelu_tanh_arg(x)); }
// d/dx x s(2u) = s + x s (1 - s) d(2u)/dx.
template <class T>
inline T gelu_tanh_grad(T x) {
  const T s = sigmoid(gelu_tanh_arg(x));
  return s + x * s * (T(1) - s) * (T(2 * kGeluK0) + T(6 * kGeluK0 * kGeluK1) * x * x);
}
template <class T>
inline T silu_grad(T x) {
  const T s = sigmoid(x);
  return s * (T(1) + x * (T(1) - s));
}

// float32 ops with a vector kernel: contiguous runs call it directly; strided runs are
// gathered through a block buffer so that a value's result never depends on the layout.
inline VecKernelF32 vec_kernel(UnaryOp op) {
  switch (op) {
    case UnaryOp::Exp: return vec_kernel_f32(VecFn::Exp);
    case UnaryOp::Log: return vec_kernel_f32(VecFn::Log);
    case UnaryOp::Tanh: return vec_kernel_f32(VecFn::Tanh);
    case UnaryOp::Sigmoid: return vec_kernel_f32(VecFn::Sigmoid);
    case UnaryOp::Silu: return vec_kernel_f32(VecFn::Silu);
    case UnaryOp::GeluErf: return vec_kernel_f32(VecFn::GeluErf);
    case UnaryOp::GeluTanh: return vec_kernel_f32(VecFn::GeluTanh);
    default: return nullptr;
  }
}

void run_vec(const StridedLoop& loop, VecKernelF32 kernel) {
  loop.run([kernel](char** p, const int64_t* s, int64_t n) {
    if (s[0] == sizeof(float) && s[1] == sizeof(float))
      return kernel(reinterpret_cast<float*>(p[0]), reinterpret_cast<const float*>(p[1]), n);
    constexpr int64_t kBlock = 256;
    float buf[kBlock];
    for (int64_t i0 = 0; i0 < n; i0 += kBlock) {
      const int64_t m = std::min(kBlock, n - i0);
      for (int64_t i = 0; i < m; ++i) buf[i] = *reinterpret_cast<const float*>(p[1] + (i0 + i) * s[1]);
      kernel(buf, buf, m);
      for (int64_t i = 0; i < m; ++i) *reinterpret_cast<float*>(p[0] + (i0 + i) * s[0]) = buf[i];
    }
  });
}

template <class T>
inline T round_decimals(T x, T scale, bool negative) {
  return negative ? std::nearbyint(x / scale) * scale : std::nearbyint(x * scale) / scale;
}

template <class T>
void unary_typed(UnaryOp op, const StridedLoop& loop, const double* params) {
  if constexpr (std::is_same_v<T, float>)
    if (const VecKernelF32 kernel = vec_kernel(op)) return run_vec(loop, kernel);
  if constexpr (kIsFloat<T>) {
    switch (op) {
      case UnaryOp::Exp: return run1<T, T>(loop, [](T x) { return std::exp(x); });
      case UnaryOp::Exp2: return run1<T, T>(loop, [](T x) { return std::exp2(x); });
      case UnaryOp::Log: return run1<T, T>(loop, [](T x) { return std::log(x); });
      case UnaryOp::Log2: return run1<T, T>(loop, [](T x) { return std::log2(x); });
      case UnaryOp::Log10: return run1<T, T>(loop, [](T x) { return std::log10(x); });
      case UnaryOp::Log1p: return run1<T, T>(loop, [](T x) { return std::log1p(x); });
      case UnaryOp::Expm1: return run1<T, T>(loop, [](T x) { return std::expm1(x); });
      case UnaryOp::Sqrt: return run1<T, T>(loop, [](T x) { return std::sqrt(x); });
      case UnaryOp::Rsqrt: return run1<T, T>(loop, [](T x) { return T(1) / std::sqrt(x); });
      case UnaryOp::Sin: return run1<T, T>(loop, [](T x) { return std::sin(x); });
      case UnaryOp::Cos: return run1<T, T>(loop, [](T x) { return std::cos(x); });
      case UnaryOp::Tan: return run1<T, T>(loop, [](T x) { return std::tan(x); });
      case UnaryOp::Asin: return run1<T, T>(loop, [](T x) { return std::asin(x); });
      case UnaryOp::Acos: return run1<T, T>(loop, [](T x) { return std::acos(x); });
      case UnaryOp::Atan: return run1<T, T>(loop, [](T x) { return std::atan(x); });
      case UnaryOp::Sinh: return run1<T, T>(loop, [](T x) { return std::sinh(x); });
      case UnaryOp::Cosh: return run1<T, T>(loop, [](T x) { return std::cosh(x); });
      case UnaryOp::Tanh: return run1<T, T>(loop, [](T x) { return std::tanh(x); });
      case UnaryOp::Sigmoid: return run1<T, T>(loop, [](T x) { return sigmoid(x); });
      case UnaryOp::Erf: return run1<T, T>(loop, [](T x) { return std::erf(x); });
      case UnaryOp::Erfc: return run1<T, T>(loop, [](T x) { return std::erfc(x); });
      case UnaryOp::Erfinv: return run1<T, T>(loop, [](T x) { return T(erfinv_double(x)); });
      case UnaryOp::Silu: return run1<T, T>(loop, [](T x) { return x * sigmoid(x); });
      case UnaryOp::GeluErf: return run1<T, T>(loop, [](T x) { return gelu_erf(x); });
      case UnaryOp::GeluTanh: return run1<T, T>(loop, [](T x) { return gelu_tanh(x); });
      case UnaryOp::Reciprocal: return run1<T, T>(loop, [](T x) { return T(1) / x; });
      case UnaryOp::Floor: return run1<T, T>(loop, [](T x) { return std::floor(x); });
      case UnaryOp::Ceil: return run1<T, T>(loop, [](T x) { return std::ceil(x); });
      // nearbyint rounds half to even in the default rounding mode.
      case UnaryOp::Round: return run1<T, T>(loop, [](T x) { return std::nearbyint(x); });
      case UnaryOp::RoundDecimals: {
        const bool negative = params[0] < 0;
        const T scale = static_cast<T>(std::pow(10.0, std::fabs(params[0])));
        return run1<T, T>(loop, [=](T x) { return round_decimals(x, scale, negative); });
      }
      case UnaryOp::Trunc: return run1<T, T>(loop, [](T x) { return std::trunc(x); });
      case UnaryOp::Frac: return run1<T, T>(loop, [](T x) { return x - std::trunc(x); });
      case UnaryOp::NanToNum: {
        const T nan = static_cast<T>(params[0]), pos = static_cast<T>(params[1]),
                neg = static_cast<T>(params[2]);
        return run1<T, T>(loop, [=](T x) {
          return x != x ? nan : x == std::numeric_limits<T>::infinity() ? pos
                 : x == -std::numeric_limits<T>::infinity() ? neg : x;
        });
      }
      default: break;
    }
  }
  switch (op) {
    case UnaryOp::Abs:
      if constexpr (std::is_unsigned_v<T>) return run1<T, T>(loop, [](T x) { return x; });
      else return run1<T, T>(loop, [](T x) { return x < 0 ? sub(T(0), x) : x; });
    case UnaryOp::Neg:
      if constexpr (!std::is_same_v<T, bool>) return run1<T, T>(loop, [](T x) { return sub(T(0), x); });
      break;
    case UnaryOp::Sign:
      return run1<T, T>(loop, [](T x) { return T((T(0) < x) - is_neg(x)); });
    case UnaryOp::Square: return run1<T, T>(loop, [](T x) { return mul(x, x); });
    case UnaryOp::Relu: return run1<T, T>(loop, [](T x) { return is_neg(x) ? T(0) : x; });
    case UnaryOp::BitNot:
      if constexpr (std::is_same_v<T, bool>) return run1<T, T>(loop, [](T x) { return !x; });
      else if constexpr (kIsInt<T>) return run1<T, T>(loop, [](T x) { return T(~x); });
      break;
    case UnaryOp::IsNan: return run1<bool, T>(loop, [](T x) { return x != x; });
    case UnaryOp::IsInf:
      return run1<bool, T>(loop, [](T x) {
        if constexpr (kIsFloat<T>) return std::isinf(x);
        else return false;
      });
    case UnaryOp::IsFinite:
      return run1<bool, T>(loop, [](T x) {
        if constexpr (kIsFloat<T>) return std::isfinite(x);
        else return true;
      });
    case UnaryOp::IsPosInf:
      return run1<bool, T>(loop, [](T x) {
        if constexpr (kIsFloat<T>) return x == std::numeric_limits<T>::infinity();
        else return false;
      });
    case UnaryOp::IsNegInf:
      return run1<bool, T>(loop, [](T x) {
        if constexpr (kIsFloat<T>) return x == -std::numeric_limits<T>::infinity();
        else return false;
      });
    case UnaryOp::LogicalNot: return run1<bool, T>(loop, [](T x) { return x == T(0); });
    default: break;
  }
}

}  // namespace

bool binary(BinaryOp op, DType dtype, const StridedLoop& loop, const Scalar& alpha) {
  std::atomic<bool> zero{false};
  PT_DISPATCH_ALL(dtype, "binary", [&] { binary_typed<scalar_t>(op, loop, alpha, &zero); });
  return !zero.load();
}

void unary(UnaryOp op, DType dtype, const StridedLoop& loop, const double* params) {
  PT_DISPATCH_ALL(dtype, "unary", [&] { unary_typed<scalar_t>(op, loop, params); });
}

void activation_backward(UnaryOp op, DType dtype, const StridedLoop& loop) {
  PT_DISPATCH_FLOAT(dtype, "activation_backward", [&] {
    using T = scalar_t;
    switch (op) {
      case UnaryOp::Sigmoid: return run2<T, T>(loop, [](T g, T y) { return g * (y * (T(1) - y)); });
      case UnaryOp::Tanh: return run2<T, T>(loop, [](T g, T y) { return g * (T(1) - y * y); });
      case UnaryOp::Silu: return run2<T, T>(loop, [](T g, T x) { return g * silu_grad(x); });
      case UnaryOp::GeluErf: return run2<T, T>(loop, [](T g, T x) { return g * gelu_erf_grad(x); });
      case UnaryOp::GeluTanh: return run2<T, T>(loop, [](T g, T x) { return g * gelu_tanh_grad(x); });
      default: break;
    }
  });
}

void clamp(DType dtype, const StridedLoop& loop) {
  PT_DISPATCH_ALL(dtype, "clamp", [&] {
    using T = scalar_t;
    loop.run([](char** p, const int64_t* s, int64_t n) {
      loop3<T, T>(p, s, n, [](T x, T lo, T hi) { return min_nan(max_nan(x, lo), hi); });
    });
  });
}

void where(DType dtype, const StridedLoop& loop) {
  PT_DISPATCH_ALL(dtype, "where", [&] {
    using T = scalar_t;
    loop.run([](char** p, const int64_t* s, int64_t n) {
      loop3<bool, T>(p, s, n, [](bool c, T a, T b) { return c ? a : b; });
    });
  });
}

}  // namespace pt::cpu

// Elementwise CUDA kernels: every binary and unary op of cpu/elementwise.h, the fused
// activation backward, clamp and where, each a small functor run by the launcher of
// cuda/loop.cuh. ops/elementwise.cpp has already checked dtypes and devices, broadcast the
// operands and cast them to the compute dtype, exactly as for the CPU kernels, whose
// semantics these functors repeat: integer arithmetic wraps in the unsigned type, floor
// division and remainder follow Python, NaN wins in maximum/minimum/clamp, sigmoid and its
// family are written so that they neither overflow nor cancel.
#include <cuda_runtime.h>

#include <cmath>
#include <type_traits>

#include "core/error.h"
#include "cpu/elementwise.h"
#include "cpu/elementwise_scalar.h"
#include "cuda/kernels.h"
#include "cuda/loop.cuh"

namespace pt::cuda {
namespace {

using cpu::BinaryOp;
using cpu::UnaryOp;

// ---- dtype sets ----

template <class T> constexpr bool kIsBool = std::is_same_v<T, bool>;
using cpu::scalar::kIsFloat;
using cpu::scalar::kIsInt;

// The dtypes a kernel is built for (Integral: bool and the integers). The op layer has
// rejected the others already; they raise here too rather than run a kernel never compiled.
enum class Types { Float, Numeric, Integral, All };
template <Types S, class T>
constexpr bool accepts() {
  return S == Types::Float ? kIsFloat<T> : S == Types::Numeric ? !kIsBool<T>
         : S == Types::Integral ? !kIsFloat<T> : true;
}

// Runs the functor make(T{}) builds over the loop, T the compute dtype: NIn inputs of type T,
// an output of type Out (void: T).
template <Types S, int NIn, class Out = void, class Make>
void map(const char* kernel, DType dtype, const StridedLoop& loop, uint32_t hs, const Make& make) {
  PT_DISPATCH_ALL(dtype, kernel, [&] {
    using T = scalar_t;
    using R = std::conditional_t<std::is_void_v<Out>, T, Out>;
    if constexpr (!accepts<S, T>()) throw_bad_dtype(kernel, dtype);
    else if constexpr (NIn == 1) launch<R, T>(kernel, loop, hs, make(T{}));
    else if constexpr (NIn == 2) launch<R, T, T>(kernel, loop, hs, make(T{}));
    else launch<R, T, T, T>(kernel, loop, hs, make(T{}));
  });
}

// Functor factories: stateless, scaled by add/sub's alpha, or holding the zero-divisor flag.
template <template <class> class F>
struct Plain {
  template <class T> F<T> operator()(T) const { return {}; }
};
template <template <class> class F>
struct Scaled {
  Scalar alpha;
  template <class T> F<T> operator()(T) const { return {alpha.to<T>()}; }
};
template <template <class> class F>
struct Flagged {
  int* zero;
  template <class T> F<T> operator()(T) const { return {zero}; }
};

template <Types S, template <class> class F, class Out = void>
void map1(const char* kernel, DType dtype, const StridedLoop& loop) {
  map<S, 1, Out>(kernel, dtype, loop, 0, Plain<F>{});
}
template <Types S, template <class> class F, class Out = void>
void map2(const char* kernel, DType dtype, const StridedLoop& loop, uint32_t hs) {
  map<S, 2, Out>(kernel, dtype, loop, hs, Plain<F>{});
}

// The ops' scalar semantics, shared with the CPU loops (cpu/elementwise_scalar.h).
using cpu::scalar::add;
using cpu::scalar::mul;
using cpu::scalar::sub;
using cpu::scalar::is_neg;
using cpu::scalar::max_nan;
using cpu::scalar::min_nan;
using cpu::scalar::div_floor_float;
using cpu::scalar::remainder_float;
using cpu::scalar::int_pow;
using cpu::scalar::int_div;
using cpu::scalar::IntDiv;

// ---- binary ----

template <class T> struct AddF { T alpha; __device__ T operator()(T a, T b) const { return add(a, mul(alpha, b)); } };
template <class T> struct SubF { T alpha; __device__ T operator()(T a, T b) const { return sub(a, mul(alpha, b)); } };
template <class T> struct MulF { __device__ T operator()(T a, T b) const { return mul(a, b); } };
template <class T> struct DivF { __device__ T operator()(T a, T b) const { return a / b; } };
template <class T> struct DivTruncF {
  int* zero;
  __device__ T operator()(T a, T b) const {
    if constexpr (kIsFloat<T>) return ::trunc(a / b);
    else return int_div<IntDiv::Trunc>(a, b, zero);
  }
};
template <class T> struct DivFloorF {
  int* zero;
  __device__ T operator()(T a, T b) const {
    if constexpr (kIsFloat<T>) return div_floor_float(a, b);
    else return int_div<IntDiv::Floor>(a, b, zero);
  }
};
template <class T> struct RemainderF {
  int* zero;
  __device__ T operator()(T a, T b) const {
    if constexpr (kIsFloat<T>) return remainder_float(a, b);
    else return int_div<IntDiv::Remainder>(a, b, zero);
  }
};
template <class T> struct FmodF {
  int* zero;
  __device__ T operator()(T a, T b) const {
    if constexpr (kIsFloat<T>) return ::fmod(a, b);
    else return int_div<IntDiv::Fmod>(a, b, zero);
  }
};
// bool ** bool: x ** True is x, x ** False is true.
template <class T> struct PowF {
  __device__ T operator()(T a, T b) const {
    if constexpr (kIsFloat<T>) return b == 2 ? a * a : ::pow(a, b);
    else if constexpr (kIsInt<T>) return int_pow(a, b);
    else return b ? a : true;
  }
};
template <class T> struct MaxF { __device__ T operator()(T a, T b) const { return max_nan(a, b); } };
template <class T> struct MinF { __device__ T operator()(T a, T b) const { return min_nan(a, b); } };
template <class T> struct Atan2F { __device__ T operator()(T a, T b) const { return ::atan2(a, b); } };
template <class T> struct BitAndF { __device__ T operator()(T a, T b) const { return T(a & b); } };
template <class T> struct BitOrF { __device__ T operator()(T a, T b) const { return T(a | b); } };
template <class T> struct BitXorF { __device__ T operator()(T a, T b) const { return T(a ^ b); } };

template <class T> struct EqF { __device__ bool operator()(T a, T b) const { return a == b; } };
template <class T> struct NeF { __device__ bool operator()(T a, T b) const { return a != b; } };
template <class T> struct LtF { __device__ bool operator()(T a, T b) const { return a < b; } };
template <class T> struct LeF { __device__ bool operator()(T a, T b) const { return a <= b; } };
template <class T> struct GtF { __device__ bool operator()(T a, T b) const { return a > b; } };
template <class T> struct GeF { __device__ bool operator()(T a, T b) const { return a >= b; } };
template <class T> struct AndF { __device__ bool operator()(T a, T b) const { return a != T(0) && b != T(0); } };
template <class T> struct OrF { __device__ bool operator()(T a, T b) const { return a != T(0) || b != T(0); } };
template <class T> struct XorF { __device__ bool operator()(T a, T b) const { return (a != T(0)) != (b != T(0)); } };

// A kernel cannot raise: integer division writes a flag in device memory, which is read back
// after the kernel (a synchronising copy, paid by integer division only) so that the op can
// raise ZeroDivisionError as the CPU's does. The flag comes from the caching allocator.
class ZeroFlag {
 public:
  explicit ZeroFlag(bool needed) {
    if (!needed) return;
    check(cudaGetDevice(&device_), "cudaGetDevice");
    ptr = static_cast<int*>(cuda::malloc(sizeof(int), device_));
    check(cudaMemsetAsync(ptr, 0, sizeof(int)), "cudaMemsetAsync");
  }
  ~ZeroFlag() {
    if (ptr) cuda::free(ptr, device_);
  }
  ZeroFlag(const ZeroFlag&) = delete;
  ZeroFlag& operator=(const ZeroFlag&) = delete;
  bool raised() const {
    if (!ptr) return false;
    int v = 0;
    check(cudaMemcpy(&v, ptr, sizeof v, cudaMemcpyDeviceToHost), "cudaMemcpy");
    return v != 0;
  }

  int* ptr = nullptr;

 private:
  int device_ = 0;
};

bool integer_division(BinaryOp op, DType dtype) {
  return !is_floating(dtype) && (op == BinaryOp::DivTrunc || op == BinaryOp::DivFloor ||
                                 op == BinaryOp::Remainder || op == BinaryOp::Fmod);
}

// ---- unary ----

// Sigmoid as 1 / (1 + e) or e / (1 + e) with e = exp(-|x|) <= 1, so it neither overflows nor
// flushes tiny results to 0; gelu(x) = x Phi(x) with Phi written with erfc, and the tanh GELU
// 0.5 x (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3), as x sigmoid(2u): both keep their
// relative precision on the far negative side, where 1 + erf and 1 + tanh cancel.
constexpr double kSqrtHalf = 0.70710678118654752440, kInvSqrt2Pi = 0.39894228040143267794;
constexpr double kGeluK0 = 0.79788456080286535588, kGeluK1 = 0.044715;
template <class T> __device__ T sigmoid(T x) {
  const T e = ::exp(-::fabs(x));
  return (x < 0 ? e : T(1)) / (T(1) + e);
}
template <class T> __device__ T gelu_erf(T x) { return x * T(0.5) * ::erfc(-x * T(kSqrtHalf)); }
template <class T> __device__ T gelu_erf_grad(T x) {
  return T(0.5) * ::erfc(-x * T(kSqrtHalf)) + x * T(kInvSqrt2Pi) * ::exp(T(-0.5) * x * x);
}
// 2u; d/dx x s(2u) = s + x s (1 - s) d(2u)/dx.
template <class T> __device__ T gelu_tanh_arg(T x) { return x * (T(2 * kGeluK0) + T(2 * kGeluK0 * kGeluK1) * x * x); }
template <class T> __device__ T gelu_tanh(T x) { return x * sigmoid(gelu_tanh_arg(x)); }
template <class T> __device__ T gelu_tanh_grad(T x) {
  const T s = sigmoid(gelu_tanh_arg(x));
  return s + x * s * (T(1) - s) * (T(2 * kGeluK0) + T(6 * kGeluK0 * kGeluK1) * x * x);
}
template <class T> __device__ T silu_grad(T x) {
  const T s = sigmoid(x);
  return s * (T(1) + x * (T(1) - s));
}

// Floating point: the float and double overloads of the CUDA math library.
template <class T> struct ExpF { __device__ T operator()(T x) const { return ::exp(x); } };
template <class T> struct Exp2F { __device__ T operator()(T x) const { return ::exp2(x); } };
template <class T> struct LogF { __device__ T operator()(T x) const { return ::log(x); } };
template <class T> struct Log2F { __device__ T operator()(T x) const { return ::log2(x); } };
template <class T> struct Log10F { __device__ T operator()(T x) const { return ::log10(x); } };
template <class T> struct Log1pF { __device__ T operator()(T x) const { return ::log1p(x); } };
template <class T> struct Expm1F { __device__ T operator()(T x) const { return ::expm1(x); } };
template <class T> struct SqrtF { __device__ T operator()(T x) const { return ::sqrt(x); } };
// Both correctly rounded, as on the CPU (rsqrt() is not).
template <class T> struct RsqrtF { __device__ T operator()(T x) const { return T(1) / ::sqrt(x); } };
template <class T> struct SinF { __device__ T operator()(T x) const { return ::sin(x); } };
template <class T> struct CosF { __device__ T operator()(T x) const { return ::cos(x); } };
template <class T> struct TanF { __device__ T operator()(T x) const { return ::tan(x); } };
template <class T> struct AsinF { __device__ T operator()(T x) const { return ::asin(x); } };
template <class T> struct AcosF { __device__ T operator()(T x) const { return ::acos(x); } };
template <class T> struct AtanF { __device__ T operator()(T x) const { return ::atan(x); } };
template <class T> struct SinhF { __device__ T operator()(T x) const { return ::sinh(x); } };
template <class T> struct CoshF { __device__ T operator()(T x) const { return ::cosh(x); } };
template <class T> struct TanhF { __device__ T operator()(T x) const { return ::tanh(x); } };
template <class T> struct SigmoidF { __device__ T operator()(T x) const { return sigmoid(x); } };
template <class T> struct ReciprocalF { __device__ T operator()(T x) const { return T(1) / x; } };
template <class T> struct FloorF { __device__ T operator()(T x) const { return ::floor(x); } };
template <class T> struct CeilF { __device__ T operator()(T x) const { return ::ceil(x); } };
// Half to even, as PyTorch.
template <class T> struct RoundF { __device__ T operator()(T x) const { return ::nearbyint(x); } };
template <class T> struct TruncF { __device__ T operator()(T x) const { return ::trunc(x); } };
template <class T> struct FracF { __device__ T operator()(T x) const { return x - ::trunc(x); } };
template <class T> struct ErfF { __device__ T operator()(T x) const { return ::erf(x); } };
template <class T> struct ErfcF { __device__ T operator()(T x) const { return ::erfc(x); } };
// In double for float32 too, as the CPU computes it.
template <class T> struct ErfinvF { __device__ T operator()(T x) const { return T(::erfinv(double(x))); } };
template <class T> struct SiluF { __device__ T operator()(T x) const { return x * sigmoid(x); } };
template <class T> struct GeluErfF { __device__ T operator()(T x) const { return gelu_erf(x); } };
template <class T> struct GeluTanhF { __device__ T operator()(T x) const { return gelu_tanh(x); } };

// params: {decimals}: x scaled by 10^|decimals| (divided when decimals < 0), rounded half to
// even and scaled back; the scale is computed on the host as the CPU kernel does.
template <class T> struct RoundDecimalsF {
  T scale;
  bool negative;
  __device__ T operator()(T x) const {
    return negative ? ::nearbyint(x / scale) * scale : ::nearbyint(x * scale) / scale;
  }
};
struct RoundDecimalsMake {
  double decimals;
  template <class T> RoundDecimalsF<T> operator()(T) const {
    return {static_cast<T>(std::pow(10.0, std::fabs(decimals))), decimals < 0};
  }
};
// params: {nan, posinf, neginf}.
template <class T> struct NanToNumF {
  T nan, pos, neg;
  __device__ T operator()(T x) const {
    return x != x ? nan : x == T(INFINITY) ? pos : x == T(-INFINITY) ? neg : x;
  }
};
struct NanToNumMake {
  const double* p;
  template <class T> NanToNumF<T> operator()(T) const {
    return {static_cast<T>(p[0]), static_cast<T>(p[1]), static_cast<T>(p[2])};
  }
};

// Numeric, output of the input's dtype.
template <class T> struct AbsF {
  __device__ T operator()(T x) const {
    if constexpr (std::is_unsigned_v<T>) return x;
    else return x < T(0) ? sub(T(0), x) : x;
  }
};
template <class T> struct NegF { __device__ T operator()(T x) const { return sub(T(0), x); } };
template <class T> struct SignF { __device__ T operator()(T x) const { return T((T(0) < x) - is_neg(x)); } };
template <class T> struct SquareF { __device__ T operator()(T x) const { return mul(x, x); } };
template <class T> struct ReluF { __device__ T operator()(T x) const { return is_neg(x) ? T(0) : x; } };
template <class T> struct BitNotF {
  __device__ T operator()(T x) const {
    if constexpr (kIsBool<T>) return !x;
    else return T(~x);
  }
};

// Any dtype, bool output.
template <class T> struct IsNanF { __device__ bool operator()(T x) const { return x != x; } };
template <class T> struct IsInfF {
  __device__ bool operator()(T x) const {
    if constexpr (kIsFloat<T>) return ::isinf(x);
    else return false;
  }
};
template <class T> struct IsFiniteF {
  __device__ bool operator()(T x) const {
    if constexpr (kIsFloat<T>) return ::isfinite(x);
    else return true;
  }
};
template <class T> struct IsPosInfF {
  __device__ bool operator()(T x) const {
    if constexpr (kIsFloat<T>) return x == T(INFINITY);
    else return false;
  }
};
template <class T> struct IsNegInfF {
  __device__ bool operator()(T x) const {
    if constexpr (kIsFloat<T>) return x == T(-INFINITY);
    else return false;
  }
};
template <class T> struct LogicalNotF { __device__ bool operator()(T x) const { return x == T(0); } };

// ---- activation backward, clamp, where ----

// grad times the derivative, from the op's result y (sigmoid, tanh) or its input x.
template <class T> struct SigmoidGradF { __device__ T operator()(T g, T y) const { return g * (y * (T(1) - y)); } };
template <class T> struct TanhGradF { __device__ T operator()(T g, T y) const { return g * (T(1) - y * y); } };
template <class T> struct SiluGradF { __device__ T operator()(T g, T x) const { return g * silu_grad(x); } };
template <class T> struct GeluErfGradF { __device__ T operator()(T g, T x) const { return g * gelu_erf_grad(x); } };
template <class T> struct GeluTanhGradF { __device__ T operator()(T g, T x) const { return g * gelu_tanh_grad(x); } };

template <class T> struct ClampF { __device__ T operator()(T x, T lo, T hi) const { return min_nan(max_nan(x, lo), hi); } };

template <class T> struct WhereF { __device__ T operator()(bool c, T a, T b) const { return c ? a : b; } };

}  // namespace

bool binary(BinaryOp op, DType dtype, const StridedLoop& loop, const Scalar& alpha, uint32_t hs) {
  using S = Types;
  ZeroFlag zero(integer_division(op, dtype));
  switch (op) {
    case BinaryOp::Add: map<S::All, 2>("add_cuda", dtype, loop, hs, Scaled<AddF>{alpha}); break;
    case BinaryOp::Sub: map<S::Numeric, 2>("sub_cuda", dtype, loop, hs, Scaled<SubF>{alpha}); break;
    case BinaryOp::Mul: map2<S::All, MulF>("mul_cuda", dtype, loop, hs); break;
    case BinaryOp::Div: map2<S::Float, DivF>("div_cuda", dtype, loop, hs); break;
    case BinaryOp::DivTrunc: map<S::Numeric, 2>("div_trunc_cuda", dtype, loop, hs, Flagged<DivTruncF>{zero.ptr}); break;
    case BinaryOp::DivFloor: map<S::Numeric, 2>("div_floor_cuda", dtype, loop, hs, Flagged<DivFloorF>{zero.ptr}); break;
    case BinaryOp::Remainder: map<S::Numeric, 2>("remainder_cuda", dtype, loop, hs, Flagged<RemainderF>{zero.ptr}); break;
    case BinaryOp::Fmod: map<S::Numeric, 2>("fmod_cuda", dtype, loop, hs, Flagged<FmodF>{zero.ptr}); break;
    case BinaryOp::Pow: map2<S::All, PowF>("pow_cuda", dtype, loop, hs); break;
    case BinaryOp::Maximum: map2<S::All, MaxF>("maximum_cuda", dtype, loop, hs); break;
    case BinaryOp::Minimum: map2<S::All, MinF>("minimum_cuda", dtype, loop, hs); break;
    case BinaryOp::Atan2: map2<S::Float, Atan2F>("atan2_cuda", dtype, loop, hs); break;
    case BinaryOp::BitAnd: map2<S::Integral, BitAndF>("bitwise_and_cuda", dtype, loop, hs); break;
    case BinaryOp::BitOr: map2<S::Integral, BitOrF>("bitwise_or_cuda", dtype, loop, hs); break;
    case BinaryOp::BitXor: map2<S::Integral, BitXorF>("bitwise_xor_cuda", dtype, loop, hs); break;
    case BinaryOp::Eq: map2<S::All, EqF, bool>("eq_cuda", dtype, loop, hs); break;
    case BinaryOp::Ne: map2<S::All, NeF, bool>("ne_cuda", dtype, loop, hs); break;
    case BinaryOp::Lt: map2<S::All, LtF, bool>("lt_cuda", dtype, loop, hs); break;
    case BinaryOp::Le: map2<S::All, LeF, bool>("le_cuda", dtype, loop, hs); break;
    case BinaryOp::Gt: map2<S::All, GtF, bool>("gt_cuda", dtype, loop, hs); break;
    case BinaryOp::Ge: map2<S::All, GeF, bool>("ge_cuda", dtype, loop, hs); break;
    case BinaryOp::LogicalAnd: map2<S::All, AndF, bool>("logical_and_cuda", dtype, loop, hs); break;
    case BinaryOp::LogicalOr: map2<S::All, OrF, bool>("logical_or_cuda", dtype, loop, hs); break;
    case BinaryOp::LogicalXor: map2<S::All, XorF, bool>("logical_xor_cuda", dtype, loop, hs); break;
  }
  return !zero.raised();
}

void unary(UnaryOp op, DType dtype, const StridedLoop& loop, const double* params) {
  using S = Types;
  switch (op) {
    case UnaryOp::Exp: return map1<S::Float, ExpF>("exp_cuda", dtype, loop);
    case UnaryOp::Exp2: return map1<S::Float, Exp2F>("exp2_cuda", dtype, loop);
    case UnaryOp::Log: return map1<S::Float, LogF>("log_cuda", dtype, loop);
    case UnaryOp::Log2: return map1<S::Float, Log2F>("log2_cuda", dtype, loop);
    case UnaryOp::Log10: return map1<S::Float, Log10F>("log10_cuda", dtype, loop);
    case UnaryOp::Log1p: return map1<S::Float, Log1pF>("log1p_cuda", dtype, loop);
    case UnaryOp::Expm1: return map1<S::Float, Expm1F>("expm1_cuda", dtype, loop);
    case UnaryOp::Sqrt: return map1<S::Float, SqrtF>("sqrt_cuda", dtype, loop);
    case UnaryOp::Rsqrt: return map1<S::Float, RsqrtF>("rsqrt_cuda", dtype, loop);
    case UnaryOp::Sin: return map1<S::Float, SinF>("sin_cuda", dtype, loop);
    case UnaryOp::Cos: return map1<S::Float, CosF>("cos_cuda", dtype, loop);
    case UnaryOp::Tan: return map1<S::Float, TanF>("tan_cuda", dtype, loop);
    case UnaryOp::Asin: return map1<S::Float, AsinF>("asin_cuda", dtype, loop);
    case UnaryOp::Acos: return map1<S::Float, AcosF>("acos_cuda", dtype, loop);
    case UnaryOp::Atan: return map1<S::Float, AtanF>("atan_cuda", dtype, loop);
    case UnaryOp::Sinh: return map1<S::Float, SinhF>("sinh_cuda", dtype, loop);
    case UnaryOp::Cosh: return map1<S::Float, CoshF>("cosh_cuda", dtype, loop);
    case UnaryOp::Tanh: return map1<S::Float, TanhF>("tanh_cuda", dtype, loop);
    case UnaryOp::Sigmoid: return map1<S::Float, SigmoidF>("sigmoid_cuda", dtype, loop);
    case UnaryOp::Reciprocal: return map1<S::Float, ReciprocalF>("reciprocal_cuda", dtype, loop);
    case UnaryOp::Floor: return map1<S::Float, FloorF>("floor_cuda", dtype, loop);
    case UnaryOp::Ceil: return map1<S::Float, CeilF>("ceil_cuda", dtype, loop);
    case UnaryOp::Round: return map1<S::Float, RoundF>("round_cuda", dtype, loop);
    case UnaryOp::RoundDecimals:
      return map<S::Float, 1>("round_decimals_cuda", dtype, loop, 0, RoundDecimalsMake{params[0]});
    case UnaryOp::Trunc: return map1<S::Float, TruncF>("trunc_cuda", dtype, loop);
    case UnaryOp::Frac: return map1<S::Float, FracF>("frac_cuda", dtype, loop);
    case UnaryOp::NanToNum: return map<S::Float, 1>("nan_to_num_cuda", dtype, loop, 0, NanToNumMake{params});
    case UnaryOp::Erf: return map1<S::Float, ErfF>("erf_cuda", dtype, loop);
    case UnaryOp::Erfc: return map1<S::Float, ErfcF>("erfc_cuda", dtype, loop);
    case UnaryOp::Erfinv: return map1<S::Float, ErfinvF>("erfinv_cuda", dtype, loop);
    case UnaryOp::Silu: return map1<S::Float, SiluF>("silu_cuda", dtype, loop);
    case UnaryOp::GeluErf: return map1<S::Float, GeluErfF>("gelu_cuda", dtype, loop);
    case UnaryOp::GeluTanh: return map1<S::Float, GeluTanhF>("gelu_tanh_cuda", dtype, loop);
    case UnaryOp::Abs: return map1<S::Numeric, AbsF>("abs_cuda", dtype, loop);
    case UnaryOp::Neg: return map1<S::Numeric, NegF>("neg_cuda", dtype, loop);
    case UnaryOp::Sign: return map1<S::All, SignF>("sign_cuda", dtype, loop);
    case UnaryOp::Square: return map1<S::Numeric, SquareF>("square_cuda", dtype, loop);
    case UnaryOp::Relu: return map1<S::Numeric, ReluF>("relu_cuda", dtype, loop);
    case UnaryOp::BitNot: return map1<S::Integral, BitNotF>("bitwise_not_cuda", dtype, loop);
    case UnaryOp::IsNan: return map1<S::All, IsNanF, bool>("isnan_cuda", dtype, loop);
    case UnaryOp::IsInf: return map1<S::All, IsInfF, bool>("isinf_cuda", dtype, loop);
    case UnaryOp::IsFinite: return map1<S::All, IsFiniteF, bool>("isfinite_cuda", dtype, loop);
    case UnaryOp::IsPosInf: return map1<S::All, IsPosInfF, bool>("isposinf_cuda", dtype, loop);
    case UnaryOp::IsNegInf: return map1<S::All, IsNegInfF, bool>("isneginf_cuda", dtype, loop);
    case UnaryOp::LogicalNot: return map1<S::All, LogicalNotF, bool>("logical_not_cuda", dtype, loop);
  }
}

void activation_backward(UnaryOp op, DType dtype, const StridedLoop& loop) {
  using S = Types;
  switch (op) {
    case UnaryOp::Sigmoid: return map2<S::Float, SigmoidGradF>("sigmoid_backward_cuda", dtype, loop, 0);
    case UnaryOp::Tanh: return map2<S::Float, TanhGradF>("tanh_backward_cuda", dtype, loop, 0);
    case UnaryOp::Silu: return map2<S::Float, SiluGradF>("silu_backward_cuda", dtype, loop, 0);
    case UnaryOp::GeluErf: return map2<S::Float, GeluErfGradF>("gelu_backward_cuda", dtype, loop, 0);
    case UnaryOp::GeluTanh: return map2<S::Float, GeluTanhGradF>("gelu_tanh_backward_cuda", dtype, loop, 0);
    default: throw RuntimeError("activation_backward: not an activation with a fused backward");
  }
}

void clamp(DType dtype, const StridedLoop& loop, uint32_t hs) {
  map<Types::All, 3>("clamp_cuda", dtype, loop, hs, Plain<ClampF>{});
}

void where(DType dtype, const StridedLoop& loop, uint32_t hs) {
  PT_DISPATCH_ALL(dtype, "where_cuda", [&] { launch<scalar_t, bool, scalar_t, scalar_t>("where_cuda", loop, hs, WhereF<scalar_t>{}); });
}

}  // namespace pt::cuda

// Elementwise CUDA kernels: binary arithmetic and comparisons, the common unary ops and
// where, each a small functor run by the launcher of cuda/loop.cuh. ops/elementwise.cpp has
// already checked dtypes and devices, broadcast the operands and cast them to the compute
// dtype, exactly as for the CPU kernels.
#include "core/error.h"
#include "cpu/elementwise.h"
#include "cuda/kernels.h"
#include "cuda/loop.cuh"

namespace pt::cuda {

using cpu::BinaryOp;
using cpu::UnaryOp;

// ---- binary ----

// `alpha` scales b for add and sub; the other functors ignore it.
template <class T> struct AddF { T alpha; __device__ T operator()(T a, T b) const { return a + alpha * b; } };
template <class T> struct SubF { T alpha; __device__ T operator()(T a, T b) const { return a - alpha * b; } };
template <class T> struct MulF { T alpha; __device__ T operator()(T a, T b) const { return a * b; } };
template <class T> struct DivF { T alpha; __device__ T operator()(T a, T b) const { return a / b; } };
// NaN in either operand gives NaN, as on the CPU.
template <class T> struct MaxF {
  T alpha;
  __device__ T operator()(T a, T b) const { return a != a ? a : b != b ? b : a > b ? a : b; }
};
template <class T> struct MinF {
  T alpha;
  __device__ T operator()(T a, T b) const { return a != a ? a : b != b ? b : a < b ? a : b; }
};

template <class T> struct EqF { __device__ bool operator()(T a, T b) const { return a == b; } };
template <class T> struct NeF { __device__ bool operator()(T a, T b) const { return a != b; } };
template <class T> struct LtF { __device__ bool operator()(T a, T b) const { return a < b; } };
template <class T> struct LeF { __device__ bool operator()(T a, T b) const { return a <= b; } };
template <class T> struct GtF { __device__ bool operator()(T a, T b) const { return a > b; } };
template <class T> struct GeF { __device__ bool operator()(T a, T b) const { return a >= b; } };

template <template <class> class F>
static void arith(const char* kernel, DType dtype, const StridedLoop& loop, const Scalar& alpha, uint32_t hs) {
  PT_DISPATCH_NUMERIC(dtype, kernel, [&] {
    launch<scalar_t, scalar_t, scalar_t>(kernel, loop, hs, F<scalar_t>{alpha.to<scalar_t>()});
  });
}

template <template <class> class F>
static void compare(const char* kernel, DType dtype, const StridedLoop& loop, uint32_t hs) {
  PT_DISPATCH_ALL(dtype, kernel, [&] { launch<bool, scalar_t, scalar_t>(kernel, loop, hs, F<scalar_t>{}); });
}

void binary(const char* name, BinaryOp op, DType dtype, const StridedLoop& loop, const Scalar& alpha, uint32_t hs) {
  switch (op) {
    case BinaryOp::Add: return arith<AddF>("add_cuda", dtype, loop, alpha, hs);
    case BinaryOp::Sub: return arith<SubF>("sub_cuda", dtype, loop, alpha, hs);
    case BinaryOp::Mul: return arith<MulF>("mul_cuda", dtype, loop, alpha, hs);
    case BinaryOp::Div: return arith<DivF>("div_cuda", dtype, loop, alpha, hs);
    case BinaryOp::Maximum: return arith<MaxF>("maximum_cuda", dtype, loop, alpha, hs);
    case BinaryOp::Minimum: return arith<MinF>("minimum_cuda", dtype, loop, alpha, hs);
    case BinaryOp::Eq: return compare<EqF>("eq_cuda", dtype, loop, hs);
    case BinaryOp::Ne: return compare<NeF>("ne_cuda", dtype, loop, hs);
    case BinaryOp::Lt: return compare<LtF>("lt_cuda", dtype, loop, hs);
    case BinaryOp::Le: return compare<LeF>("le_cuda", dtype, loop, hs);
    case BinaryOp::Gt: return compare<GtF>("gt_cuda", dtype, loop, hs);
    case BinaryOp::Ge: return compare<GeF>("ge_cuda", dtype, loop, hs);
    default: throw NotImplementedError(str_cat(name, ": not implemented for CUDA tensors yet"));
  }
}

// ---- unary ----

template <class T> struct NegF { __device__ T operator()(T x) const { return -x; } };
template <class T> struct AbsF {
  __device__ T operator()(T x) const {
    if constexpr (std::is_unsigned_v<T>) return x;
    else return x < T(0) ? -x : x;
  }
};
// NaN stays NaN (x != x only for NaN).
template <class T> struct ReluF { __device__ T operator()(T x) const { return x != x || x > T(0) ? x : T(0); } };

// Floating functors: float and double overloads of the CUDA math library.
template <class T> struct ExpF { __device__ T operator()(T x) const { return ::exp(x); } };
template <class T> struct LogF { __device__ T operator()(T x) const { return ::log(x); } };
template <class T> struct SqrtF { __device__ T operator()(T x) const { return ::sqrt(x); } };
template <class T> struct RsqrtF { __device__ T operator()(T x) const { return ::rsqrt(x); } };
template <class T> struct TanhF { __device__ T operator()(T x) const { return ::tanh(x); } };
template <class T> struct SigmoidF { __device__ T operator()(T x) const { return T(1) / (T(1) + ::exp(-x)); } };

template <template <class> class F>
static void numeric(const char* kernel, DType dtype, const StridedLoop& loop) {
  PT_DISPATCH_NUMERIC(dtype, kernel, [&] { launch<scalar_t, scalar_t>(kernel, loop, 0, F<scalar_t>{}); });
}

template <template <class> class F>
static void floating(const char* kernel, DType dtype, const StridedLoop& loop) {
  PT_DISPATCH_FLOAT(dtype, kernel, [&] { launch<scalar_t, scalar_t>(kernel, loop, 0, F<scalar_t>{}); });
}

void unary(const char* name, UnaryOp op, DType dtype, const StridedLoop& loop) {
  switch (op) {
    case UnaryOp::Neg: return numeric<NegF>("neg_cuda", dtype, loop);
    case UnaryOp::Abs: return numeric<AbsF>("abs_cuda", dtype, loop);
    case UnaryOp::Relu: return numeric<ReluF>("relu_cuda", dtype, loop);
    case UnaryOp::Exp: return floating<ExpF>("exp_cuda", dtype, loop);
    case UnaryOp::Log: return floating<LogF>("log_cuda", dtype, loop);
    case UnaryOp::Sqrt: return floating<SqrtF>("sqrt_cuda", dtype, loop);
    case UnaryOp::Rsqrt: return floating<RsqrtF>("rsqrt_cuda", dtype, loop);
    case UnaryOp::Tanh: return floating<TanhF>("tanh_cuda", dtype, loop);
    case UnaryOp::Sigmoid: return floating<SigmoidF>("sigmoid_cuda", dtype, loop);
    default: throw NotImplementedError(str_cat(name, ": not implemented for CUDA tensors yet"));
  }
}

// ---- where ----

template <class T> struct WhereF { __device__ T operator()(bool c, T a, T b) const { return c ? a : b; } };

void where(DType dtype, const StridedLoop& loop, uint32_t hs) {
  PT_DISPATCH_ALL(dtype, "where_cuda", [&] { launch<scalar_t, bool, scalar_t, scalar_t>("where_cuda", loop, hs, WhereF<scalar_t>{}); });
}

}  // namespace pt::cuda

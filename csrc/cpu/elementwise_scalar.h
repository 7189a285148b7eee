// The scalar semantics of the elementwise ops, shared by the CPU loops (cpu/elementwise.cpp)
// and the CUDA functors (cuda/elementwise.cu): integer arithmetic wraps in the unsigned type,
// floor division and remainder follow Python, NaN wins in maximum/minimum, integer pow takes
// negative exponents as PyTorch does, and an integer zero divisor raises a flag.
#pragma once
#include <atomic>
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "core/host_device.h"

namespace pt::cpu::scalar {

template <class T>
constexpr bool kIsInt = std::is_integral_v<T> && !std::is_same_v<T, bool>;
template <class T>
constexpr bool kIsFloat = std::is_floating_point_v<T>;

// The type integer arithmetic wraps in: unsigned for integers, T itself otherwise.
template <class T, bool = kIsInt<T>>
struct wrap_type { using type = T; };
template <class T>
struct wrap_type<T, true> { using type = std::make_unsigned_t<T>; };
template <class T>
using W = typename wrap_type<T>::type;

template <class T>
PT_HOST_DEVICE inline T add(T a, T b) {
  if constexpr (std::is_same_v<T, bool>) return a || b;
  else return static_cast<T>(static_cast<W<T>>(a) + static_cast<W<T>>(b));
}
template <class T>
PT_HOST_DEVICE inline T sub(T a, T b) { return static_cast<T>(static_cast<W<T>>(a) - static_cast<W<T>>(b)); }
// A floating product is rounded on its own: nvcc would otherwise fuse it into an FMA with what
// follows, and the device would round differently from the CPU.
template <class T>
PT_HOST_DEVICE inline T mul(T a, T b) {
  if constexpr (std::is_same_v<T, bool>) return a && b;
#ifdef __CUDA_ARCH__
  else if constexpr (std::is_same_v<T, float>) return __fmul_rn(a, b);
  else if constexpr (std::is_same_v<T, double>) return __dmul_rn(a, b);
#endif
  else return static_cast<T>(static_cast<W<T>>(a) * static_cast<W<T>>(b));
}

// x < 0 that stays quiet (-Wtype-limits) for unsigned and bool types.
template <class T>
PT_HOST_DEVICE inline bool is_neg(T x) {
  if constexpr (std::is_signed_v<T>) return x < T(0);
  else return false;
}

// NaN wins in maximum, minimum and clamp, as in PyTorch (std::max would drop it).
template <class T>
PT_HOST_DEVICE inline T max_nan(T a, T b) {
  if constexpr (kIsFloat<T>)
    if (a != a || b != b) return a + b;
  return a > b ? a : b;
}
template <class T>
PT_HOST_DEVICE inline T min_nan(T a, T b) {
  if constexpr (kIsFloat<T>)
    if (a != a || b != b) return a + b;
  return a < b ? a : b;
}

// Python's floor division on floats: exact through fmod, then rounded to the nearest integer
// so that a quotient like 0.9999999 from (a - mod) / b does not floor one too low.
template <class T>
PT_HOST_DEVICE inline T div_floor_float(T a, T b) {
  if (b == 0) return a / b;
  const T mod = std::fmod(a, b);
  T div = (a - mod) / b;
  if (mod != 0 && ((b < 0) != (mod < 0))) div -= 1;
  if (div == 0) return std::copysign(T(0), a / b);
  T fl = std::floor(div);
  if (div - fl > T(0.5)) fl += 1;
  return fl;
}

template <class T>
PT_HOST_DEVICE inline T remainder_float(T a, T b) {
  T mod = std::fmod(a, b);
  if (mod != 0 && ((b < 0) != (mod < 0))) mod += b;
  return mod;
}

// Integer power by squaring; negative exponents give 1, +-1 or 0 as PyTorch's tensor pow.
template <class T>
PT_HOST_DEVICE inline T int_pow(T base, T exp) {
  if constexpr (std::is_signed_v<T>) {
    if (exp < 0) {
      if (base == 1) return 1;
      if (base == -1) return (exp & 1) ? T(-1) : T(1);
      return 0;
    }
  }
  W<T> result = 1, b = static_cast<W<T>>(base);
  for (uint64_t e = static_cast<uint64_t>(exp); e; e >>= 1) {
    if (e & 1) result = static_cast<W<T>>(result * b);
    b = static_cast<W<T>>(b * b);
  }
  return static_cast<T>(result);
}

// Where a zero divisor is flagged: an atomic on the CPU (threads), a device word on the GPU
// (any thread may write 1). The op raises ZeroDivisionError after the loop.
inline void raise_flag(std::atomic<bool>* flag) { flag->store(true, std::memory_order_relaxed); }
PT_HOST_DEVICE inline void raise_flag(int* flag) { *flag = 1; }

// Integer division family: a zero divisor is flagged and gives 0; INT_MIN / -1 wraps instead
// of trapping.
enum class IntDiv { Trunc, Floor, Remainder, Fmod };
template <IntDiv K, class T, class Flag>
PT_HOST_DEVICE inline T int_div(T a, T b, Flag* zero) {
  if (b == 0) {
    raise_flag(zero);
    return 0;
  }
  if constexpr (std::is_signed_v<T>) {
    if (b == T(-1)) return K == IntDiv::Trunc || K == IntDiv::Floor ? sub(T(0), a) : T(0);
  }
  if constexpr (K == IntDiv::Trunc) return a / b;
  if constexpr (K == IntDiv::Fmod) return a % b;
  if constexpr (K == IntDiv::Floor) {
    const T q = a / b;
    return (a % b != 0 && is_neg(a) != is_neg(b)) ? T(q - 1) : q;
  }
  const T r = a % b;
  return (r != 0 && is_neg(r) != is_neg(b)) ? T(r + b) : r;
}

}  // namespace pt::cpu::scalar

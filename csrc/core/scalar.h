// A Python number on its way into an op: bool, integer or floating, kept exact until the op
// knows its compute dtype.
#pragma once
#include <cstdint>

#include "core/dtype.h"

namespace pt {

struct Scalar {
  enum class Kind : uint8_t { Bool, Int, Float } kind = Kind::Int;
  int64_t i = 0;
  double f = 0;

  static Scalar from_bool(bool v) { return {Kind::Bool, v, static_cast<double>(v)}; }
  static Scalar from_int(int64_t v) { return {Kind::Int, v, static_cast<double>(v)}; }
  static Scalar from_double(double v) { return {Kind::Float, static_cast<int64_t>(v), v}; }

  bool is_float() const { return kind == Kind::Float; }
  // The dtype a lone Python number of this kind becomes.
  DType dtype() const {
    return kind == Kind::Bool ? DType::Bool : kind == Kind::Int ? DType::Int64 : default_dtype();
  }
  template <class T>
  T to() const {
    if constexpr (std::is_floating_point_v<T>) return static_cast<T>(f);
    else if (kind == Kind::Float) return static_cast<T>(f);
    else return static_cast<T>(i);
  }
};

// Raises RuntimeError "<op>: value cannot be converted to type <dtype> without overflow" when
// `v` cannot be stored in `dtype` as PyTorch decides it: floats must lie within the integer
// type's range (then truncate), a float32 target refuses finite values beyond its range, and
// uint8 also takes integers down to -255, wrapping them.
void check_scalar_fits(const Scalar& v, DType dtype, const char* op);

}  // namespace pt

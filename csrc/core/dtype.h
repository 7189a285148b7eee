// Element types, their sizes and names, PyTorch's promotion lattice, and the dtype switch
// that every kernel dispatch goes through.
#pragma once
#include <cstdint>
#include <string>

namespace pt {

enum class DType : uint8_t { Bool, UInt8, Int32, Int64, Float32, Float64 };
constexpr int kNumDTypes = 6;

inline int64_t itemsize(DType t) {
  switch (t) {
    case DType::Bool: case DType::UInt8: return 1;
    case DType::Int32: case DType::Float32: return 4;
    case DType::Int64: case DType::Float64: return 8;
  }
  return 1;
}
inline const char* dtype_name(DType t) {
  switch (t) {
    case DType::Bool: return "bool";
    case DType::UInt8: return "uint8";
    case DType::Int32: return "int32";
    case DType::Int64: return "int64";
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
  }
  return "?";
}
// PyTorch's scalar-type names, which its messages use ("Long", "Float"...).
inline const char* torch_dtype_name(DType t) {
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
inline bool is_floating(DType t) { return t == DType::Float32 || t == DType::Float64; }
inline bool is_integral(DType t, bool include_bool) {
  return t == DType::UInt8 || t == DType::Int32 || t == DType::Int64 || (include_bool && t == DType::Bool);
}

// Category order used by tensor-scalar promotion: bool < integer < floating.
inline int category(DType t) { return t == DType::Bool ? 0 : is_floating(t) ? 2 : 1; }

// PyTorch's promote_types on our six dtypes: uint8 with a signed int widens to that int.
inline DType promote_types(DType a, DType b) {
  if (a == b) return a;
  if (is_floating(a) || is_floating(b)) {
    if (a == DType::Float64 || b == DType::Float64) return DType::Float64;
    return DType::Float32;
  }
  return static_cast<uint8_t>(a) > static_cast<uint8_t>(b) ? a : b;
}

template <class T> struct dtype_of;
template <> struct dtype_of<bool> { static constexpr DType value = DType::Bool; };
template <> struct dtype_of<uint8_t> { static constexpr DType value = DType::UInt8; };
template <> struct dtype_of<int32_t> { static constexpr DType value = DType::Int32; };
template <> struct dtype_of<int64_t> { static constexpr DType value = DType::Int64; };
template <> struct dtype_of<float> { static constexpr DType value = DType::Float32; };
template <> struct dtype_of<double> { static constexpr DType value = DType::Float64; };

// Accumulator type for sums: float64 for floats so long float32 sums stay accurate.
template <class T> struct acc_type { using type = int64_t; };
template <> struct acc_type<float> { using type = double; };
template <> struct acc_type<double> { using type = double; };

[[noreturn]] void throw_bad_dtype(const char* op, DType t);

// The dtype Python floats become (pytensor.set_default_dtype); float32 unless changed.
DType default_dtype();
void set_default_dtype(DType t);

}  // namespace pt

#define PT_DTYPE_CASE(enum_val, ctype, ...) \
  case ::pt::DType::enum_val: {             \
    using scalar_t = ctype;                 \
    __VA_ARGS__();                          \
    break;                                  \
  }

// PT_DISPATCH_ALL(dtype, "op", [&] { ... scalar_t ... }): one case per dtype.
#define PT_DISPATCH_ALL(DT, OP, ...)                       \
  switch (DT) {                                            \
    PT_DTYPE_CASE(Bool, bool, __VA_ARGS__)                 \
    PT_DTYPE_CASE(UInt8, uint8_t, __VA_ARGS__)             \
    PT_DTYPE_CASE(Int32, int32_t, __VA_ARGS__)             \
    PT_DTYPE_CASE(Int64, int64_t, __VA_ARGS__)             \
    PT_DTYPE_CASE(Float32, float, __VA_ARGS__)             \
    PT_DTYPE_CASE(Float64, double, __VA_ARGS__)            \
  }

// Numeric dtypes only (no bool).
#define PT_DISPATCH_NUMERIC(DT, OP, ...)                   \
  switch (DT) {                                            \
    PT_DTYPE_CASE(UInt8, uint8_t, __VA_ARGS__)             \
    PT_DTYPE_CASE(Int32, int32_t, __VA_ARGS__)             \
    PT_DTYPE_CASE(Int64, int64_t, __VA_ARGS__)             \
    PT_DTYPE_CASE(Float32, float, __VA_ARGS__)             \
    PT_DTYPE_CASE(Float64, double, __VA_ARGS__)            \
    default: ::pt::throw_bad_dtype(OP, DT);                \
  }

#define PT_DISPATCH_FLOAT(DT, OP, ...)                     \
  switch (DT) {                                            \
    PT_DTYPE_CASE(Float32, float, __VA_ARGS__)             \
    PT_DTYPE_CASE(Float64, double, __VA_ARGS__)            \
    default: ::pt::throw_bad_dtype(OP, DT);                \
  }

#include "core/scalar.h"

#include <cmath>
#include <limits>

#include "core/error.h"

namespace pt {

void check_scalar_fits(const Scalar& v, DType dtype, const char* op) {
  bool fits = true;
  switch (dtype) {
    case DType::Bool:
    case DType::Float64:
      break;
    case DType::Float32:
      fits = !v.is_float() || !std::isfinite(v.f) || std::fabs(v.f) <= std::numeric_limits<float>::max();
      break;
    default: {
      double lo = -9223372036854775808.0, hi = 9223372036854775807.0;
      if (dtype == DType::Int32) lo = INT32_MIN, hi = INT32_MAX;
      if (dtype == DType::UInt8) lo = 0, hi = 255;
      if (v.is_float()) {
        fits = v.f >= lo && (dtype == DType::Int64 ? v.f < 9223372036854775808.0 : v.f <= hi);
      } else if (dtype != DType::Int64) {
        fits = v.i >= (dtype == DType::UInt8 ? -255 : static_cast<int64_t>(lo)) && v.i <= static_cast<int64_t>(hi);
      }
    }
  }
  PT_CHECK(fits, RuntimeError, op, ": value cannot be converted to type ", dtype, " without overflow");
}

}  // namespace pt

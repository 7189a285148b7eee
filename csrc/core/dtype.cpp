#include "core/dtype.h"

#include <atomic>

#include "core/error.h"

namespace pt {

static std::atomic<DType> g_default_dtype{DType::Float32};

DType default_dtype() { return g_default_dtype.load(std::memory_order_relaxed); }

void set_default_dtype(DType t) {
  PT_CHECK(is_floating(t), TypeError, "only floating-point types are supported as the default type");
  g_default_dtype.store(t, std::memory_order_relaxed);
}

void throw_bad_dtype(const char* op, DType t) {
  throw RuntimeError(str_cat("\"", op, "\" not implemented for '", dtype_name(t), "'"));
}

}  // namespace pt

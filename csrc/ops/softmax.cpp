#include "ops/softmax.h"

#include "core/error.h"
#include "cpu/softmax.h"
#include "ops/copy.h"
#include "ops/reduce.h"

namespace pt::ops {

namespace {

Tensor run(const Tensor& t, int64_t dim, std::optional<DType> dtype, bool log) {
  const char* op = log ? "log_softmax" : "softmax";
  check_cpu(t, op);
  const int64_t d = wrap_dim(dim, t->dim());
  const DType dt = dtype.value_or(t->dtype());
  if (!is_floating(dt))
    throw NotImplementedError(str_cat("\"", op, "\" not implemented for '", torch_type_name(dt), "'"));
  const Tensor x = contiguous(to(t, dt, t->device()));
  Tensor out = empty(t->sizes(), dt);
  cpu::softmax(x, t->dim() ? d : 0, log, out);
  return out;
}

}  // namespace

Tensor softmax(const Tensor& t, int64_t dim, std::optional<DType> dtype) {
  return run(t, dim, dtype, false);
}
Tensor log_softmax(const Tensor& t, int64_t dim, std::optional<DType> dtype) {
  return run(t, dim, dtype, true);
}

}  // namespace pt::ops

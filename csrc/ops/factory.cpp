#include "ops/factory.h"

#include <cmath>
#include <limits>

#include "core/error.h"
#include "core/iter.h"
#include "cpu/fill.h"
#include "cuda/kernels.h"
#include "ops/copy.h"

namespace pt::ops {

void check_size(const DimVec& size) {
  for (int64_t s : size) {
    if (s >= 0) continue;
    std::ostringstream os;
    os << "Trying to create tensor with negative dimension " << s << ": [";
    for (int64_t i = 0; i < size.size(); ++i) os << (i ? ", " : "") << size[i];
    throw RuntimeError(os.str() + "]");
  }
}

// A CPU tensor built by `make` and then moved to `device`.
template <class F>
static Tensor on_device(Device device, const F& make) {
  Tensor t = make();
  return device.is_cpu() ? t : to(t, t->dtype(), device);
}

Tensor empty(const DimVec& size, DType dtype, Device device) {
  check_size(size);
  return pt::empty(size, dtype, device);
}

Tensor empty_strided(const DimVec& size, const DimVec& stride, DType dtype, Device device) {
  check_size(size);
  PT_CHECK(size.size() == stride.size(), RuntimeError, "empty_strided: mismatch in length of strides (",
           stride.size(), ") and shape (", size.size(), ")");
  // Storage must reach the furthest element: 1 + sum (size - 1) * stride.
  int64_t span = 1;
  bool empty_tensor = false;
  for (int64_t d = 0; d < size.size(); ++d) {
    PT_CHECK(stride[d] >= 0, RuntimeError, "empty_strided: negative strides are not supported, got ",
             stride);
    empty_tensor = empty_tensor || size[d] == 0;
    int64_t ext = 0;
    PT_CHECK(!__builtin_mul_overflow(size[d] > 0 ? size[d] - 1 : 0, stride[d], &ext) &&
                 !__builtin_add_overflow(span, ext, &span),
             RuntimeError, "empty_strided: size ", size, " with stride ", stride, " is too large");
  }
  Tensor base = pt::empty(DimVec{empty_tensor ? 0 : span}, dtype, device);
  return make_view(base, size, stride, 0);
}

const Tensor& fill_(const Tensor& t, const Scalar& value) {
  check_scalar_fits(value, t->dtype(), "fill_");
  check_no_internal_overlap(t, "fill_");
  t->bump_version();
  if (t->device().is_cpu()) {
    cpu::fill(t, value);
  } else if (t->numel() > 0) {
    const Operand op{static_cast<char*>(t->raw_data()), &t->strides(), t->itemsize()};
    cuda::fill(StridedLoop(t->sizes(), 1, &op), t->dtype(), value);
  }
  return t;
}

Tensor full(const DimVec& size, const Scalar& value, DType dtype, Device device) {
  check_size(size);
  check_scalar_fits(value, dtype, "full");
  Tensor t = pt::empty(size, dtype, device);
  fill_(t, value);
  return t;
}

Tensor zeros(const DimVec& size, DType dtype, Device device) {
  return full(size, Scalar::from_int(0), dtype, device);
}

Tensor ones(const DimVec& size, DType dtype, Device device) {
  return full(size, Scalar::from_int(1), dtype, device);
}

DType scalar_dtype(const Scalar& value, DType floating) {
  return value.kind == Scalar::Kind::Bool ? DType::Bool
         : value.kind == Scalar::Kind::Int ? DType::Int64
                                           : floating;
}

int64_t arange_length(const Scalar& start, const Scalar& end, const Scalar& step, DType dtype) {
  const double xstart = start.f, xend = end.f, xstep = step.f;
  PT_CHECK(std::isfinite(xstart) && std::isfinite(xend), RuntimeError, "unsupported range: ",
           xstart, " -> ", xend);
  PT_CHECK(xstep != 0, RuntimeError, "step must be nonzero");
  PT_CHECK((xstep > 0 && xend >= xstart) || (xstep < 0 && xend <= xstart), RuntimeError,
           "upper bound and larger bound inconsistent with step sign");
  // As PyTorch: integral outputs take the distance in int64, floating ones in float64.
  double n;
  if (is_floating(dtype))
    n = std::ceil((xend - xstart) / xstep);
  else
    n = std::ceil(static_cast<double>(end.to<int64_t>() - start.to<int64_t>()) /
                  static_cast<double>(step.to<int64_t>()));
  PT_CHECK(n >= 0 && n <= static_cast<double>(std::numeric_limits<int64_t>::max()), RuntimeError,
           "arange: invalid size ", n, ", possible overflow?");
  return static_cast<int64_t>(n);
}

Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step, DType dtype, Device device) {
  PT_CHECK(dtype != DType::Bool, RuntimeError, "\"arange_cpu\" not implemented for 'bool'");
  PT_CHECK(is_floating(dtype) || step.to<int64_t>() != 0, RuntimeError,
           "step must be nonzero (step ", step.f, " truncates to 0 in ", dtype, ")");
  const int64_t n = arange_length(start, end, step, dtype);
  Tensor t = pt::empty({n}, dtype, device);
  if (device.is_cuda()) cuda::arange(t->raw_data(), n, dtype, start, step);
  else cpu::arange(t, start, step);
  return t;
}

// linspace/logspace share everything but the final power.
static Tensor spaced(const Scalar& start, const Scalar& end, int64_t steps, const double* base,
                     DType dtype, Device device) {
  PT_CHECK(steps >= 0, RuntimeError, "number of steps must be non-negative");
  PT_CHECK(dtype != DType::Bool, RuntimeError, "\"", base ? "logspace" : "linspace",
           "_cpu\" not implemented for 'bool'");
  // Integral outputs start from the integral ends, as PyTorch does.
  const bool integral = !is_floating(dtype) && !base;
  const double a = integral ? static_cast<double>(start.to<int64_t>()) : start.f;
  const double b = integral ? static_cast<double>(end.to<int64_t>()) : end.f;
  return on_device(device, [&] {
    Tensor t = pt::empty({steps}, dtype);
    cpu::linspace(t, a, b, base);
    return t;
  });
}

Tensor linspace(const Scalar& start, const Scalar& end, int64_t steps, DType dtype, Device device) {
  return spaced(start, end, steps, nullptr, dtype, device);
}

Tensor logspace(const Scalar& start, const Scalar& end, int64_t steps, double base, DType dtype,
                Device device) {
  return spaced(start, end, steps, &base, dtype, device);
}

Tensor eye(int64_t n, int64_t m, DType dtype, Device device) {
  PT_CHECK(n >= 0, RuntimeError, "n must be greater or equal to 0, got ", n);
  PT_CHECK(m >= 0, RuntimeError, "m must be greater or equal to 0, got ", m);
  return on_device(device, [&] {
    Tensor t = pt::empty({n, m}, dtype);
    cpu::eye(t);
    return t;
  });
}

}  // namespace pt::ops

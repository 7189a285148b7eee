// CPU kernels that write a tensor from a formula rather than from inputs: constant fill,
// arange, linspace/logspace and the identity matrix.
#pragma once
#include "core/scalar.h"
#include "core/tensor.h"

namespace pt::cpu {

// Every element of `t` (any layout) set to `value` cast to t's dtype.
void fill(const Tensor& t, const Scalar& value);
// out[i] = start + step * i, in float64 for floating outputs and int64 for integral ones.
// `out` is contiguous.
void arange(const Tensor& out, const Scalar& start, const Scalar& step);
// PyTorch's symmetric linspace in float64: the first half counts up from start, the second
// half down from end, so both ends are exact. With `log_base`, out[i] = base ** value.
void linspace(const Tensor& out, double start, double end, const double* log_base);
// Contiguous 2-D `out` set to the identity (ones on the main diagonal).
void eye(const Tensor& out);

}  // namespace pt::cpu

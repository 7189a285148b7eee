// Tensor factories: empty/zeros/ones/full, arange/linspace/logspace, eye, empty_strided and
// fill_. full/zeros/ones, fill_ and arange write on the target device; the others build on
// the CPU and move the result to `device`.
#pragma once
#include "core/scalar.h"
#include "core/tensor.h"

namespace pt::ops {

// PyTorch's check and message for sizes: "Trying to create tensor with negative dimension".
void check_size(const DimVec& size);

Tensor empty(const DimVec& size, DType dtype, Device device);
Tensor empty_strided(const DimVec& size, const DimVec& stride, DType dtype, Device device);
Tensor full(const DimVec& size, const Scalar& value, DType dtype, Device device);
Tensor zeros(const DimVec& size, DType dtype, Device device);
Tensor ones(const DimVec& size, DType dtype, Device device);
// The dtype full() gives a Python number when none is asked for: bool, int64 or `floating`.
DType scalar_dtype(const Scalar& value, DType floating);

Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step, DType dtype, Device device);
// The number of elements arange yields, with PyTorch's checks on the bounds and step.
int64_t arange_length(const Scalar& start, const Scalar& end, const Scalar& step, DType dtype);
Tensor linspace(const Scalar& start, const Scalar& end, int64_t steps, DType dtype, Device device);
Tensor logspace(const Scalar& start, const Scalar& end, int64_t steps, double base, DType dtype,
                Device device);
Tensor eye(int64_t n, int64_t m, DType dtype, Device device);

// Every element of t set to value (checked to fit t's dtype). Returns t.
const Tensor& fill_(const Tensor& t, const Scalar& value);

}  // namespace pt::ops

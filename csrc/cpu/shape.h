// CPU kernels of the shape family that a strided copy cannot express.
#pragma once
#include "core/tensor.h"

namespace pt::cpu {

// In place on every matrix (last two dims) of `t`, which may be strided: zeroes what tril(k)
// drops (columns j > i + k) when `lower`, else what triu(k) drops (columns j < i + k).
void zero_triangle(const Tensor& t, int64_t k, bool lower);

}  // namespace pt::cpu

// CPU copy kernels that the strided elementwise loop runs slowly.
#pragma once
#include "core/tensor.h"

namespace pt::cpu {

// dst = src (same dtype; src read at `src_strides`, dst's shape) in square tiles when the two
// walk memory in different orders (a transpose: dst's innermost dim is not src's), so both
// sides touch whole cache lines. Returns false, copying nothing, when the pattern is not one.
bool copy_transposed(const Tensor& dst, const Tensor& src, const DimVec& src_strides);

}  // namespace pt::cpu

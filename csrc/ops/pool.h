// Pooling as torch.max_pool1d/2d (with indices), avg_pool1d/2d, adaptive_avg_pool2d and
// adaptive_max_pool2d: PyTorch's checks and output shapes, dispatch to cpu/pool.cpp, and the
// autograd records (MaxPool2DWithIndicesBackward0, AvgPool2DBackward0, ...) in pool.cpp.
#pragma once
#include <optional>
#include <vector>

#include "core/tensor.h"
#include "ops/reduce.h"

namespace pt::ops {

// stride empty: the kernel size. Sizes are one value or one per spatial dim. With
// return_indices false the indices are computed only when the backward needs them (else
// .indices is undefined).
ValuesIndices max_pool2d_with_indices(const Tensor& input, const DimVec& kernel_size,
                                      const DimVec& stride, const DimVec& padding,
                                      const DimVec& dilation, bool ceil_mode, bool return_indices = true);
ValuesIndices max_pool1d_with_indices(const Tensor& input, const DimVec& kernel_size,
                                      const DimVec& stride, const DimVec& padding,
                                      const DimVec& dilation, bool ceil_mode, bool return_indices = true);
Tensor avg_pool2d(const Tensor& input, const DimVec& kernel_size, const DimVec& stride,
                  const DimVec& padding, bool ceil_mode, bool count_include_pad,
                  std::optional<int64_t> divisor_override);
Tensor avg_pool1d(const Tensor& input, const DimVec& kernel_size, const DimVec& stride,
                  const DimVec& padding, bool ceil_mode, bool count_include_pad);
// Adaptive pooling's output_size: two entries, None (nullopt) keeping the input's size.
using OutputSize = std::vector<std::optional<int64_t>>;
Tensor adaptive_avg_pool2d(const Tensor& input, const OutputSize& output_size);
ValuesIndices adaptive_max_pool2d(const Tensor& input, const OutputSize& output_size);

// Tests: run the plain one-window-at-a-time kernels (cpu/pool_ref.cpp) instead of the fast ones.
void use_reference_pool(bool on);

}  // namespace pt::ops

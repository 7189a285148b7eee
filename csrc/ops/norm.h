// Batch norm and layer norm as single ops with one fused backward each (PyTorch's
// NativeBatchNormBackward0 / NativeLayerNormBackward0); group norm stays a composite.
#pragma once
#include <optional>

#include "core/tensor.h"

namespace pt::ops {

// normalized_shape: the trailing dims normalised over.
Tensor layer_norm(const Tensor& input, const DimVec& normalized_shape,
                  const std::optional<Tensor>& weight, const std::optional<Tensor>& bias, double eps);
// Channel dim 1. training: batch statistics, folded into running_mean / running_var (when
// given) with `momentum`, the variance unbiased as PyTorch keeps it; eval: the running ones.
Tensor batch_norm(const Tensor& input, const std::optional<Tensor>& running_mean,
                  const std::optional<Tensor>& running_var, const std::optional<Tensor>& weight,
                  const std::optional<Tensor>& bias, bool training, double momentum, double eps);

}  // namespace pt::ops

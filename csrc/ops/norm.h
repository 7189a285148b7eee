// Batch norm and layer norm as single ops with one fused backward each (PyTorch's
// NativeBatchNormBackward0 / NativeLayerNormBackward0); group norm stays a composite.
#pragma once
#include "core/tensor.h"

namespace pt::ops {

// weight / bias may be null. normalized_shape: the trailing dims normalised over.
Tensor layer_norm(const Tensor& input, const DimVec& normalized_shape, const Tensor& weight,
                  const Tensor& bias, double eps);
// Channel dim 1. training: batch statistics, folded into running_mean / running_var (when
// given) with `momentum`, the variance unbiased as PyTorch keeps it; eval: the running ones.
Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight, const Tensor& bias, bool training, double momentum,
                  double eps);

}  // namespace pt::ops

// CPU kernels of batch norm and layer norm, fused: statistics, normalisation and affine in one
// forward, and one backward that yields the input, weight and bias gradients together.
#pragma once
#include <cstdint>

#include "core/tensor.h"

namespace pt::cpu {

// A contiguous tensor seen as (outer, C, inner): channel c's values are x[o, c, i] for every o
// and i. Batch norm over (N, C, *) is (N, C, prod(*)); layer norm over rows of D is (1, R, D).
// The weight and bias are indexed by the channel (batch norm) or by i (layer norm).
struct NormGeometry {
  int64_t outer, channels, inner;
  bool affine_by_channel;
};

// y = (x - mean) * rstd * w + b per channel. The statistics come from mean_in / var_in
// (running statistics) when given, else are computed (biased variance). mean / rstd / var
// receive the per-channel values used (var may be null). w and b may be null.
void norm_forward(const NormGeometry& geo, const Tensor& x, const Tensor& y, const Tensor* w,
                  const Tensor* b, const Tensor* mean_in, const Tensor* var_in, double eps,
                  const Tensor& mean, const Tensor& rstd, const Tensor* var);

// Gradients from the upstream gradient g and the saved statistics. `batch_stats`: the
// statistics were computed from x, so they depend on it (training); else they were constants.
// dx / dw / db may be null when not needed; w may be null (no affine).
void norm_backward(const NormGeometry& geo, const Tensor& x, const Tensor& g, const Tensor* w,
                   const Tensor& mean, const Tensor& rstd, bool batch_stats, const Tensor* dx,
                   const Tensor* dw, const Tensor* db);

}  // namespace pt::cpu

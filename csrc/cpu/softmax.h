// CPU softmax / log_softmax kernels.
#pragma once
#include <cstdint>

#include "core/tensor.h"

namespace pt::cpu {

// out = softmax (log_softmax when `log`) of `in` along `dim`; both contiguous, same floating
// dtype. Stable: each line is shifted by its max before exp.
void softmax(const Tensor& in, int64_t dim, bool log, const Tensor& out);
// The input gradient from the output y and its gradient g (all contiguous, one floating
// dtype), along `dim`: y * (g - sum(g * y)) for softmax, g - exp(y) * sum(g) for log_softmax.
void softmax_backward(const Tensor& y, const Tensor& g, int64_t dim, bool log, const Tensor& out);

}  // namespace pt::cpu

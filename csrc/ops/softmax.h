// softmax and log_softmax along a dim (the nn.functional versions call these).
#pragma once
#include <optional>

#include "core/tensor.h"

namespace pt::ops {

// dtype, when given, is the dtype the input is cast to before the op (and of the result).
Tensor softmax(const Tensor& t, int64_t dim, std::optional<DType> dtype);
Tensor log_softmax(const Tensor& t, int64_t dim, std::optional<DType> dtype);

}  // namespace pt::ops

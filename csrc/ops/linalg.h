// Matrix products: matmul with PyTorch's 1-D and batch-broadcasting rules, and the strict
// forms mm, bmm, mv, dot, outer; linear (nn.Linear's fused input @ W^T + b). All run on the
// GEMM in csrc/cpu/gemm/.
#pragma once
#include <optional>

#include "core/tensor.h"

namespace pt::ops {

Tensor matmul(const Tensor& a, const Tensor& b);
Tensor mm(const Tensor& a, const Tensor& b);
Tensor bmm(const Tensor& a, const Tensor& b);
Tensor mv(const Tensor& a, const Tensor& v);
Tensor dot(const Tensor& a, const Tensor& b);
Tensor outer(const Tensor& a, const Tensor& b);
// input @ weight^T + bias in one GEMM pass; weight (out, in) or 1-D.
Tensor linear(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias);

}  // namespace pt::ops

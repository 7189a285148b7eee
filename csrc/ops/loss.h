// Loss functions of torch.nn.functional that run as one op each: cross_entropy and nll_loss
// (fused log-softmax + NLL kernels), and the pointwise losses mse, smooth_l1, huber,
// binary_cross_entropy (with and without logits). Each records one node named as PyTorch's.
// `reduction` is "none", "mean" or "sum" (ValueError otherwise, as PyTorch's).
#pragma once
#include <optional>
#include <string>

#include "core/tensor.h"

namespace pt::ops {

// input (C,), (N, C) or (N, C, d1, ...) of logits. target: class indices (int64 or uint8) of
// shape (), (N,) or (N, d1, ...), or class probabilities (floating, input's shape).
Tensor cross_entropy(const Tensor& input, const Tensor& target, const std::optional<Tensor>& weight,
                     int64_t ignore_index, const std::string& reduction, double label_smoothing);
// input holds log-probabilities; target class indices as above.
Tensor nll_loss(const Tensor& input, const Tensor& target, const std::optional<Tensor>& weight,
                int64_t ignore_index, const std::string& reduction);

Tensor mse_loss(const Tensor& input, const Tensor& target, const std::string& reduction);
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, const std::string& reduction,
                      double beta);
Tensor huber_loss(const Tensor& input, const Tensor& target, const std::string& reduction,
                  double delta);
// input holds probabilities in [0, 1]; its logs are clamped to >= -100 as PyTorch's.
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target,
                            const std::optional<Tensor>& weight, const std::string& reduction);
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const std::optional<Tensor>& weight,
                                        const std::optional<Tensor>& pos_weight,
                                        const std::string& reduction);

}  // namespace pt::ops

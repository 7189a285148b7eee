// Convolutions as torch.conv1d / conv2d / conv_transpose1d / conv_transpose2d: PyTorch's
// argument checks and messages, output shapes, dispatch to the CPU kernels, and the autograd
// record (ConvolutionBackward0) with its backward beside the forward in conv.cpp.
#pragma once
#include <optional>

#include "core/tensor.h"

namespace pt::ops {

// Explicit per-dim sizes (one value or one per spatial dim), or padding='same'.
struct ConvPadding {
  DimVec sizes{0};
  bool same = false;
};

Tensor conv1d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias,
              const DimVec& stride, const ConvPadding& padding, const DimVec& dilation,
              int64_t groups);
Tensor conv2d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias,
              const DimVec& stride, const ConvPadding& padding, const DimVec& dilation,
              int64_t groups);
Tensor conv_transpose1d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias,
                        const DimVec& stride, const DimVec& padding, const DimVec& output_padding,
                        int64_t groups, const DimVec& dilation);
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias,
                        const DimVec& stride, const DimVec& padding, const DimVec& output_padding,
                        int64_t groups, const DimVec& dilation);

// Tests switch every convolution to the plain-loop kernels of cpu/conv_ref.cpp.
void use_reference_conv(bool on);

}  // namespace pt::ops

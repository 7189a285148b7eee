// CPU convolution kernels on contiguous NCHW float/double buffers (a 1-D convolution is the
// H == 1 case): the forward, the input gradient (which is also the transposed convolution's
// forward) and the weight gradient, each with a plain-loop reference the tests hold it to.
#pragma once
#include <cstdint>

namespace pt::cpu {

// x: [N, C, H, W], w: [O, C / groups, kh, kw], y: [N, O, OH, OW]. ph/pw are the top/left
// padding; OH/OW are given (the bottom/right padding is whatever makes them fit).
struct ConvGeom {
  int64_t N, C, H, W;
  int64_t O, kh, kw;
  int64_t OH, OW;
  int64_t sh, sw, ph, pw, dh, dw;
  int64_t groups;
};

// y = conv(x, w) + bias (bias: [O] or null).
template <class T>
void conv2d_forward(const ConvGeom& g, const T* x, const T* w, const T* bias, T* y);
// dx = the adjoint of conv(., w) applied to dy, plus bias ([C] or null: the transposed
// convolution's bias).
template <class T>
void conv2d_grad_input(const ConvGeom& g, const T* dy, const T* w, const T* bias, T* dx);
// dw = the adjoint of conv(x, .) applied to dy.
template <class T>
void conv2d_grad_weight(const ConvGeom& g, const T* dy, const T* x, T* dw);

// The same three, as plain loops with double accumulation (conv_ref.cpp).
template <class T>
void conv2d_forward_ref(const ConvGeom& g, const T* x, const T* w, const T* bias, T* y);
template <class T>
void conv2d_grad_input_ref(const ConvGeom& g, const T* dy, const T* w, const T* bias, T* dx);
template <class T>
void conv2d_grad_weight_ref(const ConvGeom& g, const T* dy, const T* x, T* dw);

}  // namespace pt::cpu

// CPU kernels of the fused cross-entropy / NLL loss.
#pragma once
#include <cstdint>

#include "core/host_device.h"
#include "core/tensor.h"

namespace pt::cpu {

// The input x is contiguous (outer, classes, inner); a "position" is one (outer, inner) pair,
// whose classes lie `inner` apart. The loss at a position is -sum_c B_c * logp_c, where logp
// is x's log-softmax over the classes (x itself when !log_softmax, i.e. nll_loss) and B the
// effective target weights:
//   class index t (int64, one per position; ignore_index gives B = 0):
//     B_c = (1 - eps) * w_t * [c == t] + eps / C * w_c
//   class probabilities q (x's shape and dtype): B_c = w_c * ((1 - eps) * q_c + eps / C)
// with w the optional class weights (contiguous (C,), x's dtype; all ones when null).
struct NllGeometry {
  int64_t outer, classes, inner;
  int64_t positions() const { return outer * inner; }
};
struct NllOptions {
  const Tensor* weight;  // null: no class weights
  int64_t ignore_index;
  double smoothing;
  bool log_softmax;
  bool prob_target;
};

// The effective target weight B_c at a position (the CPU kernels and cuda/loss.cu share it):
// for class index `t` (already known not to be ignored) or for the probabilities `q` (classes
// `stride` apart).
template <class T>
struct NllTargetWeights {
  const T* w;  // class weights or null
  double eps_over_c, keep;  // eps / C and 1 - eps
  PT_HOST_DEVICE double weight(int64_t c) const { return w ? static_cast<double>(w[c]) : 1.0; }
  PT_HOST_DEVICE double index(int64_t t, int64_t c) const {
    return (c == t ? keep * weight(t) : 0.0) + eps_over_c * weight(c);
  }
  PT_HOST_DEVICE double prob(const T* q, int64_t stride, int64_t c) const {
    return weight(c) * (keep * static_cast<double>(q[c * stride]) + eps_over_c);
  }
};

// Writes each position's loss to `loss` and, for class indices, its weight w_t (0 where
// ignored: mean's denominator) to `denom`; with log_softmax, each position's log-sum-exp to
// `lse` (backward reuses it). All outputs contiguous, one element per position, x's dtype.
void nll_forward(const Tensor& x, const Tensor& target, const NllGeometry& g, const NllOptions& o,
                 const Tensor& loss, const Tensor& denom, const Tensor& lse);

// dx = s * (sum_c B_c * softmax_c - B_c) (or -s * B_c for nll) and, for probability targets
// when dtarget is non-null, dtarget_c = -s * (1 - eps) * w_c * logp_c, where the scale
// s = grad[p] * factor (grad holds one element per position, or a single one for 'mean' and
// 'sum').
void nll_backward(const Tensor& x, const Tensor& target, const Tensor& lse, const Tensor& grad,
                  double factor, const NllGeometry& g, const NllOptions& o, const Tensor& dx,
                  const Tensor* dtarget);

}  // namespace pt::cpu

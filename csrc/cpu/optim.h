// CPU kernels of the fused optimizer updates (SGD, Adam/AdamW, RMSprop, Adagrad): one pass over
// the parameter, its gradient and its state buffers, threaded over the elements.
#pragma once
#include "core/tensor.h"

namespace pt::cpu {

// Hyper-parameters in double, as Python gives them; the kernels round each to the parameter's
// dtype where PyTorch's single-tensor update uses it as a scalar argument.
struct SgdOptions {
  double lr, momentum, dampening, weight_decay;
  bool nesterov, maximize, first_step;  // first_step: the momentum buffer starts as the gradient
};
struct AdamOptions {
  double lr, beta1, beta2, eps, weight_decay;
  bool decoupled, amsgrad, maximize;
  double step;  // counted from 1
};
struct RmspropOptions {
  double lr, alpha, eps, weight_decay, momentum;
  bool centered, maximize;
};
struct AdagradOptions {
  double lr, lr_decay, weight_decay, eps;
  bool maximize;
  double step;  // counted from 1
};

// Every tensor is contiguous with the parameter's numel and floating dtype; buffers an option
// turns off are null.
void sgd_step(const Tensor& param, const Tensor& grad, const Tensor* momentum_buffer,
              const SgdOptions& o);
void adam_step(const Tensor& param, const Tensor& grad, const Tensor& exp_avg,
               const Tensor& exp_avg_sq, const Tensor* max_exp_avg_sq, const AdamOptions& o);
void rmsprop_step(const Tensor& param, const Tensor& grad, const Tensor& square_avg,
                  const Tensor* grad_avg, const Tensor* momentum_buffer, const RmspropOptions& o);
void adagrad_step(const Tensor& param, const Tensor& grad, const Tensor& sum,
                  const AdagradOptions& o);

}  // namespace pt::cpu

// Fused optimizer updates: one in-place op per parameter that performs PyTorch's single-tensor
// step of SGD, Adam/AdamW, RMSprop or Adagrad in one pass over the parameter, its gradient and
// its state buffers. They record no autograd history (torch.optim steps under no_grad) and bump
// the version of every tensor they write. `step` is the optimizer's one-element floating-point
// step counter: the op adds 1 to it and uses the new count.
//
// The *_multi_ forms take lists (one entry per parameter; an optional list is given or not for
// all) and update every parameter as the single-tensor op would, in that order. Parameters
// on CUDA run in few launches of a multi-tensor kernel; the others run one by one.
#pragma once
#include <optional>
#include <vector>

#include "core/tensor.h"

namespace pt::ops {

// momentum_buffer is required when momentum != 0; on the first step it is filled with the
// (decayed) gradient instead of being read.
void sgd_step_(const Tensor& param, const Tensor& grad,
               const std::optional<Tensor>& momentum_buffer, double lr, double momentum,
               double dampening, double weight_decay, bool nesterov, bool maximize,
               bool first_step);
// decoupled: AdamW's weight decay (p *= 1 - lr * weight_decay). max_exp_avg_sq is required
// with amsgrad.
void adam_step_(const Tensor& param, const Tensor& grad, const Tensor& exp_avg,
                const Tensor& exp_avg_sq, const std::optional<Tensor>& max_exp_avg_sq,
                const Tensor& step, double lr, double beta1, double beta2, double eps,
                double weight_decay, bool decoupled, bool amsgrad, bool maximize);
// Centered when grad_avg is given; momentum_buffer is required when momentum > 0.
void rmsprop_step_(const Tensor& param, const Tensor& grad, const Tensor& square_avg,
                   const std::optional<Tensor>& grad_avg,
                   const std::optional<Tensor>& momentum_buffer, const Tensor& step, double lr,
                   double alpha, double eps, double weight_decay, double momentum,
                   bool maximize);
void adagrad_step_(const Tensor& param, const Tensor& grad, const Tensor& sum,
                   const Tensor& step, double lr, double lr_decay, double weight_decay,
                   double eps, bool maximize);

void sgd_step_multi_(const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                     const std::optional<std::vector<Tensor>>& momentum_buffers, double lr,
                     double momentum, double dampening, double weight_decay, bool nesterov,
                     bool maximize, const std::vector<bool>& first_steps);
void adam_step_multi_(const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                      const std::vector<Tensor>& exp_avgs, const std::vector<Tensor>& exp_avg_sqs,
                      const std::optional<std::vector<Tensor>>& max_exp_avg_sqs,
                      const std::vector<Tensor>& steps, double lr, double beta1, double beta2,
                      double eps, double weight_decay, bool decoupled, bool amsgrad,
                      bool maximize);
void rmsprop_step_multi_(const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                         const std::vector<Tensor>& square_avgs,
                         const std::optional<std::vector<Tensor>>& grad_avgs,
                         const std::optional<std::vector<Tensor>>& momentum_buffers,
                         const std::vector<Tensor>& steps, double lr, double alpha, double eps,
                         double weight_decay, double momentum, bool maximize);
void adagrad_step_multi_(const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                         const std::vector<Tensor>& sums, const std::vector<Tensor>& steps,
                         double lr, double lr_decay, double weight_decay, double eps,
                         bool maximize);

}  // namespace pt::ops

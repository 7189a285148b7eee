"""Adam: adaptive moment estimation (with the AMSGrad variant and optional decoupled decay)."""
import math

import pytensor
from pytensor.optim.optimizer import Optimizer, _check_flags, _check_nonneg

__all__ = ["Adam"]


class Adam(Optimizer):
    r"""Adam. For each parameter p with gradient g, at step t (counted from 1):

        g <- -g                                     if maximize
        p <- p * (1 - lr * weight_decay)            if decoupled_weight_decay (AdamW)
        g <- g + weight_decay * p                   otherwise, if weight_decay != 0
        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g * g
        v_max <- max(v_max, v); v_hat = v_max       if amsgrad, else v_hat = v
        p <- p - lr / (1 - beta1^t) * m / (sqrt(v_hat) / sqrt(1 - beta2^t) + eps)

    State: 'step' (a 0-d float32 tensor), 'exp_avg' (m), 'exp_avg_sq' (v) and, with amsgrad,
    'max_exp_avg_sq' (v_max), all zero at first."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        _check_nonneg(lr, "learning rate")
        _check_nonneg(eps, "epsilon value")
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
        _check_nonneg(weight_decay, "weight_decay value")
        _check_flags(fused, differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Performs one optimization step; returns the closure's loss (None without one)."""
        return self._step_each(closure)

    def _update(self, p, grad, group, state):
        lr, weight_decay, (beta1, beta2) = group["lr"], group["weight_decay"], group["betas"]
        if not state:
            state["step"] = pytensor.tensor(0.0)
            state["exp_avg"] = pytensor.zeros_like(p)
            state["exp_avg_sq"] = pytensor.zeros_like(p)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = pytensor.zeros_like(p)
        step = state["step"].add_(1).item()
        if group["maximize"]:
            grad = grad.neg()
        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                p.mul_(1 - lr * weight_decay)
            else:
                grad = grad.add(p, alpha=weight_decay)
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
        exp_avg_sq.mul_(beta2).add_(grad.square(), alpha=1 - beta2)
        v_hat = exp_avg_sq
        if group["amsgrad"]:
            v_max = state["max_exp_avg_sq"]
            v_hat = v_max.copy_(pytensor.maximum(v_max, exp_avg_sq))
        denom = v_hat.sqrt().div_(math.sqrt(1 - beta2 ** step)).add_(group["eps"])
        p.add_(exp_avg.div(denom), alpha=-lr / (1 - beta1 ** step))

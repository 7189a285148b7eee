"""Adam: adaptive moment estimation (with the AMSGrad variant and optional decoupled decay)."""
import pytensor
from pytensor._C import _adam_step_, _adam_step_multi_
from pytensor.optim.optimizer import Optimizer, _check_flags, _check_nonneg, _zeros_buffer

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
'max_exp_avg_sq' (v_max), all zero at first. Each parameter's update is one fused C++ op
    (_C._adam_step_), with PyTorch's arithmetic in the parameter's dtype; the CUDA parameters of
    a group are updated together by the multi-tensor op (_C._adam_step_multi_)."""

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

    def _update_group(self, group):
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        weight_decay, amsgrad, maximize = group["weight_decay"], group["amsgrad"], group["maximize"]
        decoupled = group["decoupled_weight_decay"]
        state = self.state
        cuda = ([], [], [], [], [], [])  # params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps
        for p in group["params"]:
            grad = p.grad
            if grad is None:
                continue
            p_state = state[p]
            if not p_state:
                p_state["step"] = pytensor.tensor(0.0)
                p_state["exp_avg"] = pytensor.zeros_like(p)
                p_state["exp_avg_sq"] = pytensor.zeros_like(p)
            v_max = _zeros_buffer(p_state, "max_exp_avg_sq", p) if amsgrad else None
            if p.device.type == "cuda":
                for lst, v in zip(cuda, (p, grad, p_state["exp_avg"], p_state["exp_avg_sq"], v_max,
                                         p_state["step"])):
                    lst.append(v)
                continue
            _adam_step_(p, grad, p_state["exp_avg"], p_state["exp_avg_sq"], v_max, p_state["step"],
                        lr, beta1, beta2, eps, weight_decay, decoupled, amsgrad, maximize)
        if cuda[0]:
            _adam_step_multi_(cuda[0], cuda[1], cuda[2], cuda[3], cuda[4] if amsgrad else None,
                              cuda[5], lr, beta1, beta2, eps, weight_decay, decoupled, amsgrad,
                              maximize)

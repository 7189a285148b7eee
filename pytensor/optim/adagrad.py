"""Adagrad: per-coordinate learning rates from the accumulated squared gradients."""
import pytensor
from pytensor._C import _adagrad_step_, _adagrad_step_multi_
from pytensor.optim.optimizer import Optimizer, _check_flags, _check_nonneg

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad. For each parameter p with gradient g, at step t (counted from 1):

        g <- -g                                     if maximize
        g <- g + weight_decay * p                   if weight_decay != 0
        clr = lr / (1 + (t - 1) * lr_decay)
        s <- s + g * g
        p <- p - clr * g / (sqrt(s) + eps)

    State: 'step' and 'sum' (s, filled with initial_accumulator_value), created for every
    parameter when the optimizer is built (so state_dict() lists them before any step). Each
    parameter's update is one fused C++ op (_C._adagrad_step_), with PyTorch's arithmetic in the
    parameter's dtype; the CUDA parameters of a group are updated together by the multi-tensor
    op (_C._adagrad_step_multi_)."""

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None):
        _check_nonneg(lr, "learning rate")
        _check_nonneg(lr_decay, "lr_decay value")
        _check_nonneg(weight_decay, "weight_decay value")
        _check_nonneg(initial_accumulator_value, "initial_accumulator_value value")
        _check_nonneg(eps, "epsilon value")
        _check_flags(fused, differentiable)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, group, self.state[p])

    @staticmethod
    def _init_state(p, group, state):
        state["step"] = pytensor.tensor(0.0)
        state["sum"] = pytensor.full_like(p, group["initial_accumulator_value"])

    def step(self, closure=None):
        """Performs one optimization step; returns the closure's loss (None without one)."""
        return self._step_each(closure)

    def _update_group(self, group):
        lr, lr_decay, eps = group["lr"], group["lr_decay"], group["eps"]
        weight_decay, maximize = group["weight_decay"], group["maximize"]
        state = self.state
        cuda = ([], [], [], [])  # params, grads, sums, steps
        for p in group["params"]:
            grad = p.grad
            if grad is None:
                continue
            p_state = state[p]
            if not p_state:  # a group added after construction
                self._init_state(p, group, p_state)
            if p.device.type == "cuda":
                for lst, v in zip(cuda, (p, grad, p_state["sum"], p_state["step"])):
                    lst.append(v)
                continue
            _adagrad_step_(p, grad, p_state["sum"], p_state["step"], lr, lr_decay, weight_decay, eps,
                           maximize)
        if cuda[0]:
            _adagrad_step_multi_(cuda[0], cuda[1], cuda[2], cuda[3], lr, lr_decay, weight_decay, eps,
                                 maximize)

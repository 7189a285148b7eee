"""RMSprop: gradient scaled by a running root mean square (optionally centered, with momentum)."""
import pytensor
from pytensor.optim.optimizer import Optimizer, _check_flags, _check_nonneg

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop. For each parameter p with gradient g:

        g <- -g                                     if maximize
        g <- g + weight_decay * p                   if weight_decay != 0
        v <- alpha * v + (1 - alpha) * g * g
        if centered: a <- alpha * a + (1 - alpha) * g;  d = sqrt(v - a * a) + eps
        else:        d = sqrt(v) + eps
        if momentum > 0: b <- momentum * b + g / d;  p <- p - lr * b
        else:            p <- p - lr * g / d

    State: 'step', 'square_avg' (v), 'momentum_buffer' (b) when momentum > 0 and 'grad_avg'
    (a) when centered, all zero at first."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        _check_nonneg(lr, "learning rate")
        _check_nonneg(eps, "epsilon value")
        _check_nonneg(momentum, "momentum value")
        _check_nonneg(weight_decay, "weight_decay value")
        _check_nonneg(alpha, "alpha value")
        _check_flags(False, differentiable)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Performs one optimization step; returns the closure's loss (None without one)."""
        return self._step_each(closure)

    def _update(self, p, grad, group, state):
        alpha, momentum, weight_decay = group["alpha"], group["momentum"], group["weight_decay"]
        if not state:
            state["step"] = pytensor.tensor(0.0)
            state["square_avg"] = pytensor.zeros_like(p)
            if momentum > 0:
                state["momentum_buffer"] = pytensor.zeros_like(p)
            if group["centered"]:
                state["grad_avg"] = pytensor.zeros_like(p)
        state["step"].add_(1)
        if group["maximize"]:
            grad = grad.neg()
        if weight_decay != 0:
            grad = grad.add(p, alpha=weight_decay)
        square_avg = state["square_avg"]
        square_avg.mul_(alpha).add_(grad.square(), alpha=1 - alpha)
        if group["centered"]:
            grad_avg = state["grad_avg"]
            grad_avg.mul_(alpha).add_(grad, alpha=1 - alpha)
            denom = square_avg.sub(grad_avg.square()).sqrt_().add_(group["eps"])
        else:
            denom = square_avg.sqrt().add_(group["eps"])
        if momentum > 0:
            buf = state["momentum_buffer"]
            buf.mul_(momentum).add_(grad.div(denom))
            p.add_(buf, alpha=-group["lr"])
        else:
            p.add_(grad.div(denom), alpha=-group["lr"])

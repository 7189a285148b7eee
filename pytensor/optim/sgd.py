"""SGD: stochastic gradient descent with optional momentum, dampening, Nesterov and weight decay."""
from pytensor.optim.optimizer import Optimizer, _check_flags, _check_nonneg

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent. For each parameter p with gradient g, at step t:

        g <- -g                                   if maximize
        g <- g + weight_decay * p                 if weight_decay != 0
        if momentum != 0:
            b <- g                                if t == 1
            b <- momentum * b + (1 - dampening) * g   otherwise
            g <- g + momentum * b                 if nesterov, else g <- b
        p <- p - lr * g

    State: 'momentum_buffer' (b) when momentum != 0."""

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
                 *, maximize=False, foreach=None, differentiable=False, fused=None):
        _check_nonneg(lr, "learning rate")
        _check_nonneg(momentum, "momentum value")
        _check_nonneg(weight_decay, "weight_decay value")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        _check_flags(fused, differentiable)
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach,
                        differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Performs one optimization step; returns the closure's loss (None without one)."""
        return self._step_each(closure)

    def _update(self, p, grad, group, state):
        momentum, weight_decay = group["momentum"], group["weight_decay"]
        if group["maximize"]:
            grad = grad.neg()
        if weight_decay != 0:
            grad = grad.add(p, alpha=weight_decay)
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = grad.clone().detach()
            else:
                buf.mul_(momentum).add_(grad, alpha=1 - group["dampening"])
            grad = grad.add(buf, alpha=momentum) if group["nesterov"] else buf
        p.add_(grad, alpha=-group["lr"])

"""RMSprop: gradient scaled by a running root mean square (optionally centered, with momentum)."""
import pytensor
from pytensor._C import _rmsprop_step_, _rmsprop_step_multi_
from pytensor.optim.optimizer import Optimizer, _check_flags, _check_nonneg, _zeros_buffer

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
    (a) when centered, all zero at first. Each parameter's update is one fused C++ op
    (_C._rmsprop_step_), with PyTorch's arithmetic in the parameter's dtype (the centered average
    a moves by lerp, as PyTorch's); the CUDA parameters of a group are updated together by the
    multi-tensor op (_C._rmsprop_step_multi_)."""

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

    def _update_group(self, group):
        lr, alpha, eps, momentum = group["lr"], group["alpha"], group["eps"], group["momentum"]
        weight_decay, centered, maximize = group["weight_decay"], group["centered"], group["maximize"]
        state = self.state
        cuda = ([], [], [], [], [], [])  # params, grads, square_avgs, grad_avgs, buffers, steps
        for p in group["params"]:
            grad = p.grad
            if grad is None:
                continue
            p_state = state[p]
            if not p_state:
                p_state["step"] = pytensor.tensor(0.0)
                p_state["square_avg"] = pytensor.zeros_like(p)
            buf = _zeros_buffer(p_state, "momentum_buffer", p) if momentum > 0 else None
            grad_avg = _zeros_buffer(p_state, "grad_avg", p) if centered else None
            if p.device.type == "cuda":
                for lst, v in zip(cuda, (p, grad, p_state["square_avg"], grad_avg, buf,
                                         p_state["step"])):
                    lst.append(v)
                continue
            _rmsprop_step_(p, grad, p_state["square_avg"], grad_avg, buf, p_state["step"], lr, alpha,
                           eps, weight_decay, momentum, maximize)
        if cuda[0]:
            _rmsprop_step_multi_(cuda[0], cuda[1], cuda[2], cuda[3] if centered else None,
                                 cuda[4] if momentum > 0 else None, cuda[5], lr, alpha, eps,
                                 weight_decay, momentum, maximize)

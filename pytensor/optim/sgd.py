"""SGD: stochastic gradient descent with optional momentum, dampening, Nesterov and weight decay."""
from pytensor._C import _sgd_step_, _sgd_step_multi_, empty_like
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

    State: 'momentum_buffer' (b) when momentum != 0. Each parameter's update is one fused C++
    op (_C._sgd_step_), with PyTorch's arithmetic in the parameter's dtype; the CUDA parameters
    of a group are updated together by the multi-tensor op (_C._sgd_step_multi_)."""

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

    def _update_group(self, group):
        lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
        weight_decay, nesterov, maximize = group["weight_decay"], group["nesterov"], group["maximize"]
        state = self.state
        cuda = ([], [], [], [])  # params, grads, buffers, first steps
        for p in group["params"]:
            grad = p.grad
            if grad is None:
                continue
            if p.device.type == "cuda":
                buf = state[p].get("momentum_buffer") if momentum != 0 else None
                first = momentum != 0 and buf is None
                if first:  # the first step fills the buffer with the gradient
                    buf = state[p]["momentum_buffer"] = empty_like(p)
                for lst, v in zip(cuda, (p, grad, buf, first)):
                    lst.append(v)
                continue
            if momentum == 0:
                _sgd_step_(p, grad, None, lr, 0, dampening, weight_decay, nesterov, maximize, False)
                continue
            p_state = state[p]
            buf = p_state.get("momentum_buffer")
            if buf is None:  # the first step fills the buffer with the gradient
                buf = empty_like(p)
                _sgd_step_(p, grad, buf, lr, momentum, dampening, weight_decay, nesterov, maximize,
                           True)
                p_state["momentum_buffer"] = buf
            else:
                _sgd_step_(p, grad, buf, lr, momentum, dampening, weight_decay, nesterov, maximize,
                           False)
        if cuda[0]:
            _sgd_step_multi_(cuda[0], cuda[1], cuda[2] if momentum != 0 else None, lr, momentum,
                             dampening, weight_decay, nesterov, maximize, cuda[3])

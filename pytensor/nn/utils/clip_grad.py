"""Gradient clipping by total norm or by value, applied in place to parameters' .grad."""
import math

import pytensor
from pytensor import _C
from pytensor.autograd import no_grad

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


def _grads(parameters):
    if isinstance(parameters, _C.Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scales all gradients by max_norm / total_norm when the norm of all of them taken together
    exceeds max_norm; returns that total norm."""
    grads = _grads(parameters)
    norm_type = float(norm_type)
    if not grads:
        return pytensor.tensor(0.0)
    with no_grad():
        norms = _C.stack([g.detach().norm(norm_type).to(grads[0].dtype) for g in grads])
        total = norms.max() if math.isinf(norm_type) else norms.norm(norm_type)
        if error_if_nonfinite and not bool(_C.isfinite(total)):
            raise RuntimeError(
                f"The total norm of order {norm_type} for gradients from `parameters` is "
                "non-finite, so it cannot be clipped. To disable this error and scale the "
                "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`")
        # The 1e-6 keeps the division finite; the clamp means gradients are never scaled up.
        scale = (max_norm / (total + 1e-6)).clamp(max=1.0)
        for g in grads:
            g.mul_(scale.to(g.dtype))
    return total


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamps every gradient element to [-clip_value, clip_value]."""
    clip_value = float(clip_value)
    with no_grad():
        for g in _grads(parameters):
            g.clamp_(-clip_value, clip_value)

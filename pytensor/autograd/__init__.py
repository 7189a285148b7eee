"""pytensor.autograd: backward, grad, grad modes, custom Functions and gradcheck. The tape
and the engine are C++ (csrc/autograd/); this package only exposes them."""
from pytensor import _C
from pytensor.autograd.grad_mode import no_grad, enable_grad, set_grad_enabled, inference_mode
from pytensor.autograd.function import Function, FunctionCtx
from pytensor.autograd.gradcheck import gradcheck, gradgradcheck
from pytensor.autograd import graph  # noqa: F401


def _as_tuple(x):
    if x is None:
        return None
    return (x,) if isinstance(x, _C.Tensor) else tuple(x)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulates the gradients of `tensors` into the .grad of the leaves (or of `inputs`)."""
    tensors = _as_tuple(tensors)
    grad_tensors = _as_tuple(grad_tensors)
    if inputs is not None and len(_as_tuple(inputs)) == 0:
        raise RuntimeError("backward: 'inputs' argument to backward() cannot be empty.")
    _C._run_backward(tensors, grad_tensors, retain_graph, create_graph, _as_tuple(inputs),
                     False, False)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of `outputs` with respect to `inputs`, returned (not accumulated)."""
    outputs, inputs = _as_tuple(outputs), _as_tuple(inputs)
    if not inputs:
        raise RuntimeError("grad requires non-empty inputs.")
    allow_unused = materialize_grads if allow_unused is None else allow_unused
    result = _C._run_backward(outputs, _as_tuple(grad_outputs), retain_graph, create_graph,
                              inputs, allow_unused, True)
    if materialize_grads:
        from pytensor import zeros_like
        result = tuple(g if g is not None else zeros_like(i) for g, i in zip(result, inputs))
    return result


__all__ = ["backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
           "Function", "FunctionCtx", "gradcheck", "gradgradcheck"]

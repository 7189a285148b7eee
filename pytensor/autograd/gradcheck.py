"""gradcheck: analytic gradients (the tape) against central finite differences, in float64."""
import numpy as np

from pytensor import _C


def _tuple(x):
    return (x,) if isinstance(x, _C.Tensor) else tuple(x)


def _outputs(func, inputs):
    return [o for o in _tuple(func(*inputs)) if isinstance(o, _C.Tensor)]


def _fail(msg, raise_exception):
    if raise_exception:
        raise GradcheckError(msg)
    return False


class GradcheckError(RuntimeError):
    pass


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, fast_mode=False, **_ignored):
    """True when d(outputs)/d(inputs) from backward matches (f(x+eps) - f(x-eps)) / 2eps for
    every input that requires grad. Inputs should be float64."""
    from pytensor import autograd, zeros_like
    inputs = _tuple(inputs)
    diff = [i for i, t in enumerate(inputs) if isinstance(t, _C.Tensor) and t.requires_grad]
    if not diff:
        raise ValueError("gradcheck expects at least one input tensor to require gradient")
    for i in diff:
        if inputs[i].dtype is not _C.float64:
            import warnings
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating "
                          "point. gradcheck is only reliable in float64.")
    outputs = _outputs(func, inputs)
    for k, out in enumerate(outputs):
        n_out = out.numel()
        # Numerical Jacobian: columns from perturbing one input element at a time.
        for i in diff:
            x = inputs[i]
            xv = x.detach().numpy()
            numeric = np.zeros((x.numel(), n_out))
            flat_idx = list(np.ndindex(*xv.shape)) if xv.ndim else [()]
            for col, idx in enumerate(flat_idx):
                orig = xv[idx].item()
                xv[idx] = orig + eps
                plus = np.array(_outputs(func, inputs)[k].detach().numpy(), dtype=np.float64).ravel()
                xv[idx] = orig - eps
                minus = np.array(_outputs(func, inputs)[k].detach().numpy(), dtype=np.float64).ravel()
                xv[idx] = orig
                numeric[col] = (plus - minus) / (2 * eps)
            # Analytic Jacobian: one backward per output element.
            analytic = np.zeros((x.numel(), n_out))
            if out.requires_grad:
                for j in range(n_out):
                    g = zeros_like(out)
                    g.view(-1)[j] = 1
                    (gx,) = autograd.grad([out], [x], [g], retain_graph=True, allow_unused=True)
                    if gx is not None:
                        if tuple(gx.shape) != tuple(x.shape):
                            return _fail(f"gradient of input {i} has shape {tuple(gx.shape)}, "
                                         f"expected {tuple(x.shape)}", raise_exception)
                        analytic[:, j] = np.asarray(gx.detach().numpy(), dtype=np.float64).ravel()
            if not np.allclose(analytic, numeric, atol=atol, rtol=rtol):
                return _fail(f"Jacobian mismatch for output {k} with respect to input {i},\n"
                             f"numerical:{numeric}\nanalytical:{analytic}\n", raise_exception)
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  raise_exception=True, **_ignored):
    """gradcheck of the first derivative (built with create_graph=True) of func."""
    from pytensor import autograd, randn_like
    inputs = _tuple(inputs)
    outputs = _outputs(func, inputs)
    if grad_outputs is None:
        grad_outputs = [randn_like(o, dtype=o.dtype).requires_grad_() for o in outputs]
    grad_outputs = _tuple(grad_outputs)
    diff = [t for t in inputs if isinstance(t, _C.Tensor) and t.requires_grad]

    def first_derivative(*args):
        ins, gos = args[:len(inputs)], args[len(inputs):]
        outs = _outputs(func, ins)
        d = [t for t in ins if isinstance(t, _C.Tensor) and t.requires_grad]
        grads = autograd.grad(outs, d, gos, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    del diff
    return gradcheck(first_derivative, inputs + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)

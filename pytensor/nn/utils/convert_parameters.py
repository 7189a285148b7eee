"""Flattening parameters into one vector and back (as used by second-order and evolution
methods)."""
from pytensor import _C

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def _check_vector(vec):
    if not isinstance(vec, _C.Tensor):
        raise TypeError(f"expected pytensor.Tensor, but got: {type(vec).__name__}")


def parameters_to_vector(parameters):
    """One 1-D tensor holding every parameter's values in order (differentiable)."""
    return _C.cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec, parameters):
    """Replaces each parameter's data by the next numel() values of vec, in order."""
    _check_vector(vec)
    offset = 0
    for p in parameters:
        n = p.numel()
        p.data = vec[offset:offset + n].view_as(p).data
        offset += n

"""nn.Parameter: a Tensor that a Module registers as one of its parameters."""
from pytensor import _C
from pytensor import _tensor_methods

__all__ = ["Parameter"]


class Parameter(_C.Tensor):
    """A leaf tensor sharing `data`'s storage, requiring grad unless told otherwise.

    The C++ Tensor type can only be instantiated by its own constructor, so a Parameter is a
    detached alias of `data` whose Python class is switched to Parameter (same memory layout:
    the subclass adds no slots)."""

    __slots__ = ()

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = _C.empty(0)
        if not isinstance(data, _C.Tensor):
            raise TypeError(f"Parameter(): data must be a Tensor, got {type(data).__name__}")
        t = data.detach()
        t.__class__ = cls
        t.requires_grad_(requires_grad)
        return t

    def __init__(self, data=None, requires_grad=True):
        # Everything happens in __new__; Tensor.__init__ would allocate a second tensor.
        pass

    def __repr__(self):
        return "Parameter containing:\n" + _tensor_methods._repr(self)

    __str__ = __repr__

    def __reduce_ex__(self, protocol):
        return (Parameter, (self.detach(), self.requires_grad))

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        out = Parameter(self.detach().clone(), self.requires_grad)
        if self.grad is not None:
            out.grad = self.grad.clone()
        memo[id(self)] = out
        return out

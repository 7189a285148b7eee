"""Tensor methods written in Python: printing, numpy conversion, and the legacy constructor."""
import numpy as np

from pytensor import _C

Tensor = _C.Tensor


def _repr(self):
    from pytensor import _tensor_str
    t = self.detach()
    if t.is_cuda:
        t = t.cpu()
    return _tensor_str.format_tensor(
        np.asarray(t), t.dtype.__repr__().split(".")[1],
        requires_grad=self.requires_grad,
        grad_fn=self.grad_fn.name() if self.grad_fn is not None else None,
        device=str(self.device), default_dtype=repr(_C.get_default_dtype()).split(".")[1])


def _numpy(self, force=False):
    if self.requires_grad and not force:
        raise RuntimeError("Can't call numpy() on Tensor that requires grad. "
                           "Use tensor.detach().numpy() instead.")
    t = self.detach()
    if t.is_cuda:
        if not force:
            raise TypeError(f"can't convert {self.device} device type tensor to numpy. "
                            "Use Tensor.cpu() to copy the tensor to host memory first.")
        t = t.cpu()
    return np.asarray(t)


def _array(self, dtype=None, copy=None):
    arr = _numpy(self, force=True)
    if dtype is not None:
        arr = arr.astype(dtype, copy=False)
    return arr.copy() if copy else arr


def _tolist(self):
    return _numpy(self, force=True).tolist()


def _format(self, spec):
    if self.dim() == 0:
        return self.item().__format__(spec)
    return object.__format__(self, spec)


def _iter(self):
    if self.dim() == 0:
        raise TypeError("iteration over a 0-d tensor")
    return (self[i] for i in range(len(self)))


def _new(self, *args, device=None):
    """The legacy constructor, as PyTorch's Tensor.new: new() is empty, new(2, 3) or
    new(Size) uninitialised of that size, new(list or array) the data, all in self's dtype."""
    device = self.device if device is None else device
    if len(args) == 1 and isinstance(args[0], Tensor):
        if args[0].dtype != self.dtype:
            raise TypeError(f"new(): expected a tensor of dtype {self.dtype}, but got {args[0].dtype}")
        return args[0].detach()
    if len(args) == 1 and not isinstance(args[0], (int, tuple)) and hasattr(args[0], "__len__"):
        return self.new_tensor(args[0], device=device)
    return self.new_empty(*args if args else (0,), device=device)


Tensor.new = _new
Tensor.__repr__ = _repr
Tensor.__str__ = _repr
Tensor.numpy = _numpy
Tensor.__array__ = _array
Tensor.tolist = _tolist
Tensor.__format__ = _format
Tensor.__iter__ = _iter
Tensor.__module__ = "pytensor"
# numpy defers binary operators to tensors, so `array + tensor` gives a tensor as in PyTorch.
Tensor.__array_priority__ = 1000

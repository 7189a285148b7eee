"""Functions PyTorch users reach for that are compositions of the C++ ops (so autograd goes
through them unchanged): comparisons of whole tensors, addcmul/addcdiv/lerp, trace, meshgrid,
unique, and dtype info."""
import numpy as np

from pytensor import _C

Tensor = _C.Tensor


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(input):
    return input.numel()


def is_floating_point(input):
    return input.is_floating_point()


def clone(input, *, memory_format=None):
    return input.clone()


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|input - other| <= atol + rtol * |other|, elementwise (infinities equal themselves)."""
    other = other if isinstance(other, Tensor) else _C.full_like(input, other)
    close = (input - other).abs() <= atol + rtol * other.abs()
    close = close | (input == other)
    if equal_nan:
        close = close | (input.isnan() & other.isnan())
    return close


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(isclose(input, other, rtol, atol, equal_nan).all())


def equal(input, other):
    """Same shape and same values."""
    return tuple(input.shape) == tuple(other.shape) and bool((input == other).all())


def addcmul(input, tensor1, tensor2, *, value=1):
    return input + value * tensor1 * tensor2


def addcdiv(input, tensor1, tensor2, *, value=1):
    return input + value * tensor1 / tensor2


def lerp(input, end, weight):
    return input + weight * (end - input)


def _addcmul_(self, tensor1, tensor2, *, value=1):
    return self.add_(tensor1 * tensor2, alpha=value)


def _addcdiv_(self, tensor1, tensor2, *, value=1):
    return self.add_(tensor1 / tensor2, alpha=value)


def _lerp_(self, end, weight):
    return self.add_((end - self) * weight)


def _type_as(self, other):
    return self.to(other.dtype)


def trace(input):
    if input.dim() != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.dim()}")
    return input.diagonal().sum()


def meshgrid(*tensors, indexing="ij"):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be one of 'xy' or 'ij', but got {indexing}")
    ts = list(tensors)
    if indexing == "xy" and len(ts) >= 2:
        ts[0], ts[1] = ts[1], ts[0]
    shape = [t.numel() for t in ts]
    out = []
    for i, t in enumerate(ts):
        view = [1] * len(ts)
        view[i] = -1
        out.append(t.reshape(view).expand(shape))
    if indexing == "xy" and len(out) >= 2:  # 'xy' is 'ij' of the first two swapped
        out[0], out[1] = out[1], out[0]
    return tuple(out)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """Distinct values (sorted); not differentiable, as in PyTorch."""
    arr = np.asarray(input.detach().cpu())
    res = np.unique(arr, return_inverse=return_inverse, return_counts=return_counts, axis=dim)
    if not (return_inverse or return_counts):
        return _C.from_numpy(np.ascontiguousarray(res)).clone()
    out = [_C.from_numpy(np.ascontiguousarray(res[0])).clone()]
    k = 1
    if return_inverse:
        out.append(_C.from_numpy(np.ascontiguousarray(res[k].reshape(arr.shape if dim is None else -1)).astype(np.int64)))
        k += 1
    if return_counts:
        out.append(_C.from_numpy(res[k].astype(np.int64)))
    return tuple(out)


class finfo:
    """Machine limits of a floating dtype (bits, eps, max, min, tiny, resolution)."""

    def __init__(self, type=None):
        type = type or _C.get_default_dtype()
        if not type.is_floating_point:
            raise TypeError(f"finfo: {type} is not a floating point dtype")
        info = np.finfo(np.float32 if type is _C.float32 else np.float64)
        self.dtype = repr(type).split(".")[1]
        self.bits, self.eps, self.max, self.min = info.bits, float(info.eps), float(info.max), float(info.min)
        self.tiny = self.smallest_normal = float(info.tiny)
        self.resolution = float(info.resolution)


class iinfo:
    """Limits of an integer dtype (bits, max, min)."""

    def __init__(self, type):
        if type.is_floating_point:
            raise TypeError(f"iinfo: {type} is not an integer dtype")
        np_type = {"bool": np.uint8, "uint8": np.uint8, "int32": np.int32, "int64": np.int64}[repr(type).split(".")[1]]
        info = np.iinfo(np_type)
        self.dtype = repr(type).split(".")[1]
        self.bits, self.max, self.min = info.bits, int(info.max), int(info.min)


Tensor.addcmul = addcmul
Tensor.addcdiv = addcdiv
Tensor.lerp = lerp
Tensor.addcmul_ = _addcmul_
Tensor.addcdiv_ = _addcdiv_
Tensor.lerp_ = _lerp_
Tensor.type_as = _type_as
Tensor.trace = trace
Tensor.unique = unique
Tensor.allclose = allclose
Tensor.isclose = isclose
Tensor.equal = equal

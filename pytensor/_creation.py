"""tensor(), as_tensor() and the legacy typed constructors: Python data -> Tensor via numpy."""
import numpy as np

from pytensor import _C

_NP_OF = {
    _C.bool: np.bool_, _C.uint8: np.uint8, _C.int32: np.int32,
    _C.int64: np.int64, _C.float32: np.float32, _C.float64: np.float64,
}


def _infer_dtype(arr):
    """PyTorch's rules: Python floats become the default dtype, ints int64; numpy keeps its own."""
    kind = arr.dtype.kind
    if kind == "b":
        return _C.bool
    if kind in "iu":
        return _C.uint8 if arr.dtype == np.uint8 else (_C.int32 if arr.dtype == np.int32 else _C.int64)
    if kind == "f":
        return _C.float64 if arr.dtype == np.float64 else _C.float32
    raise TypeError(f"Could not infer dtype of {arr.dtype}")


def _to_numpy(data):
    if isinstance(data, _C.Tensor):
        return np.asarray(data.detach().cpu() if data.is_cuda else data)
    if isinstance(data, (list, tuple)):
        # Lists of tensors (tensor([t1, t2])) go element by element.
        if any(isinstance(x, _C.Tensor) for x in data):
            return np.array([_to_numpy(x) for x in data])
        try:
            arr = np.array(data)
        except ValueError as e:
            raise ValueError(f"expected sequence of equal-length lists: {e}") from None
        if arr.dtype == object:
            raise ValueError("too many dimensions or ragged nested sequence in tensor data")
        return arr
    return np.asarray(data)


def tensor(data, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of `data` (a number, nested lists, an array or a tensor)."""
    arr = _to_numpy(data)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"tensor(): can't convert data of type {arr.dtype} to a tensor")
    from_python = not isinstance(data, (np.ndarray, np.generic, _C.Tensor))
    if dtype is None:
        dtype = _infer_dtype(arr)
        if from_python and arr.dtype.kind == "f":
            dtype = _C.get_default_dtype()
    out = _C.from_numpy(np.array(arr, dtype=_NP_OF[dtype], order="C"))
    if device is not None:
        out = out.to(device)
    if requires_grad:
        out.requires_grad_(True)
    return out


def as_tensor(data, dtype=None, device=None):
    """Shares memory with `data` when it is already a tensor or an array of the right kind."""
    if isinstance(data, _C.Tensor):
        return data.to(dtype=dtype, device=device)
    if isinstance(data, np.ndarray) and (dtype is None or _NP_OF[dtype] == data.dtype.type):
        try:
            out = _C.from_numpy(data)
        except TypeError:
            return tensor(data, dtype=dtype, device=device)
        return out if device is None else out.to(device)
    return tensor(data, dtype=dtype, device=device)


def _legacy(dtype):
    def new(*args, **kwargs):
        if len(args) == 1 and not isinstance(args[0], int):
            return tensor(args[0], dtype=dtype)
        return _C.empty(*args, dtype=dtype)
    return new

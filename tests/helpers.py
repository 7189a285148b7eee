"""Shared test helpers: numpy (float64) is the oracle; tensors are built zero-copy from numpy
views so that non-contiguous, transposed, broadcast (stride 0), empty and 0-d inputs are easy."""
import numpy as np

import pytensor

NP_DTYPES = {
    "bool": np.bool_, "uint8": np.uint8, "int32": np.int32,
    "int64": np.int64, "float32": np.float32, "float64": np.float64,
}
FLOAT_DTYPES = ["float32", "float64"]
INT_DTYPES = ["uint8", "int32", "int64"]
ALL_DTYPES = ["bool"] + INT_DTYPES + FLOAT_DTYPES
# Shapes every kernel test should cover: 0-d, empty, odd, and ranks 1..4.
SHAPES = [(), (0,), (1,), (7,), (3, 0), (5, 3), (2, 3, 5), (2, 1, 4, 3)]


def pt_dtype(name):
    return getattr(pytensor, name)


def dtype_name(t):
    return repr(t.dtype).split(".")[1]


def rand(shape, dtype="float32", rng=None, low=-3, high=3):
    rng = rng or np.random.default_rng(0)
    if dtype == "bool":
        return rng.random(shape) > 0.5
    if dtype in INT_DTYPES:
        lo = 0 if dtype == "uint8" else low
        return rng.integers(lo, high + 1, size=shape).astype(NP_DTYPES[dtype])
    return rng.uniform(low, high, size=shape).astype(NP_DTYPES[dtype])


def layouts(arr):
    """(name, tensor, array) for the same values laid out contiguously, transposed and strided.
    The tensors share memory with the arrays they came from (from_numpy is zero-copy)."""
    yield "contiguous", pytensor.from_numpy(np.ascontiguousarray(arr) if arr.ndim else arr.copy()), arr
    if arr.ndim >= 2:
        t = np.ascontiguousarray(np.swapaxes(arr, 0, -1))
        view = np.swapaxes(t, 0, -1)
        yield "transposed", pytensor.from_numpy(view), view
    if arr.ndim >= 1:
        big = np.repeat(arr, 2, axis=-1)
        view = big[..., ::2]
        yield "strided", pytensor.from_numpy(view), view


def to_np(t):
    assert isinstance(t, pytensor.Tensor), f"expected a Tensor, got {type(t)}"
    return np.asarray(t.cpu() if t.is_cuda else t)


def assert_close(t, expected, rtol=None, atol=None, dtype=None):
    """Shape, dtype (when given), then values against a float64 numpy reference."""
    expected = np.asarray(expected)
    got = to_np(t)
    assert tuple(t.shape) == expected.shape, f"shape {tuple(t.shape)} != {expected.shape}"
    if dtype is not None:
        assert dtype_name(t) == dtype, f"dtype {dtype_name(t)} != {dtype}"
    if got.dtype.kind in "fc" or expected.dtype.kind in "fc":
        tol = {"float32": (1e-5, 1e-6), "float64": (1e-12, 1e-12)}.get(str(got.dtype), (0, 0))
        np.testing.assert_allclose(got.astype(np.float64), expected.astype(np.float64),
                                   rtol=tol[0] if rtol is None else rtol,
                                   atol=tol[1] if atol is None else atol, equal_nan=True)
    else:
        np.testing.assert_array_equal(got, expected)

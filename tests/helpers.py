"""Shared test helpers: numpy (float64) is the oracle; tensors are built zero-copy from numpy
views so that non-contiguous, transposed, broadcast (stride 0), empty and 0-d inputs are easy."""
import os

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


# ---- CUDA: every CUDA op is held against the same op on the CPU ----

# The device the `cuda`-marked tests put tensors on. PYTENSOR_TEST_GPU=cpu runs those tests
# with "cpu" in its place (conftest.py then does not skip them): a dry run of the tests' own
# logic on a machine without a GPU, which checks the tests, not the kernels.
GPU = "cpu" if os.environ.get("PYTENSOR_TEST_GPU") == "cpu" else "cuda"


def on_gpu(t):
    """Whether t lives on the device the cuda tests use."""
    return t.device.type == GPU

# Odd sizes around the block (256 threads) and the float4 width, plus 0-d and empty.
CUDA_SHAPES = [(), (0,), (1,), (3,), (1023,), (257, 3), (3, 0), (2, 3, 5), (4, 1, 33, 7)]


def gpu_layouts(arr):
    """(name, CUDA tensor, array): contiguous, transposed and strided views made on the device."""
    base = pytensor.from_numpy(np.array(arr, order="C")).to(GPU)
    yield "contiguous", base, arr
    if arr.ndim >= 2:
        yield "transposed", base.transpose(0, -1).contiguous().transpose(0, -1), arr
    if arr.ndim >= 1:
        big = pytensor.from_numpy(np.ascontiguousarray(np.repeat(arr, 2, axis=-1))).to(GPU)
        yield "strided", big[..., ::2], arr


def _on(x, device, detach=False):
    if isinstance(x, pytensor.Tensor):
        return (x.detach() if detach else x).to(device)
    if isinstance(x, (list, tuple)):
        return type(x)(_on(v, device, detach) for v in x)
    return x


def same_as_cpu(fn, *args, rtol=None, atol=None):
    """fn on CUDA copies of the tensor arguments (also inside lists) equals fn on the CPU
    originals: every output tensor (a tuple's too) on the device, same dtype, same values."""
    expected = fn(*args)
    got = fn(*[_on(a, GPU) for a in args])
    exp_list = expected if isinstance(expected, (tuple, list)) else [expected]
    got_list = got if isinstance(got, (tuple, list)) else [got]
    assert len(got_list) == len(exp_list)
    for g, e in zip(got_list, exp_list):
        assert on_gpu(g), "output not on the device"
        assert g.dtype == e.dtype, f"dtype {g.dtype} != {e.dtype}"
        ref = to_np(e)
        assert_close(g, ref if ref.dtype.kind in "bui" else ref.astype(np.float64), rtol=rtol, atol=atol)
    return got


def grads_as_cpu(fn, *args, rtol=None, atol=None, seed=0):
    """Forward and backward of fn on the device against the CPU: the floating tensor arguments
    require grad, the output(s) are weighted by fixed random tensors and summed, and every
    input's .grad must match (on the device, same values)."""
    def run(device):
        # Fresh leaves per run: .to("cpu") of a CPU tensor is the tensor itself, whose .grad the
        # device run would otherwise share (and reach through ToCopyBackward0).
        ins = [_on(a, device, detach=True) for a in args]
        leaves = [a for a in ins if isinstance(a, pytensor.Tensor) and a.is_floating_point()]
        for a in leaves:
            a.requires_grad_(True)
        out = fn(*ins)
        outs = out if isinstance(out, (tuple, list)) else [out]
        rng = np.random.default_rng(seed)
        loss = 0
        for o in outs:
            if o.is_floating_point() and o.requires_grad:
                w = pytensor.from_numpy(rng.standard_normal(tuple(o.shape)).astype(to_np(o.detach()).dtype))
                loss = loss + (o * w.to(device)).sum()
        loss.backward()
        return outs, [a.grad for a in leaves]

    cpu_outs, cpu_grads = run("cpu")
    gpu_outs, gpu_grads = run(GPU)
    for g, e in zip(gpu_outs, cpu_outs):
        assert on_gpu(g)
        assert_close(g.detach(), to_np(e.detach()), rtol=rtol, atol=atol)
    for g, e in zip(gpu_grads, cpu_grads):
        assert (g is None) == (e is None)
        if g is not None:
            assert on_gpu(g), ".grad not on the parameter's device"
            assert_close(g, to_np(e), rtol=rtol, atol=atol)

"""DLPack exchange (numpy, and torch when importable) and pickling."""
import copy
import gc
import multiprocessing
import pickle
import weakref

import numpy as np
import pytest

import pytensor
from helpers import ALL_DTYPES, NP_DTYPES, SHAPES, assert_close, dtype_name, layouts, rand, to_np


def shares_memory(t, arr):
    return t.data_ptr() == arr.__array_interface__["data"][0]


# ---- DLPack: pytensor -> numpy ------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_numpy_from_pytensor(dtype, shape):
    arr = rand(shape, dtype)
    for _, t, view in layouts(arr):
        out = np.from_dlpack(t)
        assert out.dtype == NP_DTYPES[dtype] and out.shape == view.shape
        np.testing.assert_array_equal(out, view)
        if view.size > 1:
            assert shares_memory(t, out)
            assert [s for s, n in zip(out.strides, out.shape) if n > 1] == \
                [s for s, n in zip(view.strides, view.shape) if n > 1]


def test_numpy_from_pytensor_shares_writes():
    t = pytensor.zeros(2, 3)
    out = np.from_dlpack(t)
    out[1, 2] = 5
    assert to_np(t)[1, 2] == 5


def test_producer_keeps_tensor_alive():
    t = pytensor.arange(10, dtype=pytensor.float64)
    cap = t.__dlpack__()
    del t
    gc.collect()
    np.testing.assert_array_equal(to_np(pytensor.from_dlpack(cap)), np.arange(10.0))


def test_dlpack_device_and_capsule_names():
    t = pytensor.ones(3)
    assert t.__dlpack_device__() == (1, 0)
    assert "dltensor" in repr(t.__dlpack__())
    assert "dltensor_versioned" in repr(t.__dlpack__(max_version=(1, 0)))
    assert "dltensor_versioned" not in repr(t.__dlpack__(max_version=(0, 8)))
    cap = t.__dlpack__(max_version=(1, 3))
    pytensor.from_dlpack(cap)
    assert "used_dltensor_versioned" in repr(cap)
    with pytest.raises(ValueError, match="can be consumed only once"):
        pytensor.from_dlpack(cap)


def test_dlpack_keywords():
    t = pytensor.arange(4, dtype=pytensor.float32)
    same = pytensor.from_dlpack(t.__dlpack__(dl_device=(1, 0), copy=False))
    assert same.data_ptr() == t.data_ptr()
    copied = pytensor.from_dlpack(t.__dlpack__(max_version=(1, 0), copy=True))
    assert copied.data_ptr() != t.data_ptr()
    assert_close(copied, np.arange(4.0))
    assert pytensor.from_dlpack(t, copy=True).data_ptr() != t.data_ptr()
    assert pytensor.from_dlpack(t, device="cpu").data_ptr() == t.data_ptr()
    with pytest.raises(BufferError, match="cannot export"):
        t.__dlpack__(dl_device=(2, 0))
    with pytest.raises(TypeError, match="stream must be an int or None"):
        t.__dlpack__(stream="x")
    with pytest.raises(BufferError, match="require gradient"):
        pytensor.ones(2, requires_grad=True).__dlpack__()
    np.testing.assert_array_equal(np.from_dlpack(pytensor.ones(2, requires_grad=True).detach()), [1, 1])


# ---- DLPack: numpy -> pytensor ------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_pytensor_from_numpy_dlpack(dtype, shape):
    arr = np.asarray(rand(shape, dtype))
    views = [arr.copy()]
    if arr.ndim >= 2:
        views.append(np.swapaxes(arr.copy(), 0, -1))
    if arr.ndim >= 1:
        views.append(np.repeat(arr, 2, axis=-1)[..., ::2])
        views.append(arr.copy()[::-1])  # negative strides
    for view in views:
        t = pytensor.from_dlpack(view)
        assert dtype_name(t) == dtype and tuple(t.shape) == view.shape
        np.testing.assert_array_equal(to_np(t), view)
        if view.size:
            assert shares_memory(t, view)
            view.flat[0] = view.flat[-1]
            assert to_np(t).flat[0] == view.flat[-1]


def test_consumer_releases_producer():
    arr = np.arange(12.0).reshape(3, 4)
    ref = weakref.ref(arr)
    t = pytensor.from_dlpack(arr)
    del arr
    gc.collect()
    assert ref() is not None  # the capsule's payload holds the array
    np.testing.assert_array_equal(to_np(t), np.arange(12.0).reshape(3, 4))
    view = pytensor.from_numpy(np.asarray(t))  # another tensor on the same memory
    del t
    gc.collect()
    assert ref() is not None
    del view
    gc.collect()
    assert ref() is None  # the producer's deleter ran when the last tensor died


def test_unconsumed_capsule_frees_payload():
    arr = np.arange(3.0)
    ref = weakref.ref(arr)
    cap = arr.__dlpack__()
    del arr, cap
    gc.collect()
    assert ref() is None


def test_round_trip_through_both():
    t = pytensor.arange(6, dtype=pytensor.int32)
    back = pytensor.from_dlpack(np.from_dlpack(t))
    assert back.data_ptr() == t.data_ptr() and dtype_name(back) == "int32"


@pytest.mark.parametrize("np_dtype", [np.float16, np.complex64, np.int8, np.uint16, np.int16])
def test_unsupported_dtype(np_dtype):
    arr = np.zeros(3, np_dtype)
    with pytest.raises(TypeError, match="unsupported DLPack dtype"):
        pytensor.from_dlpack(arr)
    cap = arr.__dlpack__()
    with pytest.raises(TypeError, match="unsupported DLPack dtype"):
        pytensor.from_dlpack(cap)
    assert "used" not in repr(cap)  # not consumed: it still frees itself


def test_from_dlpack_bad_argument():
    with pytest.raises(TypeError, match="expected an object with __dlpack__"):
        pytensor.from_dlpack([1, 2, 3])


# ---- DLPack with torch (optional) --------------------------------------------------------

TORCH_DTYPES = ["bool", "uint8", "int32", "int64", "float32", "float64"]


@pytest.mark.parametrize("dtype", TORCH_DTYPES)
def test_torch_round_trip(dtype):
    torch = pytest.importorskip("torch")
    arr = rand((4, 6), dtype)
    src = torch.from_numpy(arr.copy())
    for view in (src, src.t(), src[:, ::2], src[1]):
        t = pytensor.from_dlpack(view)
        assert t.data_ptr() == view.data_ptr()
        np.testing.assert_array_equal(to_np(t), view.numpy())
        back = torch.from_dlpack(t)
        assert back.data_ptr() == view.data_ptr() and back.stride() == view.stride()
        assert torch.equal(back, view)
    t = pytensor.from_numpy(arr.copy())
    tt = torch.from_dlpack(t)
    tt.view(-1)[0] = tt.view(-1)[-1]
    assert to_np(t).flat[0] == to_np(t).flat[-1]


def test_torch_unsupported_dtype():
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match="unsupported DLPack dtype bfloat16"):
        pytensor.from_dlpack(torch.zeros(2, dtype=torch.bfloat16))


# ---- pickling ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_pickle_round_trip(dtype, shape):
    arr = rand(shape, dtype)
    for _, t, view in layouts(arr):
        for protocol in (2, pickle.HIGHEST_PROTOCOL):
            out = pickle.loads(pickle.dumps(t, protocol=protocol))
            assert isinstance(out, pytensor.Tensor) and out.is_contiguous()
            assert_close(out, view, dtype=dtype)
            if view.size:
                assert out.data_ptr() != t.data_ptr()


def test_pickle_requires_grad_and_copies():
    t = pytensor.arange(6.0).requires_grad_()
    out = pickle.loads(pickle.dumps(t))
    assert out.requires_grad and dtype_name(out) == "float32"
    assert not pickle.loads(pickle.dumps(pytensor.ones(2))).requires_grad
    deep = copy.deepcopy(t)
    assert deep.requires_grad and deep.data_ptr() != t.data_ptr()
    assert_close(deep, np.arange(6.0))
    nested = pickle.loads(pickle.dumps({"w": t, "b": [pytensor.zeros(2, dtype=pytensor.int32)]}))
    assert_close(nested["b"][0], np.zeros(2), dtype="int32")


def test_rebuild_rejects_bad_bytes():
    with pytest.raises(ValueError, match="bytes do not hold"):
        pytensor._C._rebuild_tensor(b"abc", pytensor.float32, [2], False, pytensor.device("cpu"))


def _double_in_worker(t):
    arr = np.asarray(t)
    return pytensor.from_numpy(arr * 2)


def test_pickle_across_spawned_process():
    ctx = multiprocessing.get_context("spawn")
    t = pytensor.arange(6, dtype=pytensor.float64)
    with ctx.Pool(1) as pool:
        out = pool.apply(_double_in_worker, (t,))
    assert_close(out, np.arange(6.0) * 2, dtype="float64")

"""The tensor object itself: dtypes, devices, Size, attributes, conversions, numpy sharing."""
import math
import pickle

import numpy as np
import pytest

import pytensor
from helpers import ALL_DTYPES, NP_DTYPES, assert_close, dtype_name, pt_dtype


def test_dtype_objects_and_aliases():
    assert repr(pytensor.float32) == "pytensor.float32"
    assert str(pytensor.int64) == "pytensor.int64"
    assert pytensor.float is pytensor.float32 and pytensor.double is pytensor.float64
    assert pytensor.long is pytensor.int64 and pytensor.int is pytensor.int32
    assert pytensor.float64.is_floating_point and not pytensor.int32.is_floating_point
    assert pytensor.uint8.itemsize == 1 and pytensor.float64.itemsize == 8
    assert pickle.loads(pickle.dumps(pytensor.float64)) is pytensor.float64
    assert pytensor.get_default_dtype() is pytensor.float32


def test_device_objects():
    d = pytensor.device("cpu")
    assert str(d) == "cpu" and repr(d) == "device(type='cpu')" and d.type == "cpu" and d.index is None
    c = pytensor.device("cuda:1")
    assert (c.type, c.index, str(c)) == ("cuda", 1, "cuda:1")
    assert pytensor.device("cuda", 0) == pytensor.device("cuda:0")
    assert d == "cpu"
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda"):
        pytensor.device("tpu")
    assert pickle.loads(pickle.dumps(c)) == c


def test_size_is_a_tuple_that_prints_like_pytorch():
    t = pytensor.from_numpy(np.zeros((2, 3)))
    assert isinstance(t.shape, tuple) and isinstance(t.shape, pytensor.Size)
    assert t.shape == (2, 3) and str(t.shape) == "pytensor.Size([2, 3])"
    assert repr(pytensor.from_numpy(np.zeros(())).shape) == "pytensor.Size([])"
    assert t.size() == t.shape and t.size(1) == 3 and t.size(-1) == 3
    assert t.shape.numel() == 6 and isinstance(t.shape[1:], pytensor.Size)
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"):
        t.size(2)


@pytest.mark.parametrize("name", ALL_DTYPES)
def test_attributes(name):
    a = np.zeros((2, 3, 4), NP_DTYPES[name])
    t = pytensor.from_numpy(a)
    assert t.dtype is pt_dtype(name)
    assert t.dim() == t.ndim == 3 and t.numel() == 24 and len(t) == 2
    assert t.stride() == (12, 4, 1) and t.stride(0) == 12
    assert t.element_size() == a.itemsize and t.is_contiguous()
    assert t.device == pytensor.device("cpu") and not t.is_cuda
    assert t.is_floating_point() == (name.startswith("float"))
    s = pytensor.from_numpy(a[:, ::2])
    assert not s.is_contiguous() and s.stride() == (12, 8, 1)


def test_from_numpy_shares_memory_both_ways():
    a = np.arange(12.0).reshape(3, 4)
    t = pytensor.from_numpy(a)
    a[0, 0] = 42
    assert t.numpy()[0, 0] == 42
    t.numpy()[2, 3] = -1
    assert a[2, 3] == -1
    assert np.shares_memory(t.numpy(), a)
    # the storage keeps the array alive after the last numpy reference goes
    del a
    assert t.numpy()[0, 0] == 42


def test_from_numpy_negative_and_zero_strides():
    a = np.arange(10.0)
    t = pytensor.from_numpy(a[::-2])
    assert t.stride() == (-2,)
    assert_close(t, a[::-2])
    b = np.broadcast_to(np.arange(3.0), (4, 3))
    assert_close(pytensor.from_numpy(b), b)


def test_from_numpy_rejects_what_it_cannot_hold():
    with pytest.raises(TypeError, match="expected np.ndarray"):
        pytensor.from_numpy([1, 2])
    with pytest.raises(TypeError, match="can't convert"):
        pytensor.from_numpy(np.zeros(3, np.complex64))


def test_tensor_constructor_infers_pytorch_dtypes():
    assert pytensor.tensor([1, 2, 3]).dtype is pytensor.int64
    assert pytensor.tensor([1.0, 2]).dtype is pytensor.float32
    assert pytensor.tensor([True, False]).dtype is pytensor.bool
    assert pytensor.tensor(np.zeros(2)).dtype is pytensor.float64
    assert pytensor.tensor(np.zeros(2, np.int32)).dtype is pytensor.int32
    assert pytensor.tensor(3.5).dim() == 0
    assert pytensor.tensor([[1, 2], [3, 4]], dtype=pytensor.float64).dtype is pytensor.float64
    assert pytensor.tensor([]).shape == (0,)
    t = pytensor.tensor([1.0, 2.0], requires_grad=True)
    assert t.requires_grad
    # a copy, not a view
    a = np.zeros(3)
    pytensor.tensor(a).numpy()[0] = 1
    assert a[0] == 0
    with pytest.raises(ValueError):
        pytensor.tensor([[1, 2], [3]])
    with pytest.raises(TypeError):
        pytensor.tensor(["a"])


def test_as_tensor_shares_when_it_can():
    a = np.arange(3.0)
    t = pytensor.as_tensor(a)
    a[0] = 7
    assert t.numpy()[0] == 7
    assert pytensor.as_tensor(t) is t
    assert pytensor.as_tensor([1, 2]).dtype is pytensor.int64


def test_legacy_constructors():
    assert pytensor.FloatTensor([1, 2]).dtype is pytensor.float32
    assert pytensor.LongTensor([1, 2]).dtype is pytensor.int64
    t = pytensor.Tensor([1, 2, 3])
    assert t.dtype is pytensor.float32 and t.tolist() == [1.0, 2.0, 3.0]
    assert pytensor.Tensor(2, 3).shape == (2, 3)
    assert pytensor.Tensor().shape == (0,)


def test_python_number_conversions():
    t = pytensor.tensor(2.5)
    assert t.item() == 2.5 and float(t) == 2.5 and int(t) == 2 and bool(t)
    assert isinstance(pytensor.tensor(3).item(), int)
    assert isinstance(pytensor.tensor(True).item(), bool)
    assert pytensor.tensor([7]).item() == 7
    assert [10, 20, 30][pytensor.tensor(1)] == 20  # __index__
    assert f"{pytensor.tensor(0.5):>7f}" == "0.500000"
    assert f"{pytensor.tensor(3):03d}" == "003"
    with pytest.raises(RuntimeError, match="a Tensor with 2 elements cannot be converted to Scalar"):
        pytensor.tensor([1, 2]).item()
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(pytensor.tensor([1, 2]))
    with pytest.raises(TypeError, match="only integer tensors"):
        [1, 2][pytensor.tensor(1.0)]
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(pytensor.tensor(1.0))


def test_tolist_and_iteration():
    t = pytensor.tensor([[1, 2], [3, 4]])
    assert t.tolist() == [[1, 2], [3, 4]]
    assert pytensor.tensor(1.5).tolist() == 1.5
    assert pytensor.tensor([0.1]).tolist() == [np.float32(0.1).item()]
    assert [row.tolist() for row in t] == [[1, 2], [3, 4]]
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        iter(pytensor.tensor(1.0))


@pytest.mark.parametrize("src", ALL_DTYPES)
@pytest.mark.parametrize("dst", ALL_DTYPES)
def test_to_dtype_casts_like_numpy(src, dst):
    a = (np.arange(-3, 9).reshape(3, 4) % 5).astype(NP_DTYPES[src])
    t = pytensor.from_numpy(a).to(pt_dtype(dst))
    assert dtype_name(t) == dst
    assert_close(t, a.astype(NP_DTYPES[dst]))


def test_to_forms_and_conversion_methods():
    t = pytensor.tensor([1.5, -2.5])
    assert t.to(pytensor.float32) is t
    assert t.to(pytensor.float32, copy=True) is not t
    assert t.to("cpu") is t and t.to(pytensor.device("cpu"), pytensor.float64).dtype is pytensor.float64
    assert t.to(dtype=pytensor.int64).tolist() == [1, -2]
    assert t.to(pytensor.tensor([1], dtype=pytensor.int32)).dtype is pytensor.int32
    assert t.double().dtype is pytensor.float64 and t.long().dtype is pytensor.int64
    assert t.int().dtype is pytensor.int32 and t.bool().tolist() == [True, True]
    assert t.float() is t and t.cpu() is t
    assert t.type(pytensor.float64).dtype is pytensor.float64
    with pytest.raises(TypeError):
        t.to(3.5)


def test_clone_and_contiguous():
    a = np.arange(6.0).reshape(2, 3)
    t = pytensor.from_numpy(a.T)
    c = t.contiguous()
    assert c.is_contiguous() and not t.is_contiguous()
    assert_close(c, a.T)
    assert t.contiguous() is not t and c.contiguous() is c
    k = t.clone()
    k.numpy()[0, 0] = 9
    assert a[0, 0] == 0


def test_numpy_refuses_grad_and_array_protocol():
    t = pytensor.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="detach"):
        t.numpy()
    assert np.asarray(t.detach()).tolist() == [1.0, 2.0]
    assert np.array(pytensor.tensor([1, 2]), dtype=np.float64).dtype == np.float64


def test_requires_grad_only_for_floats():
    with pytest.raises(RuntimeError, match="floating point"):
        pytensor.tensor([1, 2]).requires_grad_()
    t = pytensor.tensor([1.0])
    assert t.requires_grad_() is t and t.requires_grad and t.is_leaf
    assert t.detach().requires_grad is False


def test_data_rebinds_storage():
    p = pytensor.tensor([1.0, 2.0])
    p.data = pytensor.tensor([5.0, 6.0, 7.0])
    assert p.tolist() == [5.0, 6.0, 7.0]
    p.data = p.data.double()
    assert p.dtype is pytensor.float64 and p.tolist() == [5.0, 6.0, 7.0]


def test_cuda_unavailable_is_clean():
    if pytensor.cuda.is_available():
        pytest.skip("a GPU is present")
    assert pytensor.cuda.device_count() == 0
    with pytest.raises(RuntimeError):
        pytensor.tensor([1.0]).to("cuda")


def test_big_allocation_is_a_clean_error():
    with pytest.raises(RuntimeError):
        pytensor.Tensor(2 ** 40, 2 ** 20)
    with pytest.raises(RuntimeError):
        pytensor.Tensor(2 ** 62, 4)

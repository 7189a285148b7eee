"""Factories: zeros/ones/empty/full, arange/linspace/logspace/eye, *_like, new_*, fill_."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import pytensor
from helpers import ALL_DTYPES, NP_DTYPES, SHAPES, assert_close, dtype_name, layouts, pt_dtype, rand, to_np


@pytest.fixture
def default_float64():
    pytensor.set_default_dtype(pytensor.float64)
    yield
    pytensor.set_default_dtype(pytensor.float32)


# ---- zeros / ones / empty / full --------------------------------------------------------

SIZE_FORMS = [
    ((2, 3), {}), (((2, 3),), {}), (([2, 3],), {}), ((pytensor.Size([2, 3]),), {}),
    ((), {"size": (2, 3)}), ((np.int64(2), 3), {}),
]


@pytest.mark.parametrize("args,kwargs", SIZE_FORMS)
@pytest.mark.parametrize("name,value", [("zeros", 0), ("ones", 1)])
def test_size_forms(name, value, args, kwargs):
    t = getattr(pytensor, name)(*args, **kwargs)
    assert_close(t, np.full((2, 3), value, np.float32), dtype="float32")


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_zeros_ones_every_dtype_and_shape(shape, dtype):
    assert_close(pytensor.zeros(shape, dtype=pt_dtype(dtype)), np.zeros(shape, NP_DTYPES[dtype]), dtype=dtype)
    assert_close(pytensor.ones(*shape, dtype=pt_dtype(dtype)), np.ones(shape, NP_DTYPES[dtype]), dtype=dtype)
    e = pytensor.empty(shape, dtype=pt_dtype(dtype))
    assert tuple(e.shape) == shape and dtype_name(e) == dtype and e.is_contiguous()


def test_keywords():
    t = pytensor.zeros(2, dtype=pytensor.float64, device="cpu", requires_grad=True)
    assert dtype_name(t) == "float64" and t.requires_grad and t.device == pytensor.device("cpu")
    t = pytensor.ones(2, 2, dtype=pytensor.int32, device=pytensor.device("cpu"), layout=None, pin_memory=False)
    assert dtype_name(t) == "int32"
    assert dtype_name(pytensor.zeros(2, dtype=float)) == "float64"  # Python types as dtypes
    assert dtype_name(pytensor.zeros(2, dtype=np.int32)) == "int32"


def test_default_dtype(default_float64):
    assert dtype_name(pytensor.zeros(2)) == "float64"
    assert dtype_name(pytensor.full((2,), 1.5)) == "float64"
    assert dtype_name(pytensor.arange(0.5, 2)) == "float64"
    assert dtype_name(pytensor.rand(2)) == "float64"


@pytest.mark.parametrize("value,dtype", [(True, "bool"), (3, "int64"), (2.5, "float32"),
                                         (np.float64(2.5), "float32"), (-7, "int64")])
def test_full_dtype_inference(value, dtype):
    t = pytensor.full((2, 3), value)
    assert_close(t, np.full((2, 3), value, NP_DTYPES[dtype]), dtype=dtype)


@pytest.mark.parametrize("value,dtype,expected", [
    (2.7, "int64", 2), (-1, "uint8", 255), (1, "bool", True), (0, "bool", False),
    (7, "float64", 7.0), (float("inf"), "float32", np.inf), (3.5, "int32", 3)])
def test_full_with_dtype(value, dtype, expected):
    assert_close(pytensor.full((3,), value, dtype=pt_dtype(dtype)), np.full((3,), expected, NP_DTYPES[dtype]),
                 dtype=dtype)


@pytest.mark.parametrize("value,dtype", [(2 ** 40, "int32"), (1e30, "int64"), (float("nan"), "int64"),
                                         (float("inf"), "int32"), (300, "uint8")])
def test_full_overflow(value, dtype):
    with pytest.raises(RuntimeError, match="cannot be converted to type .* without overflow"):
        pytensor.full((2,), value, dtype=pt_dtype(dtype))


def test_negative_size_message():
    with pytest.raises(RuntimeError, match=r"Trying to create tensor with negative dimension -1: \[-1, 2\]"):
        pytensor.zeros(-1, 2)
    for f in (pytensor.empty, pytensor.ones, pytensor.rand, pytensor.randn):
        with pytest.raises(RuntimeError, match="negative dimension -3"):
            f((2, -3))
    with pytest.raises(RuntimeError, match="negative dimension"):
        pytensor.full((-1,), 2.0)


def test_absurd_size_raises_not_crashes():
    with pytest.raises(RuntimeError, match="allocate"):
        pytensor.zeros(2 ** 40)
    with pytest.raises(RuntimeError):
        pytensor.empty(2 ** 40, 2 ** 40)  # numel overflows int64


@pytest.mark.parametrize("call,msg", [
    (lambda: pytensor.zeros("a"), "must be tuple of ints"),
    (lambda: pytensor.zeros(2.5), "must be tuple of ints"),
    (lambda: pytensor.zeros((2, 3), 4), "must be tuple of ints"),
    (lambda: pytensor.ones([2, None]), "must be tuple of ints"),
    (lambda: pytensor.full((2,), "x"), "fill_value"),
    (lambda: pytensor.zeros(2, size=(2,)), "multiple values"),
])
def test_bad_size_types(call, msg):
    with pytest.raises(TypeError, match=msg):
        call()


def test_requires_grad_needs_float():
    with pytest.raises(RuntimeError, match="Only Tensors of floating point"):
        pytensor.ones(2, dtype=pytensor.int64, requires_grad=True)


def test_empty_strided():
    t = pytensor.empty_strided((2, 3), (1, 2))
    assert tuple(t.shape) == (2, 3) and t.stride() == (1, 2) and not t.is_contiguous()
    t.fill_(4.0)
    assert_close(t, np.full((2, 3), 4.0, np.float32))
    assert pytensor.empty_strided((0, 3), (3, 1)).numel() == 0
    with pytest.raises(RuntimeError, match="mismatch in length of strides"):
        pytensor.empty_strided((2, 3), (1,))


# ---- fill_ / zero_ ----------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_fill_every_layout(dtype):
    arr = rand((4, 5), dtype)
    for _, t, view in layouts(arr):
        t.fill_(1)
        assert (view == NP_DTYPES[dtype](1)).all()
        t.zero_()
        assert (view == 0).all()
        pytensor.fill_(t, True)
        assert (view == NP_DTYPES[dtype](1)).all()


def test_fill_bumps_version_and_rejects_overlap():
    t = pytensor.zeros(3)
    v = t._version
    t.fill_(2.0)
    assert t._version > v
    with pytest.raises(TypeError, match="value"):
        t.fill_("x")
    expanded = pytensor.from_numpy(np.broadcast_to(np.zeros(3, np.float32), (4, 3)).copy())  # fine
    expanded.fill_(1.0)
    assert (to_np(expanded) == 1).all()


# ---- arange -----------------------------------------------------------------------------

ARANGE_CASES = [
    ((5,), "int64"), ((2, 9), "int64"), ((2, 9, 3), "int64"), ((10, 0, -3), "int64"), ((-4, 4, 3), "int64"),
    ((0, 0), "int64"), ((3, 1, -1), "int64"), ((5.0,), "float32"), ((0, 1, 1 / 3), "float32"),
    ((0, 1, 0.1), "float32"), ((1, 2.5, 0.5), "float32"), ((2.5,), "float32"), ((-1, 1, 0.25), "float32"),
    ((10, 0, -0.7), "float32"), ((0, 5, np.float64(1.5)), "float32"),
]


@pytest.mark.parametrize("args,dtype", ARANGE_CASES)
def test_arange_against_numpy(args, dtype):
    t = pytensor.arange(*args)
    assert dtype_name(t) == dtype
    start, end, step = (0, args[0], 1) if len(args) == 1 else (args + (1,))[:3]
    expected = np.arange(start, end, step, dtype=np.float64 if dtype == "float32" else np.int64)
    assert t.numel() == len(expected)
    # Values are start + step * i in float64, then rounded once to the output dtype.
    exact = start + step * np.arange(len(expected), dtype=expected.dtype)
    np.testing.assert_array_equal(to_np(t), exact.astype(NP_DTYPES[dtype]))
    assert_close(t, expected)


@pytest.mark.parametrize("args", [(0, 1, 1 / 3), (0, 1, 0.1), (1, 2.5, 0.5), (-3, 7, 0.37)])
def test_arange_float64_exact(args):
    # start + step * i exactly (numpy steps by (start + step) - start instead, an ulp apart).
    t = to_np(pytensor.arange(*args, dtype=pytensor.float64))
    np.testing.assert_array_equal(t, args[0] + args[2] * np.arange(len(t), dtype=np.float64))
    np.testing.assert_allclose(t, np.arange(*args), rtol=0, atol=1e-13)


def test_arange_length_float_step():
    assert pytensor.arange(0, 1, 1 / 3).numel() == 3
    assert pytensor.arange(0, 1.0000001, 1 / 3).numel() == 4
    assert pytensor.arange(1, 1).numel() == 0


def test_arange_keywords_and_dtypes():
    assert_close(pytensor.arange(end=4), np.arange(4), dtype="int64")
    assert_close(pytensor.arange(start=1, end=4, step=2), np.arange(1, 4, 2), dtype="int64")
    assert_close(pytensor.arange(5, dtype=pytensor.float64), np.arange(5.0), dtype="float64")
    assert_close(pytensor.arange(0, 5.5, dtype=pytensor.int32), np.arange(0, 5, dtype=np.int32), dtype="int32")
    assert_close(pytensor.arange(pytensor.tensor(3)), np.arange(3), dtype="int64")
    assert pytensor.arange(3.0, requires_grad=True).requires_grad


@pytest.mark.parametrize("args,msg", [
    ((0, 10, -1), "upper bound and larger bound inconsistent with step sign"),
    ((10, 0, 1), "inconsistent with step sign"),
    ((0, 10, 0), "step must be nonzero"),
    ((0, float("inf")), "unsupported range"),
    ((float("nan"),), "unsupported range"),
])
def test_arange_errors(args, msg):
    with pytest.raises(RuntimeError, match=msg):
        pytensor.arange(*args)


def test_arange_bad_inputs():
    with pytest.raises(RuntimeError, match="not implemented for 'bool'"):
        pytensor.arange(3, dtype=pytensor.bool)
    with pytest.raises(TypeError, match="'end' must be a number"):
        pytensor.arange("a")
    with pytest.raises(TypeError, match="missing required argument 'end'"):
        pytensor.arange()


@settings(max_examples=60, deadline=None)
@given(st.integers(-50, 50), st.integers(-50, 50), st.integers(-7, 7).filter(lambda s: s != 0))
def test_arange_int_property(start, end, step):
    if (end - start) * step < 0:
        with pytest.raises(RuntimeError, match="inconsistent with step sign"):
            pytensor.arange(start, end, step)
        return
    np.testing.assert_array_equal(to_np(pytensor.arange(start, end, step)), np.arange(start, end, step))


@settings(max_examples=60, deadline=None)
@given(st.floats(-100, 100), st.floats(0.01, 10), st.floats(0.01, 5))
def test_arange_float_property(start, span, step):
    t = to_np(pytensor.arange(start, start + span, step, dtype=pytensor.float64))
    assert len(t) == math.ceil(((start + span) - start) / step)
    np.testing.assert_array_equal(t, start + step * np.arange(len(t), dtype=np.float64))


# ---- linspace / logspace ----------------------------------------------------------------

def symmetric_linspace(start, end, steps):
    """PyTorch's formula: the first half counts up from start, the second down from end."""
    i = np.arange(steps, dtype=np.float64)
    step = (end - start) / (steps - 1) if steps > 1 else 0.0
    return np.where((i < steps // 2) | (steps == 1), start + step * i, end - step * (steps - 1 - i))


@pytest.mark.parametrize("start,end,steps", [(0, 1, 5), (0, 1, 11), (-3.5, 7.25, 100), (1, 0, 7),
                                             (0.1, 0.7, 3), (2, 2, 4), (0, 1, 2), (5, 9, 1), (0, 1, 0)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_linspace(start, end, steps, dtype):
    t = pytensor.linspace(start, end, steps, dtype=pt_dtype(dtype))
    expected = symmetric_linspace(float(start), float(end), steps)
    np.testing.assert_array_equal(to_np(t), expected.astype(NP_DTYPES[dtype]))
    assert_close(t, np.linspace(start, end, steps), dtype=dtype, rtol=1e-6 if dtype == "float32" else 1e-14,
                 atol=1e-6 if dtype == "float32" else 1e-14)
    if steps >= 2:  # both ends exact
        assert to_np(t)[0] == NP_DTYPES[dtype](start) and to_np(t)[-1] == NP_DTYPES[dtype](end)


def test_linspace_int_and_default():
    assert_close(pytensor.linspace(0, 10, 5, dtype=pytensor.int64), np.array([0, 2, 5, 7, 10]), dtype="int64")
    assert dtype_name(pytensor.linspace(0, 10, 5)) == "float32"
    assert pytensor.linspace(0, 1, steps=3, requires_grad=True).requires_grad
    with pytest.raises(RuntimeError, match="number of steps must be non-negative"):
        pytensor.linspace(0, 1, -1)
    with pytest.raises(TypeError, match="'steps' must be int"):
        pytensor.linspace(0, 1, 2.5)


@settings(max_examples=60, deadline=None)
@given(st.floats(-1e3, 1e3), st.floats(-1e3, 1e3), st.integers(0, 50))
def test_linspace_property(start, end, steps):
    t = to_np(pytensor.linspace(start, end, steps, dtype=pytensor.float64))
    np.testing.assert_array_equal(t, symmetric_linspace(start, end, steps))
    np.testing.assert_allclose(t, np.linspace(start, end, steps), rtol=1e-12, atol=1e-9)


def test_logspace():
    assert_close(pytensor.logspace(0, 2, 3, dtype=pytensor.float64), np.logspace(0, 2, 3), dtype="float64")
    assert_close(pytensor.logspace(-1, 1, 7), np.logspace(-1, 1, 7), dtype="float32")
    assert_close(pytensor.logspace(0, 3, 4, base=2.0), np.logspace(0, 3, 4, base=2.0))
    assert_close(pytensor.logspace(0, 2, 3, dtype=pytensor.int64), np.array([1, 10, 100]), dtype="int64")


# ---- eye --------------------------------------------------------------------------------

@pytest.mark.parametrize("n,m", [(0, None), (1, None), (3, None), (2, 5), (5, 2), (4, 0), (0, 3)])
@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_eye(n, m, dtype):
    t = pytensor.eye(n, m, dtype=pt_dtype(dtype))
    np.testing.assert_array_equal(to_np(t), np.eye(n, m, dtype=NP_DTYPES[dtype]))
    assert dtype_name(t) == dtype


def test_eye_defaults_and_errors():
    assert_close(pytensor.eye(3), np.eye(3), dtype="float32")
    assert_close(pytensor.eye(n=2, m=3), np.eye(2, 3))
    with pytest.raises(RuntimeError, match="n must be greater or equal to 0, got -1"):
        pytensor.eye(-1)
    with pytest.raises(RuntimeError, match="m must be greater or equal to 0, got -2"):
        pytensor.eye(2, -2)


# ---- *_like and new_* -------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_like_factories(dtype):
    arr = rand((3, 4), dtype)
    for _, t, _ in layouts(arr):
        shape = tuple(t.shape)
        assert_close(pytensor.zeros_like(t), np.zeros(shape, NP_DTYPES[dtype]), dtype=dtype)
        assert_close(pytensor.ones_like(t), np.ones(shape, NP_DTYPES[dtype]), dtype=dtype)
        assert_close(pytensor.full_like(t, 1), np.ones(shape, NP_DTYPES[dtype]), dtype=dtype)
        e = pytensor.empty_like(t)
        assert tuple(e.shape) == shape and dtype_name(e) == dtype
        assert_close(pytensor.zeros_like(t, dtype=pytensor.float64), np.zeros(shape), dtype="float64")


def test_like_keywords():
    t = pytensor.zeros(2, 3, dtype=pytensor.int64)
    assert_close(pytensor.full_like(t, 2.5), np.full((2, 3), 2), dtype="int64")  # dtype of input, not value
    assert_close(pytensor.full_like(t, 2.5, dtype=pytensor.float32), np.full((2, 3), 2.5), dtype="float32")
    assert pytensor.ones_like(t, dtype=pytensor.float32, requires_grad=True).requires_grad
    with pytest.raises(TypeError):
        pytensor.zeros_like([1, 2])


def test_new_methods():
    base = pytensor.zeros(2, dtype=pytensor.float64)
    assert_close(base.new_zeros(2, 3), np.zeros((2, 3)), dtype="float64")
    assert_close(base.new_zeros((2, 3)), np.zeros((2, 3)), dtype="float64")
    assert_close(base.new_ones([4]), np.ones(4), dtype="float64")
    assert_close(base.new_ones(2, dtype=pytensor.int32), np.ones(2), dtype="int32")
    assert_close(base.new_full((2,), 7), np.full(2, 7.0), dtype="float64")
    assert tuple(base.new_empty(3, 1).shape) == (3, 1)
    assert_close(base.new_tensor([1, 2]), np.array([1.0, 2.0]), dtype="float64")
    ints = pytensor.zeros(1, dtype=pytensor.int64)
    assert_close(ints.new_tensor([1.5, 2.7]), np.array([1, 2]), dtype="int64")
    assert_close(ints.new_tensor([1.5], dtype=pytensor.float32), np.array([1.5]), dtype="float32")
    assert base.new_zeros(2, requires_grad=True).requires_grad
    with pytest.raises(RuntimeError, match="negative dimension"):
        base.new_zeros(-2)


@pytest.mark.cuda
def test_factories_on_cuda():
    t = pytensor.zeros(2, 3, device="cuda")
    assert t.is_cuda
    assert_close(pytensor.arange(5, device="cuda"), np.arange(5))


def test_parity_with_torch():
    torch = pytest.importorskip("torch")
    for args in [(5,), (2, 9, 3), (0, 1, 1 / 3), (0, 1, 0.1), (-3, 7, 0.37), (10, 0, -0.7)]:
        np.testing.assert_array_equal(to_np(pytensor.arange(*args)), torch.arange(*args).numpy())
    for args in [(0, 1, 5), (-3.5, 7.25, 100), (1, 0, 7), (0, 10, 1000), (5, 9, 1)]:
        for name in ("float32", "float64", "int64"):
            ours = to_np(pytensor.linspace(*args, dtype=pt_dtype(name)))
            theirs = torch.linspace(*args, dtype=getattr(torch, name)).numpy()
            # PyTorch's vectorised loop may round an interior point an ulp (of the ends) apart.
            atol = 2 * np.finfo(name).eps * max(map(abs, args[:2])) if name != "int64" else 0
            np.testing.assert_allclose(ours, theirs, rtol=0, atol=atol)
    for n, m in [(3, None), (2, 5), (0, 2)]:
        np.testing.assert_array_equal(to_np(pytensor.eye(n, m)), torch.eye(n, m if m is not None else n).numpy())
    assert dtype_name(pytensor.full((1,), 2)) == str(torch.full((1,), 2).dtype).split(".")[1]


# (dtype, value, expected or None for the overflow error), as PyTorch 2.x answers them.
FILL_RULES = [
    ("uint8", -1, 255), ("uint8", -129, 127), ("uint8", -255, 1), ("uint8", -256, None),
    ("uint8", 256, None), ("uint8", 255.5, None), ("uint8", -0.5, None), ("uint8", 2.5, 2),
    ("float32", 1e39, None), ("float32", float("inf"), float("inf")), ("int32", 2**31, None),
    ("int32", 2147483647.5, None), ("int32", float("nan"), None), ("int64", float("inf"), None),
    ("int64", 2**63 - 1, 2**63 - 1), ("int64", 9.3e18, None), ("bool", float("nan"), True),
]


@pytest.mark.parametrize("dtype,value,expected", FILL_RULES)
def test_scalar_fits_rules_are_shared_by_fill_full_and_masked_fill(dtype, value, expected):
    dt = getattr(pytensor, dtype)
    makers = [
        lambda: pytensor.zeros(2, dtype=dt).fill_(value),
        lambda: pytensor.full((2,), value, dtype=dt),
        lambda: pytensor.zeros(2, dtype=dt).masked_fill_(pytensor.ones(2, dtype=pytensor.bool), value),
    ]
    for make in makers:
        if expected is None:
            with pytest.raises(RuntimeError, match="cannot be converted to type"):
                make()
        else:
            assert make().tolist() == [expected, expected]


def test_legacy_tensor_new():
    w = pytensor.randn(2, 3, dtype=pytensor.float64)
    assert w.new(2, 3).shape == (2, 3) and w.new(2, 3).dtype == pytensor.float64
    assert w.new(pytensor.Size([4])).shape == (4,) and w.new((1, 5)).shape == (1, 5)
    assert w.new().shape == (0,)
    assert w.new([1, 2]).tolist() == [1.0, 2.0] and w.new([1, 2]).dtype == pytensor.float64
    assert w.new(3).zero_().tolist() == [0.0, 0.0, 0.0]
    assert w.new(w) is not w and w.new(w).data_ptr() == w.data_ptr()
    with pytest.raises(TypeError, match="dtype"):
        w.new(pytensor.ones(2))

"""softmax / log_softmax against numpy (float64): every dim (inner and outer), 0-d, empty,
non-contiguous layouts, dtype=, numerical stability, infinities and NaN, and integer inputs."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import pytensor
from helpers import FLOAT_DTYPES, INT_DTYPES, NP_DTYPES, SHAPES, assert_close, layouts, rand, to_np


def t_of(arr):
    return pytensor.from_numpy(np.ascontiguousarray(arr) if np.ndim(arr) else np.array(arr))


def np_log_softmax(a, axis):
    a = a.astype(np.float64)
    if a.ndim == 0:
        return np.zeros(())
    m = np.max(a, axis=axis, keepdims=True) if a.size else 0
    with np.errstate(invalid="ignore", divide="ignore"):
        return a - m - np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True))


def np_softmax(a, axis):
    return np.exp(np_log_softmax(a, axis))


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_softmax_every_dim_and_layout(dtype):
    for shape in SHAPES:
        arr = rand(shape, dtype, low=-10, high=10)
        for _, t, a in layouts(arr):
            for d in range(-max(len(shape), 1), max(len(shape), 1)):
                assert_close(t.softmax(d), np_softmax(a, d), dtype=dtype)
                assert_close(pytensor.softmax(t, dim=d), np_softmax(a, d), dtype=dtype)
                assert_close(t.log_softmax(d), np_log_softmax(a, d), dtype=dtype, atol=1e-5)
                assert_close(pytensor.log_softmax(t, d), np_log_softmax(a, d), dtype=dtype, atol=1e-5)


@pytest.mark.parametrize("shape,dim", [((300, 1000), 1), ((300, 1000), 0), ((7, 3000, 5), 1),
                                       ((2, 5, 70), 0), ((40000, 2), 1), ((2, 40000), 0)])
def test_softmax_threaded_sizes(shape, dim):
    a = np.random.default_rng(1).standard_normal(shape).astype(np.float32) * 4
    t = t_of(a)
    out = t.softmax(dim)
    assert_close(out, np_softmax(a, dim), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(to_np(out).sum(axis=dim), 1.0, rtol=1e-5)
    assert_close(t.log_softmax(dim), np_log_softmax(a, dim), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_softmax_numerically_stable(dtype):
    a = np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -1001.0, -1002.0], [0.0, -np.inf, 1.0]],
                 NP_DTYPES[dtype])
    for d, arr in ((1, a), (0, np.ascontiguousarray(a.T))):
        s = to_np(t_of(arr).softmax(d))
        ls = to_np(t_of(arr).log_softmax(d))
        if d == 0:
            s, ls = s.T, ls.T
        assert np.isfinite(s).all() and np.isfinite(ls[:2]).all()
        np.testing.assert_allclose(s[0], np_softmax(np.array([0.0, 1.0, 2.0]), 0), rtol=1e-6)
        np.testing.assert_allclose(ls[1], np_log_softmax(np.array([0.0, -1.0, -2.0]), 0), rtol=1e-6)
        assert s[2, 1] == 0.0 and ls[2, 1] == -np.inf


def test_softmax_nan_and_all_inf_rows():
    a = np.array([[1.0, np.nan, 2.0], [-np.inf, -np.inf, -np.inf], [np.inf, 0.0, 1.0]])
    for d, arr in ((1, a), (0, np.ascontiguousarray(a.T))):
        s = to_np(t_of(arr).softmax(d))
        s = s if d == 1 else s.T
        assert np.isnan(s[0]).all() and np.isnan(s[1]).all() and np.isnan(s[2, 0])  # as PyTorch


def test_softmax_dtype_argument_and_integer_input():
    i = rand((3, 4), "int64")
    for op, ref in ((pytensor.softmax, np_softmax), (pytensor.log_softmax, np_log_softmax)):
        name = op.__name__
        for dtype in INT_DTYPES + ["bool"]:
            x = t_of(rand((3, 4), dtype))
            with pytest.raises(NotImplementedError, match=f'"{name}" not implemented for'):
                op(x, 1)
        with pytest.raises(NotImplementedError, match="'Long'"):
            op(t_of(i), 0)
        with pytest.raises(NotImplementedError, match="'Int'"):
            op(t_of(rand((3,), "float32")), 0, dtype=pytensor.int32)
        assert_close(op(t_of(i), 1, dtype=pytensor.float32), ref(i, 1), dtype="float32", atol=1e-5)
        f = rand((3, 4), "float32")
        assert_close(op(t_of(f), 0, pytensor.float64), ref(f, 0), dtype="float64")
        assert_close(getattr(t_of(f), name)(1, dtype=pytensor.float64), ref(f, 1), dtype="float64")


def test_softmax_errors_and_edges():
    t = t_of(rand((2, 3), "float32"))
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 5\)"):
        t.softmax(5)
    with pytest.raises(TypeError):
        t.softmax()
    with pytest.raises(TypeError):
        pytensor.softmax([1.0, 2.0], 0)
    z = t_of(np.array(3.0, np.float32))
    assert to_np(z.softmax(0)) == 1.0 and to_np(z.log_softmax(-1)) == 0.0
    e = t_of(np.zeros((0, 4), np.float32))
    assert tuple(e.softmax(0).shape) == (0, 4) and tuple(e.log_softmax(1).shape) == (0, 4)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(1, 7), min_size=1, max_size=4), st.integers(0, 2**31 - 1))
def test_property_softmax(shape, seed):
    rng = np.random.default_rng(seed)
    a = rng.uniform(-30, 30, size=shape)
    d = int(rng.integers(-len(shape), len(shape)))
    if len(shape) >= 2 and rng.random() < 0.5:
        a = np.swapaxes(a, 0, -1)
    s = to_np(pytensor.from_numpy(a).softmax(d))
    np.testing.assert_allclose(s, np_softmax(a, d), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(s.sum(axis=d), 1.0, rtol=1e-12)


@pytest.mark.parametrize("shape,dim", [((5, 1000), 1), ((3, 7), 1), ((4, 65, 3), 1), ((2, 13), 0)])
@pytest.mark.parametrize("log", [False, True])
def test_vectorised_exp_path_matches_libm_path(shape, dim, log):
    """softmax's float32 lines run cpu/vecmath's exp; the libm path is the reference."""
    rng = np.random.default_rng(7)
    x = rng.normal(0, 20, size=shape).astype(np.float32)
    x.flat[0], x.flat[-1] = -np.inf, 80.0
    weights = rng.normal(size=shape).astype(np.float32)
    t = pytensor.from_numpy(x).requires_grad_()
    fn = pytensor.log_softmax if log else pytensor.softmax
    results = []
    for reference in (False, True):
        pytensor._C._use_reference_vecmath(reference)
        try:
            t.grad = None
            y = fn(t, dim)
            (y * pytensor.from_numpy(weights)).sum().backward()
            results.append((y.detach().numpy(), t.grad.numpy()))
        finally:
            pytensor._C._use_reference_vecmath(False)
    (y_fast, g_fast), (y_ref, g_ref) = results
    np.testing.assert_allclose(y_fast, y_ref, rtol=2e-6, atol=1e-30)
    np.testing.assert_allclose(g_fast, g_ref, rtol=1e-4, atol=1e-5)

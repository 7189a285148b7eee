"""sort / argsort / msort / topk / kthvalue / median against numpy: every dtype, 0-d, empty,
negative dims, non-contiguous layouts, NaN ordering (largest, as in PyTorch), stability, the
named-tuple API and the error paths."""
import pickle

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import pytensor
from helpers import ALL_DTYPES, FLOAT_DTYPES, INT_DTYPES, NP_DTYPES, SHAPES, assert_close, \
    layouts, rand, to_np


def t_of(arr):
    return pytensor.from_numpy(np.ascontiguousarray(arr) if np.ndim(arr) else np.array(arr))


def np_sort(a, axis, descending):
    """Stable order with NaN largest (numpy puts NaN last too); descending keeps ties in order."""
    if a.ndim == 0:
        return a, np.zeros((), np.int64)
    key = a.astype(np.float64) if a.dtype != np.bool_ else a.astype(np.int64)
    if descending:
        # Negating keeps the stable tie order; NaN must come first, so rank it as -inf.
        key = np.where(np.isnan(key), -np.inf, -key)
    idx = np.argsort(key, axis=axis, kind="stable")
    return np.take_along_axis(a, idx, axis), idx


@pytest.mark.parametrize("descending", [False, True])
def test_sort_every_dtype_layout(descending):
    for dtype in ALL_DTYPES:
        for shape in SHAPES:
            arr = rand(shape, dtype)  # few distinct values for ints: many ties
            for _, t, a in layouts(arr):
                for d in range(-max(len(shape), 1), max(len(shape), 1)):
                    vals, idx = np_sort(a, d, descending)
                    r = t.sort(d, descending)
                    assert_close(r.values, vals, dtype=dtype)
                    assert_close(r.indices, idx, dtype="int64")
                    assert_close(pytensor.argsort(t, dim=d, descending=descending), idx, dtype="int64")


def test_sort_named_tuple_api_and_defaults():
    a = rand((3, 6), "float32")
    r = t_of(a).sort()
    assert type(r) is pytensor.return_types.sort and isinstance(r, tuple)
    values, indices = r
    assert_close(values, np.sort(a, -1))
    assert_close(r[1], np.argsort(a, -1, kind="stable"))
    assert_close(indices, r.indices)
    r = pytensor.sort(t_of(a), dim=0, descending=True, stable=True)
    assert_close(r.values, -np.sort(-a, 0))
    assert_close(t_of(a).sort(stable=None).values, np.sort(a, -1))
    assert_close(pytensor.msort(t_of(a)), np.sort(a, 0))
    assert pickle.loads(pickle.dumps(pytensor.return_types.sort(1, 2))) == (1, 2)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_sort_nan_is_largest(dtype):
    a = np.array([3.0, np.nan, -1.0, np.inf, np.nan, -np.inf, 0.0], NP_DTYPES[dtype])
    r = t_of(a).sort()
    np.testing.assert_array_equal(to_np(r.values), [-np.inf, -1, 0, 3, np.inf, np.nan, np.nan])
    assert_close(r.indices, [5, 2, 6, 0, 3, 1, 4])
    r = t_of(a).sort(descending=True)
    np.testing.assert_array_equal(to_np(r.values), [np.nan, np.nan, np.inf, 3, 0, -1, -np.inf])
    assert_close(r.indices, [1, 4, 3, 0, 6, 2, 5])


def test_sort_is_stable():
    a = np.array([2, 1, 2, 1, 2, 0, 1], np.int64)
    assert_close(t_of(a).sort(stable=True).indices, [5, 1, 3, 6, 0, 2, 4])
    assert_close(t_of(a).argsort(descending=True, stable=True), [0, 2, 4, 1, 3, 6, 5])
    b = np.array([True, False, True, False])
    assert_close(t_of(b).argsort(), [1, 3, 0, 2])


def test_sort_large_threaded():
    a = np.random.default_rng(2).standard_normal((300, 700)).astype(np.float32)
    for d in (0, 1):
        r = t_of(a).sort(d)
        assert_close(r.values, np.sort(a, d))
        assert_close(r.indices, np.argsort(a, d, kind="stable"))


def np_topk(a, k, axis, largest):
    vals, idx = np_sort(a, axis, largest)
    sl = [slice(None)] * a.ndim
    sl[axis] = slice(0, k)
    return vals[tuple(sl)], idx[tuple(sl)]


@pytest.mark.parametrize("largest", [True, False])
def test_topk(largest):
    for dtype in INT_DTYPES + FLOAT_DTYPES:
        for shape in [(7,), (5, 3), (2, 3, 5), (2, 1, 4, 3), (3, 0)]:
            arr = rand(shape, dtype)
            for _, t, a in layouts(arr):
                for d in range(-len(shape), len(shape)):
                    n = shape[d]
                    for k in sorted({0, min(1, n), n // 2, n}):
                        vals, idx = np_topk(a, k, d, largest)
                        r = t.topk(k, d, largest)
                        assert type(r) is pytensor.return_types.topk
                        assert_close(r.values, vals, dtype=dtype)
                        # Ties: indices may differ from numpy's, but must point at the values.
                        got_idx = to_np(r.indices)
                        np.testing.assert_array_equal(np.take_along_axis(a, got_idx, d), vals)
                        if dtype in FLOAT_DTYPES:
                            assert_close(r.indices, idx)


def test_topk_nan_and_keywords():
    a = np.array([1.0, np.nan, 0.0, 5.0])
    r = pytensor.topk(t_of(a), k=2)
    assert np.isnan(to_np(r.values)[0]) and to_np(r.values)[1] == 5.0
    assert_close(r.indices, [1, 3])
    r = t_of(a).topk(2, largest=False)
    assert_close(r.values, [0.0, 1.0])
    assert_close(r.indices, [2, 0])
    r = t_of(a).topk(4, largest=False, sorted=False)
    assert_close(r.indices, [2, 0, 3, 1])
    z = t_of(np.array(3.0))
    assert to_np(z.topk(1).values) == 3.0 and tuple(z.topk(1).indices.shape) == ()


def test_topk_errors():
    t = t_of(rand((2, 3), "float32"))
    for k in (4, -1):
        with pytest.raises(RuntimeError, match="selected index k out of range"):
            t.topk(k)
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        t.topk(3, dim=0)
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"):
        t.topk(1, 2)
    with pytest.raises(RuntimeError, match="topk does not support bool"):
        t_of(np.array([True, False])).topk(1)
    with pytest.raises(TypeError):
        t.topk(1.5)


def test_kthvalue_and_median():
    for dtype in INT_DTYPES + FLOAT_DTYPES:
        arr = rand((5, 7), dtype)
        for _, t, a in layouts(arr):
            for d in (0, 1, -1):
                n = a.shape[d]
                srt = np.sort(a, d)
                for k in (1, n // 2 + 1, n):
                    r = t.kthvalue(k, d)
                    assert type(r) is pytensor.return_types.kthvalue
                    assert_close(r.values, np.take(srt, k - 1, axis=d), dtype=dtype)
                    np.testing.assert_array_equal(
                        np.take_along_axis(a, np.expand_dims(to_np(r.indices), d), d).squeeze(d), to_np(r.values))
                r = pytensor.median(t, d, keepdim=True)
                assert type(r) is pytensor.return_types.median
                lower = np.take(srt, (n - 1) // 2, axis=d)
                assert_close(r.values, np.expand_dims(lower, d), dtype=dtype)
                np.testing.assert_array_equal(np.take_along_axis(a, to_np(r.indices), d), to_np(r.values))
            assert_close(t.median(), np.sort(a, None)[(a.size - 1) // 2], dtype=dtype)


def test_median_kthvalue_nan_and_edges():
    a = np.array([1.0, np.nan, 0.0, np.nan])
    r = t_of(a).median(0)
    assert np.isnan(to_np(r.values)) and to_np(r.indices) == 1
    assert np.isnan(to_np(t_of(a).median()))
    r = t_of(np.array([3.0, np.nan, 0.0, np.nan])).kthvalue(1)
    assert to_np(r.values) == 0.0 and to_np(r.indices) == 2
    r = t_of(np.array([3.0, np.nan, 0.0, np.nan])).kthvalue(4)
    assert np.isnan(to_np(r.values)) and to_np(r.indices) == 3
    assert np.isnan(to_np(t_of(np.zeros((0,), np.float32)).median()))
    z = t_of(np.array(2.0))
    assert to_np(z.median()) == 2.0 and to_np(z.median(0).indices) == 0 and to_np(z.kthvalue(1).values) == 2.0
    e = t_of(np.zeros((0, 3)))
    with pytest.raises(IndexError, match=r"median\(\): Expected reduction dim 0 to have non-zero size."):
        e.median(0)
    with pytest.raises(IndexError, match=r"kthvalue\(\): Expected reduction dim 0 to have non-zero size."):
        e.kthvalue(1, 0)
    assert tuple(e.median(1).values.shape) == (0,)
    with pytest.raises(RuntimeError, match=r"kthvalue\(\): selected number k out of range for dimension 1"):
        t_of(rand((2, 3), "float32")).kthvalue(4)
    with pytest.raises(RuntimeError, match="selected number k out of range"):
        t_of(rand((2, 3), "float32")).kthvalue(0)


def test_sort_empty_and_zero_d():
    e = t_of(np.zeros((0, 3), np.float32))
    r = e.sort(0)
    assert tuple(r.values.shape) == (0, 3) and tuple(r.indices.shape) == (0, 3)
    assert tuple(e.topk(0, 0).values.shape) == (0, 3)
    z = t_of(np.array(5, np.int64))
    r = z.sort()
    assert tuple(r.values.shape) == () and to_np(r.values) == 5 and to_np(r.indices) == 0
    assert tuple(z.argsort().shape) == ()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(1, 6), min_size=1, max_size=3), st.integers(0, 2**31 - 1), st.booleans())
def test_property_sort(shape, seed, descending):
    a = np.random.default_rng(seed).integers(-3, 4, size=shape).astype(np.float64)
    a[a == 3] = np.nan
    d = int(np.random.default_rng(seed).integers(0, len(shape)))
    vals, idx = np_sort(a, d, descending)
    r = t_of(a).sort(d, descending)
    np.testing.assert_array_equal(to_np(r.values), vals)
    np.testing.assert_array_equal(to_np(r.indices), idx)

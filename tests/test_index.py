"""Indexing: basic views, advanced copies, __setitem__, and the named index ops, against numpy.

PyTorch and numpy differ in one rule: PyTorch applies integers as basic indices (select) before
the advanced ones, numpy treats them as advanced. `np_index` applies PyTorch's rule with numpy:
basic items first (a view), then the advanced ones on that view, where both rules agree."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import pytensor
from helpers import ALL_DTYPES, NP_DTYPES, assert_close, layouts, rand, to_np

BIG = 10 ** 18


def T(x, dtype=None):
    return pytensor.tensor(np.asarray(x), dtype=dtype)


def is_adv(k):
    return isinstance(k, (list, np.ndarray, pytensor.Tensor))


def np_index(arr, key):
    """(basic view, advanced key) of numpy array `arr` under PyTorch's indexing rules."""
    key = key if isinstance(key, tuple) else (key,)
    key = [np.asarray(k) if isinstance(k, (list, pytensor.Tensor)) else k for k in key]
    key = [k.astype(np.int64) if isinstance(k, np.ndarray) and k.size == 0 else k for k in key]
    consumed = sum(k.ndim if is_adv(k) and k.dtype == bool else 1
                   for k in key if is_adv(k) or isinstance(k, (int, slice)) and not isinstance(k, bool))
    basic, adv, pos = [], {}, 0
    for k in key:
        if isinstance(k, bool):
            basic.append(None)
            adv[pos] = np.zeros(1 if k else 0, np.int64)
            pos += 1
        elif k is None:
            basic.append(None)
            pos += 1
        elif k is Ellipsis:
            basic.append(Ellipsis)
            pos += arr.ndim - consumed
        elif isinstance(k, int):
            basic.append(k)
        elif isinstance(k, slice):
            basic.append(k)
            pos += 1
        else:
            n = k.ndim if k.dtype == bool else 1
            basic.extend([slice(None)] * n)
            adv[pos] = k
            pos += n
    # A trailing Ellipsis keeps a full selection a 0-d view instead of a numpy scalar.
    view = arr[tuple(basic) + (() if Ellipsis in basic else (Ellipsis,))]
    if not adv:
        return view, None
    key2, d = [], 0
    while d < view.ndim:
        if d in adv:
            key2.append(adv[d])
            d += adv[d].ndim if adv[d].dtype == bool else 1
        else:
            key2.append(slice(None))
            d += 1
    return view, tuple(key2)


def np_get(arr, key):
    view, key2 = np_index(arr, key)
    return view if key2 is None else view[key2]


def np_set(arr, key, value):
    view, key2 = np_index(arr, key)
    if key2 is None:
        view[...] = value
    else:
        view[key2] = value


BASIC_KEYS = [
    0, -1, 3, slice(None), slice(1, 3), slice(None, None, 2), slice(-3, None), slice(-100, 100, 3),
    slice(5, 1), (1, 2), (-1, slice(None), 0), (slice(None), 1), (Ellipsis, 1), (1, Ellipsis),
    (None,), (None, 0, None), (Ellipsis, None), (slice(1, None, 2), Ellipsis, slice(None, None, 3)),
    (0, 0, 0), Ellipsis, (), (slice(0, 0),),
]


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_basic_index_is_a_view(dtype):
    base = rand((4, 5, 6), dtype)
    for name, t, arr in layouts(base):
        for key in BASIC_KEYS:
            r = t[key]
            expected = arr[key]
            assert_close(r, expected, dtype=dtype)
            if expected.size:
                assert np.shares_memory(to_np(r), arr), (name, key)


def test_basic_writes_reach_the_base():
    arr = np.zeros((3, 4), np.float32)
    t = pytensor.from_numpy(arr)
    v = t[1]
    v[2] = 5
    t[:, ::3][0] = 7
    t[None, ..., 1][0, 2] = 9
    expected = np.zeros((3, 4), np.float32)
    expected[1, 2] = 5
    expected[0, ::3] = 7
    expected[2, 1] = 9
    np.testing.assert_array_equal(arr, expected)


def test_views_geometry_matches_pytorch():
    t = pytensor.from_numpy(np.zeros((3, 4), np.float32))
    assert t[:, None].stride() == (4, 4, 1)
    assert t[..., None].stride() == (4, 1, 1)
    assert t[None].stride() == (12, 4, 1)
    assert t[1].storage_offset() == 4
    assert t[:, 1::2].stride() == (4, 2) and t[:, 1::2].storage_offset() == 1
    assert t[5:].shape == (0, 4)


def test_zero_dim():
    t = T(3.5, pytensor.float32)
    assert_close(t[None], np.array([3.5]))
    assert_close(t[...], np.array(3.5))
    assert_close(t[()], np.array(3.5))
    assert_close(t[True], np.array([3.5]))
    assert_close(t[False], np.zeros(0))
    assert_close(t[None, True, None], np.full((1, 1, 1), 3.5))
    with pytest.raises(IndexError, match="invalid index of a 0-dim tensor"):
        t[0]
    with pytest.raises(IndexError, match="slice\\(\\) cannot be applied to a 0-dim tensor"):
        t[:]
    with pytest.raises(IndexError, match="too many indices"):
        t[[0]]


def test_empty():
    arr = np.zeros((0, 3), np.float32)
    t = pytensor.from_numpy(arr)
    assert t[:, 1].shape == (0,)
    assert t[[]].shape == (0, 3)
    assert t[:, [2]].shape == (0, 1)
    assert t[1:].shape == (0, 3)
    with pytest.raises(IndexError, match="out of bounds"):
        t[0]
    with pytest.raises(IndexError, match="out of bounds"):
        t[[0]]
    e = T(np.arange(6).reshape(3, 2))
    assert e[T(np.zeros(0, np.int64)), 1].shape == (0,)
    assert_close(e[np.zeros((3, 2), bool)], np.zeros(0, np.int64))


def test_slice_bounds_with_index_objects():
    arr = np.arange(10)
    t = T(arr)
    assert_close(t[np.int64(2):np.int32(7):np.int64(2)], arr[2:7:2])
    assert_close(t[T(1):T(4)], arr[1:4])
    assert_close(t[-BIG:BIG], arr)
    assert_close(t[-10 ** 30:10 ** 30], arr)
    assert_close(t[BIG:], arr[10:])
    assert_close(t[np.int64(3)], arr[3])
    assert_close(t[T(3)], arr[3])
    assert t[T(3)].storage_offset() == 3  # a 0-d integer tensor is a plain int: a view


ADV_KEYS = [
    [0, 2], [[0, 1], [2, 0]], [-1, 0, -1], np.array([1, 1]), [True, False, True, False],
    (slice(None), [0, 4]), ([0, 1], [1, 2]), ([0, 1], slice(None), [1, 2]), (0, slice(None), [1, 2]),
    ([0, 1], 0), (Ellipsis, [5, 0]), ([[0], [3]], [1, 2]), ([0], None, [1]), (None, [0, 2], [1, 2]),
    (slice(1, None), [True, False, True, True, False]), (np.ones((4, 5), bool),),
    (np.array([[True, False], [False, True], [True, True], [False, False]]).repeat(3, 1)[:, :5],),
    ([0, 1], slice(None, None, 2), 1), (True,), (False, slice(None)), ([2], True),
    (slice(None), [], slice(None)), (np.array([1, 2], np.int32),),
]


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_advanced_index_is_a_copy(dtype):
    base = rand((4, 5, 6), dtype)
    for name, t, arr in layouts(base):
        for key in ADV_KEYS:
            r = t[key]
            expected = np_get(arr, key)
            assert_close(r, expected, dtype=dtype)
            if expected.size:
                assert not np.shares_memory(to_np(r), arr), (name, key)


def test_advanced_with_tensor_indices():
    arr = np.arange(24).reshape(2, 3, 4)
    t = T(arr)
    i = T([0, 1])
    assert_close(t[:, i, i], np.stack([arr[:, 0, 0], arr[:, 1, 1]], 1))
    assert_close(t[i, ..., i], arr[[0, 1], :, [0, 1]])
    mask = T(arr % 3 == 0)
    assert_close(t[mask], arr[arr % 3 == 0])
    assert_close(t[:, T([True, False, True])], arr[:, [True, False, True]])
    assert_close(t[:, T(np.array([1, 0, 1], np.uint8))], arr[:, [True, False, True]])  # uint8 mask
    assert_close(t[[0, T(1)]], arr[0, 1])  # a list holding a tensor is a tuple, as in PyTorch
    assert_close(t[[0, slice(None), 2]], arr[0, :, 2])


def test_pytorch_rule_for_ints_with_advanced():
    # numpy would move the broadcast dim first here; PyTorch selects dim 0 first.
    t = T(np.arange(24).reshape(2, 3, 4))
    assert t[0, :, [1, 2]].shape == (3, 2)
    assert t[[0, 1], None, [0, 1]].shape == (2, 1, 4)
    assert t[None, [0, 1], [0, 1]].shape == (1, 2, 4)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_setitem_basic(dtype):
    for name, t, arr in layouts(rand((4, 5), dtype)):
        ref = arr.copy()
        one = NP_DTYPES[dtype](1)
        t[1] = 1
        ref[1] = one
        t[:, 2] = T(rand((4,), dtype, np.random.default_rng(1)))
        ref[:, 2] = rand((4,), dtype, np.random.default_rng(1))
        t[2:, ::2] = rand((1, 3), dtype, np.random.default_rng(2))
        ref[2:, ::2] = rand((1, 3), dtype, np.random.default_rng(2))
        t[...] = t[0] if dtype == "bool" else t[...]
        if dtype == "bool":
            ref[...] = ref[0]
        np.testing.assert_array_equal(arr, ref, err_msg=name)


def test_setitem_casts_and_broadcasts():
    arr = np.zeros((3, 4), np.int64)
    t = pytensor.from_numpy(arr)
    t[0] = 2.7
    t[1] = T([1.9, 2.9, 3.9, 4.9])
    t[2] = [7, 8, 9, 10]
    t[:, 0] = np.array([-1, -2, -3], np.int32)
    t[1:, 1:] = T(np.ones((1, 1, 1, 3)))  # leading size-1 dims are dropped
    np.testing.assert_array_equal(arr, [[-1, 2, 2, 2], [-2, 1, 1, 1], [-3, 1, 1, 1]])
    u = T(np.zeros(3, np.uint8))
    u[0] = -1
    assert u[0].item() == 255


def test_setitem_overlapping_source():
    arr = np.arange(6.0)
    t = pytensor.from_numpy(arr)
    t[1:] = t[:-1]
    np.testing.assert_array_equal(arr, [0, 0, 1, 2, 3, 4])
    t[[0, 1, 2]] = t[3:]
    np.testing.assert_array_equal(arr, [2, 3, 4, 2, 3, 4])


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_setitem_advanced(dtype):
    rng = np.random.default_rng(3)
    for name, t, arr in layouts(rand((4, 5), dtype)):
        ref = arr.copy()
        for key in [[0, 2], ([0, 3], [4, 1]), (slice(None), [1, 3]), ([True, False, True, True],),
                    (np.array([[True, False] * 2 + [True]] * 4),), (1, [0, -1]), (True,)]:
            shape = np_get(ref, key).shape
            value = rand(shape, dtype, rng)
            t[key] = T(value)
            np_set(ref, key, value)
            t[key] = 1
            np_set(ref, key, 1)
            np.testing.assert_array_equal(arr, ref, err_msg=f"{name} {key}")


def test_setitem_masks_and_lists():
    arr = np.arange(12.0).reshape(3, 4)
    t = pytensor.from_numpy(arr)
    ref = arr.copy()
    mask = arr > 5
    t[T(mask)] = 0
    ref[mask] = 0
    t[mask.tolist()] = T(-1.0)
    ref[mask] = -1
    t[[0, 1], [1, 1]] = [5.0, 6.0]
    ref[[0, 1], [1, 1]] = [5, 6]
    t[:, [True, False, False, True]] = np.array([[9.0], [8.0], [7.0]])
    ref[:, [True, False, False, True]] = [[9], [8], [7]]
    np.testing.assert_array_equal(arr, ref)


def test_writes_bump_the_version():
    t = T(np.zeros((3, 4), np.float32))
    view = t[1]
    v0 = t._version
    t[0] = 1
    assert t._version == v0 + 1 and view._version == t._version
    t[[0, 1]] = 2.0
    assert t._version == v0 + 2
    t.index_put_((T([0]),), T(np.float32(1)), accumulate=True)
    t.masked_fill_(T([True, False, False, False]), 3)
    t.scatter_(1, T([[0]]), 4.0)
    t.index_fill_(0, T([1]), 5)
    assert t._version == v0 + 6


def test_index_put_accumulate():
    t = T(np.zeros(5, np.float32))
    out = t.index_put_((T([0, 0, 1, 0]),), T(np.array([1.0, 2.0, 3.0, 4.0], np.float32)),
                       accumulate=True)
    assert out is t
    assert_close(t, [7, 3, 0, 0, 0])
    t.index_put_([T([True, False, True, False, False])], T(np.float32(10)), accumulate=True)
    assert_close(t, [17, 3, 10, 0, 0])
    t.index_put_((T([4, 4]),), T(np.array([1, 2], np.float32)))
    assert t[4].item() in (1.0, 2.0)
    m = T(np.zeros((3, 4), np.int64))
    r = pytensor.index_put(m, (None, T([1, 1, 3])), T(np.array(2)), True)
    assert_close(r, np.array([[0, 4, 0, 2]] * 3))
    assert_close(m, np.zeros((3, 4)))
    b = T(np.zeros(3, bool))
    b.index_put_((T([1, 1]),), T(np.array([True, True])), accumulate=True)
    assert_close(b, [False, True, False])


def test_large_tensors_run_threaded():
    rng = np.random.default_rng(5)
    arr = rng.standard_normal((400, 300)).astype(np.float32)
    t = pytensor.from_numpy(arr)
    idx = rng.integers(-400, 400, 5000)
    assert_close(t[idx], arr[idx])
    assert_close(t[:, idx[:1000] % 300], arr[:, idx[:1000] % 300])
    mask = arr > 0.3
    assert_close(t[mask], arr[mask])
    assert_close(pytensor.nonzero(T(mask)), np.argwhere(mask))
    out = np.zeros(120000, np.float32)
    o = pytensor.from_numpy(out)
    o[T(np.arange(120000)[::-1].copy())] = T(arr.ravel())
    np.testing.assert_array_equal(out, arr.ravel()[::-1])


# ---- hypothesis: random index expressions against numpy ----

@st.composite
def index_case(draw):
    shape = tuple(draw(st.lists(st.integers(0, 5), min_size=1, max_size=4)))
    items, dim, used_ellipsis, n_adv = [], 0, False, 0
    while dim < len(shape) and len(items) < 5:
        size = shape[dim]
        kinds = ["slice", "none", "adv"] + (["int"] if size else []) + ([] if used_ellipsis else ["ellipsis"])
        if n_adv == 0 and size:
            kinds.append("mask")
        kind = draw(st.sampled_from(kinds))
        if kind == "int":
            items.append(draw(st.integers(-size, size - 1)))
            dim += 1
        elif kind == "slice":
            b = st.one_of(st.none(), st.integers(-7, 7))
            items.append(slice(draw(b), draw(b), draw(st.one_of(st.none(), st.integers(1, 3)))))
            dim += 1
        elif kind == "none":
            items.append(None)
        elif kind == "ellipsis":
            items.append(Ellipsis)
            used_ellipsis = True
            dim = len(shape)
        elif kind == "adv":
            n = draw(st.integers(0, 3)) if size else 0
            vals = draw(st.lists(st.integers(-size, size - 1), min_size=n, max_size=n)) if n else []
            items.append(np.array(vals, np.int64))
            n_adv += 1
            dim += 1
        else:
            items.append(np.array(draw(st.lists(st.booleans(), min_size=size, max_size=size))))
            n_adv += 1
            dim += 1
    return shape, tuple(items)


def _adv_lengths_broadcast(shape, key):
    """True when the advanced indices of `key` broadcast together (else both sides raise)."""
    lens = [len(np.nonzero(k)[0]) if k.dtype == bool else len(k) for k in key if isinstance(k, np.ndarray)]
    return len(set(n for n in lens if n != 1)) <= 1


@settings(max_examples=300, deadline=None)
@given(index_case(), st.sampled_from(ALL_DTYPES), st.booleans())
def test_hypothesis_getitem(case, dtype, as_tensor):
    shape, key = case
    arr = rand(shape, dtype, np.random.default_rng(len(shape)))
    t = pytensor.from_numpy(arr)
    tkey = tuple(T(k) if as_tensor and isinstance(k, np.ndarray) else k for k in key)
    if not _adv_lengths_broadcast(shape, key):
        with pytest.raises(IndexError, match="shape mismatch"):
            t[tkey]
        return
    assert_close(t[tkey], np_get(arr, key), dtype=dtype)


@settings(max_examples=200, deadline=None)
@given(index_case())
def test_hypothesis_setitem(case):
    shape, key = case
    arr = rand(shape, "float64")
    if not _adv_lengths_broadcast(shape, key):
        return
    ref = arr.copy()
    target = np_get(ref, key)
    # Duplicate targets make "last write wins" depend on the write order: numpy's own check
    # is a write of distinct values read back.
    probe = ref.copy()
    np_set(probe, key, np.arange(target.size, dtype=np.float64).reshape(target.shape))
    if np.unique(np_get(probe, key)).size != target.size:
        return
    value = np.random.default_rng(0).standard_normal(target.shape)
    t = pytensor.from_numpy(arr)
    t[key] = T(value)
    np_set(ref, key, value)
    np.testing.assert_array_equal(arr, ref)


# ---- named ops ----

@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_select_narrow(dtype):
    for name, t, arr in layouts(rand((4, 5, 3), dtype)):
        assert_close(t.select(1, -2), arr[:, -2])
        assert_close(pytensor.select(t, 2, 0), arr[:, :, 0])
        assert_close(t.narrow(0, 1, 2), arr[1:3])
        assert_close(pytensor.narrow(t, -1, -2, 2), arr[..., 1:3])
        assert_close(t.narrow(1, 5, 0), arr[:, 5:])
        assert np.shares_memory(to_np(t.narrow(0, 1, 2)), arr)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_index_select(dtype):
    for name, t, arr in layouts(rand((4, 5), dtype)):
        for dim in (0, 1, -1):
            idx = np.array([3, 0, 3, 1]) % arr.shape[dim]
            assert_close(t.index_select(dim, T(idx)), np.take(arr, idx, axis=dim), dtype=dtype)
            assert_close(pytensor.index_select(t, dim, T(idx.astype(np.int32))), np.take(arr, idx, axis=dim))
        assert_close(t.index_select(0, T(2)), arr[2:3])
        assert_close(t.index_select(1, T(np.zeros(0, np.int64))), arr[:, :0])
    s = T(np.float32(5))
    assert_close(s.index_select(0, T([0])), np.float32(5))


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_gather(dtype):
    rng = np.random.default_rng(7)
    for name, t, arr in layouts(rand((4, 5, 3), dtype)):
        for dim in range(3):
            ishape = list(arr.shape)
            ishape[dim] = 6
            ishape[(dim + 1) % 3] -= 1  # smaller than self in another dim is allowed
            idx = rng.integers(0, arr.shape[dim], ishape)
            sub = arr[tuple(slice(0, s) if d != dim else slice(None) for d, s in enumerate(ishape))]
            assert_close(t.gather(dim, T(idx)), np.take_along_axis(sub, idx, dim), dtype=dtype)
            assert_close(pytensor.gather(t, dim, T(idx.astype(np.int32))), np.take_along_axis(sub, idx, dim))
    assert_close(T(np.float32(5)).gather(0, T(0)), np.float32(5))
    assert T(np.zeros((3, 4))).gather(1, T(np.zeros((3, 0), np.int64))).shape == (3, 0)


def np_scatter(arr, dim, idx, src, op):
    out = arr.copy()
    for pos in np.ndindex(*idx.shape):
        tgt = list(pos)
        tgt[dim] = idx[pos]
        v = src[pos] if isinstance(src, np.ndarray) else src
        tgt = tuple(tgt)
        out[tgt] = v if op is None else (out[tgt] + v if op == "add" else out[tgt] * v)
    return out


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_scatter(dtype):
    rng = np.random.default_rng(8)
    for name, t, arr in layouts(rand((4, 5), dtype)):
        for dim in (0, 1):
            # A permutation per lane: scatter without reduce has no duplicate targets.
            idx = np.argsort(rng.random((3, 4)), axis=dim)[:2, :3] if dim else \
                np.argsort(rng.random((4, 3)), axis=0)[:3]
            src = rand((4, 5), dtype, rng)
            assert_close(t.scatter(dim, T(idx), T(src)), np_scatter(arr, dim, idx, src, None), dtype=dtype)
            assert_close(pytensor.scatter(t, dim, T(idx), value=1), np_scatter(arr, dim, idx, NP_DTYPES[dtype](1), None))
            dup = rng.integers(0, arr.shape[dim], (3, 3))
            if dtype != "bool":
                assert_close(t.scatter_add(dim, T(dup), T(src)), np_scatter(arr, dim, dup, src, "add"))
                assert_close(t.scatter(dim, T(dup), T(src), reduce="add"), np_scatter(arr, dim, dup, src, "add"))
                assert_close(t.scatter(dim, T(dup), 2, reduce="multiply"), np_scatter(arr, dim, dup, NP_DTYPES[dtype](2), "mul"))
        c = t.clone()
        assert c.scatter_(0, T([[1]]), T(arr[:1, :1])) is c
        assert c.scatter_add_(0, T([[1]]), T(arr[:1, :1])) is c
        np.testing.assert_array_equal(to_np(t), arr)  # the out-of-place forms left t alone


@pytest.mark.parametrize("dtype", ["int32", "int64", "float32", "float64", "uint8"])
def test_index_add_and_fill(dtype):
    rng = np.random.default_rng(9)
    for name, t, arr in layouts(rand((4, 5), dtype)):
        idx = np.array([0, 3, 0])
        src = rand((3, 5), dtype, rng)
        ref = arr.copy()
        np.add.at(ref, idx, src * 2)
        assert_close(t.index_add(0, T(idx), T(src), alpha=2), ref.astype(arr.dtype), dtype=dtype)
        src1 = rand((4, 3), dtype, rng)
        ref = arr.copy()
        np.add.at(ref, (slice(None), idx), src1)
        assert_close(pytensor.index_add(t, 1, T(idx), T(src1)), ref)
        ref = arr.copy()
        ref[:, [1, -1]] = 7
        assert_close(t.index_fill(1, T([1, -1]), 7), ref)
        c = t.clone()
        assert c.index_fill_(0, T(2), T(np.array(3))) is c
        ref = arr.copy()
        ref[2] = 3
        assert_close(c, ref)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_masked_fill_select(dtype):
    rng = np.random.default_rng(10)
    for name, t, arr in layouts(rand((4, 5), dtype)):
        mask = rng.random((4, 5)) > 0.5
        ref = arr.copy()
        ref[mask] = 1
        assert_close(t.masked_fill(T(mask), 1), ref, dtype=dtype)
        row = rng.random(5) > 0.5
        ref = arr.copy()
        ref[:, row] = 0
        assert_close(pytensor.masked_fill(t, T(row), T(np.array(0))), ref)
        big = rng.random((2, 4, 5)) > 0.5
        assert_close(t.masked_fill(T(big), 1), np.where(big, NP_DTYPES[dtype](1), arr))
        assert_close(t.masked_select(T(mask)), arr[mask], dtype=dtype)
        assert_close(pytensor.masked_select(t, T(row)), np.broadcast_to(arr, (4, 5))[np.broadcast_to(row, (4, 5))])
        assert_close(t.masked_select(T(big)), np.broadcast_to(arr, big.shape)[big])
        c = t.clone()
        assert c.masked_fill_(T(mask), 0) is c
    s = T(np.float32(2))
    assert_close(s.masked_select(T(True)), [2.0])
    assert_close(s.masked_select(T(False)), np.zeros(0))
    i = T(np.zeros(3, np.int64))
    assert_close(i.masked_fill(T([True, False, True]), 3.7), [3, 0, 3])


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("shape", [(), (0,), (1,), (7,), (3, 0), (5, 3), (2, 3, 5), (2, 1, 4, 3)])
def test_nonzero_argwhere_where(dtype, shape):
    arr = rand(shape, dtype, low=-1, high=1)
    for name, t, a in layouts(arr):
        expected = np.argwhere(a)
        assert_close(t.nonzero(), expected, dtype="int64")
        assert_close(pytensor.argwhere(t), expected)
        tup = pytensor.nonzero(t, as_tuple=True)
        ref = np.nonzero(a) if a.ndim else (np.zeros(int(bool(a)), np.int64),)
        assert isinstance(tup, tuple) and len(tup) == len(ref)
        for got, exp in zip(tup, ref):
            assert_close(got, exp)
            assert got.is_contiguous()
        for got, exp in zip(pytensor.where(t), ref):
            assert_close(got, exp)


def test_nonzero_nan_counts():
    assert_close(T([np.nan, 0.0, -0.0, 1.0]).nonzero(), [[0], [3]])


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_take(dtype):
    for name, t, arr in layouts(rand((3, 4), dtype)):
        idx = np.array([[0, -1], [11, 5]])
        assert_close(t.take(T(idx)), np.take(arr, idx), dtype=dtype)
        assert_close(pytensor.take(t, T(-12)), np.take(arr, -12))


# ---- bad paths ----

t34 = T(np.arange(12.0).reshape(3, 4))
i64 = T([[0]])

ERRORS = [
    (lambda: t34[5], IndexError, "index 5 is out of bounds for dimension 0 with size 3"),
    (lambda: t34[1, -5], IndexError, "index -5 is out of bounds for dimension 1 with size 4"),
    (lambda: t34[BIG], IndexError, "out of bounds"),
    (lambda: t34[-BIG], IndexError, "out of bounds"),
    (lambda: t34[:, BIG], IndexError, "out of bounds"),
    (lambda: t34[10 ** 30], IndexError, "does not fit in int64"),
    (lambda: t34[[0, 10]], IndexError, "index 10 is out of bounds for dimension 0 with size 3"),
    (lambda: t34[[BIG]], IndexError, "out of bounds"),
    (lambda: t34[[-BIG]], IndexError, "out of bounds"),
    (lambda: t34[:, T([-BIG, 0])], IndexError, "out of bounds for dimension 1"),
    (lambda: t34[::-1], ValueError, "step must be greater than zero"),
    (lambda: t34[::0], ValueError, "slice step cannot be zero"),
    (lambda: t34[0, 0, 0], IndexError, "too many indices for tensor of dimension 2"),
    (lambda: t34[..., 0, ...], IndexError, "single ellipsis"),
    (lambda: t34[1.5], IndexError, "(got float)"),
    (lambda: t34["a"], IndexError, "(got str)"),
    (lambda: t34[{1}], IndexError, "(got set)"),
    (lambda: t34[T([1.0])], IndexError, "tensors used as indices must be long, int, byte or bool"),
    (lambda: t34[[0.5]], IndexError, "tensors used as indices"),
    (lambda: t34[T([True, False, True, False])], IndexError,
     "The shape of the mask [4] at index 0 does not match the shape of the indexed tensor [3, 4] at index 0"),
    (lambda: T(np.zeros(4))[[True, False, True]], IndexError,
     "The shape of the mask [3] at index 0 does not match the shape of the indexed tensor [4] at index 0"),
    (lambda: t34[:, [True]], IndexError, "at index 1"),
    (lambda: t34[[0, 1], [0, 1, 2]], IndexError, "could not be broadcast together with shapes [2], [3]"),
    (lambda: t34.__setitem__(0, "a"), TypeError, "can't assign a str"),
    (lambda: t34.__setitem__(0, None), TypeError, "can't assign a NoneType"),
    (lambda: t34.__setitem__(0, [1, 2]), RuntimeError, "shape mismatch"),
    (lambda: t34.__setitem__(([0, 1],), T(np.ones(3))), RuntimeError,
     "value tensor of shape [3] cannot be broadcast to indexing result of shape [2, 4]"),
    (lambda: t34.__setitem__(BIG, 1), IndexError, "out of bounds"),
    (lambda: t34.__setitem__([BIG], 1), IndexError, "out of bounds"),
    (lambda: t34.__setitem__((slice(None), [-BIG]), T(1.0)), IndexError, "out of bounds"),
    (lambda: T(np.zeros(3, np.int32)).__setitem__(0, 2 ** 40), RuntimeError, "without overflow"),
    (lambda: T(np.zeros(3, np.float32)).__setitem__(0, 1e40), RuntimeError, "without overflow"),
    (lambda: T(np.zeros(3, np.int64)).__setitem__(0, float("nan")), RuntimeError, "without overflow"),
    (lambda: T(np.zeros(3)).index_put_((T([0]),), T(np.int64(1))), RuntimeError, "dtypes match"),
    (lambda: T(np.zeros(3)).index_put_((T([0]), T([0])), T(1.0)), IndexError, "too many indices"),
    (lambda: T(np.zeros(3)).index_put_((T([5]),), T(1.0), accumulate=True), IndexError, "out of bounds"),
    (lambda: T(np.zeros(3)).index_put_(T([0]), T(1.0)), TypeError, "tuple of Tensors"),
    (lambda: t34.select(0, 3), IndexError, "select(): index 3 out of range for tensor of size [3, 4] at dimension 0"),
    (lambda: t34.select(2, 0), IndexError, "Dimension out of range"),
    (lambda: t34.select(0, -BIG), IndexError, "out of range"),
    (lambda: T(1.0).select(0, 0), IndexError, "select() cannot be applied to a 0-dim tensor"),
    (lambda: t34.narrow(0, 2, 2), RuntimeError, "start (2) + length (2) exceeds dimension size (3)"),
    (lambda: t34.narrow(0, 4, 0), IndexError, "start out of range"),
    (lambda: t34.narrow(0, -BIG, 1), IndexError, "start out of range"),
    (lambda: t34.narrow(0, 0, BIG), RuntimeError, "exceeds dimension size"),
    (lambda: t34.narrow(0, 0, -1), RuntimeError, "length must be non-negative"),
    (lambda: T(1.0).narrow(0, 0, 1), RuntimeError, "narrow() cannot be applied to a 0-dim tensor"),
    (lambda: t34.index_select(0, T([3])), IndexError, "index 3 is out of bounds"),
    (lambda: t34.index_select(0, T([-1])), IndexError, "index -1 is out of bounds"),
    (lambda: t34.index_select(0, T([BIG])), IndexError, "out of bounds"),
    (lambda: t34.index_select(0, T([[1]])), IndexError, "Index is supposed to be a vector"),
    (lambda: t34.index_select(0, T([1.0])), RuntimeError, "Expected dtype int32 or int64"),
    (lambda: t34.index_select(2, T([0])), IndexError, "Dimension out of range"),
    (lambda: t34.index_select(0, [0]), TypeError, "incompatible function arguments"),
    (lambda: T(1.0).index_select(0, T([0, 0])), IndexError, "Index to scalar can have only 1 value"),
    (lambda: t34.gather(1, T([[4]])), RuntimeError, "index 4 is out of bounds for dimension 1 with size 4"),
    (lambda: t34.gather(1, T([[-1]])), RuntimeError, "index -1 is out of bounds"),
    (lambda: t34.gather(0, T([[BIG]])), RuntimeError, "out of bounds"),
    (lambda: t34.gather(0, T([[-BIG]])), RuntimeError, "out of bounds"),
    (lambda: t34.gather(1, T([0])), RuntimeError, "same number of dimensions"),
    (lambda: t34.gather(1, T([[0.0]])), RuntimeError, "Expected dtype int32/int64 for index"),
    (lambda: t34.gather(1, T([[0]] * 4)), RuntimeError, "to be no larger than self [3, 4] apart from dimension 1"),
    (lambda: t34.gather(3, i64), IndexError, "Dimension out of range"),
    (lambda: t34.scatter(1, T([[4]]), 1.0), RuntimeError, "index 4 is out of bounds"),
    (lambda: t34.scatter(1, T([[BIG]]), T(np.ones((1, 1)))), RuntimeError, "out of bounds"),
    (lambda: t34.scatter(1, T([[0, 1]]), T(np.ones((1, 1)))), RuntimeError, "no larger size than src [1, 1]"),
    (lambda: t34.scatter(1, T([[0]]), T(np.ones((1, 1), np.float32))), RuntimeError, "self.dtype to be equal to src.dtype"),
    (lambda: t34.scatter(1, T([0]), 1.0), RuntimeError, "same number of dimensions as self"),
    (lambda: t34.scatter(1, T([[0]]), T(np.ones(1))), RuntimeError, "same number of dimensions as src"),
    (lambda: t34.scatter(1, T([[0.0]]), 1.0), RuntimeError, "Expected dtype int32/int64"),
    (lambda: t34.scatter(1, T([[0]]), 1.0, reduce="max"), RuntimeError, "reduce argument must be either add or multiply"),
    (lambda: t34.scatter(1, T([[0]])), TypeError, "'src' or 'value'"),
    (lambda: t34.scatter_add(1, T([[0]]), 1.0), TypeError, "incompatible function arguments"),
    (lambda: t34.scatter_add(1, T([[-BIG]]), T(np.ones((1, 1)))), RuntimeError, "out of bounds"),
    (lambda: t34.index_add(0, T([0, 5]), T(np.ones((2, 4)))), RuntimeError, "index 5 is out of bounds for dimension 0"),
    (lambda: t34.index_add(0, T([-1]), T(np.ones((1, 4)))), RuntimeError, "index -1 is out of bounds"),
    (lambda: t34.index_add(0, T([0]), T(np.ones((1, 3)))), RuntimeError, "source tensor shape must match"),
    (lambda: t34.index_add(0, T([0, 1]), T(np.ones((1, 4)))), RuntimeError, "Number of indices (2)"),
    (lambda: t34.index_add(0, T([[0]]), T(np.ones((1, 4)))), IndexError, "Index is supposed to be a vector"),
    (lambda: t34.index_add(0, T([0]), T(np.ones((1, 4), np.float32))), RuntimeError, "must have the same scalar type"),
    (lambda: t34.index_fill(1, T([4]), 1), IndexError, "index 4 is out of bounds for dimension 1 with size 4"),
    (lambda: t34.index_fill(1, T([-BIG]), 1), IndexError, "out of bounds"),
    (lambda: t34.index_fill(1, T([0]), T([1.0])), RuntimeError, "only supports a 0-dimensional value tensor"),
    (lambda: t34.index_fill(1, T([0]), "x"), TypeError, "must be a Number or a 0-dim Tensor"),
    (lambda: t34.masked_fill(T([True, False, True]), 1), RuntimeError, "must match"),
    (lambda: t34.masked_fill(T([1, 0, 1, 0]), 1), RuntimeError, "only supports boolean masks"),
    (lambda: t34.masked_fill(T([True] * 4), T([1.0])), RuntimeError, "only supports a 0-dimensional value tensor"),
    (lambda: T(np.zeros(4)).masked_fill_(T(np.ones((3, 4), bool)), 1), RuntimeError,
     "output with shape [4] doesn't match the broadcast shape [3, 4]"),
    (lambda: T(np.zeros(4, np.int32)).masked_fill(T([True] * 4), 2 ** 40), RuntimeError, "without overflow"),
    (lambda: t34.masked_select(T([1, 0, 1, 0])), RuntimeError, "expected BoolTensor for mask"),
    (lambda: t34.masked_select(T([True] * 3)), RuntimeError, "must match"),
    (lambda: t34.take(T([12])), IndexError, "index 12 is out of bounds"),
    (lambda: t34.take(T([-13])), IndexError, "index -13 is out of bounds"),
    (lambda: t34.take(T([BIG])), IndexError, "out of bounds"),
    (lambda: t34.take(T(np.array([0], np.int32))), RuntimeError, "Expected a long tensor for index"),
    (lambda: pytensor.nonzero(t34, True), TypeError, "incompatible function arguments"),
]


@pytest.mark.parametrize("fn,exc,fragment", ERRORS, ids=[e[2][:40] for e in ERRORS])
def test_errors(fn, exc, fragment):
    before = to_np(t34).copy()
    with pytest.raises(exc) as info:
        fn()
    assert fragment in str(info.value)
    np.testing.assert_array_equal(to_np(t34), before)  # a failed op writes nothing


def test_expanded_targets_refuse_writes():
    arr = np.zeros(4)
    t = pytensor.from_numpy(np.broadcast_to(arr, (3, 4)))
    with pytest.raises(RuntimeError, match="more than one element"):
        t[:, 0] = 1.0
    with pytest.raises(RuntimeError, match="more than one element"):
        t[[0, 1]] = 1.0
    t[0, 1] = 2.0  # one element is fine
    assert arr[1] == 2.0


def test_parity_with_torch():
    torch = pytest.importorskip("torch")
    arr = np.arange(60).reshape(3, 4, 5)
    t, tt = T(arr), torch.tensor(arr)
    keys = [(0, slice(None), [1, 2]), ([0, 1], None, [1, 2]), (True, [0]), (slice(None), [[0], [1]], 0),
            (np.array([True, False, True]), Ellipsis, [4, 0])]
    for key in keys:
        tk = tuple(torch.tensor(k) if isinstance(k, np.ndarray) else k for k in key)
        np.testing.assert_array_equal(to_np(t[key]), tt[tk].numpy())


def test_bool_scatter_reduces_as_logic():
    b = T(np.array([[True, False, True]]))
    assert_close(b.scatter(1, T([[0, 2]]), T(np.array([[False, True]])), reduce="multiply"),
                 [[False, False, True]])
    assert_close(b.scatter_add(1, T([[1, 1]]), T(np.array([[True, True]]))), [[True, True, True]])

"""The index family on CUDA (cuda/index.cu and the join ops built on copies): advanced indexing
(get, set, accumulate with repeated indices), index_select, gather/scatter, index_add_/index_fill_,
masked ops, nonzero, out-of-range indices, cat/stack and the shape-copy ops, embedding. Each is
held against numpy or against the same op on the CPU; accumulating ops are also run twice to
check that the device gives bit-identical results. Ops under same_as_cpu never write their
inputs in place: the dry run (PYTENSOR_TEST_GPU=cpu) would share them between both runs."""
import numpy as np
import pytest

import pytensor
import pytensor.nn.functional as F
from helpers import (ALL_DTYPES, FLOAT_DTYPES, GPU, assert_close, gpu_layouts, grads_as_cpu, on_gpu, rand,
                     same_as_cpu, to_np)

pytestmark = pytest.mark.cuda


def cpu_t(a):
    return pytensor.from_numpy(np.array(a, order="C"))


def gpu_t(a):
    return cpu_t(a).to(GPU)


def to_key(key, make):
    """A numpy index expression with its arrays turned into tensors by `make`."""
    key = key if isinstance(key, tuple) else (key,)
    return tuple(make(k) if isinstance(k, np.ndarray) else k for k in key)


def ints(*v, dtype=np.int64):
    return np.array(v, dtype=dtype)


# Index expressions on a (4, 5, 6) array: integer arrays (repeated, negative, int32, 2-D,
# broadcast, empty), masks (one dim, several dims, all dims) and their mixes with basic items.
GET_KEYS = [
    ints(0, 3, -1, 3),
    ints(2, 0, dtype=np.int32),
    (slice(None), ints(4, 0, 4, -5)),
    (slice(None), np.array([[4, 0], [1, 1]])),
    (ints(1, 2), slice(None), ints(0, 5)),          # not adjacent: the index dims go first
    (np.array([[0], [2]]), ints(1, 4, 0)),          # broadcast index shapes
    (Ellipsis, ints(5, 0, 5)),
    (ints(1, 3), 2),
    (None, ints(3), slice(1, 4)),
    np.array([], dtype=np.int64),
    np.array([True, False, True, True]),
    (slice(1, 3), np.array([True, False, True, False, True])),
    (ints(2, 0, 1), np.array([True, False, True, False, True])),
    np.ones((4, 5), dtype=bool),
    np.zeros((4, 5, 6), dtype=bool),
]


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("k", range(len(GET_KEYS)))
def test_advanced_getitem(dtype, k):
    arr = rand((4, 5, 6), dtype)
    np_key = GET_KEYS[k]
    for name, t, a in gpu_layouts(arr):
        got = t[to_key(np_key, gpu_t)]
        assert on_gpu(got), name
        assert_close(got, a[np_key], dtype=dtype)


def test_strided_index_tensors():
    arr = rand((9, 8), "float32")
    t = gpu_t(arr)
    idx = np.array([[0, 8, 3], [2, 2, -1]])
    for name, it, ia in gpu_layouts(idx):
        assert_close(t[it], arr[ia], dtype="float32")
        assert_close(t.index_select(0, it[0]), arr[ia[0]])
        y = gpu_t(np.zeros((9, 8), np.float32))
        y.index_put_((it,), gpu_t(np.ones((2, 3, 8), np.float32)), accumulate=True)
        expected = np.zeros((9, 8))
        np.add.at(expected, ia, 1)
        assert_close(y, expected)


def test_getitem_full_mask_of_values():
    arr = rand((37, 129), "float32")
    t = gpu_t(arr)
    assert_close(t[t > 0], arr[arr > 0])
    assert_close(t.masked_select(t < 1), arr[arr < 1])


def test_cpu_index_tensors_index_a_cuda_tensor():
    arr = rand((6, 7), "float64")
    t = gpu_t(arr)
    got = t[cpu_t(ints(5, 0, 5)), 2:]
    assert on_gpu(got)
    assert_close(got, arr[ints(5, 0, 5), 2:])
    mask = np.array([True, False] * 3)
    assert_close(t[cpu_t(mask)], arr[mask])
    t[cpu_t(ints(1, 4))] = 7.5
    arr[ints(1, 4)] = 7.5
    assert_close(t, arr)
    t.index_put_((cpu_t(ints(0, 0)), cpu_t(ints(3, 3))), gpu_t(np.array([1.0, 2.0])), accumulate=True)
    arr[0, 3] += 3.0
    assert_close(t, arr)


SET_KEYS = [
    ints(0, 3, -2),
    (slice(None), ints(4, 0)),
    (ints(1, 2), slice(None), ints(0, 5)),
    (np.array([[0], [2]]), ints(1, 4, 0)),
    np.array([True, False, True, True]),
    (slice(1, 3), np.array([True, False, True, False, True])),
]


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("k", range(len(SET_KEYS)))
def test_advanced_setitem(dtype, k):
    arr = rand((4, 5, 6), dtype)
    np_key = SET_KEYS[k]
    shape = arr[np_key].shape
    value = rand(shape, dtype, rng=np.random.default_rng(1))
    row = rand(shape[-1:], dtype, rng=np.random.default_rng(2))  # broadcast over the rest
    for name, t, a in gpu_layouts(arr):
        a = a.copy()
        t[to_key(np_key, gpu_t)] = gpu_t(value)
        a[np_key] = value
        assert_close(t, a, dtype=dtype)
        t[to_key(np_key, gpu_t)] = gpu_t(row)
        a[np_key] = row
        assert_close(t, a, dtype=dtype)
        t[to_key(np_key, gpu_t)] = True if dtype == "bool" else 2
        a[np_key] = True if dtype == "bool" else 2
        assert_close(t, a, dtype=dtype)


def test_basic_setitem_through_views():
    arr = rand((5, 7), "float32")
    t = gpu_t(arr)
    t[1:4, ::2] = 3.0
    arr[1:4, ::2] = 3.0
    t[0] = gpu_t(np.arange(7, dtype=np.float32))
    arr[0] = np.arange(7)
    t[..., -1] = cpu_t(np.float32(9))
    arr[..., -1] = 9
    assert_close(t, arr)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "uint8", "bool"])
@pytest.mark.parametrize("n", [1, 7, 300, 5000])
def test_index_put_accumulate_repeated(dtype, n):
    rng = np.random.default_rng(n)
    arr = rand((37, 129), dtype)
    rows = rng.integers(-37, 37, size=n)
    cols = rng.integers(0, 129, size=n)
    vals = rand((n,), dtype, rng=rng)
    expected = arr.copy()
    np.add.at(expected, (rows, cols), vals)
    if dtype == "bool":
        expected = expected.astype(bool)
    for _ in range(2):
        t = gpu_t(arr)
        t.index_put_((gpu_t(rows), gpu_t(cols)), gpu_t(vals), accumulate=True)
        assert_close(t, expected.astype(arr.dtype) if dtype != "uint8" else expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("layout", ["contiguous", "transposed", "strided"])
def test_index_put_accumulate_rows_broadcast_value(layout):
    arr = rand((11, 33), "float64")
    rng = np.random.default_rng(3)
    rows = rng.integers(0, 11, size=700)
    vals = rand((700, 33), "float64", rng=rng)
    expected = arr.copy()
    np.add.at(expected, rows, vals)
    t = dict((name, x) for name, x, _ in gpu_layouts(arr))[layout]
    t.index_put_((gpu_t(rows),), gpu_t(vals), accumulate=True)
    assert_close(t, expected, rtol=1e-10, atol=1e-10)
    # a value broadcast over the indexed rows: every repeat adds it again
    t2 = gpu_t(arr)
    t2.index_put_((gpu_t(rows),), gpu_t(vals[0]), accumulate=True)
    expected2 = arr + np.bincount(rows, minlength=11)[:, None] * vals[0]
    assert_close(t2, expected2, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
def test_deterministic_put_with_repeated_indices_keeps_the_last_value(dtype):
    """Plain writes to a repeated index race on a GPU; with use_deterministic_algorithms the
    sorted path runs and the last value wins, as the CPU's sequential writes leave it."""
    rng = np.random.default_rng(8)
    arr = rand((40, 9), dtype)
    rows = rng.integers(0, 40, size=500)
    vals = rand((500, 9), dtype, rng=rng)
    expected = pytensor.from_numpy(arr.copy())
    expected.index_put_((cpu_t(rows),), cpu_t(vals))
    pytensor.use_deterministic_algorithms(True)
    try:
        for _ in range(2):
            t = gpu_t(arr)
            t.index_put_((gpu_t(rows),), gpu_t(vals))
            assert_close(t, to_np(expected))
    finally:
        pytensor.use_deterministic_algorithms(False)


def test_accumulating_ops_are_deterministic():
    rng = np.random.default_rng(5)
    src = rand((20000, 64), "float32", rng=rng)
    idx = rng.integers(0, 50, size=20000)
    base = rand((50, 64), "float32", rng=rng)

    def put():
        t = gpu_t(base)
        t.index_put_((gpu_t(idx),), gpu_t(src), accumulate=True)
        return to_np(t)

    def add():
        return to_np(gpu_t(base).index_add_(0, gpu_t(idx), gpu_t(src)))

    def scatter_add():
        index = np.broadcast_to(idx[:, None], (20000, 64)).copy()
        return to_np(gpu_t(base).scatter_add(0, gpu_t(index), gpu_t(src)))

    for f in (put, add, scatter_add):
        first = f()
        assert np.array_equal(first, f())
        expected = base.astype(np.float64)
        np.add.at(expected, idx, src)
        np.testing.assert_allclose(first, expected, rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_index_select(dtype, dim):
    arr = rand((5, 6, 7), dtype)
    for idx in (ints(0, 4, 4, -0, 2), ints(1, dtype=np.int32), np.array([], dtype=np.int64)):
        for name, t, a in gpu_layouts(arr):
            got = t.index_select(dim, gpu_t(idx))
            assert on_gpu(got), name
            assert_close(got, np.take(a, idx, axis=dim), dtype=dtype)
    assert_close(gpu_t(np.float32(3)).index_select(0, gpu_t(ints(0))), np.float32(3))


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_gather(dtype):
    rng = np.random.default_rng(0)
    arr = rand((4, 9, 5), dtype)
    for dim in range(3):
        shape = [3, 4, 2]
        index = rng.integers(0, arr.shape[dim], size=shape)
        for name, t, a in gpu_layouts(arr):
            got = t.gather(dim, gpu_t(index))
            assert on_gpu(got), name
            sl = tuple(slice(None) if d == dim else slice(0, n) for d, n in enumerate(shape))
            assert_close(got, np.take_along_axis(a[sl], index, axis=dim), dtype=dtype)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("reduce", [None, "add", "multiply"])
def test_scatter(dtype, reduce):
    rng = np.random.default_rng(1)
    arr = rand((6, 8), dtype)
    src = rand((5, 7), dtype, rng=rng)
    for dim in (0, 1):
        index = rng.integers(0, arr.shape[dim], size=(4, 6))  # repeats: applied in index order
        kw = {} if reduce is None else {"reduce": reduce}
        same_as_cpu(lambda t, i, s: t.scatter(dim, i, s, **kw), cpu_t(arr), cpu_t(index), cpu_t(src))
        value = True if dtype == "bool" else 3
        same_as_cpu(lambda t, i: t.scatter(dim, i, value, **kw), cpu_t(arr), cpu_t(index))
        if dtype != "bool":
            same_as_cpu(lambda t, i, s: t.scatter_add(dim, i, s), cpu_t(arr), cpu_t(index), cpu_t(src))


def test_scatter_long_lanes_and_many_lanes():
    rng = np.random.default_rng(2)
    src = rand((3, 5000), "float64", rng=rng)
    index = rng.integers(0, 17, size=(3, 5000))
    same_as_cpu(lambda s, i: pytensor.zeros(3, 17, dtype=pytensor.float64, device=s.device).scatter_add_(1, i, s),
                cpu_t(src), cpu_t(index), rtol=1e-10, atol=1e-10)
    src = rand((4000, 3), "float32", rng=rng)
    index = rng.integers(0, 3, size=(4000, 1))
    same_as_cpu(lambda s, i: pytensor.zeros(4000, 3, device=s.device).scatter_(1, i, s), cpu_t(src), cpu_t(index))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "uint8"])
def test_index_add(dtype):
    rng = np.random.default_rng(3)
    arr = rand((6, 5, 4), dtype)
    for dim in range(3):
        n = 9
        index = rng.integers(0, arr.shape[dim], size=n)
        shape = list(arr.shape)
        shape[dim] = n
        src = rand(shape, dtype, rng=rng)
        same_as_cpu(lambda t, i, s: t.index_add(dim, i, s), cpu_t(arr), cpu_t(index), cpu_t(src))
        same_as_cpu(lambda t, i, s: t.clone().index_add_(dim, i, s, alpha=2), cpu_t(arr), cpu_t(index), cpu_t(src))
    same_as_cpu(lambda t, i, s: t.index_add(0, i, s), cpu_t(np.float32(1)), cpu_t(ints(0)), cpu_t(np.float32(2)))


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_index_fill(dtype):
    arr = rand((5, 6), dtype)
    value = False if dtype == "bool" else 4
    for dim in (0, 1):
        same_as_cpu(lambda t, i: t.index_fill(dim, i, value), cpu_t(arr), cpu_t(ints(0, -1, 2, 2)))


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_masked_fill(dtype):
    arr = rand((4, 7, 5), dtype)
    value = True if dtype == "bool" else 5
    for mask_shape in [(4, 7, 5), (7, 1), (5,), ()]:
        mask = rand(mask_shape, "bool", rng=np.random.default_rng(len(mask_shape)))
        for name, t, a in gpu_layouts(arr):
            got = t.masked_fill(gpu_t(mask), value)
            assert on_gpu(got), name
            assert_close(got, np.where(mask, value, a).astype(a.dtype), dtype=dtype)
    same_as_cpu(lambda t, m: t.clone().masked_fill_(m, 0), cpu_t(arr), cpu_t(rand((4, 7, 5), "bool")))


NONZERO_SHAPES = [(), (0,), (1,), (7,), (3, 0), (5, 3), (2, 3, 5), (4, 1, 33, 7), (70001,), (3, 5000)]


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("shape", NONZERO_SHAPES)
def test_nonzero(dtype, shape):
    arr = rand(shape, dtype, low=-1, high=1)
    for name, t, a in gpu_layouts(arr):
        got = t.nonzero()
        assert on_gpu(got), name
        assert_close(got, np.argwhere(a), dtype="int64")
        cols = t.nonzero(as_tuple=True)
        expected = np.nonzero(a) if a.ndim else np.nonzero(a.reshape(1))
        assert len(cols) == len(expected)
        for c, e in zip(cols, expected):
            assert on_gpu(c)
            assert_close(c, e)
        assert_close(pytensor.argwhere(t), np.argwhere(a))
        for c, e in zip(pytensor.where(t), expected):
            assert_close(c, e)


def test_nonzero_dense_and_sparse_blocks():
    arr = np.zeros(100000, dtype=np.float32)
    arr[::3] = 1
    arr[40000:45000] = 0
    arr[-1] = 2
    assert_close(gpu_t(arr).nonzero(), np.argwhere(arr))
    assert_close(gpu_t(np.ones((300, 41), dtype=bool)).nonzero(), np.argwhere(np.ones((300, 41))))


def test_out_of_range_index_raises_on_the_device():
    t = gpu_t(rand((3, 4), "float32"))
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 3"):
        t[gpu_t(ints(0, 5, 1))]
    with pytest.raises(IndexError, match="index -9 is out of bounds for dimension 1 with size 4"):
        t[:, gpu_t(ints(-9, 7))]  # the first bad position is reported
    with pytest.raises(IndexError, match="index_select\\(\\): index 7 is out of bounds for dimension 1 with size 4"):
        t.index_select(1, gpu_t(ints(7, dtype=np.int32)))
    with pytest.raises(RuntimeError, match="gather\\(\\): index 9 is out of bounds for dimension 1 with size 4"):
        t.gather(1, gpu_t(np.array([[9]])))
    with pytest.raises(RuntimeError, match="scatter_add\\(\\): index 4 is out of bounds for dimension 0"):
        t.scatter_add(0, gpu_t(np.array([[4]])), gpu_t(np.ones((1, 1), np.float32)))
    with pytest.raises(RuntimeError, match="index_add_\\(\\): index 3 is out of bounds for dimension 0"):
        t.index_add_(0, gpu_t(ints(3)), gpu_t(np.ones((1, 4), np.float32)))
    with pytest.raises(IndexError, match="index 3 is out of bounds"):
        t[gpu_t(ints(3))] = 1.0
    big = np.arange(100000) % 3
    big[77777] = 3
    with pytest.raises(IndexError, match="index 3 is out of bounds for dimension 0 with size 3"):
        t[gpu_t(big)]
    # nothing was written and the device is still usable
    assert_close(t[gpu_t(ints(2, 0))], to_np(t)[[2, 0]])


def test_index_ops_refuse_mixed_devices():
    if GPU == "cpu":
        pytest.skip("needs two devices")
    t = gpu_t(rand((3, 4), "float32"))
    for call in (lambda: t.index_select(0, cpu_t(ints(0))), lambda: t.gather(0, cpu_t(np.zeros((1, 4), np.int64))),
                 lambda: t.masked_fill(cpu_t(np.ones(4, bool)), 1.0)):
        with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
            call()


# ---- joins and shape copies ----

def test_cat_stack_odd_shapes():
    rng = np.random.default_rng(6)
    parts = [rand((3, k, 5), "float32", rng=rng) for k in (1, 0, 257, 4)]
    same_as_cpu(lambda *ts: pytensor.cat(ts, 1), *[cpu_t(p) for p in parts])
    same_as_cpu(lambda a, b, e: pytensor.cat([a, e, b], 0), cpu_t(parts[0]), cpu_t(parts[3][:, :1]),
                cpu_t(np.zeros(0, np.float32)))
    same_as_cpu(lambda a, b: pytensor.cat([a, b], -1), cpu_t(rand((4, 3), "int32")), cpu_t(rand((4, 2), "float64")))
    same_as_cpu(lambda a, b, c: pytensor.stack([a, b, c], 1), *[cpu_t(rand((5, 7), "float32", rng=rng)) for _ in range(3)])
    same_as_cpu(lambda a, b: pytensor.stack([a, b]), cpu_t(np.zeros((0, 3))), cpu_t(np.ones((0, 3))))
    for name, t, a in gpu_layouts(rand((6, 9), "float64")):
        assert_close(pytensor.cat([t, t[:2]], 0), np.concatenate([a, a[:2]], 0))
        assert_close(pytensor.stack([t, t], -1), np.stack([a, a], -1))
    grads_as_cpu(lambda a, b: pytensor.cat([a, b], 1) * 2, cpu_t(parts[0]), cpu_t(parts[2]))
    grads_as_cpu(lambda a, b: pytensor.stack([a, b], 0), cpu_t(parts[0]), cpu_t(parts[0] + 1))


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_flip_roll_repeat_tile(dtype):
    arr = rand((4, 1, 33, 7), dtype)
    for name, t, a in gpu_layouts(arr):
        assert_close(t.flip([0, 2]), np.flip(a, (0, 2)))
        assert_close(t.roll(5, 2), np.roll(a, 5, 2))
        assert_close(t.roll([-3, 2], [3, 0]), np.roll(a, (-3, 2), (3, 0)))
        assert_close(t.roll(11), np.roll(a, 11))
        assert_close(t.repeat(2, 1, 3, 1, 2), np.tile(a, (2, 1, 3, 1, 2)))
        assert_close(t.tile((2, 1)), np.tile(a, (2, 1)))
        assert_close(t.repeat_interleave(3, 2), np.repeat(a, 3, 2))
        assert_close(t.repeat_interleave(gpu_t(ints(1, 0, 2, 3, 1, 1, 2)), 3), np.repeat(a, [1, 0, 2, 3, 1, 1, 2], 3))
    same_as_cpu(lambda t: t.flip([0]), cpu_t(np.zeros((0, 3), NP(dtype))))
    same_as_cpu(lambda t: t.roll(1, 0), cpu_t(rand((), dtype).reshape(1)))


def NP(dtype):
    return np.dtype(dtype if dtype != "bool" else np.bool_)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("diagonal", [-40, -2, 0, 1, 3, 40])
def test_tril_triu(dtype, diagonal):
    arr = rand((3, 37, 29), dtype)
    for name, t, a in gpu_layouts(arr):
        assert_close(t.tril(diagonal), np.tril(a, diagonal), dtype=dtype)
        assert_close(t.triu(diagonal), np.triu(a, diagonal), dtype=dtype)
        x = t.clone()
        x.transpose(1, 2).tril_(diagonal)  # in place through a strided view
        assert_close(x, np.swapaxes(np.tril(np.swapaxes(a, 1, 2), diagonal), 1, 2))
    same_as_cpu(lambda t: t.triu(1), cpu_t(rand((0, 4), dtype)))
    same_as_cpu(lambda t: t.tril(), cpu_t(rand((2, 3, 1, 5, 4), dtype)))


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_diag(dtype):
    for diagonal in (-2, 0, 3):
        for name, t, a in gpu_layouts(rand((7,), dtype)):
            assert_close(pytensor.diag(t, diagonal), np.diag(a, diagonal))
        for name, t, a in gpu_layouts(rand((5, 8), dtype)):
            assert_close(pytensor.diag(t, diagonal), np.diag(a, diagonal))


def test_shape_copies_backward():
    x = cpu_t(rand((3, 5, 4), "float64"))
    grads_as_cpu(lambda t: t.flip([1]).roll(2, 2).repeat(2, 1, 1).tile((1, 2, 1)), x, rtol=1e-10, atol=1e-10)
    grads_as_cpu(lambda t: t.tril(1) + t.triu(-1), x, rtol=1e-10, atol=1e-10)
    grads_as_cpu(lambda t: t.repeat_interleave(cpu_t(ints(2, 0, 1, 3, 1)).to(t.device), 1), x)
    grads_as_cpu(lambda v, m: pytensor.diag(v, 1) + pytensor.diag(m), cpu_t(rand((4,), "float64")),
                 cpu_t(rand((5, 5), "float64")))


# ---- backward through the index ops ----

def test_index_ops_backward_with_repeated_indices():
    x = cpu_t(rand((6, 5), "float64"))
    rows = cpu_t(ints(0, 5, 0, 0, 2))
    grads_as_cpu(lambda t, i: t[i], x, rows, rtol=1e-10, atol=1e-10)
    grads_as_cpu(lambda t, i: t[i, 1:], x, rows, rtol=1e-10, atol=1e-10)
    grads_as_cpu(lambda t, i: t.index_select(1, i), x, cpu_t(ints(4, 4, 0)), rtol=1e-10, atol=1e-10)
    grads_as_cpu(lambda t, i: t.gather(1, i), x, cpu_t(np.array([[0, 0, 4]] * 6)), rtol=1e-10, atol=1e-10)
    mask = cpu_t(rand((6, 5), "bool"))
    grads_as_cpu(lambda t, m: t.masked_select(m), x, mask, rtol=1e-10, atol=1e-10)
    grads_as_cpu(lambda t, m: t.masked_fill(m, 0.5), x, mask, rtol=1e-10, atol=1e-10)
    src = cpu_t(rand((2, 5), "float64"))
    idx = cpu_t(np.array([[1, 2, 3, 4, 0], [5, 0, 1, 2, 3]]))
    grads_as_cpu(lambda t, i, s: t.scatter(0, i, s), x, idx, src, rtol=1e-10, atol=1e-10)
    grads_as_cpu(lambda t, i, s: t.scatter_add(0, i, s), x, idx, src, rtol=1e-10, atol=1e-10)
    grads_as_cpu(lambda t, i, s: t.index_add(0, i, s), x, cpu_t(ints(3, 3)), src, rtol=1e-10, atol=1e-10)

    def put(t, i, v):
        y = t * 1
        y.index_put_((i,), v, accumulate=True)
        return y
    grads_as_cpu(put, x, rows, cpu_t(rand((5, 5), "float64")), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("padding_idx", [None, 3])
def test_embedding_forward_backward_repeated_indices(padding_idx):
    rng = np.random.default_rng(7)
    weight = cpu_t(rand((50, 33), "float32", rng=rng))
    idx = cpu_t(rng.integers(0, 50, size=(8, 300)))
    grads_as_cpu(lambda w, i: F.embedding(i, w, padding_idx=padding_idx), weight, idx, rtol=1e-4, atol=1e-4)
    emb = pytensor.nn.Embedding(10, 4).to(GPU)
    out = emb(gpu_t(ints(1, 1, 9)))
    out.sum().backward()
    assert on_gpu(emb.weight.grad)
    expected = np.zeros((10, 4))
    expected[1] = 2
    expected[9] = 1
    assert_close(emb.weight.grad, expected)


def test_embedding_backward_is_deterministic():
    rng = np.random.default_rng(8)
    weight = gpu_t(rand((100, 64), "float32", rng=rng))
    idx = gpu_t(rng.integers(0, 100, size=(64, 128)))

    def grad():
        w = weight.detach().requires_grad_(True)
        (F.embedding(idx, w) * 1.7).sum().backward()
        return to_np(w.grad)
    assert np.array_equal(grad(), grad())


def test_one_hot():
    same_as_cpu(lambda t: F.one_hot(t, 7), cpu_t(ints(0, 6, 3, 3)))
    same_as_cpu(lambda t: F.one_hot(t), cpu_t(np.array([[1, 0], [4, 2]])))

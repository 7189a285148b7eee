"""Reductions and scans on CUDA (cuda/reduce.cu) held against the same ops on the CPU: every
reduction kind over several dim sets (all, first, last, middle, pairs, keepdim) on contiguous,
transposed and strided device tensors of odd, empty and 0-d shapes; shapes that take each
kernel path (short rows, block rows, columns, split two-pass reductions); NaN and tie
semantics of the index outputs; the scans; backward; and bit-identical reruns."""
import numpy as np
import pytest

import pytensor
from helpers import (ALL_DTYPES, CUDA_SHAPES, FLOAT_DTYPES, GPU, assert_close, gpu_layouts,
                     grads_as_cpu, on_gpu, rand, to_np)

pytestmark = pytest.mark.cuda


def tol(dtype, n=1):
    """float32 device sums round differently from the CPU's: scale atol with the length."""
    if dtype == "float32":
        return dict(rtol=1e-4, atol=1e-5 * max(1.0, float(n) ** 0.5))
    if dtype == "float64":
        return dict(rtol=1e-10, atol=1e-10)
    return {}


def compare(got, expected, **tolk):
    got_list = list(got) if isinstance(got, (tuple, list)) else [got]
    exp_list = list(expected) if isinstance(expected, (tuple, list)) else [expected]
    assert len(got_list) == len(exp_list)
    for g, e in zip(got_list, exp_list):
        assert on_gpu(g), "output not on the device"
        assert g.dtype == e.dtype, f"dtype {g.dtype} != {e.dtype}"
        ref = to_np(e)
        assert_close(g, ref if ref.dtype.kind in "bui" else ref.astype(np.float64), **tolk)


def check(fn, t, arr, **tolk):
    """fn on the device tensor t matches fn on a CPU tensor of arr's values; when the CPU
    raises, the device raises the same exception type."""
    cpu = pytensor.from_numpy(np.array(arr))
    try:
        expected = fn(cpu)
    except Exception as e:  # noqa: BLE001 - any CPU error must be the device's too
        with pytest.raises(type(e)):
            fn(t)
        return
    compare(fn(t), expected, **tolk)


def dim_sets(ndim):
    dims = [None, (), 0, -1]
    if ndim >= 2:
        dims.append((0, ndim - 1))
    if ndim >= 3:
        dims += [1, tuple(range(ndim))]
    return dims


def one_dims(ndim):
    return [0, -1] + ([1] if ndim >= 3 else [])


def values(shape, dtype, seed=0):
    return rand(shape, dtype, np.random.default_rng(seed))


# ---- every kind over dim sets, layouts, shapes ----

def _all_dims(t, d):
    return tuple(range(t.dim())) if d is None else d


MULTI = {
    "sum": (lambda t, d, k: pytensor.sum(t, dim=d, keepdim=k), ALL_DTYPES),
    "nansum": (lambda t, d, k: pytensor.nansum(t, dim=d, keepdim=k), ALL_DTYPES),
    "mean": (lambda t, d, k: pytensor.mean(t, dim=d, keepdim=k), FLOAT_DTYPES),
    "nanmean": (lambda t, d, k: pytensor.nanmean(t, dim=d, keepdim=k), FLOAT_DTYPES),
    "amax": (lambda t, d, k: pytensor.amax(t, dim=d, keepdim=k), ALL_DTYPES),
    "amin": (lambda t, d, k: pytensor.amin(t, dim=d, keepdim=k), ALL_DTYPES),
    "all": (lambda t, d, k: pytensor.all(t, dim=d, keepdim=k), ALL_DTYPES),
    "any": (lambda t, d, k: pytensor.any(t, dim=d, keepdim=k), ALL_DTYPES),
    "count_nonzero": (lambda t, d, k: pytensor.count_nonzero(t, dim=d), ALL_DTYPES),
    "logsumexp": (lambda t, d, k: pytensor.logsumexp(t, dim=_all_dims(t, d), keepdim=k),
                  FLOAT_DTYPES + ["int32"]),
    "var": (lambda t, d, k: pytensor.var(t, dim=d, keepdim=k), FLOAT_DTYPES),
    "std_correction0": (lambda t, d, k: pytensor.std(t, dim=d, keepdim=k, correction=0), FLOAT_DTYPES),
    "var_mean": (lambda t, d, k: pytensor.var_mean(t, dim=d, keepdim=k), FLOAT_DTYPES),
    "std_mean": (lambda t, d, k: pytensor.std_mean(t, dim=d, keepdim=k), FLOAT_DTYPES),
    "norm2": (lambda t, d, k: pytensor.norm(t, dim=d, keepdim=k), FLOAT_DTYPES),
    "norm1": (lambda t, d, k: pytensor.norm(t, p=1, dim=d, keepdim=k), FLOAT_DTYPES),
    "norm0": (lambda t, d, k: pytensor.norm(t, p=0, dim=d, keepdim=k), FLOAT_DTYPES),
    "norm_inf": (lambda t, d, k: pytensor.norm(t, p=float("inf"), dim=d, keepdim=k), FLOAT_DTYPES),
    "norm_ninf": (lambda t, d, k: pytensor.norm(t, p=float("-inf"), dim=d, keepdim=k), FLOAT_DTYPES),
    "norm3": (lambda t, d, k: pytensor.norm(t, p=3, dim=d, keepdim=k), FLOAT_DTYPES),
    "norm_half": (lambda t, d, k: pytensor.norm(t, p=0.5, dim=d, keepdim=k), ["float64"]),
}
MULTI_CASES = [(op, dt) for op, (_, dts) in MULTI.items() for dt in dts]


@pytest.mark.parametrize("op,dtype", MULTI_CASES, ids=[f"{o}-{d}" for o, d in MULTI_CASES])
def test_multi_dim_kinds(op, dtype):
    fn = MULTI[op][0]
    for shape in CUDA_SHAPES:
        arr = values(shape, dtype)
        if dtype in FLOAT_DTYPES and arr.size:
            arr.flat[::4] = 0  # zeros for count_nonzero, norm 0 and the logic ops
        for name, t, a in gpu_layouts(arr):
            for d in dim_sets(arr.ndim):
                for k in (False, True):
                    check(lambda x: fn(x, d, k), t, a, **tol(dtype, max(1, arr.size)))


SINGLE = {
    "prod": (lambda t, d, k: pytensor.prod(t, dim=d, keepdim=k), ALL_DTYPES),
    "max": (lambda t, d, k: pytensor.max(t, dim=d, keepdim=k), ALL_DTYPES),
    "min": (lambda t, d, k: pytensor.min(t, dim=d, keepdim=k), ALL_DTYPES),
    "argmax": (lambda t, d, k: pytensor.argmax(t, dim=d, keepdim=k), ["uint8", "int32", "int64"] + FLOAT_DTYPES),
    "argmin": (lambda t, d, k: pytensor.argmin(t, dim=d, keepdim=k), ["uint8", "int32", "int64"] + FLOAT_DTYPES),
    "cumsum": (lambda t, d, k: pytensor.cumsum(t, dim=d), ALL_DTYPES),
    "cumprod": (lambda t, d, k: pytensor.cumprod(t, dim=d), ALL_DTYPES),
}
SINGLE_CASES = [(op, dt) for op, (_, dts) in SINGLE.items() for dt in dts]


@pytest.mark.parametrize("op,dtype", SINGLE_CASES, ids=[f"{o}-{d}" for o, d in SINGLE_CASES])
def test_single_dim_kinds(op, dtype):
    fn = SINGLE[op][0]
    for shape in CUDA_SHAPES:
        # values near 1 keep float products finite; integer products wrap alike on both
        arr = values(shape, dtype) if dtype not in FLOAT_DTYPES or op != "cumprod" and op != "prod" \
            else rand(shape, dtype, np.random.default_rng(1), low=0.9, high=1.1)
        for name, t, a in gpu_layouts(arr):
            for d in one_dims(arr.ndim):
                for k in (False, True):
                    check(lambda x: fn(x, d, k), t, a, **tol(dtype, max(1, arr.size)))


FULL = {
    "sum": lambda t: t.sum(),
    "prod": lambda t: t.prod(),
    "max": lambda t: t.max(),
    "min": lambda t: t.min(),
    "argmax": lambda t: t.argmax(),
    "argmin": lambda t: t.argmin(),
    "argmax_keepdim": lambda t: t.argmax(keepdim=True),
    "mean": lambda t: t.float().mean(),
    "var": lambda t: t.double().var(),
}
# The dtype mean and var compute in (their tolerance), whatever the input's.
FULL_COMPUTE = {"mean": "float32", "var": "float64"}


@pytest.mark.parametrize("op", list(FULL))
@pytest.mark.parametrize("dtype", ["int32", "int64", "float32", "float64"])
def test_full_reductions(op, dtype):
    for shape in CUDA_SHAPES:
        arr = values(shape, dtype, seed=2)
        if op == "prod" and dtype in FLOAT_DTYPES:
            arr = rand(shape, dtype, np.random.default_rng(2), low=0.9, high=1.1)
        for name, t, a in gpu_layouts(arr):
            check(FULL[op], t, a, **tol(FULL_COMPUTE.get(op, dtype), max(1, arr.size)))


# ---- shapes that take each kernel path ----

# (shape, dims): short rows (many outputs, a few threads each), block rows, rows split in two
# passes, columns, columns split in two passes, non-coalescing reduced dims, a full split.
PATHS = [
    ((1000, 7), 1), ((40, 3000), 1), ((3, 50000), 1), ((3000, 40), 0), ((50, 4000), 0),
    ((20000, 5), 0), ((6, 7, 9), (0, 2)), ((33, 17, 65), (1,)), ((1 << 21,), None),
]
PATH_OPS = {
    "sum": lambda t, d: pytensor.sum(t, dim=d),
    "mean": lambda t, d: pytensor.mean(t, dim=d),
    "nanmean": lambda t, d: pytensor.nanmean(t, dim=d),
    "amax": lambda t, d: pytensor.amax(t, dim=d),
    "amin": lambda t, d: pytensor.amin(t, dim=d),
    "var_mean": lambda t, d: pytensor.var_mean(t, dim=d),
    "std": lambda t, d: pytensor.std(t, dim=d),
    "norm2": lambda t, d: pytensor.norm(t, dim=d),
    "norm3": lambda t, d: pytensor.norm(t, p=3, dim=d),
    "norm_inf": lambda t, d: pytensor.norm(t, p=float("inf"), dim=d),
    "logsumexp": lambda t, d: pytensor.logsumexp(t, dim=_all_dims(t, d)),
    "any": lambda t, d: pytensor.any(pytensor.gt(t, 2.99), dim=d),
    "all": lambda t, d: pytensor.all(pytensor.gt(t, -2.99), dim=d),
    "count_nonzero": lambda t, d: pytensor.count_nonzero(pytensor.gt(t, 0), dim=d),
}


def _one(d):
    return d if isinstance(d, int) else None


@pytest.mark.parametrize("shape,dims", PATHS, ids=[str(s) for s, _ in PATHS])
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_kernel_paths(shape, dims, dtype):
    arr = values(shape, dtype, seed=3)
    n = arr.size
    for name, t, a in gpu_layouts(arr):
        for op, fn in PATH_OPS.items():
            check(lambda x: fn(x, dims), t, a, **tol(dtype, n))
        d = _one(dims)
        if d is not None or len(shape) == 1:
            dd = 0 if d is None else d
            check(lambda x: pytensor.max(x, dim=dd), t, a)
            check(lambda x: pytensor.argmin(x, dim=dd), t, a)
            check(lambda x: pytensor.prod(x * 1e-4 + 1, dim=dd), t, a, **tol(dtype, n))


@pytest.mark.parametrize("shape,dims", PATHS, ids=[str(s) for s, _ in PATHS])
def test_kernel_paths_integers(shape, dims):
    arr = values(shape, "int64", seed=4)
    for name, t, a in gpu_layouts(arr):
        check(lambda x: pytensor.sum(x, dim=dims), t, a)
        check(lambda x: pytensor.amax(x, dim=dims), t, a)
        d = _one(dims)
        dd = 0 if d is None else d
        if d is not None or len(shape) == 1:
            check(lambda x: pytensor.prod(x, dim=dd), t, a)  # wraps modulo 2^64 on both
            check(lambda x: pytensor.argmax(x, dim=dd), t, a)  # ties: many equal values
            check(lambda x: pytensor.min(x, dim=dd), t, a)


def test_long_full_sum_two_pass():
    # 2^22 elements: the split path with its maximum chunk count
    arr = np.random.default_rng(5).random(1 << 22).astype(np.float32)
    t = pytensor.from_numpy(arr).to(GPU)
    got = t.sum()
    assert on_gpu(got)
    assert_close(got, np.array(arr.astype(np.float64).sum()), rtol=1e-6, atol=0)
    assert_close(t.mean(), np.array(arr.astype(np.float64).mean()), rtol=1e-6, atol=0)
    ones = pytensor.ones(1 << 22, dtype=pytensor.int32).to(GPU)
    assert int(to_np(ones.sum())) == 1 << 22
    assert int(to_np(ones.count_nonzero())) == 1 << 22


def test_var_large_mean():
    # Welford / Chan stays accurate when the mean dwarfs the spread (sum of squares minus
    # squared sum would lose ~1e-3 here)
    rng = np.random.default_rng(6)
    arr = (1e6 + rng.random((4, 30000))).astype(np.float64)
    for name, t, a in gpu_layouts(arr):
        for d in (1, None):
            v = pytensor.var(t, dim=d)
            assert_close(v, np.var(a, axis=d, ddof=1), rtol=1e-6, atol=0)
    f = pytensor.from_numpy(arr.astype(np.float32)).to(GPU)
    assert_close(pytensor.var(f, dim=1), np.var(arr.astype(np.float32).astype(np.float64), axis=1, ddof=1),
                 rtol=1e-4, atol=0)


# ---- NaN and tie semantics ----

NAN_OPS = {
    "amax": lambda t, d: pytensor.amax(t, dim=d),
    "amin": lambda t, d: pytensor.amin(t, dim=d),
    "max": lambda t, d: pytensor.max(t, dim=d),
    "min": lambda t, d: pytensor.min(t, dim=d),
    "argmax": lambda t, d: pytensor.argmax(t, dim=d),
    "argmin": lambda t, d: pytensor.argmin(t, dim=d),
    "sum": lambda t, d: pytensor.sum(t, dim=d),
    "nansum": lambda t, d: pytensor.nansum(t, dim=d),
    "nanmean": lambda t, d: pytensor.nanmean(t, dim=d),
    "logsumexp": lambda t, d: pytensor.logsumexp(t, dim=d),
    "norm_inf": lambda t, d: pytensor.norm(t, p=float("inf"), dim=d),
    "var": lambda t, d: pytensor.var(t, dim=d),
}


@pytest.mark.parametrize("shape", [(5, 9), (4, 3000), (2, 20000), (3000, 6)])
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_nan_semantics(shape, dtype):
    arr = values(shape, dtype, seed=7)
    arr[0, 1] = np.nan            # one NaN
    arr[1, 2] = arr[1, -1] = np.nan  # two: the first index wins
    arr[-1, :] = np.nan           # all NaN
    for name, t, a in gpu_layouts(arr):
        for op, fn in NAN_OPS.items():
            for d in (0, 1):
                check(lambda x: fn(x, d), t, a, **tol(dtype, arr.size))
        check(lambda x: x.max(), t, a)
        check(lambda x: x.argmin(), t, a)


def test_infinities():
    arr = np.array([[-np.inf, -np.inf, -np.inf], [np.inf, 1.0, 2.0], [np.inf, np.inf, 0.0],
                    [-np.inf, 3.0, np.inf]], dtype=np.float64)
    for name, t, a in gpu_layouts(arr):
        for d in (0, 1):
            check(lambda x: pytensor.logsumexp(x, dim=d), t, a)
            check(lambda x: pytensor.argmax(x, dim=d), t, a)
            check(lambda x: pytensor.argmin(x, dim=d), t, a)
            check(lambda x: pytensor.norm(x, p=float("-inf"), dim=d), t, a)


@pytest.mark.parametrize("n", [5, 300, 40000])
def test_first_index_of_ties(n):
    # all equal but one spot: the first max / min index, across threads and chunks
    arr = np.zeros((3, n), dtype=np.float32)
    arr[1, n // 2:] = 1
    arr[2, [n // 3, n - 1]] = -1
    t = pytensor.from_numpy(arr).to(GPU)
    assert to_np(pytensor.argmax(t, dim=1)).tolist() == [0, n // 2, 0]
    assert to_np(pytensor.argmin(t, dim=1)).tolist() == [0, 0, n // 3]
    assert to_np(pytensor.max(t, dim=1).indices).tolist() == [0, n // 2, 0]
    assert int(to_np(t.argmax())) == n + n // 2


# ---- scans ----

SCAN_SHAPES = [((5000,), 0), ((3, 5000), 1), ((5000, 3), 0), ((4, 7, 600), 2), ((4, 700, 3), 1), ((2, 513), -1)]


@pytest.mark.parametrize("shape,dim", SCAN_SHAPES, ids=[str(s) for s in SCAN_SHAPES])
@pytest.mark.parametrize("dtype", ["bool", "int32", "int64", "float32", "float64"])
def test_scans_long_lines(shape, dim, dtype):
    arr = values(shape, dtype, seed=8)
    near_one = arr if dtype not in FLOAT_DTYPES else rand(shape, dtype, np.random.default_rng(8), 0.999, 1.001)
    for name, t, a in gpu_layouts(arr):
        check(lambda x: pytensor.cumsum(x, dim=dim), t, a, **tol(dtype, shape[dim]))
    for name, t, a in gpu_layouts(near_one):
        check(lambda x: pytensor.cumprod(x, dim=dim), t, a, **tol(dtype, shape[dim]))
    t = pytensor.from_numpy(arr).to(GPU)
    check(lambda x: pytensor.cumsum(x, dim=dim, dtype=pytensor.float64), t, arr)


# ---- dtype= and promotions ----

def test_dtype_arguments():
    arr = values((7, 33), "int32", seed=9)
    for name, t, a in gpu_layouts(arr):
        check(lambda x: pytensor.sum(x, dim=1, dtype=pytensor.float64), t, a)
        check(lambda x: pytensor.mean(x, dim=0, dtype=pytensor.float32), t, a, **tol("float32"))
        check(lambda x: pytensor.prod(x, dim=1, dtype=pytensor.int32), t, a)
        check(lambda x: pytensor.cumsum(x, dim=0, dtype=pytensor.int32), t, a)
    u8 = values((9, 5), "uint8", seed=9)
    for name, t, a in gpu_layouts(u8):
        check(lambda x: pytensor.all(x, dim=0), t, a)  # uint8 in, uint8 out
        check(lambda x: pytensor.any(x, dim=1), t, a)


# ---- backward ----

BACKWARD = [
    ("sum_dims", lambda x: x.sum(dim=(0, 2))),
    ("sum_all", lambda x: x.sum()),
    ("mean_keepdim", lambda x: x.mean(dim=1, keepdim=True)),
    ("max_dim", lambda x: x.max(dim=1)),
    ("max_all", lambda x: x.max()),
    ("amax", lambda x: x.amax(dim=(1, 2))),
    ("var", lambda x: x.var(dim=2)),
    ("std_mean", lambda x: pytensor.std_mean(x, dim=0)),
    ("norm2", lambda x: x.norm(dim=1)),
    ("norm3", lambda x: x.norm(p=3)),
    ("logsumexp", lambda x: x.logsumexp(dim=-1)),
    ("prod_dim", lambda x: x.prod(dim=1)),
    ("prod_all", lambda x: x.prod()),
    ("cumsum", lambda x: x.cumsum(dim=1)),
    ("cumprod", lambda x: x.cumprod(dim=2)),
]


@pytest.mark.parametrize("name,fn", BACKWARD, ids=[n for n, _ in BACKWARD])
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_backward(name, fn, dtype):
    arr = rand((3, 5, 4), dtype, np.random.default_rng(10), low=0.5, high=1.5)
    grads_as_cpu(fn, pytensor.from_numpy(arr), **tol(dtype, 60))


def test_sum_to_through_broadcast_add_backward():
    a = pytensor.from_numpy(values((4, 1, 3), "float64", seed=11))
    b = pytensor.from_numpy(values((5, 1), "float64", seed=12))
    grads_as_cpu(lambda x, y: x + y, a, b)
    grads_as_cpu(lambda x, y: x * y, a, b)


# ---- determinism ----

def test_bit_identical_reruns():
    rng = np.random.default_rng(13)
    big = pytensor.from_numpy(rng.standard_normal(1 << 21).astype(np.float32)).to(GPU)
    cols = pytensor.from_numpy(rng.standard_normal((20000, 7)).astype(np.float32)).to(GPU)
    rows = pytensor.from_numpy(rng.standard_normal((5, 30000)).astype(np.float32)).to(GPU)
    runs = [
        lambda: big.sum(), lambda: big.var(), lambda: big.norm(), lambda: big.logsumexp(0),
        lambda: big.argmax(), lambda: cols.sum(0), lambda: cols.std(0), lambda: rows.mean(1),
        lambda: rows.cumsum(1), lambda: cols.cumprod(0),
    ]
    for run in runs:
        first, second = to_np(run()), to_np(run())
        assert first.dtype == second.dtype
        assert first.tobytes() == second.tobytes()


# ---- sort, argsort, topk, kthvalue, median (cuda/sort.cu: lines up to 2048) ----

SORT_OPS = {
    "sort": lambda t, d: pytensor.sort(t, dim=d),
    "sort_desc": lambda t, d: pytensor.sort(t, dim=d, descending=True),
    "argsort": lambda t, d: pytensor.argsort(t, dim=d),
    "argsort_desc": lambda t, d: pytensor.argsort(t, dim=d, descending=True),
    "topk": lambda t, d: pytensor.topk(t, min(3, t.shape[d] if t.dim() else 1), dim=d),
    "topk_smallest": lambda t, d: pytensor.topk(t, min(2, t.shape[d] if t.dim() else 1), dim=d, largest=False),
    "kthvalue": lambda t, d: pytensor.kthvalue(t, 1 if not t.dim() else max(1, t.shape[d] // 2), dim=d),
    "kthvalue_keepdim": lambda t, d: pytensor.kthvalue(t, 1, dim=d, keepdim=True),
    "median": lambda t, d: pytensor.median(t, dim=d),
    "median_all": lambda t, d: pytensor.median(t),
}
SORT_CASES = [(op, dt) for op in SORT_OPS for dt in ["bool", "uint8", "int32", "int64", "float32", "float64"]
              if not (op.startswith("topk") and dt == "bool")]


@pytest.mark.parametrize("op,dtype", SORT_CASES, ids=[f"{o}-{d}" for o, d in SORT_CASES])
def test_sort_family(op, dtype):
    fn = SORT_OPS[op]
    for shape in CUDA_SHAPES:
        arr = rand(shape, dtype, np.random.default_rng(14), low=-2, high=2)  # ints: many ties
        if dtype in FLOAT_DTYPES and arr.size > 2:
            arr.flat[1] = arr.flat[-1] = np.nan
            arr.flat[2] = arr.flat[0]  # a tie
        for name, t, a in gpu_layouts(arr):
            for d in one_dims(arr.ndim):
                check(lambda x: fn(x, d), t, a)


@pytest.mark.parametrize("n", [2, 33, 257, 1500, 2048])
def test_sort_line_lengths(n):
    rng = np.random.default_rng(15)
    arr = rng.integers(0, 5, size=(3, n)).astype(np.float32)  # ties everywhere
    arr[1, n // 2] = np.nan
    for name, t, a in gpu_layouts(arr):
        for desc in (False, True):
            check(lambda x: pytensor.sort(x, dim=1, descending=desc), t, a)
        check(lambda x: pytensor.topk(x, min(n, 5), dim=1), t, a)
        check(lambda x: pytensor.median(x, dim=1), t, a)
        check(lambda x: pytensor.kthvalue(x, n, dim=1), t, a)
    cols = pytensor.from_numpy(np.ascontiguousarray(arr.T)).to(GPU)
    check(lambda x: pytensor.sort(x, dim=0), cols, arr.T)


@pytest.mark.skipif(GPU == "cpu", reason="the CPU sorts lines of any length")
def test_sort_long_lines_refused():
    t = pytensor.zeros(2049).to(GPU)
    with pytest.raises(NotImplementedError, match="sort"):
        pytensor.sort(t)
    with pytest.raises(NotImplementedError, match="median"):
        pytensor.median(t)


def test_sort_backward():
    arr = rand((4, 6), "float64", np.random.default_rng(16))
    grads_as_cpu(lambda x: pytensor.sort(x, dim=1)[0], pytensor.from_numpy(arr))
    grads_as_cpu(lambda x: pytensor.topk(x, 2, dim=0)[0], pytensor.from_numpy(arr))
    grads_as_cpu(lambda x: pytensor.median(x, dim=1)[0], pytensor.from_numpy(arr))

"""The vectorised reduction kernels (csrc/cpu/reduce_avx2.cpp) and the tiled transpose copy
(csrc/cpu/copy.cpp): against the plain reference kernels and float64 numpy on odd sizes that
hit every vector tail, on contiguous, transposed and strided views, every dim and keepdim,
every dtype the ops accept, NaN and inf, the float32 sum's error bound, and determinism."""
import contextlib
import itertools
import warnings

import numpy as np
import pytest

import pytensor
from helpers import ALL_DTYPES, FLOAT_DTYPES, NP_DTYPES, assert_close, dtype_name, to_np

SIZES = [1, 7, 13, 63, 65, 127, 1000]
# 2-D shapes: every pair of the small odd sizes, long rows and long columns, empty ones.
SHAPES_2D = list(itertools.product(SIZES[:-1], [1, 13, 65, 127])) + [
    (1000, 3), (3, 1000), (1000, 65), (0, 5), (5, 0)]


@contextlib.contextmanager
def reference_kernels():
    pytensor._C._use_reference_reductions(True)
    try:
        yield
    finally:
        pytensor._C._use_reference_reductions(False)


def make(shape, dtype, rng):
    if dtype == "bool":
        return rng.random(shape) > 0.5
    if dtype in FLOAT_DTYPES:
        return rng.standard_normal(shape).astype(NP_DTYPES[dtype])
    return rng.integers(0 if dtype == "uint8" else -50, 50, size=shape).astype(NP_DTYPES[dtype])


def views(a):
    """The same values contiguous, transposed (a view of a transposed copy) and strided."""
    yield a
    yield np.ascontiguousarray(a.T).T
    yield np.repeat(a, 2, axis=-1)[:, ::2]


def ops(t, dim, keepdim, dtype):
    """(name, result) for every fast-kernel reduction that accepts dtype."""
    out = [("sum", t.sum(dim, keepdim=keepdim))]
    if dtype in FLOAT_DTYPES:
        out += [("mean", t.mean(dim, keepdim=keepdim)), ("var", t.var(dim, keepdim=keepdim))]
    if t.shape[dim] == 0:
        return out
    out += [("amax", t.amax(dim, keepdim)), ("amin", t.amin(dim, keepdim))]
    mx, mn = t.max(dim, keepdim), t.min(dim, keepdim)
    out += [("max", mx.values), ("max.indices", mx.indices), ("min", mn.values),
            ("min.indices", mn.indices)]
    if dtype != "bool":
        out += [("argmax", t.argmax(dim, keepdim)), ("argmin", t.argmin(dim, keepdim))]
    return out


def numpy_ops(a, dim, keepdim, dtype):
    with warnings.catch_warnings():  # numpy warns where the mean of an empty dim is NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        return numpy_ops_quiet(a, dim, keepdim, dtype)


def numpy_ops_quiet(a, dim, keepdim, dtype):
    f = a.astype(np.float64) if dtype in FLOAT_DTYPES else a
    out = {"sum": a.sum(dim, keepdims=keepdim, dtype=np.float64 if dtype in FLOAT_DTYPES else np.int64)}
    if dtype in FLOAT_DTYPES:
        out["mean"] = f.mean(dim, keepdims=keepdim)
        out["var"] = f.var(dim, ddof=1, keepdims=keepdim) if a.shape[dim] > 1 else None
    if a.shape[dim]:
        out["amax"] = out["max"] = a.max(dim, keepdims=keepdim)
        out["amin"] = out["min"] = a.min(dim, keepdims=keepdim)
        out["argmax"] = out["max.indices"] = a.argmax(dim, keepdims=keepdim)
        out["argmin"] = out["min.indices"] = a.argmin(dim, keepdims=keepdim)
    return out


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_fast_kernels_match_reference_and_numpy(dtype):
    rng = np.random.default_rng(3)
    tol = {"float32": dict(rtol=1e-5, atol=1e-5), "float64": dict(rtol=1e-12, atol=1e-12)}.get(dtype, {})
    # Integers and bool run the engine's plain loops (test_reduce.py covers them at length).
    shapes = SHAPES_2D if dtype in FLOAT_DTYPES else SHAPES_2D[::4]
    for shape in shapes:
        for a in views(make(shape, dtype, rng)):
            t = pytensor.from_numpy(a)
            for dim, keepdim in [(0, False), (1, True), (-1, False), (0, True)]:
                fast = ops(t, dim, keepdim, dtype)
                with reference_kernels():
                    ref = ops(t, dim, keepdim, dtype)
                expect = numpy_ops(a, dim, keepdim, dtype)
                for (name, f), (_, r) in zip(fast, ref):
                    assert_close(f, to_np(r), dtype=dtype_name(r), **tol)
                    if expect.get(name) is not None:
                        assert_close(f, expect[name], **tol)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("n", SIZES + [0, 4096 * 3 + 5, 300001])
def test_full_reductions_odd_lengths(dtype, n):
    a = make((n,), dtype, np.random.default_rng(n))
    t = pytensor.from_numpy(a)
    tol = dict(rtol=1e-6, atol=1e-5) if dtype == "float32" else {}
    assert_close(t.sum(), a.astype(np.float64).sum(), **tol)
    if n:
        assert_close(t.mean(), a.astype(np.float64).mean(), **tol)
        assert float(to_np(t.amax())) == a.max() and float(to_np(t.amin())) == a.min()
        assert int(to_np(t.argmax())) == a.argmax() and int(to_np(t.argmin())) == a.argmin()
    # A strided view takes the plain loops: the same answers.
    if n > 1:
        s = pytensor.from_numpy(np.repeat(a, 2)[::2])
        assert_close(s.sum(), to_np(t.sum()), rtol=1e-6 if dtype == "float32" else 1e-12)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("n", [1, 7, 8, 9, 31, 33, 63, 65, 127, 1000])
def test_nan_and_inf_in_every_position(dtype, n):
    """NaN anywhere (head, vector body, tail) makes max/min NaN and arg max/min its first index,
    as in PyTorch; infinities are ordinary extremes; ties give the first index."""
    rng = np.random.default_rng(n)
    for pos in sorted({0, n // 2, n - 1, max(0, n - 3)}):
        a = make((3, n), dtype, rng)
        a[1, pos] = np.nan
        a[2, pos] = np.inf
        a[2, n - 1 - pos // 2] = np.inf
        t = pytensor.from_numpy(a)
        for r in (t.amax(1), t.max(1).values, t.amin(1), t.min(1).values):
            got = to_np(r)
            assert np.isnan(got[1]) and not np.isnan(got[0]) and not np.isnan(got[2])
        assert to_np(t.amax(1))[2] == np.inf
        first_inf = int(np.argmax(a[2] == np.inf))
        assert list(to_np(t.argmax(1))) == [a[0].argmax(), pos, first_inf]
        assert list(to_np(t.max(1).indices)) == [a[0].argmax(), pos, first_inf]
        assert list(to_np(t.argmin(1)))[:2] == [a[0].argmin(), pos]
        assert np.isnan(to_np(t.sum(1))[1]) and to_np(t.sum(1))[2] == np.inf
        a[1, :] = -np.inf
        t = pytensor.from_numpy(a)
        assert to_np(t.amax(1))[1] == -np.inf and int(to_np(t.argmax(1))[1]) == 0
        # Ties: the first index holding the max wins.
        b = np.zeros((2, n), dtype=NP_DTYPES[dtype])
        b[:, pos:] = 5
        tb = pytensor.from_numpy(b)
        assert list(to_np(tb.argmax(1))) == [pos, pos] and list(to_np(tb.argmin(1))) == [0, 0]


def test_float32_sum_accuracy_1e7():
    """float32 sums add fours in float, then accumulate in double: a 1e7-element sum stays
    within one float32 rounding of the exact value (here it lands within 3e-8)."""
    a = np.random.default_rng(1).random(10**7, dtype=np.float32)
    exact = a.astype(np.float64).sum()
    t = pytensor.from_numpy(a)
    for got in (t.sum(), t.reshape(-1, 1).sum(0)[0], t.reshape(1000, -1).sum((0, 1)),
                t.reshape(-1, 1000).sum(1).sum()):
        assert abs(float(to_np(got)) - exact) / exact < 6e-8
    assert abs(float(to_np(t.mean())) - exact / a.size) / (exact / a.size) < 6e-8


def test_float32_sum_error_bound_on_mixed_magnitudes():
    """Groups of four added in float cost at most 2^-23 sum|x|; the result rounds once more."""
    rng = np.random.default_rng(5)
    for n in (16, 1000, 65537, 300000):
        a = (rng.standard_normal(n) * 10.0 ** rng.uniform(-6, 6, n)).astype(np.float32)
        exact = a.astype(np.float64).sum()
        bound = 2.0 ** -23 * np.abs(a.astype(np.float64)).sum() + abs(exact) * 2.0 ** -24
        for got in (pytensor.from_numpy(a).sum(), pytensor.from_numpy(a.reshape(-1, 1)).sum(0)[0]):
            assert abs(float(to_np(got)) - exact) <= bound
        # Column sums (the rows kernel), each column against its own bound.
        m = a[:n - n % 40].reshape(-1, 40)
        got = to_np(pytensor.from_numpy(m).sum(0)).astype(np.float64)
        exact = m.astype(np.float64).sum(0)
        assert np.all(np.abs(got - exact) <= 2.0 ** -23 * np.abs(m.astype(np.float64)).sum(0)
                      + np.abs(exact) * 2.0 ** -24)


def test_results_are_deterministic_across_runs_and_thread_counts():
    a = np.random.default_rng(2).standard_normal(4_000_000).astype(np.float32)
    t, m = pytensor.from_numpy(a), pytensor.from_numpy(a.reshape(2000, 2000))
    before = pytensor.get_num_threads()
    runs = []
    try:
        for threads in (1, 2, 2):
            pytensor.set_num_threads(threads)
            runs.append([to_np(r).tobytes() for r in (t.sum(), t.mean(), m.sum(0), m.sum(1),
                                                        m.amax(1), m.argmax(1), m.var(0))])
    finally:
        pytensor.set_num_threads(before)
    assert runs[0] == runs[1] == runs[2]


# ---------------------------------------------------------------------------------------------
# tiled transpose copy

@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_transposed_contiguous_every_dtype_odd_sizes(dtype):
    rng = np.random.default_rng(4)
    for r, c in [(1000, 127), (65, 63), (13, 1000), (127, 65), (1, 5000), (5000, 1), (64, 64)]:
        a = make((r, c), dtype, rng)
        t = pytensor.from_numpy(a)
        got = t.T.contiguous()
        assert got.is_contiguous() and dtype_name(got) == dtype
        np.testing.assert_array_equal(to_np(got), a.T)
        np.testing.assert_array_equal(to_np(t.T.clone()), a.T)


def test_tiled_copy_strided_batched_broadcast_and_into_views():
    rng = np.random.default_rng(6)
    a = rng.standard_normal((6, 70, 90)).astype(np.float32)
    t = pytensor.from_numpy(a)
    for perm in itertools.permutations(range(3)):
        np.testing.assert_array_equal(to_np(t.permute(*perm).contiguous()), a.transpose(perm))
    # A strided, sliced source and a transposed destination.
    s = pytensor.from_numpy(a[:, 3:, ::3])
    np.testing.assert_array_equal(to_np(s.transpose(1, 2).contiguous()), a[:, 3:, ::3].transpose(0, 2, 1))
    dst = pytensor.zeros(90, 70)
    dst.T.copy_(pytensor.from_numpy(np.ascontiguousarray(a[0])))
    np.testing.assert_array_equal(to_np(dst), a[0].T)
    # A broadcast (stride 0) source transposed.
    row = pytensor.from_numpy(a[0, 0])
    np.testing.assert_array_equal(to_np(row.expand(200, 90).T.contiguous()),
                                  np.broadcast_to(a[0, 0], (200, 90)).T)
    # Dtype conversion takes the strided loop: still right.
    np.testing.assert_array_equal(to_np(t[0].T.to(pytensor.float64)), a[0].T.astype(np.float64))

"""Reductions against numpy (float64): every dtype each op accepts, 0-d, empty, keepdim, negative
and tuple dims, non-contiguous layouts, threaded sizes, the error paths, the engine against the
plain reference kernels, and hypothesis properties."""
import contextlib
import itertools

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import pytensor
from helpers import ALL_DTYPES, FLOAT_DTYPES, INT_DTYPES, NP_DTYPES, SHAPES, assert_close, \
    dtype_name, layouts, rand, to_np


def dim_options(ndim):
    """None, each dim (also negative), all dims as a tuple and, from rank 3, a pair."""
    opts = [None]
    if ndim == 0:
        return opts + [0, -1, (0,)]
    opts += list(range(ndim)) + [-1, tuple(range(ndim)), [-1, 0] if ndim > 1 else [-1]]
    if ndim >= 3:
        opts.append((0, 2))
    return opts


def np_axis(dim, ndim):
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return None
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    return tuple(d % max(ndim, 1) for d in dims) if ndim else None


def cases(dtypes, shapes=SHAPES):
    for dtype in dtypes:
        for shape in shapes:
            arr = rand(shape, dtype)
            for name, t, a in layouts(arr):
                yield dtype, shape, name, t, a


@contextlib.contextmanager
def reference_kernels():
    pytensor._C._use_reference_reductions(True)
    try:
        yield
    finally:
        pytensor._C._use_reference_reductions(False)


def t_of(arr):
    return pytensor.from_numpy(np.ascontiguousarray(arr) if np.ndim(arr) else np.array(arr))


# ---------------------------------------------------------------------------------------------
# sum / nansum / prod / mean

@pytest.mark.parametrize("keepdim", [False, True])
def test_sum_every_dtype_shape_layout_dim(keepdim):
    for dtype, shape, _, t, a in cases(ALL_DTYPES):
        want_dtype = dtype if dtype in FLOAT_DTYPES else "int64"
        ref = a.astype(np.float64 if dtype in FLOAT_DTYPES else np.int64)
        for dim in dim_options(len(shape)):
            got = t.sum(dim, keepdim=keepdim) if dim is not None else t.sum(keepdim=keepdim) if keepdim else t.sum()
            exp = ref.sum(axis=np_axis(dim, len(shape)), keepdims=keepdim)
            assert_close(got, exp, dtype=want_dtype)
            assert_close(pytensor.sum(t, dim=dim, keepdim=keepdim), exp, dtype=want_dtype)


def test_sum_dtype_argument():
    a = rand((4, 5), "int32")
    assert_close(t_of(a).sum(dtype=pytensor.float64), a.astype(np.float64).sum(), dtype="float64")
    assert_close(t_of(a).sum(1, dtype=pytensor.float32), a.sum(1).astype(np.float32), dtype="float32")
    f = rand((4, 5), "float32") * 10
    assert_close(t_of(f).sum(0, dtype=pytensor.int32), f.astype(np.int32).sum(0), dtype="int32")
    assert_close(t_of(f).sum(dtype=pytensor.float64), f.astype(np.float64).sum(), dtype="float64")
    b = rand((6,), "bool")
    assert_close(t_of(b).sum(), b.sum(), dtype="int64")


def test_sum_empty_and_zero_d():
    assert_close(t_of(np.zeros((0, 3), np.float32)).sum(), np.float32(0), dtype="float32")
    assert_close(t_of(np.zeros((0, 3), np.float32)).sum(0), np.zeros(3), dtype="float32")
    assert_close(t_of(np.zeros((0, 3), np.float32)).sum(1), np.zeros(0), dtype="float32")
    assert_close(t_of(np.zeros((0, 3), np.int32)).prod(0), np.ones(3, np.int64), dtype="int64")
    assert_close(t_of(np.zeros((0,), np.float64)).prod(), np.float64(1), dtype="float64")
    assert np.isnan(to_np(t_of(np.zeros((0, 2), np.float32)).mean()))
    assert np.isnan(to_np(t_of(np.zeros((0, 2), np.float32)).mean(0))).all()
    z = t_of(np.array(2.5, np.float32))
    assert_close(z.sum(), np.float32(2.5), dtype="float32")
    assert_close(z.sum(0), np.float32(2.5))
    assert_close(z.sum(-1, keepdim=True), np.float32(2.5))
    assert_close(z.mean((0,)), np.float32(2.5))


def test_sum_empty_dim_list_reduces_everything():
    a = rand((3, 4), "float64")
    assert_close(t_of(a).sum(()), a.sum())
    assert_close(t_of(a).sum([]), a.sum())
    assert_close(t_of(a).mean(()), a.mean())


def test_nansum_nanmean():
    a = rand((4, 6), "float64")
    a[1, 2] = a[3, 0] = a[3, 5] = np.nan
    for dim in [None, 0, 1, (0, 1)]:
        ax = np_axis(dim, 2)
        kw = {} if dim is None else {"dim": dim}
        assert_close(t_of(a).nansum(**kw), np.nansum(a, axis=ax))
        assert_close(pytensor.nanmean(t_of(a), **kw), np.nanmean(a, axis=ax))
    i = rand((3, 3), "int32")
    assert_close(t_of(i).nansum(), i.sum(), dtype="int64")
    with pytest.raises(RuntimeError, match="nanmean\\(\\): expected input to have floating point"):
        t_of(i).nanmean()


@pytest.mark.parametrize("keepdim", [False, True])
def test_prod(keepdim):
    for dtype, shape, _, t, a in cases(ALL_DTYPES):
        if dtype in INT_DTYPES and dtype != "uint8":
            a = np.clip(a, -2, 2)
            t = t_of(a)
        ref = a.astype(np.float64 if dtype in FLOAT_DTYPES else np.int64)
        want = dtype if dtype in FLOAT_DTYPES else "int64"
        assert_close(t.prod(), ref.prod(), dtype=want, rtol=1e-4)
        for d in range(len(shape)):
            assert_close(t.prod(d, keepdim), ref.prod(axis=d, keepdims=keepdim), dtype=want, rtol=1e-4)
    a = rand((3, 4), "int32")
    assert_close(t_of(a).prod(1, dtype=pytensor.float64), a.astype(np.float64).prod(1), dtype="float64")


def test_prod_integer_overflow_wraps_like_int64():
    a = np.full(70, 2, np.int64)
    assert to_np(t_of(a).prod()) == np.prod(a)  # 2**70 wraps to 0 in int64, as in PyTorch


@pytest.mark.parametrize("keepdim", [False, True])
def test_mean_floats(keepdim):
    for dtype, shape, _, t, a in cases(FLOAT_DTYPES):
        for dim in dim_options(len(shape)):
            kw = {} if dim is None else {"dim": dim}
            exp = a.astype(np.float64).mean(axis=np_axis(dim, len(shape)), keepdims=keepdim) \
                if a.size else np.full(np.sum(a, axis=np_axis(dim, len(shape)), keepdims=keepdim).shape, np.nan)
            assert_close(t.mean(keepdim=keepdim, **kw), exp, dtype=dtype)


def test_mean_dtype_rules():
    i = rand((3, 4), "int64")
    with pytest.raises(RuntimeError, match=r"mean\(\): could not infer output dtype. Input dtype must be "
                                           r"either a floating point or complex dtype. Got: Long"):
        t_of(i).mean()
    with pytest.raises(RuntimeError, match="Got: Bool"):
        t_of(rand((3,), "bool")).mean()
    with pytest.raises(RuntimeError, match="Optional dtype must be either a floating point or complex dtype. Got: Int"):
        t_of(i).mean(dtype=pytensor.int32)
    assert_close(t_of(i).mean(0, dtype=pytensor.float64), i.mean(0), dtype="float64")
    assert_close(t_of(rand((5,), "float32")).mean(dtype=pytensor.float64), rand((5,), "float32").astype(np.float64).mean(), dtype="float64")


def test_sum_float32_1e7_accuracy():
    a = np.random.default_rng(1).random(10**7, dtype=np.float32)
    got = float(to_np(t_of(a).sum()))
    exact = a.astype(np.float64).sum()
    assert abs(got - exact) / exact < 1e-6
    # Along a dim too, and through the rows loop (dim 0 of a column).
    col = a.reshape(-1, 1)
    got0 = float(to_np(t_of(col).sum(0))[0])
    assert abs(got0 - exact) / exact < 1e-6
    assert abs(float(to_np(t_of(a).mean())) - exact / a.size) / (exact / a.size) < 1e-6


# ---------------------------------------------------------------------------------------------
# max / min / amax / amin / argmax / argmin

def np_max_with_nan(a, axis, keepdims, is_max=True):
    f = np.max if is_max else np.min
    return f(a, axis=axis, keepdims=keepdims)  # numpy's max/min propagate NaN as PyTorch does


def test_max_min_every_dtype():
    for dtype, shape, _, t, a in cases(ALL_DTYPES):
        if a.size == 0:
            continue
        assert_close(t.max(), a.max(), dtype=dtype)
        assert_close(pytensor.min(t), a.min(), dtype=dtype)
        for d in range(-len(shape), len(shape)):
            for keepdim in (False, True):
                r = t.max(d, keepdim)
                assert_close(r.values, a.max(axis=d, keepdims=keepdim), dtype=dtype)
                if dtype != "bool":
                    assert_close(r.indices, np.expand_dims(a.argmax(axis=d), d) if keepdim else a.argmax(axis=d), dtype="int64")
                r = pytensor.min(t, dim=d, keepdim=keepdim)
                assert_close(r.values, a.min(axis=d, keepdims=keepdim), dtype=dtype)
                if dtype != "bool":
                    assert_close(r.indices, np.expand_dims(a.argmin(axis=d), d) if keepdim else a.argmin(axis=d), dtype="int64")


def test_max_named_tuple_api():
    a = rand((3, 5), "float32")
    r = t_of(a).max(1)
    assert type(r).__name__ == "max" and type(r).__module__ == "pytensor.return_types"
    assert type(r) is pytensor.return_types.max
    assert isinstance(r, tuple) and len(r) == 2
    values, indices = r
    assert_close(values, a.max(1))
    assert_close(indices, a.argmax(1), dtype="int64")
    assert_close(r[0], a.max(1))
    assert_close(r[1], a.argmax(1))
    assert_close(r.values, a.max(1))
    assert_close(r.indices, a.argmax(1))
    assert type(t_of(a).min(0)) is pytensor.return_types.min
    assert "values=" in repr(r.__class__._fields) or r._fields == ("values", "indices")
    import pickle
    r2 = pickle.loads(pickle.dumps(pytensor.return_types.max(1, 2)))
    assert r2.values == 1 and r2.indices == 2


def test_max_bool_and_ties():
    b = np.array([False, True, True, False])
    assert to_np(t_of(b).max()) == True  # noqa: E712
    r = t_of(b).max(0)
    assert to_np(r.values) == True and to_np(r.indices) == 1  # noqa: E712
    ties = np.array([[1, 3, 3, 0], [2, 2, 2, 2]], np.int32)
    assert_close(t_of(ties).argmax(1), [1, 0])
    assert_close(t_of(ties).argmin(1), [3, 0])
    assert_close(t_of(ties).max(1).indices, [1, 0])


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_nan_propagates_through_max_min_argmax(dtype):
    a = np.array([[1.0, np.nan, 5.0, np.nan], [2.0, 0.5, -1.0, 3.0]], NP_DTYPES[dtype])
    t = t_of(a)
    assert np.isnan(to_np(t.max())) and np.isnan(to_np(t.min()))
    assert np.isnan(to_np(t.amax())) and np.isnan(to_np(t.amin()))
    r = t.max(1)
    assert np.isnan(to_np(r.values)[0]) and to_np(r.values)[1] == 3.0
    assert_close(r.indices, [1, 3])
    assert_close(t.min(1).indices, [1, 2])
    assert_close(t.argmax(1), [1, 3])
    assert_close(t.argmin(1), [1, 2])
    assert to_np(t.argmax()) == 1 and to_np(t.argmin()) == 1
    assert_close(t.amax(0), np.max(a, axis=0))
    assert_close(t.amin(0), np.min(a, axis=0))
    # A NaN late in a long line (the vectorised lanes, then the first-index scan).
    long = np.arange(5000, dtype=NP_DTYPES[dtype])
    long[4321] = long[4500] = np.nan
    assert to_np(t_of(long).argmax()) == 4321 and to_np(t_of(long).argmin()) == 4321
    assert np.isnan(to_np(t_of(long).max())) and np.isnan(to_np(t_of(long).amin()))
    assert_close(t_of(long.reshape(50, 100)).amax(0), np.max(long.reshape(50, 100), axis=0))


@pytest.mark.parametrize("keepdim", [False, True])
def test_amax_amin_tuple_dims(keepdim):
    for dtype, shape, _, t, a in cases(ALL_DTYPES):
        if a.size == 0:
            continue
        for dim in dim_options(len(shape)):
            kw = {} if dim is None else {"dim": dim}
            ax = np_axis(dim, len(shape))
            assert_close(t.amax(keepdim=keepdim, **kw), a.max(axis=ax, keepdims=keepdim), dtype=dtype)
            assert_close(pytensor.amin(t, keepdim=keepdim, **kw), a.min(axis=ax, keepdims=keepdim), dtype=dtype)


def test_argmax_argmin():
    for dtype, shape, _, t, a in cases(INT_DTYPES + FLOAT_DTYPES):
        if a.size == 0:
            continue
        assert_close(t.argmax(), np.argmax(a), dtype="int64")
        assert_close(pytensor.argmin(t), np.argmin(a), dtype="int64")
        kd = t.argmax(keepdim=True)
        assert tuple(kd.shape) == (1,) * len(shape) and to_np(kd).ravel()[0] == np.argmax(a)
        for d in range(-len(shape), len(shape)):
            assert_close(t.argmax(d), np.argmax(a, axis=d))
            assert_close(t.argmin(dim=d, keepdim=True), np.expand_dims(np.argmin(a, axis=d), d))
    with pytest.raises(RuntimeError, match=r"argmax\(\): does not support bool input"):
        t_of(np.array([True, False])).argmax()


def test_max_family_empty_errors():
    e = t_of(np.zeros((0, 3), np.float32))
    msg_all = r"Expected reduction dim to be specified for input.numel\(\) == 0. Specify the reduction dim"
    with pytest.raises(RuntimeError, match=r"max\(\): " + msg_all):
        e.max()
    with pytest.raises(RuntimeError, match=r"amax\(\): " + msg_all):
        e.amax()
    with pytest.raises(IndexError, match=r"max\(\): Expected reduction dim 0 to have non-zero size."):
        e.max(0)
    with pytest.raises(IndexError, match=r"amin\(\): Expected reduction dim 0 to have non-zero size."):
        e.amin((0, 1))
    with pytest.raises(IndexError, match=r"argmax\(\): Expected reduction dim to be specified for input.numel\(\) == 0."):
        e.argmax()
    with pytest.raises(IndexError, match=r"argmin\(\): Expected reduction dim 0 to have non-zero size."):
        e.argmin(0)
    r = e.max(1)
    assert tuple(r.values.shape) == (0,) and tuple(r.indices.shape) == (0,)
    assert tuple(e.amax(1).shape) == (0,) and tuple(e.argmin(1).shape) == (0,)


def test_zero_d_max_argmax():
    z = t_of(np.array(4.0, np.float64))
    r = z.max(0)
    assert to_np(r.values) == 4.0 and to_np(r.indices) == 0 and tuple(r.values.shape) == ()
    assert to_np(z.argmax()) == 0 and to_np(z.argmax(0)) == 0 and to_np(z.amin()) == 4.0


# ---------------------------------------------------------------------------------------------
# var / std

@pytest.mark.parametrize("correction", [0, 1, 2])
def test_var_std(correction):
    for dtype, shape, _, t, a in cases(FLOAT_DTYPES, [(7,), (5, 3), (2, 3, 5), (2, 1, 4, 3)]):
        for dim in dim_options(len(shape)):
            ax = np_axis(dim, len(shape))
            kw = {} if dim is None else {"dim": dim}
            ref = a.astype(np.float64)
            n = ref.size if ax is None else np.prod([ref.shape[d] for d in ax])
            if n - correction <= 0:
                continue
            assert_close(t.var(correction=correction, **kw), ref.var(axis=ax, ddof=correction), dtype=dtype, rtol=1e-4)
            assert_close(pytensor.std(t, correction=correction, keepdim=True, **kw),
                         ref.std(axis=ax, ddof=correction, keepdims=True), dtype=dtype, rtol=1e-4)


def test_var_legacy_unbiased_and_positional():
    a = rand((4, 6), "float64")
    t = t_of(a)
    assert_close(t.var(1, False), a.var(1))
    assert_close(t.var(1, True, True), a.var(1, ddof=1, keepdims=True))
    assert_close(t.var(unbiased=False), a.var())
    assert_close(t.var(True), a.var(ddof=1))
    assert_close(t.std(False), a.std())
    assert_close(t.std(0, unbiased=True), a.std(0, ddof=1))
    assert_close(pytensor.var(t, dim=(0, 1), correction=0), a.var())


def test_var_mean_std_mean():
    a = rand((4, 6), "float32")
    v, m = pytensor.var_mean(t_of(a), 1)
    assert_close(v, a.astype(np.float64).var(1, ddof=1), rtol=1e-5)
    assert_close(m, a.astype(np.float64).mean(1))
    s, m = pytensor.std_mean(t_of(a), dim=0, correction=0, keepdim=True)
    assert_close(s, a.astype(np.float64).std(0, keepdims=True), rtol=1e-5)
    assert_close(m, a.astype(np.float64).mean(0, keepdims=True))


def test_var_no_catastrophic_cancellation():
    rng = np.random.default_rng(3)
    for dtype, tol in (("float64", 1e-8), ("float32", 1e-3)):  # naive sums of squares: ~1e-4
        a = (1e6 + rng.standard_normal((64, 3000))).astype(NP_DTYPES[dtype])
        ref = a.astype(np.float64)
        for dim in (0, 1, None):
            kw = {} if dim is None else {"dim": dim}
            np.testing.assert_allclose(to_np(t_of(a).var(**kw)), ref.var(axis=dim, ddof=1), rtol=tol)
        # Through the rows loop (reducing the outer dim) and a full split reduction.
        np.testing.assert_allclose(to_np(t_of(np.ascontiguousarray(a.T)).var(1)), ref.var(0, ddof=1), rtol=tol)


def test_var_degenerate_and_errors():
    assert np.isnan(to_np(t_of(np.array([1.0])).var()))
    assert np.isinf(to_np(t_of(np.array([1.0, 2.0])).var(correction=3)))
    assert np.isnan(to_np(t_of(np.zeros((0,), np.float32)).var()))
    with pytest.raises(RuntimeError, match="std and var only support floating point and complex dtypes"):
        t_of(rand((3,), "int64")).var()
    with pytest.raises(RuntimeError, match="std and var only support floating point"):
        t_of(rand((3,), "bool")).std()


# ---------------------------------------------------------------------------------------------
# all / any / count_nonzero

def test_all_any():
    for dtype, shape, _, t, a in cases(ALL_DTYPES):
        out = "uint8" if dtype == "uint8" else "bool"
        for dim in dim_options(len(shape)):
            ax = np_axis(dim, len(shape))
            kw = {} if dim is None else {"dim": dim}
            for keepdim in (False, True):
                assert_close(t.all(keepdim=keepdim, **kw), np.all(a, axis=ax, keepdims=keepdim).astype(NP_DTYPES[out]), dtype=out)
                assert_close(pytensor.any(t, keepdim=keepdim, **kw), np.any(a, axis=ax, keepdims=keepdim).astype(NP_DTYPES[out]), dtype=out)
    a = np.array([[0.0, np.nan], [1.0, 2.0]])
    assert_close(t_of(a).all(1), [False, True])
    assert to_np(t_of(np.zeros((0, 2))).all()) == True and to_np(t_of(np.zeros((0, 2))).any()) == False  # noqa: E712


def test_all_any_empty_dim_list_reduces_nothing():
    a = np.array([[0.0, 2.0], [1.0, 0.0]])
    assert_close(t_of(a).all(()), a != 0)
    assert_close(t_of(a).any(dim=[]), a != 0)


def test_count_nonzero():
    for dtype, shape, _, t, a in cases(ALL_DTYPES):
        assert_close(t.count_nonzero(), np.count_nonzero(a), dtype="int64")
        for dim in dim_options(len(shape))[1:]:
            assert_close(pytensor.count_nonzero(t, dim), np.count_nonzero(a, axis=np_axis(dim, len(shape))), dtype="int64")


# ---------------------------------------------------------------------------------------------
# norm / logsumexp

def np_norm(a, p, axis, keepdims):
    x = np.abs(a.astype(np.float64))
    if p == np.inf:
        return x.max(axis=axis, keepdims=keepdims)
    if p == -np.inf:
        return x.min(axis=axis, keepdims=keepdims)
    if p == 0:
        return (x != 0).sum(axis=axis, keepdims=keepdims).astype(np.float64)
    with np.errstate(divide="ignore"):
        return (x ** p).sum(axis=axis, keepdims=keepdims) ** (1.0 / p)


@pytest.mark.parametrize("p", [2, 1, np.inf, -np.inf, 0, 3, 0.5, -1, "fro"])
def test_norm(p):
    pn = 2 if p == "fro" else p
    for dtype, shape, _, t, a in cases(FLOAT_DTYPES, [(), (7,), (5, 3), (2, 3, 5)]):
        for dim in dim_options(len(shape)):
            ax = np_axis(dim, len(shape))
            for keepdim in (False, True):
                assert_close(t.norm(p, dim, keepdim), np_norm(a, pn, ax, keepdim), dtype=dtype, rtol=1e-4)
    a = rand((3, 4), "float32")
    assert_close(pytensor.norm(t_of(a)), np.linalg.norm(a.astype(np.float64)), rtol=1e-5)
    assert_close(t_of(a).norm(dtype=pytensor.float64), np.linalg.norm(a.astype(np.float64)), dtype="float64")
    assert_close(t_of(a).norm(p=None, dim=1), np.linalg.norm(a.astype(np.float64), axis=1), rtol=1e-5)


def test_norm_errors():
    with pytest.raises(RuntimeError, match="linalg.vector_norm: Expected a floating point or complex tensor as input. Got Long"):
        t_of(rand((3,), "int64")).norm()
    with pytest.raises(RuntimeError, match="cannot compute the inf norm on an empty tensor"):
        t_of(np.zeros((0, 3))).norm(np.inf)
    with pytest.raises(RuntimeError, match="cannot compute the inf norm on the dimension 0"):
        t_of(np.zeros((0, 3))).norm(np.inf, 0)
    assert tuple(t_of(np.zeros((0, 3))).norm(np.inf, 1).shape) == (0,)
    assert_close(t_of(np.zeros((0, 3))).norm(), 0.0)
    with pytest.raises(RuntimeError, match="Order abc not supported"):
        t_of(rand((3,), "float32")).norm("abc")
    with pytest.raises(RuntimeError, match="dim 0 appears multiple times"):
        t_of(rand((3, 2), "float32")).norm(2, (0, 0))


def np_logsumexp(a, axis, keepdims):
    a = a.astype(np.float64)
    m = np.max(a, axis=axis, keepdims=True) if a.size else np.full(np.sum(a, axis=axis, keepdims=True).shape, -np.inf)
    m_safe = np.where(np.isfinite(m), m, 0)
    with np.errstate(divide="ignore"):
        r = np.log(np.sum(np.exp(a - m_safe), axis=axis, keepdims=True)) + m_safe
    return r if keepdims else np.squeeze(r, axis=axis)


def test_logsumexp():
    for dtype, shape, _, t, a in cases(FLOAT_DTYPES):
        for dim in dim_options(len(shape))[1:]:
            ax = np_axis(dim, len(shape))
            for keepdim in (False, True):
                assert_close(t.logsumexp(dim, keepdim), np_logsumexp(a, ax, keepdim), dtype=dtype)
    i = rand((3, 4), "int32")
    assert_close(pytensor.logsumexp(t_of(i), 1), np_logsumexp(i, 1, False), dtype="float32")


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_logsumexp_stable_and_infinite_rows(dtype):
    a = np.array([[1000.0, 1000.0, 999.0],
                  [-1000.0, -1001.0, -1000.5],
                  [-np.inf, -np.inf, -np.inf],
                  [np.inf, 1.0, -np.inf],
                  [np.inf, np.nan, 0.0],
                  [np.inf, np.inf, 2.0]], NP_DTYPES[dtype])
    got = to_np(t_of(a).logsumexp(1))
    big = 1000 + np.log(2 + np.exp(-1))
    small = -1000 + np.log(1 + np.exp(-1) + np.exp(-0.5))
    np.testing.assert_allclose(got[:2], [big, small], rtol=1e-6)
    assert got[2] == -np.inf and got[3] == np.inf and np.isnan(got[4]) and got[5] == np.inf
    # The same rows reduced along the outer dim (the rows loop) and in long lines (split).
    np.testing.assert_array_equal(to_np(t_of(np.ascontiguousarray(a.T)).logsumexp(0)), got)
    long = np.full(300000, -np.inf, NP_DTYPES[dtype])
    long[123456] = 5.0
    assert to_np(t_of(long).logsumexp(0)) == 5.0


# ---------------------------------------------------------------------------------------------
# cumsum / cumprod

def test_cumsum_cumprod():
    for dtype, shape, _, t, a in cases(ALL_DTYPES):
        want = dtype if dtype in FLOAT_DTYPES else "int64"
        ref = a.astype(np.float64 if dtype in FLOAT_DTYPES else np.int64)
        small = np.clip(ref, -2, 2)
        for d in range(-len(shape), len(shape)) if shape else [0, -1]:
            ax = d if shape else None
            assert_close(t.cumsum(d), np.cumsum(ref, axis=ax).reshape(ref.shape), dtype=want)
            assert_close(pytensor.cumprod(t_of(small.astype(a.dtype)) if dtype != "uint8" else t, dim=d),
                         np.cumprod(small if dtype != "uint8" else ref, axis=ax).reshape(ref.shape), dtype=want, rtol=1e-4)
    i = rand((3, 4), "int32")
    assert_close(t_of(i).cumsum(1, dtype=pytensor.float32), np.cumsum(i, 1).astype(np.float32), dtype="float32")
    f = rand((3, 4), "float32")
    assert_close(t_of(f).cumsum(0, dtype=pytensor.float64), np.cumsum(f.astype(np.float64), 0), dtype="float64")
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"):
        t_of(f).cumsum(2)
    with pytest.raises(TypeError):
        t_of(f).cumsum()


def test_cumsum_long_and_wide():
    rng = np.random.default_rng(5)
    for shape, dim in [((3, 70000), 1), ((70000, 3), 0), ((40, 300, 7), 1), ((300, 400), 0)]:
        a = rng.random(shape, dtype=np.float32)
        assert_close(t_of(a).cumsum(dim), np.cumsum(a.astype(np.float64), axis=dim), rtol=1e-5, atol=1e-3)


# ---------------------------------------------------------------------------------------------
# dims, argument errors

def test_bad_dims():
    t = t_of(rand((2, 3), "float32"))
    msg = r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"
    for call in (lambda: t.sum(2), lambda: t.sum((0, 2)), lambda: t.mean(2), lambda: t.amax(2),
                 lambda: t.max(2), lambda: t.argmax(2), lambda: t.var(2), lambda: t.all(2),
                 lambda: t.logsumexp(2), lambda: t.norm(2, 2), lambda: t.count_nonzero(2),
                 lambda: t.prod(2)):
        with pytest.raises(IndexError, match=msg):
            call()
    with pytest.raises(IndexError, match=r"range of \[-2, 1\], but got -3"):
        t.mean(-3)
    with pytest.raises(IndexError, match=r"range of \[-1, 0\], but got 1"):
        t_of(np.array(1.0)).sum(1)
    for call in (lambda: t.sum((0, 0)), lambda: t.sum([1, -1]), lambda: t.amax((0, -2)),
                 lambda: t.var((1, 1)), lambda: t.count_nonzero((0, 0)),
                 lambda: t_of(np.array(1.0)).sum((0, -1))):
        with pytest.raises(RuntimeError, match="appears multiple times in the list of dims"):
            call()
    with pytest.raises(TypeError, match="argument 'dim'"):
        t.sum(dim="a")
    with pytest.raises(TypeError, match="argument 'dim' must be tuple of ints"):
        t.sum(dim=(0, "a"))
    with pytest.raises(TypeError, match="argument 'dim'"):
        t.sum(1.5)
    with pytest.raises(TypeError):
        pytensor.sum([1, 2, 3])
    with pytest.raises(TypeError, match="argument 'dim'"):
        t.max("a")


def test_numpy_integer_dims_and_keyword_names():
    a = rand((2, 3, 4), "float64")
    t = t_of(a)
    assert_close(t.sum(np.int64(1)), a.sum(1))
    assert_close(pytensor.sum(input=t, dim=(np.int32(0), 2), keepdim=True), a.sum((0, 2), keepdims=True))
    assert_close(pytensor.amax(input=t, dim=-1), a.max(-1))


# ---------------------------------------------------------------------------------------------
# engine against the plain reference kernels, on odd shapes, strides and threaded sizes

def odd_views(base):
    """Zero-copy views of `base` (shape (6, 7, 9, 5)) with odd shapes and strides."""
    yield base
    yield base.transpose(2, 0, 3, 1)
    yield base[::2, 1:, ::-3, :]
    yield base[:, :, 4, :]
    yield np.broadcast_to(base[:1, :, :1, :], (4, 7, 3, 5))


def long_views(base):
    """Views of a flat `base` of 300000 elements big enough to thread and to split."""
    yield base[:130 * 257].reshape(130, 257)
    yield base[:257 * 130].reshape(257, 130).T
    yield base[:3 * 70001].reshape(3, 70001)
    yield base[:150001]
    yield base.reshape(2, 150000)[:, ::2]


def run_all(t, dim, floating):
    """The engine's output for every reduction that applies to `t` over `dim`."""
    out = [t.sum(dim), t.amax(dim), t.amin(dim), t.all(dim), t.any(dim), t.count_nonzero(dim)]
    if floating:
        all_dims = dim if dim is not None else tuple(range(t.ndim))
        out += [t.mean(dim), t.var(dim), t.std(dim, correction=0), t.norm(2, dim), t.norm(1, dim),
                t.norm(np.inf, dim), t.norm(3, dim), t.logsumexp(all_dims), t.nansum(dim),
                t.nanmean(dim)]
    if isinstance(dim, int):
        r = t.max(dim)
        out += [r.values, r.indices, t.min(dim).indices, t.argmin(dim), t.argmax(dim)]
        if floating:
            out.append(t.prod(dim))
    if dim is None:
        out += [t.argmax(), t.argmin()]
    return out


@pytest.mark.parametrize("dtype", ["float64", "float32", "int32", "uint8"])
def test_engine_matches_reference_kernels(dtype):
    rng = np.random.default_rng(7)
    floating = dtype in FLOAT_DTYPES

    def make(shape):
        a = rng.standard_normal(shape) * (1 if floating else 40)
        a.flat[::17] = 0
        return a.astype(NP_DTYPES[dtype]) if floating else np.abs(a).astype(NP_DTYPES[dtype])

    views = [(v, [None, 0, -1, 1, (0, 2), (1, 3), (0, 1, 3)]) for v in odd_views(make((6, 7, 9, 5)))]
    views += [(v, [None, 0, -1]) for v in long_views(make((300000,)))]
    tol = {"float32": dict(rtol=2e-5, atol=1e-6), "float64": dict(rtol=1e-10, atol=1e-12)}.get(dtype, {})
    for view, dims in views:
        t = pytensor.from_numpy(view)
        for dim in dims:
            if isinstance(dim, tuple) and max(dim) >= view.ndim:
                continue
            fast = run_all(t, dim, floating)
            with reference_kernels():
                ref = run_all(t, dim, floating)
            for f, r in zip(fast, ref):
                assert_close(f, to_np(r), dtype=dtype_name(r), **tol)


def test_reference_kernels_match_numpy():
    a = rand((4, 5, 3), "float64")
    with reference_kernels():
        t = t_of(a)
        assert_close(t.sum((0, 2)), a.sum((0, 2)))
        assert_close(t.var(1), a.var(1, ddof=1))
        assert_close(t.max(1).indices, a.argmax(1))
        assert_close(t.logsumexp(0), np_logsumexp(a, 0, False))


@pytest.mark.parametrize("shape,dims", [((1000, 1000), 0), ((1000, 1000), 1), ((3, 50000), 0),
                                        ((50000, 3), 0), ((64, 64, 64), (0, 2)), ((64, 64, 64), (1,)),
                                        ((7, 9, 11, 13), (0, 3)), ((2, 300000), 1)])
def test_threaded_sizes_against_numpy(shape, dims):
    a = np.random.default_rng(11).standard_normal(shape).astype(np.float32)
    t = t_of(a)
    ref = a.astype(np.float64)
    assert_close(t.sum(dims), ref.sum(dims), rtol=1e-5, atol=1e-3)
    assert_close(t.amax(dims), ref.max(dims))
    assert_close(t.var(dims), ref.var(dims, ddof=1), rtol=1e-4)
    if isinstance(dims, int):
        assert_close(t.argmax(dims), ref.argmax(dims))
        assert_close(t.max(dims).indices, ref.argmax(dims))


# ---------------------------------------------------------------------------------------------
# hypothesis properties

@st.composite
def array_and_dims(draw):
    shape = tuple(draw(st.lists(st.integers(0, 6), min_size=0, max_size=4)))
    n = len(shape)
    if n:
        dims = tuple(draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=n,
                                   unique_by=lambda d: d % n)))
    else:
        dims = ()
    seed = draw(st.integers(0, 2**31 - 1))
    a = np.random.default_rng(seed).uniform(-5, 5, size=shape)
    if n >= 2 and draw(st.booleans()):
        a = np.swapaxes(a, 0, -1)
    return a, dims, draw(st.booleans())


@settings(max_examples=150, deadline=None)
@given(array_and_dims())
def test_property_sum_mean(case):
    a, dims, keepdim = case
    ax = tuple(d % a.ndim for d in dims) if dims else None
    t = pytensor.from_numpy(a)
    assert_close(t.sum(dims, keepdim=keepdim), a.sum(axis=ax, keepdims=keepdim), rtol=1e-12, atol=1e-12)
    count = a.size if ax is None else int(np.prod([a.shape[d] for d in ax]))
    exp = np.sum(a, axis=ax, keepdims=keepdim)
    exp = exp / count if count else np.full(np.shape(exp), np.nan)
    assert_close(t.mean(dims, keepdim=keepdim), exp, rtol=1e-12, atol=1e-12)


@settings(max_examples=150, deadline=None)
@given(array_and_dims())
def test_property_max(case):
    a, dims, keepdim = case
    ax = tuple(d % a.ndim for d in dims) if dims else None
    t = pytensor.from_numpy(a)
    empty_reduced = a.size == 0 and (ax is None or any(a.shape[d] == 0 for d in ax))
    if empty_reduced:
        with pytest.raises((RuntimeError, IndexError), match="Expected reduction dim"):
            t.amax(dims, keepdim=keepdim)
        return
    assert_close(t.amax(dims, keepdim=keepdim), a.max(axis=ax, keepdims=keepdim))
    if len(dims) == 1 and a.ndim:
        r = t.max(dims[0], keepdim)
        assert_close(r.values, a.max(axis=dims[0], keepdims=keepdim))
        idx = a.argmax(axis=dims[0])
        assert_close(r.indices, np.expand_dims(idx, dims[0] % a.ndim) if keepdim else idx)


def test_cuda_tensors_raise_not_implemented():
    if not pytensor.cuda.is_available():
        pytest.skip("needs a CUDA GPU")
    t = t_of(rand((3,), "float32")).to("cuda")
    with pytest.raises(NotImplementedError, match="sum"):
        t.sum()


def test_max_min_with_a_tensor_are_elementwise():
    a = np.array([[1.0, 5.0], [3.0, -2.0]])
    b = np.array([2.0, 0.0])
    ta, tb = pytensor.from_numpy(a), pytensor.from_numpy(b)
    assert_close(ta.max(tb), np.maximum(a, b))
    assert_close(pytensor.min(ta, tb), np.minimum(a, b))

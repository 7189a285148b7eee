"""Backward of the reductions, scans, sorting/selection and softmax: gradcheck in float64 over
dims, keepdim and layouts; PyTorch's tie rules and edge values (hard-coded from PyTorch 2.x);
node names; no_grad; integer outputs; the fused softmax backward against its composite form;
second derivatives (gradgradcheck, Hessian-vector products)."""
import math

import numpy as np
import pytest

import pytensor
from pytensor.autograd import grad, gradcheck, gradgradcheck

from helpers import layouts

INF, NAN = math.inf, math.nan
f64 = pytensor.float64



def leaves(shape, seed=0, low=-2.0, high=2.0):
    """(layout name, float64 leaf) for contiguous, transposed and strided views of one array."""
    arr = np.random.default_rng(seed).uniform(low, high, size=shape)
    for name, t, _ in layouts(arr):
        yield name, t.requires_grad_()


def leaf(values):
    return pytensor.tensor(values, dtype=f64, requires_grad=True)


def grad_of(f, values):
    """d(sum of f(x)) / dx as a numpy array (None when no gradient reached x)."""
    x = leaf(values)
    y = f(x)
    y = y[0] if isinstance(y, tuple) else y
    y.sum().backward()
    return None if x.grad is None else x.grad.numpy()


def check(f, shape=(2, 3, 4), seed=0, **kw):
    for name, x in leaves(shape, seed, **kw):
        assert gradcheck(f, (x,)), name


# ---- gradcheck over dims, keepdim and layouts ----

DIMS = [None, 1, -1, (0, 2), (-1, 0), ()]
MULTI_DIM_OPS = {
    "sum": lambda x, d, k: x.sum(d, k),
    "nansum": lambda x, d, k: x.nansum(d, k),
    "mean": lambda x, d, k: x.mean(d, k),
    "nanmean": lambda x, d, k: x.nanmean(d, k),
    "amax": lambda x, d, k: x.amax(d, k),
    "amin": lambda x, d, k: x.amin(d, k),
    "var": lambda x, d, k: x.var(d, keepdim=k),
    "var_c0": lambda x, d, k: x.var(d, keepdim=k, correction=0),
    "std": lambda x, d, k: x.std(d, keepdim=k),
    "std_c2": lambda x, d, k: x.std(d, keepdim=k, correction=2),
    "var_mean": lambda x, d, k: pytensor.var_mean(x, d, keepdim=k),
    "std_mean": lambda x, d, k: pytensor.std_mean(x, d, keepdim=k),
    "norm2": lambda x, d, k: x.norm(2, d, k),
    "norm1": lambda x, d, k: x.norm(1, d, k),
    "norm_inf": lambda x, d, k: x.norm(INF, d, k),
    "norm_-inf": lambda x, d, k: x.norm(-INF, d, k),
    "norm3": lambda x, d, k: x.norm(3, d, k),
    "norm0.5": lambda x, d, k: x.norm(0.5, d, k),
    "norm1.5": lambda x, d, k: x.norm(1.5, d, k),
    "logsumexp": lambda x, d, k: x.logsumexp(d if d is not None else (0, 1, 2), k),
}


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", DIMS, ids=str)
@pytest.mark.parametrize("op", list(MULTI_DIM_OPS))
def test_gradcheck_multi_dim(op, dim, keepdim):
    f = MULTI_DIM_OPS[op]
    check(lambda x: f(x, dim, keepdim))


ONE_DIM_OPS = {
    "prod": lambda x, d, k: x.prod(d, k),
    "max": lambda x, d, k: x.max(d, k),
    "min": lambda x, d, k: x.min(d, k),
    "kthvalue": lambda x, d, k: x.kthvalue(2, d, k),
    "median": lambda x, d, k: x.median(d, k),
    "sort": lambda x, d, k: x.sort(d, descending=k),
    "topk": lambda x, d, k: x.topk(2, d, largest=k),
    "cumsum": lambda x, d, k: x.cumsum(d),
    "cumprod": lambda x, d, k: x.cumprod(d),
    "softmax": lambda x, d, k: x.softmax(d),
    "log_softmax": lambda x, d, k: x.log_softmax(d),
}


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("op", list(ONE_DIM_OPS))
def test_gradcheck_one_dim(op, dim, keepdim):
    f = ONE_DIM_OPS[op]
    check(lambda x: f(x, dim, keepdim))


@pytest.mark.parametrize("f", [
    lambda x: x.prod(), lambda x: x.max(), lambda x: x.min(), lambda x: x.median(),
    lambda x: x.msort(), lambda x: pytensor.std_mean(x, correction=0)])
def test_gradcheck_everything(f):
    check(f)


ZERO_D = {
    "sum": lambda x: x.sum(), "sum0": lambda x: x.sum(0), "mean": lambda x: x.mean(),
    "prod": lambda x: x.prod(), "prod0": lambda x: x.prod(0), "max": lambda x: x.max(),
    "max0": lambda x: x.max(0), "amax": lambda x: x.amax(), "var": lambda x: x.var(correction=0),
    "norm": lambda x: x.norm(), "norm3": lambda x: x.norm(3), "logsumexp": lambda x: x.logsumexp(0),
    "cumsum": lambda x: x.cumsum(0), "cumprod": lambda x: x.cumprod(0),
    "softmax": lambda x: x.softmax(0), "log_softmax": lambda x: x.log_softmax(-1),
    "sort": lambda x: x.sort(0), "topk": lambda x: x.topk(1), "kthvalue": lambda x: x.kthvalue(1),
    "median": lambda x: x.median(), "median0": lambda x: x.median(0),
}


@pytest.mark.parametrize("op", list(ZERO_D))
def test_gradcheck_0d(op):
    x = pytensor.tensor(1.25, dtype=f64, requires_grad=True)
    assert gradcheck(ZERO_D[op], (x,))
    y = ZERO_D[op](x)
    assert tuple((y[0] if isinstance(y, tuple) else y).shape) == ()


def test_gradcheck_odd_and_large_softmax_lines():
    # Lines longer than the fused kernel's column block, along the last and an outer dim.
    for shape, dim in [((3, 70), 1), ((70, 3), 0), ((2, 5, 67), 1)]:
        check(lambda x: x.softmax(dim), shape)
        check(lambda x: x.log_softmax(dim), shape)


def test_empty_inputs():
    x = pytensor.zeros(0, 3, dtype=f64, requires_grad=True)
    for y in [x.sum(), x.mean(0), x.prod(0), x.cumsum(0), x.cumprod(1), x.softmax(0), x.sort(0)[0],
              x.logsumexp(0), x.var(0), x.norm(2, 0), x.median(), x.amax(1)]:
        (g,) = grad(y, x, pytensor.ones_like(y))
        assert tuple(g.shape) == (0, 3)


# ---- PyTorch's rules at ties, zeros and other edges ----

def test_max_min_everything_split_ties_evenly():
    np.testing.assert_array_equal(grad_of(lambda x: x.max(), [1, 3, 3, 2]), [0, .5, .5, 0])
    np.testing.assert_array_equal(grad_of(lambda x: x.min(), [[1, 4], [1, 1]]), [[1 / 3, 0], [1 / 3, 1 / 3]])
    np.testing.assert_array_equal(grad_of(lambda x: x.max(), [1, NAN, 3, NAN]), [0, .5, 0, .5])
    np.testing.assert_array_equal(grad_of(lambda x: x.median(), [1, 2, 2, 3]), [0, .5, .5, 0])
    np.testing.assert_allclose(grad_of(lambda x: x.median(), [1, 2, 2, 2, 3]), [0, 1 / 3, 1 / 3, 1 / 3, 0])
    np.testing.assert_array_equal(grad_of(lambda x: x.median(), [1, NAN, 2, NAN, 3]), [0, .5, 0, .5, 0])


def test_max_min_along_dim_pick_the_returned_index():
    np.testing.assert_array_equal(grad_of(lambda x: x.max(0), [1, 3, 3, 2]), [0, 1, 0, 0])
    np.testing.assert_array_equal(grad_of(lambda x: x.min(0), [1, 0, 3, 0]), [0, 1, 0, 0])
    np.testing.assert_array_equal(grad_of(lambda x: x.median(0), [1, 2, 2, 3]), [0, 1, 0, 0])
    # Which tie kthvalue returns is not specified (PyTorch's CPU picks 1 here): the gradient
    # follows the index that came out.
    i = pytensor.tensor([2.0, 2, 1, 3]).kthvalue(2).indices.item()
    np.testing.assert_array_equal(grad_of(lambda x: x.kthvalue(2), [2, 2, 1, 3]), np.eye(4)[i])
    np.testing.assert_array_equal(grad_of(lambda x: x.max(1, keepdim=True), [[5, 5], [1, 2]]),
                                  [[1, 0], [0, 1]])


def test_amax_amin_split_ties_per_output():
    np.testing.assert_array_equal(grad_of(lambda x: x.amax(), [[1, 3], [3, 2]]), [[0, .5], [.5, 0]])
    np.testing.assert_array_equal(grad_of(lambda x: x.amax(1), [[1, 1], [3, 2]]), [[.5, .5], [1, 0]])
    np.testing.assert_array_equal(grad_of(lambda x: x.amin((0, 1)), [[2, 7], [2, 2]]),
                                  [[1 / 3, 0], [1 / 3, 1 / 3]])
    assert np.isnan(grad_of(lambda x: x.amax(), [1, NAN, 3, NAN])).all()


def test_prod_with_zeros():
    np.testing.assert_array_equal(grad_of(lambda x: x.prod(), [2, 0, 3]), [0, 6, 0])
    np.testing.assert_array_equal(grad_of(lambda x: x.prod(), [0, 0, 3]), [0, 0, 0])
    np.testing.assert_array_equal(grad_of(lambda x: x.prod(0), [2, 0, 3]), [0, 6, 0])
    np.testing.assert_array_equal(grad_of(lambda x: x.prod(1), [[2, 0, 3], [0, 0, 3], [1, 2, 4]]),
                                  [[0, 6, 0], [0, 0, 0], [8, 4, 2]])
    np.testing.assert_array_equal(grad_of(lambda x: x.prod(), [[2, 0], [3, 5]]), [[0, 30], [0, 0]])
    x = pytensor.from_numpy(np.array([[2.0, 0, 3], [0, 1.5, 0], [1, 2, 4], [0.5, 0, -1]])).requires_grad_()
    assert gradcheck(lambda t: t.prod(1), (x,)) and gradcheck(lambda t: t.prod(0, keepdim=True), (x,))
    row = pytensor.from_numpy(np.array([[2.0, 0], [3, 5]])).requires_grad_()
    assert gradcheck(lambda t: t.prod(), (row,))


def test_cumprod_with_zeros():
    np.testing.assert_array_equal(grad_of(lambda x: x.cumprod(0), [2, 0, 3, 0, 5]), [1, 8, 0, 0, 0])
    x = pytensor.from_numpy(np.array([[2.0, 0, 3, 0.5], [0, 1.5, 0, 2], [1, 2, 4, 0]])).requires_grad_()
    assert gradcheck(lambda t: t.cumprod(1), (x,)) and gradcheck(lambda t: t.cumprod(0), (x,))


def test_var_std_edges():
    np.testing.assert_array_equal(grad_of(lambda x: x.std(), [2, 2, 2]), [0, 0, 0])
    np.testing.assert_array_equal(grad_of(lambda x: x.std(1), [[2, 2, 2], [1, 2, 3]]),
                                  [[0, 0, 0], [-.5, 0, .5]])
    assert np.isnan(grad_of(lambda x: x.var(), [2.0])).all()
    assert np.isnan(grad_of(lambda x: x.std(), [2.0])).all()
    # dim=None with no degrees of freedom left: PyTorch's inf (NaN where x is the mean).
    np.testing.assert_array_equal(grad_of(lambda x: x.var(correction=3), [1, 2, 4]), [INF, INF, INF])
    np.testing.assert_array_equal(grad_of(lambda x: x.var(correction=4), [1, 2, 4]), [INF, INF, INF])
    np.testing.assert_allclose(grad_of(lambda x: x.var(correction=2.5), [1, 2, 4]), [-16 / 3, -4 / 3, 20 / 3])


def test_norm_subgradients():
    np.testing.assert_array_equal(grad_of(lambda x: x.norm(), [0, 0]), [0, 0])
    np.testing.assert_array_equal(grad_of(lambda x: x.norm(1), [0, 0, 1]), [0, 0, 1])
    np.testing.assert_array_equal(grad_of(lambda x: x.norm(INF), [-3, 3, 1]), [-.5, .5, 0])
    np.testing.assert_array_equal(grad_of(lambda x: x.norm(-INF), [-1, 3, 1]), [-.5, 0, .5])
    np.testing.assert_array_equal(grad_of(lambda x: x.norm(3), [0, 0]), [0, 0])
    np.testing.assert_array_equal(grad_of(lambda x: x.norm(0.5), [0, 1]), [0, 1])
    np.testing.assert_array_equal(grad_of(lambda x: x.norm(1.5), [0, 0]), [0, 0])
    np.testing.assert_array_equal(grad_of(lambda x: x.norm(2, 1), [[0, 0], [3, 4]]), [[0, 0], [.6, .8]])
    assert grad_of(lambda x: x.norm(0), [0, 1]) is None  # p = 0: no gradient, as in PyTorch


def test_logsumexp_and_softmax_at_infinities():
    assert np.isnan(grad_of(lambda x: x.logsumexp(0), [-INF, -INF])).all()
    np.testing.assert_array_equal(grad_of(lambda x: x.logsumexp(0), [INF, 1]), [NAN, 0])
    np.testing.assert_array_equal(grad_of(lambda x: x.logsumexp(0), [-INF, 0]), [0, 1])
    x = leaf([-INF, -INF, 1])
    (g,) = grad(x.softmax(0), x, pytensor.tensor([1.0, 2, 3], dtype=f64))
    np.testing.assert_array_equal(g.numpy(), [0, 0, 0])
    np.testing.assert_allclose(grad_of(lambda x: x.log_softmax(0), [-INF, 0, 1]),
                               [1.0, 0.1931757358900147, -1.1931757358900148])
    # Large inputs: the backward reads the output, never exp(x).
    np.testing.assert_allclose(grad_of(lambda x: x.logsumexp(0), [1000, 1000]), [.5, .5])


def test_nan_reductions():
    np.testing.assert_array_equal(grad_of(lambda x: x.nanmean(), [1, NAN, 3]), [.5, 0, .5])
    np.testing.assert_array_equal(grad_of(lambda x: x.nansum(), [1, NAN, 3]), [1, 0, 1])
    np.testing.assert_array_equal(grad_of(lambda x: x.nanmean(1), [[1, NAN], [2, 4]]), [[1, 0], [.5, .5]])


def test_sort_topk_scatter_back():
    x = leaf([[3, 1, 2], [0, 5, 4]])
    v, i = x.sort(1, descending=True)
    v.backward(pytensor.tensor([[10.0, 20, 30], [40, 50, 60]], dtype=f64))
    np.testing.assert_array_equal(x.grad.numpy(), [[10, 30, 20], [60, 40, 50]])
    x = leaf([3, 1, 2, 7])
    v, i = x.topk(2)
    v.backward(pytensor.tensor([1.0, 2], dtype=f64))
    np.testing.assert_array_equal(x.grad.numpy(), [2, 0, 0, 1])


# ---- dtype=, names, grad modes, integer outputs, saved tensors ----

def test_dtype_casts_come_back_as_input_dtype():
    x = leaf([[1, 2], [3, 4]])
    for y in [x.sum(dtype=pytensor.float32), x.sum(1, dtype=pytensor.float32),
              x.mean(dtype=pytensor.float32), x.prod(0, dtype=pytensor.float32),
              x.cumsum(0, dtype=pytensor.float32), x.cumprod(1, dtype=pytensor.float32),
              x.softmax(1, dtype=pytensor.float32), x.norm(dtype=pytensor.float32)]:
        assert y.dtype == pytensor.float32
        (g,) = grad(y, x, pytensor.ones_like(y))
        assert g.dtype == f64
    x32 = pytensor.tensor([1.0, 2, 3], requires_grad=True)
    y = x32.log_softmax(0, dtype=f64)
    (g,) = grad(y, x32, pytensor.tensor([1.0, 0, 0], dtype=f64))
    assert g.dtype == pytensor.float32
    np.testing.assert_allclose(g.numpy(), [1 - np.exp(1) / np.exp([1, 2, 3]).sum()] + list(
        -np.exp([2, 3]) / np.exp([1, 2, 3]).sum()), rtol=1e-6)
    (g,) = grad(x.sum(1, dtype=pytensor.float32), x, pytensor.tensor([1.0, 2], dtype=pytensor.float32))
    np.testing.assert_array_equal(g.numpy(), [[1, 1], [2, 2]])


NAMES = [
    (lambda x: x.sum(), "SumBackward0"), (lambda x: x.sum(1), "SumBackward1"),
    (lambda x: x.sum(()), "SumBackward1"), (lambda x: x.sum(dtype=pytensor.float32), "SumBackward0"),
    (lambda x: x.nansum(), "NansumBackward0"), (lambda x: x.mean(), "MeanBackward0"),
    (lambda x: x.mean((0, 1)), "MeanBackward1"), (lambda x: x.nanmean(1), "DivBackward0"),
    (lambda x: x.prod(), "ProdBackward0"), (lambda x: x.prod(1), "ProdBackward1"),
    (lambda x: x.max(), "MaxBackward1"), (lambda x: x.max(1)[0], "MaxBackward0"),
    (lambda x: x.min(), "MinBackward1"), (lambda x: x.min(0).values, "MinBackward0"),
    (lambda x: x.amax(), "AmaxBackward0"), (lambda x: x.amin(1), "AminBackward0"),
    (lambda x: x.var(), "VarBackward0"), (lambda x: x.std(1), "StdBackward0"),
    (lambda x: pytensor.var_mean(x)[0], "VarMeanBackward0"),
    (lambda x: pytensor.var_mean(x, 1)[1], "VarMeanBackward0"),
    (lambda x: pytensor.std_mean(x)[1], "StdMeanBackward0"),
    (lambda x: x.norm(), "LinalgVectorNormBackward0"),
    (lambda x: x.norm(INF, 1), "LinalgVectorNormBackward0"),
    (lambda x: x.logsumexp(1), "LogsumexpBackward0"), (lambda x: x.cumsum(1), "CumsumBackward0"),
    (lambda x: x.cumprod(0), "CumprodBackward0"), (lambda x: x.sort(1)[0], "SortBackward0"),
    (lambda x: x.msort(), "SortBackward0"), (lambda x: x.topk(2)[0], "TopkBackward0"),
    (lambda x: x.kthvalue(2)[0], "KthvalueBackward0"), (lambda x: x.median(), "MedianBackward0"),
    (lambda x: x.median(1)[0], "MedianBackward1"), (lambda x: x.softmax(1), "SoftmaxBackward0"),
    (lambda x: x.softmax(1, dtype=pytensor.float32), "SoftmaxBackward0"),
    (lambda x: x.log_softmax(0), "LogSoftmaxBackward0"),
]


@pytest.mark.parametrize("f,name", NAMES, ids=[n for _, n in NAMES])
def test_grad_fn_names(f, name):
    x = pytensor.from_numpy(np.random.default_rng(1).random((3, 4))).requires_grad_()
    y = f(x)
    assert y.requires_grad and y.grad_fn.name() == name
    assert name in repr(y.grad_fn)
    with pytensor.no_grad():
        y = f(x)
    assert not y.requires_grad and y.grad_fn is None


def test_integer_outputs_record_nothing():
    x = pytensor.from_numpy(np.random.default_rng(2).random((3, 4))).requires_grad_()
    ints = [x.argmax(), x.argmin(1), x.all(), x.any(0), pytensor.count_nonzero(x, 1),
            x.argsort(1), x.sort(0).indices, x.max(1).indices, x.topk(2).indices,
            x.kthvalue(1).indices, x.median(0).indices, (x > 0).sum(), x.sum(dtype=pytensor.int64)]
    for t in ints:
        assert not t.requires_grad and t.grad_fn is None
    v, i = x.max(1)
    v.sum().backward()
    assert x.grad.numpy().sum() == 3
    # Inputs that do not require grad record nothing either.
    y = pytensor.ones(3, 4, dtype=f64)
    assert y.sum().grad_fn is None and y.softmax(1).grad_fn is None and y.sort(0)[0].grad_fn is None


def test_var_mean_either_output_alone():
    arr = np.random.default_rng(3).random((3, 4))
    x = pytensor.from_numpy(arr).requires_grad_()
    v, m = pytensor.var_mean(x, 1)
    (g,) = grad(m, x, pytensor.ones(3, dtype=f64))
    np.testing.assert_allclose(g.numpy(), np.full((3, 4), 0.25))
    s, m = pytensor.std_mean(x, 1)
    (g,) = grad(s, x, pytensor.ones(3, dtype=f64))
    c = arr - arr.mean(1, keepdims=True)
    np.testing.assert_allclose(g.numpy(), c / (3 * arr.std(1, ddof=1)[:, None]))


def test_modified_saved_input_raises():
    x = leaf([1.0, 2, 3])
    y = x.prod()
    with pytensor.no_grad():
        x.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()
    x = leaf([1.0, 2, 3])
    y = x.softmax(0)
    with pytensor.no_grad():
        y.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_saved_tensors_freed_after_backward():
    x = leaf([1.0, 2, 3])
    y = x.logsumexp(0)
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum())
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


# ---- the fused softmax backward against its composite form ----

@pytest.mark.parametrize("log", [False, True])
@pytest.mark.parametrize("shape,dim", [((5,), 0), ((4, 7), 1), ((4, 7), 0), ((3, 70, 5), 1),
                                       ((2, 3, 130), -1), ((130, 3), 0), ((), 0)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_fused_softmax_backward_matches_composite(log, shape, dim, dtype):
    rng = np.random.default_rng(4)
    x = pytensor.from_numpy(rng.standard_normal(shape).astype(dtype)).requires_grad_()
    gy_arr = rng.standard_normal(shape).astype(dtype)
    gy = pytensor.from_numpy(gy_arr)
    y = x.log_softmax(dim) if log else x.softmax(dim)
    (fused,) = grad(y, x, gy, retain_graph=True)
    (composite,) = grad(y, x, gy, create_graph=True)  # grad mode on: the composite formula
    yv = y.detach().numpy().astype(np.float64)
    g = gy_arr.astype(np.float64)
    axis = dim if len(shape) else None
    if log:
        expected = g - np.exp(yv) * g.sum(axis, keepdims=True)
    else:
        expected = yv * (g - (g * yv).sum(axis, keepdims=True))
    tol = 1e-5 if dtype == "float32" else 1e-12
    assert fused.dtype == composite.dtype == x.dtype
    np.testing.assert_allclose(fused.numpy(), expected, rtol=tol, atol=tol)
    np.testing.assert_allclose(composite.detach().numpy(), expected, rtol=tol, atol=tol)
    # A non-contiguous incoming gradient.
    if len(shape) >= 2:
        gt = pytensor.from_numpy(np.ascontiguousarray(np.swapaxes(gy_arr, 0, -1))).transpose(0, -1)
        (f2,) = grad(y, x, gt, retain_graph=True)
        np.testing.assert_allclose(f2.numpy(), expected, rtol=tol, atol=tol)


# ---- second derivatives ----

GRADGRAD = {
    "sum": lambda x: x.sum(1), "sum_all": lambda x: x.sum(),
    "mean": lambda x: x.mean((0, 2), keepdim=True), "var": lambda x: x.var(1),
    "var_all": lambda x: x.var(), "std": lambda x: x.std(-1),
    "var_mean": lambda x: pytensor.var_mean(x, 0),
    "logsumexp": lambda x: x.logsumexp(1), "softmax": lambda x: x.softmax(-1),
    "softmax0": lambda x: x.softmax(0), "log_softmax": lambda x: x.log_softmax(1),
    "prod": lambda x: x.prod(1), "prod_all": lambda x: x.prod(), "norm2": lambda x: x.norm(dim=1),
    "norm3": lambda x: x.norm(3, 1), "norm1": lambda x: x.norm(1), "norm_inf": lambda x: x.norm(INF, -1),
    "cumsum": lambda x: x.cumsum(1), "cumprod": lambda x: x.cumprod(-1),
    "amax": lambda x: x.amax(1), "max_dim": lambda x: x.max(1)[0], "sort": lambda x: x.sort(0)[0],
    "nanmean": lambda x: x.nanmean(1),
}


@pytest.mark.parametrize("op", list(GRADGRAD))
def test_gradgradcheck(op):
    for name, x in leaves((2, 3, 2), seed=5, low=0.5, high=2.0):
        assert gradgradcheck(GRADGRAD[op], (x,)), name


def test_gradgradcheck_with_zeros():
    x = pytensor.from_numpy(np.array([[2.0, 0, 3, 0.5], [0, 1.5, 0, 2], [1, 2, 4, 0.7]])).requires_grad_()
    for f in [lambda t: t.prod(1), lambda t: t.prod(), lambda t: t.prod(0), lambda t: t.cumprod(1),
              lambda t: t.cumprod(0)]:
        assert gradgradcheck(f, (x,))


def test_hessian_vector_products():
    rng = np.random.default_rng(6)
    xa, va, wa = rng.standard_normal(5), rng.standard_normal(5), rng.standard_normal(5)
    v = pytensor.from_numpy(va)
    # logsumexp: H = diag(p) - p p^T with p = softmax(x).
    x = pytensor.from_numpy(xa.copy()).requires_grad_()
    (g,) = grad(x.logsumexp(0), x, create_graph=True)
    (hv,) = grad((g * v).sum(), x)
    p = np.exp(xa) / np.exp(xa).sum()
    np.testing.assert_allclose(hv.numpy(), p * va - p * (p @ va), rtol=1e-10)
    # softmax: f = w . softmax(x); H v by central differences of the (analytic) gradient.
    w = pytensor.from_numpy(wa)

    def gradient(a):
        t = pytensor.from_numpy(a).requires_grad_()
        (gt,) = grad((t.softmax(0) * w).sum(), t)
        return gt.numpy()

    x = pytensor.from_numpy(xa.copy()).requires_grad_()
    (g,) = grad((x.softmax(0) * w).sum(), x, create_graph=True)
    (hv,) = grad((g * v).sum(), x)
    eps = 1e-6
    numeric = (gradient(xa + eps * va) - gradient(xa - eps * va)) / (2 * eps)
    np.testing.assert_allclose(hv.numpy(), numeric, rtol=1e-6, atol=1e-8)
    # log_softmax with a batch dim.
    x2 = pytensor.from_numpy(rng.standard_normal((3, 4))).requires_grad_()
    assert gradgradcheck(lambda t: t.log_softmax(1) * pytensor.from_numpy(wa[:4]), (x2,))

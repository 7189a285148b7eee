"""Softmax, log_softmax and the losses on CUDA (cuda/softmax.cu, cuda/loss.cu and the composite
losses), each held against the same op on the CPU: forward values and input gradients, on odd
sizes that take every kernel path (warp rows <= 1024, block rows beyond, columns along outer
dims; a thread or a warp per loss position), non-contiguous, empty and 0-d inputs, and
bit-identical results run to run."""
import numpy as np
import pytest

import pytensor
from pytensor.autograd import grad as autograd_grad
from pytensor.nn import functional as F
from helpers import (CUDA_SHAPES, FLOAT_DTYPES, GPU, gpu_layouts, grads_as_cpu, on_gpu, rand, same_as_cpu,
                     to_np)

pytestmark = pytest.mark.cuda

TOL = {"float32": {"rtol": 1e-4, "atol": 1e-5}, "float64": {"rtol": 1e-10, "atol": 1e-10}}
SOFTMAX = {"softmax": pytensor.softmax, "log_softmax": pytensor.log_softmax}
# Row lengths on both sides of a warp (32), of the register limit (1024) and a long block row.
LENGTHS = [1, 31, 33, 1024, 1025, 5000]


def T(a):
    return pytensor.from_numpy(np.ascontiguousarray(a) if np.ndim(a) else np.array(a))


def dims_of(ndim):
    return list(range(-1, max(ndim, 1)))


def twice_identical(fn, *args):
    """fn on the device twice: every output and input gradient bit-identical."""
    def run():
        ins = [a.to(GPU) for a in args]
        for a in ins:
            if a.is_floating_point():
                a.requires_grad_(True)
        out = fn(*ins)
        (out * pytensor.from_numpy(rand(tuple(out.shape), to_np(out.detach()).dtype.name)).to(GPU)).sum().backward()
        return [to_np(out.detach())] + [to_np(a.grad) for a in ins if a.is_floating_point()]

    first, second = run(), run()
    for a, b in zip(first, second):
        assert a.tobytes() == b.tobytes()


# ---- softmax / log_softmax ----

@pytest.mark.parametrize("name", SOFTMAX)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("shape", CUDA_SHAPES + [(3, 1, 5, 2)])
def test_softmax_every_dim(name, dtype, shape):
    a = rand(shape, dtype)
    for dim in dims_of(len(shape)):
        out = same_as_cpu(lambda t: SOFTMAX[name](t, dim), T(a), **TOL[dtype])
        assert tuple(out.shape) == shape


@pytest.mark.parametrize("name", SOFTMAX)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("length", LENGTHS)
def test_softmax_row_lengths_forward_backward(name, dtype, length):
    fn = SOFTMAX[name]
    a = rand((3, length), dtype)
    grads_as_cpu(lambda t: fn(t, -1), T(a), **TOL[dtype])              # warp or block rows
    grads_as_cpu(lambda t: fn(t, 0), T(a.T.copy()), **TOL[dtype])      # columns, inner 3
    grads_as_cpu(lambda t: fn(t, 1), T(rand((2, length, 5), dtype)), **TOL[dtype])


@pytest.mark.parametrize("name", SOFTMAX)
@pytest.mark.parametrize("shape", [(5, 7, 3), (4, 1, 33, 7), (257, 3)])
def test_softmax_layouts(name, shape):
    a = rand(shape, "float64")
    for dim in dims_of(len(shape)):
        expected = to_np(SOFTMAX[name](T(a), dim))
        for layout, t, _ in gpu_layouts(a):
            got = SOFTMAX[name](t, dim)
            assert on_gpu(got), layout
            np.testing.assert_allclose(to_np(got), expected, rtol=1e-10, atol=1e-10, err_msg=layout)


@pytest.mark.parametrize("name", SOFTMAX)
@pytest.mark.parametrize("shape", [(), (1,), (7,), (2, 3, 5), (4, 1, 33, 7), (2, 0, 3)])
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_softmax_backward_every_dim(name, shape, dtype):
    a = rand(shape, dtype)
    for dim in dims_of(len(shape)):
        grads_as_cpu(lambda t: SOFTMAX[name](t, dim), T(a), **TOL[dtype])


@pytest.mark.parametrize("name", SOFTMAX)
def test_softmax_dtype_argument_and_extremes(name):
    fn = SOFTMAX[name]
    a = rand((4, 40), "float32")
    same_as_cpu(lambda t: fn(t, 1, dtype=pytensor.float64), T(a), **TOL["float64"])
    b = rand((6, 40), "float64") * 300  # large logits: the max shift keeps them finite
    b[1, :] = -np.inf                   # an all -inf row gives nan, as on the CPU
    b[2, 3] = np.nan
    b[3, 5] = np.inf
    b[4, :7] = -np.inf
    for dim in (0, 1):
        same_as_cpu(lambda t: fn(t, dim), T(b), **TOL["float64"])
    same_as_cpu(lambda t: fn(t, 1), T(np.concatenate([b] * 10, axis=1)), **TOL["float64"])  # block rows


@pytest.mark.parametrize("name", SOFTMAX)
def test_softmax_double_backward(name):
    """create_graph takes the composite backward (ops), which is differentiable again."""
    fn = SOFTMAX[name]

    def run(device):
        x = T(rand((3, 6), "float64")).to(device).requires_grad_(True)
        g = T(rand((3, 6), "float64", rng=np.random.default_rng(1))).to(device)
        (gx,) = autograd_grad([fn(x, 1)], [x], [g], create_graph=True)
        (ggx,) = autograd_grad([(gx * gx).sum()], [x])
        return gx, ggx

    for got, expected in zip(run(GPU), run("cpu")):
        assert on_gpu(got)
        np.testing.assert_allclose(to_np(got.detach()), to_np(expected.detach()), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("name", SOFTMAX)
@pytest.mark.parametrize("shape,dim", [((5, 5000), 1), ((9, 300), 1), ((300, 9), 0), ((4, 2000, 3), 1)])
def test_softmax_deterministic(name, shape, dim):
    twice_identical(lambda t: SOFTMAX[name](t, dim), T(rand(shape, "float32")))


# ---- cross_entropy and nll_loss ----

REDUCTIONS = ["none", "mean", "sum"]
# Class counts on both sides of the warp-per-position threshold (16), and K-dim inputs.
CE_SHAPES = [(5,), (7, 3), (7, 17), (6, 100), (3, 1025), (4, 3, 2, 5), (2, 20, 3), (0, 4), (3, 5, 0)]


def index_case(shape, dtype, ignore=None, rng=None):
    rng = rng or np.random.default_rng(len(shape) + sum(shape))
    cd = 0 if len(shape) == 1 else 1
    C = shape[cd]
    x = rand(shape, dtype, rng=rng)
    t = rng.integers(0, max(C, 1), size=shape[:cd] + shape[cd + 1:]).astype(np.int64)
    if ignore is not None and t.size:
        t.flat[:: 3] = ignore
    return x, t, C


@pytest.mark.parametrize("shape", CE_SHAPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_cross_entropy_index_targets(shape, reduction, dtype):
    x, t, C = index_case(shape, dtype)
    grads_as_cpu(lambda a, b: F.cross_entropy(a, b, reduction=reduction), T(x), T(t), **TOL[dtype])


@pytest.mark.parametrize("shape", [(7, 3), (6, 100), (3, 1025), (4, 3, 2, 5), (5,)])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("ignore", [-100, 1])
@pytest.mark.parametrize("smoothing", [0.0, 0.15])
def test_cross_entropy_weight_ignore_smoothing(shape, reduction, ignore, smoothing):
    x, t, C = index_case(shape, "float64", ignore=ignore)
    w = T(np.random.default_rng(3).uniform(0.5, 2, size=C))

    def fn(a, b, weighted=True):
        return F.cross_entropy(a, b, weight=w.to(a.device).to(a.dtype) if weighted else None,
                               ignore_index=ignore, reduction=reduction, label_smoothing=smoothing)
    for dtype in FLOAT_DTYPES:
        for weighted in (False, True):
            grads_as_cpu(lambda a, b: fn(a, b, weighted), T(x.astype(dtype)), T(t), **TOL[dtype])


@pytest.mark.parametrize("shape", [(5,), (7, 3), (6, 100), (4, 3, 2, 5), (2, 20, 3)])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_probability_targets(shape, reduction, weighted, smoothing):
    rng = np.random.default_rng(5)
    cd = 0 if len(shape) == 1 else 1
    x = rand(shape, "float64", rng=rng)
    q = np.exp(x * 0.7)
    q /= q.sum(cd, keepdims=True)
    w = T(rng.uniform(0.5, 2, size=shape[cd])) if weighted else None

    def fn(a, b):  # both tensors require grad: the target's gradient is checked too
        return F.cross_entropy(a, b, weight=None if w is None else w.to(a.device).to(a.dtype), reduction=reduction,
                               label_smoothing=smoothing)
    grads_as_cpu(fn, T(x), T(q), **TOL["float64"])
    grads_as_cpu(fn, T(x.astype(np.float32)), T(q.astype(np.float32)), **TOL["float32"])


def test_cross_entropy_byte_targets_and_non_contiguous_logits():
    x, t, C = index_case((6, 40), "float32")
    for layout, xt, _ in gpu_layouts(x):
        got = F.cross_entropy(xt, T(t.astype(np.uint8)).to(GPU), reduction="none")
        assert on_gpu(got)
        np.testing.assert_allclose(to_np(got), to_np(F.cross_entropy(T(x), T(t), reduction="none")),
                                   rtol=1e-4, atol=1e-5, err_msg=layout)


@pytest.mark.parametrize("shape", [(7, 3), (6, 100), (4, 3, 2, 5), (5,), (0, 3)])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_nll_loss(shape, reduction, weighted):
    x, t, C = index_case(shape, "float64", ignore=-100)
    logp = to_np(pytensor.log_softmax(T(x), 0 if len(shape) == 1 else 1))
    w = T(np.random.default_rng(4).uniform(0.5, 2, size=C))

    def fn(a, b):
        return F.nll_loss(a, b, weight=w.to(a.device).to(a.dtype) if weighted else None, reduction=reduction)
    for dtype in FLOAT_DTYPES:
        grads_as_cpu(fn, T(logp.astype(dtype)), T(t), **TOL[dtype])


def test_cross_entropy_extremes():
    x = rand((4, 50), "float64") * 200
    x[1, :] = -np.inf
    x[1, 3] = 0.0       # one finite logit among -inf
    x[2, 7] = -np.inf   # the target's logit is -inf: loss inf
    t = np.array([0, 3, 7, 9])
    same_as_cpu(lambda a, b: F.cross_entropy(a, b, reduction="none"), T(x), T(t), **TOL["float64"])


def test_cross_entropy_errors_on_device():
    x = T(rand((3, 5), "float32")).to(GPU)
    with pytest.raises(IndexError, match="Target 5 is out of bounds"):
        F.cross_entropy(x, T(np.array([0, 5, 1])).to(GPU))
    with pytest.raises(IndexError, match="Target -1 is out of bounds"):
        F.nll_loss(x, T(np.array([0, -1, 1])).to(GPU))
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(T(np.array([0.5, 1.5])).to(GPU), T(np.array([1.0, 0.0])).to(GPU))


@pytest.mark.skipif(GPU == "cpu", reason="mixing devices needs a second device")
def test_losses_refuse_mixed_devices():
    x = T(rand((3, 5), "float32"))
    t = T(np.array([0, 4, 1]))
    with pytest.raises(RuntimeError, match="same device"):
        F.cross_entropy(x.to(GPU), t)
    with pytest.raises(RuntimeError, match="same device"):
        F.cross_entropy(x.to(GPU), t.to(GPU), weight=T(np.ones(5, np.float32)))
    with pytest.raises(RuntimeError, match="same device"):
        F.mse_loss(x.to(GPU), x)


@pytest.mark.parametrize("shape", [(5, 5000), (7, 17), (6, 3), (4, 30, 3, 5)])
def test_cross_entropy_deterministic(shape):
    x, t, C = index_case(shape, "float32", ignore=-100)
    twice_identical(lambda a, b: F.cross_entropy(a, b, reduction="none", label_smoothing=0.1), T(x), T(t))


# ---- the pointwise losses (composites of elementwise ops and reductions) ----

POINTWISE = {
    "mse_loss": lambda a, b, r: F.mse_loss(a, b, reduction=r),
    "l1_loss": lambda a, b, r: F.l1_loss(a, b, reduction=r),
    "smooth_l1_loss": lambda a, b, r: F.smooth_l1_loss(a, b, reduction=r, beta=0.7),
    "smooth_l1_loss_beta0": lambda a, b, r: F.smooth_l1_loss(a, b, reduction=r, beta=0.0),
    "huber_loss": lambda a, b, r: F.huber_loss(a, b, reduction=r, delta=1.3),
    "binary_cross_entropy": lambda a, b, r: F.binary_cross_entropy(a, b, reduction=r),
    "binary_cross_entropy_with_logits": lambda a, b, r: F.binary_cross_entropy_with_logits(a, b, reduction=r),
    "kl_div": lambda a, b, r: F.kl_div(a, b, reduction=r if r != "mean" else "batchmean"),
}


def pointwise_inputs(name, shape, dtype):
    rng = np.random.default_rng(7)
    if name == "binary_cross_entropy":
        return rand(shape, dtype, rng=rng, low=0.02, high=0.98), rand(shape, dtype, rng=rng, low=0, high=1)
    if name in ("binary_cross_entropy_with_logits", "kl_div"):
        return rand(shape, dtype, rng=rng), rand(shape, dtype, rng=rng, low=0, high=1)
    return rand(shape, dtype, rng=rng), rand(shape, dtype, rng=rng)


@pytest.mark.parametrize("name", POINTWISE)
@pytest.mark.parametrize("shape", [(), (0,), (7,), (4, 1, 33, 7), (257, 3)])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_pointwise_losses(name, shape, reduction, dtype):
    x, y = pointwise_inputs(name, shape, dtype)
    scale = {"float32": 10, "float64": 1}[dtype] if reduction == "sum" else 1  # long float32 sums
    tol = {k: v * scale for k, v in TOL[dtype].items()}
    grads_as_cpu(lambda a, b: POINTWISE[name](a, b, reduction), T(x), T(y), **tol)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_weighted_pointwise_losses(reduction):
    rng = np.random.default_rng(8)
    x, y = rand((5, 4), "float64", rng=rng), rand((5, 4), "float64", rng=rng, low=0, high=1)
    w, pw = T(rng.uniform(0.5, 2, (5, 4))), T(rng.uniform(0.5, 2, (4,)))

    def bce_logits(a, b):
        return F.binary_cross_entropy_with_logits(a, b, weight=w.to(a.device), pos_weight=pw.to(a.device),
                                                  reduction=reduction)

    def bce(a, b):
        return F.binary_cross_entropy(a.sigmoid(), b, weight=w.to(a.device), reduction=reduction)

    def mse(a, b):
        return F.mse_loss(a, b, reduction=reduction, weight=w.to(a.device))

    for fn in (bce_logits, bce, mse):
        grads_as_cpu(fn, T(x), T(y), **TOL["float64"])


def test_pointwise_losses_non_contiguous_and_broadcast():
    x = rand((6, 8), "float32")
    y = rand((6, 8), "float32", rng=np.random.default_rng(9), low=0, high=1)
    expected = to_np(F.binary_cross_entropy_with_logits(T(x), T(y), reduction="none"))
    yt = T(y).to(GPU)
    for layout, xt, _ in gpu_layouts(x):
        got = F.binary_cross_entropy_with_logits(xt, yt, reduction="none")
        assert on_gpu(got)
        np.testing.assert_allclose(to_np(got), expected, rtol=1e-4, atol=1e-5, err_msg=layout)
    with pytest.warns(UserWarning, match="target size"):
        same_as_cpu(lambda a, b: F.mse_loss(a, b), T(x), T(y[:1]), **TOL["float32"])

"""Loss functions (pytensor.nn._loss, re-exported by nn.functional): values against numpy float64
references and against PyTorch, gradients by gradcheck, grad_fn names, and PyTorch's errors."""
import itertools
import warnings

import numpy as np
import pytest

import pytensor
from pytensor.autograd import gradcheck, gradgradcheck
from pytensor.nn import _loss as F
from helpers import assert_close

RNG = np.random.default_rng(0)
IGNORE = -100


def np_log_softmax(x, axis):
    s = x - x.max(axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis, keepdims=True))


def np_nll(logp, target, weight=None, ignore_index=IGNORE, reduction="mean", eps=0.0, prob=False):
    """nll of log-probabilities (with label smoothing eps) as PyTorch defines it, in float64."""
    cd = 0 if logp.ndim == 1 else 1
    C = logp.shape[cd]
    w = np.ones(C) if weight is None else weight.astype(np.float64)
    wb = w.reshape([C if d == cd else 1 for d in range(logp.ndim)])
    if prob:
        loss = -(wb * (target * (1 - eps) + eps / C) * logp).sum(cd)
        denom = logp.size / C
    else:
        keep = target != ignore_index
        tc = np.where(keep, target, 0)
        picked = np.take_along_axis(logp, np.expand_dims(tc, cd), cd).squeeze(cd)
        wt = w[tc] * keep
        loss = -(1 - eps) * wt * picked - eps / C * (wb * logp).sum(cd) * keep
        denom = wt.sum()
    if reduction == "none":
        return loss
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.float64(loss.sum()) / (denom if reduction == "mean" else 1)


def make_case(shape, prob, ignore, dtype=np.float64, rng=RNG):
    """Logits of `shape`, and class indices (with some ignored) or probabilities."""
    x = rng.normal(size=shape) * 2
    cd = 0 if len(shape) == 1 else 1
    C = shape[cd]
    if prob:
        t = np_log_softmax(rng.normal(size=shape), cd)
        t = np.exp(t)
    else:
        tshape = shape[:cd] + shape[cd + 1:]
        t = rng.integers(0, C, size=tshape)
        if ignore and t.ndim and t.size:
            t.flat[0] = IGNORE
    return x.astype(dtype), (t.astype(dtype) if prob else t.astype(np.int64))


def tensors(*arrays):
    return [None if a is None else pytensor.from_numpy(np.array(a)) for a in arrays]


SHAPES = [(5,), (4, 5), (3, 4, 2), (2, 3, 2, 2)]
REDUCTIONS = ["mean", "sum", "none"]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("prob", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("eps", [0.0, 0.2])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_values(shape, prob, weighted, eps, dtype):
    x, t = make_case(shape, prob, ignore=True, dtype=dtype)
    C = shape[0 if len(shape) == 1 else 1]
    w = RNG.uniform(0.5, 2, size=C).astype(dtype) if weighted else None
    xt, tt, wt = tensors(x, t, w)
    cd = 0 if x.ndim == 1 else 1
    logp = np_log_softmax(x.astype(np.float64), cd)
    for red in REDUCTIONS:
        got = F.cross_entropy(xt, tt, weight=wt, reduction=red, label_smoothing=eps)
        expected = np_nll(logp, t.astype(np.float64) if prob else t, w, IGNORE, red, eps, prob)
        assert_close(got, expected, rtol=1e-5, atol=1e-5, dtype=np.dtype(dtype).name)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("weighted", [False, True])
def test_nll_loss_values(shape, weighted):
    x, t = make_case(shape, False, ignore=True)
    C = shape[0 if len(shape) == 1 else 1]
    w = RNG.uniform(0.5, 2, size=C) if weighted else None
    xt, tt, wt = tensors(x, t, w)
    for red in REDUCTIONS:
        assert_close(F.nll_loss(xt, tt, weight=wt, reduction=red), np_nll(x, t, w, IGNORE, red))
    # another ignore_index, and a target equal to it excluded from the mean's denominator
    t2 = np.where(t == IGNORE, 0, t)
    got = F.nll_loss(xt, pytensor.from_numpy(t2), weight=wt, ignore_index=1)
    assert_close(got, np_nll(x, t2, w, 1, "mean"))


def test_non_contiguous_and_uint8_targets():
    x, t = make_case((5, 4), False, ignore=False)
    xt = pytensor.from_numpy(x.T.copy()).t()  # (5, 4) transposed view
    assert not xt.is_contiguous()
    got = F.cross_entropy(xt, pytensor.from_numpy(t.astype(np.uint8)))
    assert_close(got, np_nll(np_log_softmax(x, 1), t))


def test_empty_batch_and_all_ignored():
    x = pytensor.zeros(0, 5, requires_grad=True)
    t = pytensor.zeros(0, dtype=pytensor.int64)
    assert np.isnan(F.cross_entropy(x, t).item())
    assert np.isnan(F.nll_loss(x, t).item())
    assert F.cross_entropy(x, t, reduction="sum").item() == 0
    assert tuple(F.cross_entropy(x, t, reduction="none").shape) == (0,)
    assert np.isnan(F.cross_entropy(x, pytensor.zeros(0, 5)).item())
    F.cross_entropy(x, t, reduction="sum").backward()
    assert tuple(x.grad.shape) == (0, 5)
    assert np.isnan(F.cross_entropy(pytensor.randn(3, 5), pytensor.tensor([IGNORE] * 3)).item())
    assert np.isnan(F.mse_loss(pytensor.zeros(0), pytensor.zeros(0)).item())


def test_cross_entropy_matches_composite_oracle():
    """The fused op's value and gradient against log_softmax + gather built from other ops."""
    x, t = make_case((6, 7), False, ignore=False)
    w = RNG.uniform(0.5, 2, size=7)
    xa = pytensor.from_numpy(x.copy()).requires_grad_()
    xb = pytensor.from_numpy(x.copy()).requires_grad_()
    tt, wt = tensors(t, w)
    fused = F.cross_entropy(xa, tt, weight=wt)
    picked = pytensor.log_softmax(xb, 1).gather(1, tt.unsqueeze(1)).squeeze(1)
    wsel = wt[tt]
    composite = -(picked * wsel).sum() / wsel.sum()
    assert_close(fused, composite.detach().numpy())
    fused.backward()
    composite.backward()
    assert_close(xa.grad, xb.grad.numpy())


def test_large_logits_are_stable():
    x = pytensor.tensor([[1000.0, 0.0, -1000.0], [-1000.0, 1000.0, 0.0]])
    t = pytensor.tensor([0, 2])
    assert_close(F.cross_entropy(x, t, reduction="none"), [0.0, 1000.0])
    assert_close(F.binary_cross_entropy_with_logits(pytensor.tensor([200.0, -200.0]),
                                                    pytensor.tensor([0.0, 1.0]), reduction="none"),
                 [200.0, 200.0])


# ---------------------------------------------------------------------------------------------
# pointwise losses

def np_pointwise(name, x, y, reduction, w=None, pw=None, p=1.0):
    d = x - y
    if name == "mse_loss":
        l = d * d
    elif name == "l1_loss":
        l = np.abs(d)
    elif name == "smooth_l1_loss":
        l = np.abs(d) if p == 0 else np.where(np.abs(d) < p, 0.5 * d * d / p, np.abs(d) - 0.5 * p)
    elif name == "huber_loss":
        l = np.where(np.abs(d) < p, 0.5 * d * d, p * (np.abs(d) - 0.5 * p))
    elif name == "binary_cross_entropy":
        with np.errstate(divide="ignore"):
            l = -(y * np.maximum(np.log(x), -100) + (1 - y) * np.maximum(np.log1p(-x), -100))
    elif name == "binary_cross_entropy_with_logits":
        sp = np.logaddexp(0, -x)
        lw = 1 if pw is None else (pw - 1) * y + 1
        l = (1 - y) * x + lw * sp
    elif name == "kl_div":
        l = np.where(y == 0, 0, y * np.log(np.where(y > 0, y, 1))) - y * x
    if w is not None:
        l = l * w
    if reduction == "none":
        return l
    if reduction == "batchmean":
        return l.sum() / x.shape[0]
    return l.sum() if reduction == "sum" else l.mean()


POINTWISE = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
             "binary_cross_entropy_with_logits", "kl_div"]
NODE = {"mse_loss": "MseLossBackward0", "smooth_l1_loss": "SmoothL1LossBackward0",
        "huber_loss": "HuberLossBackward0", "binary_cross_entropy": "BinaryCrossEntropyBackward0",
        "binary_cross_entropy_with_logits": "BinaryCrossEntropyWithLogitsBackward0"}


def pointwise_inputs(name, shape, dtype=np.float64, rng=RNG):
    if name == "binary_cross_entropy":
        return rng.uniform(0.05, 0.95, shape).astype(dtype), rng.uniform(0, 1, shape).astype(dtype)
    if name == "kl_div":
        return rng.normal(size=shape).astype(dtype), rng.uniform(0.1, 1, shape).astype(dtype)
    return (rng.normal(size=shape) * 2).astype(dtype), (rng.normal(size=shape) * 2).astype(dtype)


@pytest.mark.parametrize("name", POINTWISE)
@pytest.mark.parametrize("shape", [(), (0,), (7,), (3, 4), (2, 3, 2)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pointwise_values(name, shape, dtype):
    x, y = pointwise_inputs(name, shape, dtype)
    xt, yt = tensors(x, y)
    reds = REDUCTIONS + (["batchmean"] if name == "kl_div" and shape else [])
    for red in reds:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = getattr(F, name)(xt, yt, reduction=red)
            expected = np_pointwise(name, x.astype(np.float64), y.astype(np.float64), red)
        assert_close(got, expected, rtol=1e-5, atol=1e-5, dtype=np.dtype(dtype).name)


@pytest.mark.parametrize("p", [0.0, 0.5, 2.0])
def test_smooth_l1_beta_and_huber_delta(p):
    x, y = pointwise_inputs("huber_loss", (4, 5))
    xt, yt = tensors(x, y)
    for red in REDUCTIONS:
        assert_close(F.smooth_l1_loss(xt, yt, reduction=red, beta=p), np_pointwise("smooth_l1_loss", x, y, red, p=p))
        if p > 0:
            assert_close(F.huber_loss(xt, yt, reduction=red, delta=p), np_pointwise("huber_loss", x, y, red, p=p))


def test_bce_weights_and_pos_weight():
    x, y = pointwise_inputs("binary_cross_entropy", (4, 3))
    w, pw = RNG.uniform(0.5, 2, size=3), RNG.uniform(0.5, 3, size=3)
    xt, yt, wt, pwt = tensors(x, y, w, pw)
    z = RNG.normal(size=(4, 3)) * 3
    zt, = tensors(z)
    for red in REDUCTIONS:
        assert_close(F.binary_cross_entropy(xt, yt, weight=wt, reduction=red),
                     np_pointwise("binary_cross_entropy", x, y, red, w=w))
        assert_close(F.binary_cross_entropy_with_logits(zt, yt, weight=wt, pos_weight=pwt, reduction=red),
                     np_pointwise("binary_cross_entropy_with_logits", z, y, red, w=w, pw=pw))
    # log clamped at -100: input exactly 0 or 1
    assert_close(F.binary_cross_entropy(pytensor.tensor([0.0, 1.0], dtype=pytensor.float64),
                                        pytensor.tensor([1.0, 0.0], dtype=pytensor.float64)), 100.0)


def test_kl_div_log_target_and_mean_warning():
    x, y = pointwise_inputs("kl_div", (3, 4))
    xt, yt = tensors(x, y)
    got = F.kl_div(xt, pytensor.from_numpy(np.log(y)), reduction="sum", log_target=True)
    assert_close(got, np_pointwise("kl_div", x, y, "sum"))
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        F.kl_div(xt, yt)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.kl_div(xt, yt, reduction="batchmean")


def test_weighted_regression_and_legacy_args():
    x, y = pointwise_inputs("mse_loss", (3, 4))
    w = RNG.uniform(0.5, 2, size=(3, 4))
    xt, yt, wt = tensors(x, y, w)
    assert_close(F.mse_loss(xt, yt, weight=wt), ((x - y) ** 2 * w).sum() / w.sum())
    assert_close(F.l1_loss(xt, yt, weight=wt, reduction="sum"), (np.abs(x - y) * w).sum())
    assert_close(F.huber_loss(xt, yt, weight=wt), (np_pointwise("huber_loss", x, y, "none") * w).mean())
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        assert_close(F.mse_loss(xt, yt, size_average=False), ((x - y) ** 2).sum())
    with pytest.warns(UserWarning, match="different to the input size"):
        got = F.mse_loss(pytensor.from_numpy(x[:, :1].copy()), pytensor.from_numpy(y[0].copy()))
    assert_close(got, ((x[:, :1] - y[0]) ** 2).mean())


# ---------------------------------------------------------------------------------------------
# gradients

@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 2)])
@pytest.mark.parametrize("prob", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("eps", [0.0, 0.3])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_gradcheck(shape, prob, weighted, eps, reduction):
    x, t = make_case(shape, prob, ignore=len(shape) > 1)
    C = shape[0 if len(shape) == 1 else 1]
    w = RNG.uniform(0.5, 2, size=C) if weighted else None
    xt, tt, wt = tensors(x, t, w)
    xt.requires_grad_()
    inputs = [xt]
    if prob:
        tt.requires_grad_()
        inputs.append(tt)
    fn = lambda *a: F.cross_entropy(a[0], a[1] if prob else tt, weight=wt, reduction=reduction, label_smoothing=eps)
    assert gradcheck(fn, inputs)


@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 2)])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_gradcheck(shape, weighted, reduction):
    x, t = make_case(shape, False, ignore=len(shape) > 1)
    C = shape[0 if len(shape) == 1 else 1]
    w = RNG.uniform(0.5, 2, size=C) if weighted else None
    xt, tt, wt = tensors(x, t, w)
    xt.requires_grad_()
    assert gradcheck(lambda a: F.nll_loss(a, tt, weight=wt, reduction=reduction), [xt])


@pytest.mark.parametrize("prob,eps,reduction", [(False, 0.0, "mean"), (False, 0.2, "none"), (True, 0.1, "mean"),
                                                (True, 0.0, "sum")])
def test_cross_entropy_double_backward(prob, eps, reduction):
    """create_graph runs the composite backward, which differentiates again."""
    x, t = make_case((3, 4), prob, ignore=not prob)
    w = RNG.uniform(0.5, 2, size=4)
    xt, tt, wt = tensors(x, t, w)
    xt.requires_grad_()
    inputs = [xt] + ([tt.requires_grad_()] if prob else [])
    fn = lambda *a: F.cross_entropy(a[0], a[1] if prob else tt, weight=wt, reduction=reduction, label_smoothing=eps)
    assert gradgradcheck(fn, inputs)
    assert gradgradcheck(lambda a: F.nll_loss(a, tt if not prob else pytensor.tensor([0, 1, 3]), weight=wt), [xt])


@pytest.mark.parametrize("name", POINTWISE)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_pointwise_gradcheck(name, reduction):
    x, y = pointwise_inputs(name, (3, 4))
    xt, yt = tensors(x, y)
    xt.requires_grad_()
    yt.requires_grad_()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert gradcheck(lambda a, b: getattr(F, name)(a, b, reduction=reduction), [xt, yt])
        if name in ("mse_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy_with_logits"):
            assert gradgradcheck(lambda a, b: getattr(F, name)(a, b, reduction=reduction), [xt, yt])


def test_pointwise_gradcheck_options():
    x, y = pointwise_inputs("binary_cross_entropy", (3, 4))
    w, pw = RNG.uniform(0.5, 2, size=4), RNG.uniform(0.5, 3, size=4)
    xt, yt, wt, pwt = tensors(x, y, w, pw)
    z, = tensors(RNG.normal(size=(3, 4)))
    for t in (xt, yt, z):
        t.requires_grad_()
    assert gradcheck(lambda a, b: F.binary_cross_entropy(a, b, weight=wt), [xt, yt])
    assert gradcheck(lambda a, b: F.binary_cross_entropy_with_logits(a, b, weight=wt, pos_weight=pwt), [z, yt])
    assert gradcheck(lambda a, b: F.smooth_l1_loss(a, b, beta=0.0, reduction="sum"), [z, yt])
    # broadcast target: the gradient is summed back to its shape
    yb = pytensor.from_numpy(y[0].copy()).requires_grad_()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert gradcheck(lambda a, b: F.mse_loss(a, b), [z, yb])
    kl_t = pytensor.from_numpy(np.log(y)).requires_grad_()
    assert gradcheck(lambda a, b: F.kl_div(a, b, reduction="batchmean", log_target=True), [z, kl_t])


def test_grad_fn_names():
    x = pytensor.randn(3, 5, requires_grad=True)
    t = pytensor.tensor([1, 2, 3])
    p = pytensor.softmax(pytensor.randn(3, 5), 1)
    assert F.cross_entropy(x, t).grad_fn.name() == "NllLossBackward0"
    assert F.cross_entropy(x, t, label_smoothing=0.1).grad_fn.name() == "AddBackward0"
    assert F.cross_entropy(x, p).grad_fn.name() == "DivBackward1"
    assert F.cross_entropy(x, p, reduction="sum").grad_fn.name() == "NegBackward0"
    assert F.nll_loss(x, t).grad_fn.name() == "NllLossBackward0"
    x4 = pytensor.randn(2, 5, 3, 4, requires_grad=True)
    assert F.nll_loss(x4, pytensor.zeros(2, 3, 4, dtype=pytensor.int64)).grad_fn.name() == "NllLoss2DBackward0"
    y = pytensor.rand(3, 5)
    xr = pytensor.rand(3, 5, requires_grad=True)
    for name, node in NODE.items():
        assert getattr(F, name)(xr, y).grad_fn.name() == node
    assert F.l1_loss(xr, y).grad_fn.name() == "MeanBackward0"
    assert F.kl_div(xr, y, reduction="batchmean").grad_fn.name() == "DivBackward0"
    with pytensor.no_grad():
        assert F.cross_entropy(x, t).grad_fn is None
    assert F.cross_entropy(x.detach(), t).grad_fn is None


def test_saved_input_modified_in_place():
    x = pytensor.randn(3, 5, requires_grad=True)
    h = x * 1
    loss = F.cross_entropy(h, pytensor.tensor([0, 1, 2]))
    h.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


# ---------------------------------------------------------------------------------------------
# bad paths

def test_errors():
    x = pytensor.randn(3, 5)
    with pytest.raises(ValueError, match=r"Expected input batch_size \(3\) to match target batch_size \(2\)\."):
        F.cross_entropy(x, pytensor.tensor([1, 2]))
    with pytest.raises(ValueError, match="batch_size"):
        F.nll_loss(pytensor.randn(2, 5, 3, 4), pytensor.zeros(3, 3, 4, dtype=pytensor.int64))
    with pytest.raises(IndexError, match="Target 5 is out of bounds."):
        F.cross_entropy(x, pytensor.tensor([1, 2, 5]))
    with pytest.raises(IndexError, match="Target -1 is out of bounds."):
        F.nll_loss(x, pytensor.tensor([1, 2, -1]))
    with pytest.raises(RuntimeError, match="expected target dtype to be Long or Byte, but got Int"):
        F.cross_entropy(x, pytensor.tensor([1, 2, 3], dtype=pytensor.int32))
    with pytest.raises(RuntimeError, match="but got Float"):
        F.nll_loss(x, pytensor.tensor([1.0, 2.0, 3.0]))
    with pytest.raises(RuntimeError, match="Expected floating point type for target with class probabilities"):
        F.cross_entropy(x, pytensor.zeros(3, 5, dtype=pytensor.int64))
    with pytest.raises(RuntimeError, match=r"Expected target size \[2, 3\], got \[2, 4\]"):
        F.cross_entropy(pytensor.randn(2, 5, 3), pytensor.zeros(2, 4, dtype=pytensor.int64))
    with pytest.raises(RuntimeError, match="multi-target not supported"):
        F.nll_loss(x, pytensor.zeros(3, 2, dtype=pytensor.int64))
    with pytest.raises(RuntimeError, match="for all 5 classes or no classes"):
        F.cross_entropy(x, pytensor.tensor([1, 2, 3]), weight=pytensor.rand(3))
    with pytest.raises(RuntimeError, match="expected scalar type Float but found Double"):
        F.cross_entropy(x, pytensor.tensor([1, 2, 3]), weight=pytensor.rand(5, dtype=pytensor.float64))
    with pytest.raises(RuntimeError, match="not differentiable with respect to argument 'weight'"):
        F.cross_entropy(x, pytensor.tensor([1, 2, 3]), weight=pytensor.rand(5, requires_grad=True))
    with pytest.raises(RuntimeError, match="label_smoothing must be between 0.0 and 1.0"):
        F.cross_entropy(x, pytensor.tensor([1, 2, 3]), label_smoothing=1.5)
    with pytest.raises(ValueError, match="Expected 1 or more dimensions"):
        F.nll_loss(pytensor.tensor(1.0), pytensor.tensor(1))
    with pytest.raises(NotImplementedError, match="not implemented for 'Long'"):
        F.cross_entropy(pytensor.zeros(3, 5, dtype=pytensor.int64), pytensor.tensor([1, 2, 3]))
    with pytest.raises(NotImplementedError, match="not implemented for 'Long'"):
        F.mse_loss(pytensor.ones(3, dtype=pytensor.int64), pytensor.ones(3, dtype=pytensor.int64))
    for fn in (F.cross_entropy, F.nll_loss):
        with pytest.raises(ValueError, match="foo is not a valid value for reduction"):
            fn(x, pytensor.tensor([1, 2, 3]), reduction="foo")
    for name in POINTWISE:
        with pytest.raises(ValueError, match="foo is not a valid value for reduction"):
            getattr(F, name)(pytensor.rand(3), pytensor.rand(3), reduction="foo")
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(pytensor.tensor([0.5, 1.5]), pytensor.tensor([0.0, 1.0]))
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(pytensor.tensor([float("nan")]), pytensor.tensor([1.0]))
    with pytest.raises(ValueError, match="is deprecated. Please ensure they have the same size."):
        F.binary_cross_entropy(pytensor.rand(2), pytensor.rand(1, 2))
    with pytest.raises(ValueError, match="must be the same as input size"):
        F.binary_cross_entropy_with_logits(pytensor.rand(2), pytensor.rand(1, 2))
    with pytest.raises(RuntimeError, match="does not support negative values for beta"):
        F.smooth_l1_loss(x, x, beta=-1.0)
    with pytest.raises(RuntimeError, match="does not support non-positive values for delta"):
        F.huber_loss(x, x, delta=0.0)
    with pytest.raises(ValueError, match="Weights and input must have the same size."):
        F.mse_loss(x, x, weight=pytensor.rand(5))
    with pytest.raises(TypeError):
        F.cross_entropy(x, [1, 2, 3])


# ---------------------------------------------------------------------------------------------
# parity with PyTorch

def _torch_pair(torch, a):
    return torch.from_numpy(np.array(a)) if a is not None else None


@pytest.mark.parametrize("shape", SHAPES + [(0, 4)])
def test_cross_entropy_and_nll_match_torch(shape):
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    C = shape[0 if len(shape) == 1 else 1]
    for prob, weighted, eps, red in itertools.product([False, True], [False, True], [0.0, 0.25], REDUCTIONS):
        x, t = make_case(shape, prob, ignore=True)
        w = RNG.uniform(0.5, 2, size=C) if weighted else None
        xt, tt, wt = tensors(x, t, w)
        xt.requires_grad_()
        xr = _torch_pair(torch, x).requires_grad_()
        got = F.cross_entropy(xt, tt, weight=wt, reduction=red, label_smoothing=eps)
        ref = tf.cross_entropy(xr, _torch_pair(torch, t), weight=_torch_pair(torch, w), reduction=red,
                               label_smoothing=eps)
        assert_close(got, ref.detach().numpy(), rtol=1e-6, atol=1e-9)
        if x.size:
            got.sum().backward()
            ref.sum().backward()
            assert_close(xt.grad, xr.grad.numpy(), rtol=1e-6, atol=1e-9)
        if not prob:
            got = F.nll_loss(xt.detach(), tt, weight=wt, reduction=red)
            ref = tf.nll_loss(xr.detach(), _torch_pair(torch, t), weight=_torch_pair(torch, w), reduction=red)
            assert_close(got, ref.numpy(), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", POINTWISE)
def test_pointwise_match_torch(name):
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    x, y = pointwise_inputs(name, (4, 3))
    w, pw = RNG.uniform(0.5, 2, size=3), RNG.uniform(0.5, 3, size=3)
    extras = [{}]
    if name in ("binary_cross_entropy", "binary_cross_entropy_with_logits"):
        extras.append({"weight": w})
    if name == "binary_cross_entropy_with_logits":
        extras.append({"weight": w, "pos_weight": pw})
    if name in ("smooth_l1_loss",):
        extras += [{"beta": 0.0}, {"beta": 0.5}]
    if name == "huber_loss":
        extras.append({"delta": 2.0})
    if name == "kl_div":
        extras.append({"log_target": True})
    reds = REDUCTIONS + (["batchmean"] if name == "kl_div" else [])
    for kw, red in itertools.product(extras, reds):
        yy = np.log(y) if kw.get("log_target") else y
        xt, yt = tensors(x, yy)
        xt.requires_grad_()
        yt.requires_grad_()
        xr, yr = _torch_pair(torch, x).requires_grad_(), _torch_pair(torch, yy).requires_grad_()
        kwp = {k: (pytensor.from_numpy(v) if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
        kwt = {k: (torch.from_numpy(v) if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = getattr(F, name)(xt, yt, reduction=red, **kwp)
            ref = getattr(tf, name)(xr, yr, reduction=red, **kwt)
        assert_close(got, ref.detach().numpy(), rtol=1e-6, atol=1e-9)
        got.sum().backward()
        ref.sum().backward()
        assert_close(xt.grad, xr.grad.numpy(), rtol=1e-6, atol=1e-9)
        assert_close(yt.grad, yr.grad.numpy(), rtol=1e-6, atol=1e-9)


def test_probability_target_errors_name_both_target_forms():
    x = pytensor.randn(4, 5)
    with pytest.raises(RuntimeError, match=r"must have the input's shape \(4, 5\), but got shape "
                                           r"\(4, 4\) \(class-index targets are int64 of shape \(4,\)\)"):
        F.cross_entropy(x, pytensor.rand(4, 4))
    with pytest.raises(RuntimeError, match=r"input's shape \(4, 5, 3\), but got shape \(4, 5\)"):
        F.cross_entropy(pytensor.randn(4, 5, 3), pytensor.rand(4, 5))
    with pytest.raises(RuntimeError, match=r"but got shape \(4,\)"):
        pytensor.nn.CrossEntropyLoss()(x, pytensor.rand(4))
    with pytest.raises(RuntimeError, match="ignore_index is not supported for floating point target"):
        F.cross_entropy(x, pytensor.rand(4, 5).softmax(1), ignore_index=3)
    # the default ignore_index and matching shapes still take the probability path
    p = pytensor.tensor([[0.0, 1.0, 0.0, 0.0, 0.0]]).repeat(4, 1)
    assert_close(F.cross_entropy(x, p), F.cross_entropy(x, pytensor.tensor([1, 1, 1, 1])))


def test_probability_target_errors_match_torch_types():
    torch = pytest.importorskip("torch")
    for kw in ({"ignore_index": 2}, {}):
        with pytest.raises(RuntimeError):
            torch.nn.functional.cross_entropy(torch.randn(4, 5), torch.rand(4, 4), **kw)
        with pytest.raises(RuntimeError):
            F.cross_entropy(pytensor.randn(4, 5), pytensor.rand(4, 4), **kw)


@pytest.mark.parametrize("shape", [(7, 1000), (3, 13), (2, 300, 4)])
def test_cross_entropy_vectorised_exp_matches_libm_and_numpy(shape):
    """float32 rows with contiguous classes take the vectorised exp; the libm path and float64
    numpy are the references (strided classes, shape (2, 300, 4), stay on libm)."""
    rng = np.random.default_rng(8)
    x = rng.normal(0, 10, size=shape).astype(np.float32)
    t = rng.integers(0, shape[1], size=(shape[0],) + shape[2:])
    results = []
    for reference in (False, True):
        pytensor._C._use_reference_vecmath(reference)
        try:
            px = pytensor.from_numpy(x.copy()).requires_grad_()
            loss = F.cross_entropy(px, pytensor.from_numpy(t), label_smoothing=0.1)
            loss.backward()
            results.append((loss.item(), px.grad.numpy()))
        finally:
            pytensor._C._use_reference_vecmath(False)
    x64 = np.moveaxis(x.astype(np.float64), 1, -1).reshape(-1, shape[1])
    logp = x64 - x64.max(1, keepdims=True)
    logp -= np.log(np.exp(logp).sum(1, keepdims=True))
    tt = t.reshape(-1)
    expected = -(0.9 * logp[np.arange(len(tt)), tt] + 0.1 * logp.mean(1)).mean()
    for loss, grad in results:
        np.testing.assert_allclose(loss, expected, rtol=1e-5)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-4, atol=1e-7)

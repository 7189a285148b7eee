"""The fused batch-norm and layer-norm ops against numpy (float64) formulas, their gradients
(fused backward and the composite one under create_graph) and their bad inputs."""
import numpy as np
import pytest

import pytensor
import pytensor.nn.functional as F
from pytensor.autograd import gradcheck, gradgradcheck
from helpers import assert_close, layouts

RNG = np.random.default_rng(11)


def np_layer_norm(x, n, w, b, eps):
    axes = tuple(range(x.ndim - n, x.ndim))
    m, v = x.mean(axes, keepdims=True), x.var(axes, keepdims=True)
    out = (x - m) / np.sqrt(v + eps)
    return out * (1 if w is None else w) + (0 if b is None else b)


def channel(v, ndim):
    return v.reshape((-1,) + (1,) * (ndim - 2))


@pytest.mark.parametrize("shape,n", [((4, 7), 1), ((2, 3, 5), 2), ((1, 1), 1), ((65, 13), 1),
                                     ((0, 3), 1), ((3, 1000), 1), ((5,), 1)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("affine", [True, False])
def test_layer_norm_matches_numpy(shape, n, dtype, affine):
    x = RNG.normal(2.0, 3.0, size=shape).astype(dtype)
    w = RNG.normal(size=shape[-n:]).astype(dtype) if affine else None
    b = RNG.normal(size=shape[-n:]).astype(dtype) if affine else None
    expected = np_layer_norm(x.astype(np.float64), n, w, b, 1e-5)
    tol = 1e-5 if dtype == "float32" else 1e-12
    for _, tx, _ in layouts(x):
        out = F.layer_norm(tx, shape[-n:], None if w is None else pytensor.from_numpy(w),
                           None if b is None else pytensor.from_numpy(b), 1e-5)
        assert_close(out, expected, rtol=tol, atol=tol)


@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5), (2, 5, 3, 4), (7, 1, 1, 1), (3, 0, 2)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_batch_norm_matches_numpy_and_updates_running_stats(shape, dtype):
    x = RNG.normal(1.0, 2.0, size=shape).astype(dtype)
    c = shape[1]
    w, b = RNG.normal(size=c).astype(dtype), RNG.normal(size=c).astype(dtype)
    rm, rv = RNG.normal(size=c).astype(dtype), RNG.uniform(0.5, 2, size=c).astype(dtype)
    axes = (0,) + tuple(range(2, len(shape)))
    x64 = x.astype(np.float64)
    m, v = x64.mean(axes), x64.var(axes)
    nd = len(shape)
    expected = (x64 - channel(m, nd)) / np.sqrt(channel(v, nd) + 1e-5) * channel(w, nd) + channel(b, nd)
    tol = 1e-5 if dtype == "float32" else 1e-12
    for _, tx, _ in layouts(x):
        trm, trv = pytensor.from_numpy(rm.copy()), pytensor.from_numpy(rv.copy())
        out = F.batch_norm(tx, trm, trv, pytensor.from_numpy(w), pytensor.from_numpy(b), True, 0.1, 1e-5)
        assert_close(out, expected, rtol=tol, atol=tol)
        count = x.size // max(c, 1)
        if count:
            assert_close(trm, 0.9 * rm + 0.1 * m, rtol=tol, atol=tol)
            assert_close(trv, 0.9 * rv + 0.1 * v * count / (count - 1), rtol=tol, atol=tol)
        # Eval mode: the running statistics, untouched.
        out = F.batch_norm(tx, trm, trv, None, None, False, 0.1, 1e-5)
        expected_eval = (x64 - channel(trm.numpy(), nd)) / np.sqrt(channel(trv.numpy(), nd) + 1e-5)
        assert_close(out, expected_eval, rtol=tol, atol=tol)


def _params(*shapes):
    return [pytensor.from_numpy(RNG.normal(size=s)).requires_grad_() for s in shapes]


def test_norm_gradients():
    x, w, b = _params((3, 4, 5), (4, 5), (4, 5))
    assert F.layer_norm(x, (4, 5), w, b).grad_fn.name() == "NativeLayerNormBackward0"
    assert gradcheck(lambda x, w, b: F.layer_norm(x, (4, 5), w, b), (x, w, b))
    assert gradgradcheck(lambda x, w, b: F.layer_norm(x, (4, 5), w, b), (x, w, b))
    assert gradcheck(lambda x: F.layer_norm(x.transpose(0, 2), (3,)), (x,))
    x, w, b = _params((4, 3, 2, 2), (3,), (3,))
    rm, rv = pytensor.zeros(3, dtype=pytensor.float64), pytensor.ones(3, dtype=pytensor.float64)
    assert F.batch_norm(x, rm, rv, w, b, True).grad_fn.name() == "NativeBatchNormBackward0"
    for training in (True, False):
        fn = lambda x, w, b: F.batch_norm(x, rm.clone(), rv.clone(), w, b, training)
        assert gradcheck(fn, (x, w, b))
        assert gradgradcheck(fn, (x, w, b))
    assert gradcheck(lambda x: F.batch_norm(x, None, None, None, None, True), (x,))


def test_only_needed_gradients_and_no_grad():
    x = pytensor.randn(4, 6)
    (w,) = _params((6,))
    w = w.float().detach().requires_grad_()
    F.layer_norm(x, (6,), w, None).sum().backward()
    assert w.grad is not None and x.grad is None
    with pytensor.no_grad():
        assert F.layer_norm(x, (6,), w).grad_fn is None


def test_norm_bad_input():
    with pytest.raises(RuntimeError, match=r"Given normalized_shape=\[3\], expected input with shape \[\*, 3\], but got input of size\[2, 4\]"):
        F.layer_norm(pytensor.randn(2, 4), (3,))
    with pytest.raises(RuntimeError, match="layer_norm: expected weight with 4 elements"):
        F.layer_norm(pytensor.randn(2, 4), (4,), pytensor.randn(3))
    with pytest.raises(RuntimeError, match="expected a floating point input"):
        F.layer_norm(pytensor.ones(2, 4, dtype=pytensor.int64), (4,))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        F.batch_norm(pytensor.randn(1, 3), None, None, training=True)
    with pytest.raises(RuntimeError, match="batch_norm: expected running_mean with 3 elements"):
        F.batch_norm(pytensor.randn(4, 3), pytensor.zeros(2), pytensor.ones(2))
    with pytest.raises(RuntimeError, match="same dtype as the input"):
        F.batch_norm(pytensor.randn(4, 3), pytensor.zeros(3, dtype=pytensor.float64), pytensor.ones(3))
    with pytest.raises(RuntimeError, match="must be given in eval mode"):
        F.batch_norm(pytensor.randn(4, 3), None, None, training=False)
    with pytest.raises(TypeError):
        F.batch_norm(None, None, None)


def test_norms_match_torch():
    torch = pytest.importorskip("torch")
    x = RNG.normal(size=(6, 4, 3, 3)).astype(np.float32)
    w, b = RNG.normal(size=4).astype(np.float32), RNG.normal(size=4).astype(np.float32)
    px, pw, pb = (pytensor.from_numpy(a.copy()).requires_grad_() for a in (x, w, b))
    tx, tw, tb = (torch.from_numpy(a.copy()).requires_grad_() for a in (x, w, b))
    prm, prv, trm, trv = pytensor.zeros(4), pytensor.ones(4), torch.zeros(4), torch.ones(4)
    out = F.batch_norm(px, prm, prv, pw, pb, True, 0.1, 1e-5)
    tout = torch.nn.functional.batch_norm(tx, trm, trv, tw, tb, True, 0.1, 1e-5)
    (out * out).sum().backward()
    (tout * tout).sum().backward()
    for mine, theirs in [(out, tout), (px.grad, tx.grad), (pw.grad, tw.grad), (pb.grad, tb.grad),
                         (prm, trm), (prv, trv)]:
        assert_close(mine, theirs.detach().numpy(), rtol=1e-4, atol=1e-4)
    lx = pytensor.from_numpy(x.reshape(6, 36).copy()).requires_grad_()
    tlx = torch.from_numpy(x.reshape(6, 36).copy()).requires_grad_()
    F.layer_norm(lx, (36,)).pow(3).sum().backward()
    torch.nn.functional.layer_norm(tlx, (36,)).pow(3).sum().backward()
    assert_close(lx.grad, tlx.grad.numpy(), rtol=1e-4, atol=1e-4)

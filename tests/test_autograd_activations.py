"""Backward of erf, erfc, erfinv and of the activations with fused backward kernels (sigmoid,
tanh, silu, gelu): gradcheck and gradgradcheck in float64, node names, the fused kernel
against the formula written with ops (which create_graph uses), float32 gradients."""
import math

import numpy as np
import pytest

import pytensor
import pytensor.nn.functional as F
from pytensor.autograd import gradcheck, gradgradcheck


def leaf(shape, low=-3.0, high=3.0, seed=0, transposed=False):
    rng = np.random.default_rng(seed)
    v = rng.uniform(low, high, tuple(shape)[::-1] if transposed else shape)
    return pytensor.from_numpy(v.T if transposed else v).requires_grad_()


OPS = {
    "erf": (pytensor.erf, "ErfBackward0", (-2.5, 2.5)),
    "erfc": (pytensor.erfc, "ErfcBackward0", (-2.5, 2.5)),
    "erfinv": (pytensor.erfinv, "ErfinvBackward0", (-0.95, 0.95)),
    "sigmoid": (pytensor.sigmoid, "SigmoidBackward0", (-6, 6)),
    "tanh": (pytensor.tanh, "TanhBackward0", (-4, 4)),
    "silu": (F.silu, "SiluBackward0", (-6, 6)),
    "gelu": (F.gelu, "GeluBackward0", (-5, 5)),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"), "GeluBackward0", (-5, 5)),
}


@pytest.mark.parametrize("name", list(OPS))
@pytest.mark.parametrize("transposed", [False, True])
def test_gradcheck(name, transposed):
    fn, node, (lo, hi) = OPS[name]
    x = leaf((3, 4), lo, hi, transposed=transposed)
    assert gradcheck(fn, (x,))
    assert fn(x).grad_fn.name() == node


@pytest.mark.parametrize("name", list(OPS))
def test_gradgradcheck(name):
    fn, _, (lo, hi) = OPS[name]
    assert gradgradcheck(fn, (leaf((5,), lo, hi, seed=1),))


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "silu", "gelu", "gelu_tanh"])
@pytest.mark.parametrize("dtype", [pytensor.float32, pytensor.float64])
def test_fused_backward_matches_formula(name, dtype):
    # Without create_graph the fused kernel runs; with it, the formula written with ops.
    fn = OPS[name][0]
    x = pytensor.linspace(-12, 12, 1001, dtype=dtype).requires_grad_()
    g = pytensor.linspace(-1, 1, 1001, dtype=dtype)
    (fused,) = pytensor.autograd.grad(fn(x), x, g)
    (composed,) = pytensor.autograd.grad(fn(x), x, g, create_graph=True)
    tol = 1e-12 if dtype == pytensor.float64 else 2e-5
    np.testing.assert_allclose(fused.numpy(), composed.detach().numpy(), rtol=tol, atol=tol * 1e-2)


def test_gradient_values():
    x = pytensor.tensor([-1.5, 0.0, 0.3, 2.0], dtype=pytensor.float64).requires_grad_()
    xs = x.detach().numpy()
    expect = {
        pytensor.erf: 2 / math.sqrt(math.pi) * np.exp(-xs**2),
        pytensor.erfc: -2 / math.sqrt(math.pi) * np.exp(-xs**2),
        F.gelu: np.array([0.5 * math.erfc(-v / math.sqrt(2)) + v * math.exp(-v * v / 2) / math.sqrt(2 * math.pi)
                          for v in xs]),
        F.silu: 1 / (1 + np.exp(-xs)) * (1 + xs * (1 - 1 / (1 + np.exp(-xs)))),
    }
    for fn, ref in expect.items():
        (g,) = pytensor.autograd.grad(fn(x).sum(), x)
        np.testing.assert_allclose(g.numpy(), ref, rtol=1e-13, atol=1e-15)
    y = pytensor.tensor([0.0, 0.5, -0.9], dtype=pytensor.float64).requires_grad_()
    (g,) = pytensor.autograd.grad(pytensor.erfinv(y).sum(), y)
    inv = pytensor.erfinv(y.detach()).numpy()
    np.testing.assert_allclose(g.numpy(), math.sqrt(math.pi) / 2 * np.exp(inv**2), rtol=1e-13)


def test_no_grad_and_inplace():
    x = leaf((4,))
    with pytensor.no_grad():
        assert not F.gelu(x).requires_grad
    y = x * 1.0
    F.silu(y, inplace=True)
    assert y.grad_fn.name() == "SiluBackward0"
    y.sum().backward()
    s = 1 / (1 + np.exp(-x.detach().numpy()))
    np.testing.assert_allclose(x.grad.numpy(), s * (1 + x.detach().numpy() * (1 - s)), rtol=1e-12)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x.erfinv_()

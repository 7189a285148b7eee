"""The PyTorch tutorials' autograd snippets, higher-order gradients (a gradient penalty and a
Hessian-vector product), and flat memory over many training steps."""
import os

import numpy as np
import pytest

import pytensor
from pytensor import autograd


def test_tutorial_power_chain():
    x = pytensor.tensor(1.0, requires_grad=True)
    y = 2 * x ** 3
    z = y.pow(2)
    z.backward()
    assert x.grad.item() == 24.0


def test_tutorial_only_a_requires_grad():
    a = pytensor.tensor([1.0, 2.0], requires_grad=True)
    b = pytensor.tensor([3.0, 4.0])
    c = a + b
    d = c.sum()
    d.backward()
    assert a.grad.tolist() == [1.0, 1.0] and b.grad is None
    assert c.grad_fn.name() == "AddBackward0" and d.grad_fn.name() == "SumBackward0"


def test_tutorial_no_grad_and_detach():
    x = pytensor.ones(5)
    w = pytensor.randn(5, 3, requires_grad=True)
    b = pytensor.randn(3, requires_grad=True)
    z = pytensor.matmul(x, w) + b
    assert z.requires_grad and repr(z.grad_fn).startswith("<AddBackward0 object at")
    with pytensor.no_grad():
        z = pytensor.matmul(x, w) + b
    assert not z.requires_grad
    assert not (pytensor.matmul(x, w) + b).detach().requires_grad


def test_tutorial_jacobian_vector_product():
    inp = pytensor.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    out.backward(pytensor.ones_like(out), retain_graph=True)
    np.testing.assert_allclose(inp.grad.numpy(), 2 * (np.eye(4, 5) + 1))
    out.backward(pytensor.ones_like(out), retain_graph=True)
    np.testing.assert_allclose(inp.grad.numpy(), 4 * (np.eye(4, 5) + 1))


def test_hessian_vector_product():
    x = pytensor.tensor([1.0, -2.0, 3.0], dtype=pytensor.float64, requires_grad=True)
    v = pytensor.tensor([0.5, 1.0, -1.0], dtype=pytensor.float64)
    y = (x ** 3).sum()
    (g,) = autograd.grad(y, x, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), 3 * x.detach().numpy() ** 2)
    (hv,) = autograd.grad(g, x, grad_outputs=v)
    np.testing.assert_allclose(hv.numpy(), 6 * x.detach().numpy() * v.numpy())


def test_gradient_penalty():
    w = pytensor.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=pytensor.float64, requires_grad=True)
    x = pytensor.tensor([[0.5, -1.0]], dtype=pytensor.float64, requires_grad=True)
    out = (x @ w).tanh().sum()
    (gx,) = autograd.grad(out, x, create_graph=True)
    penalty = ((gx.norm() - 1) ** 2)
    penalty.backward()
    assert w.grad is not None and np.isfinite(w.grad.numpy()).all()

    def penalty_of(w_):
        (g,) = autograd.grad((x @ w_).tanh().sum(), x, create_graph=True)
        return (g.norm() - 1) ** 2
    assert autograd.gradcheck(penalty_of, (w,))


def _rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs /proc")
def test_memory_is_flat_over_many_training_steps():
    pytensor.manual_seed(0)
    x = pytensor.randn(64, 34)
    y = pytensor.randn(64, 1)
    params = [pytensor.randn(34, 10) * 0.1, pytensor.zeros(10), pytensor.randn(10, 8) * 0.1,
              pytensor.zeros(8), pytensor.randn(8, 1) * 0.1, pytensor.zeros(1)]
    for p in params:
        p.requires_grad_()

    def step():
        w1, b1, w2, b2, w3, b3 = params
        h = (x @ w1 + b1).relu()
        h = (h @ w2 + b2).relu()
        loss = ((h @ w3 + b3 - y) ** 2).mean()
        loss.backward()
        with pytensor.no_grad():
            for p in params:
                p -= 0.01 * p.grad
                p.grad = None
        return loss

    for _ in range(1000):
        step()
    before = _rss_bytes()
    for _ in range(10_000):
        step()
    growth = _rss_bytes() - before
    assert growth < 8 * 2 ** 20, f"memory grew by {growth / 2**20:.1f} MiB over 10,000 steps"

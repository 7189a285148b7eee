"""pytensor.nn.init: gains, fans, and the statistics (bounds, std) of every initialiser."""
import math

import numpy as np
import pytest

import pytensor
import pytensor.nn as nn
from pytensor.nn import init


def big(*shape):
    return pytensor.empty(*shape, dtype=pytensor.float64)


def test_calculate_gain():
    assert init.calculate_gain("linear") == 1 and init.calculate_gain("conv2d") == 1
    assert init.calculate_gain("sigmoid") == 1
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("leaky_relu") == pytest.approx(1.4141428569978354)
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(1.3867504905630728)
    assert init.calculate_gain("selu") == 0.75
    with pytest.raises(ValueError, match="Unsupported nonlinearity foo"):
        init.calculate_gain("foo")


def test_fans():
    assert init._calculate_fan_in_and_fan_out(big(5, 3)) == (3, 5)
    assert init._calculate_fan_in_and_fan_out(big(8, 4, 3, 3)) == (36, 72)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(big(3))


def test_simple_fills_return_tensor_and_ignore_autograd():
    p = nn.Parameter(pytensor.empty(3, 4))
    assert init.constant_(p, 0.5) is p and (p.detach().numpy() == 0.5).all()
    assert init.zeros_(p) is p and (p.detach().numpy() == 0).all()
    assert init.ones_(p) is p and (p.detach().numpy() == 1).all()
    assert p.grad_fn is None and p.requires_grad
    assert init.eye_(p) is p
    np.testing.assert_array_equal(p.detach().numpy(), np.eye(3, 4))
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions are supported"):
        init.eye_(big(3))


def test_uniform_and_normal_statistics():
    t = init.uniform_(big(200, 200), -2.0, 3.0).numpy()
    assert t.min() >= -2 and t.max() <= 3 and abs(t.mean() - 0.5) < 0.05
    t = init.normal_(big(200, 200), 1.0, 2.0).numpy()
    assert abs(t.mean() - 1) < 0.05 and abs(t.std() - 2) < 0.05


def test_xavier():
    t = init.xavier_uniform_(big(300, 200), gain=2.0).numpy()
    bound = 2.0 * math.sqrt(6 / 500)
    assert np.abs(t).max() <= bound and np.abs(t).max() > 0.99 * bound
    t = init.xavier_normal_(big(300, 200)).numpy()
    assert abs(t.std() - math.sqrt(2 / 500)) < 0.02 * math.sqrt(2 / 500) * 5


@pytest.mark.parametrize("mode,fan", [("fan_in", 200), ("fan_out", 300)])
def test_kaiming(mode, fan):
    t = init.kaiming_uniform_(big(300, 200), mode=mode, nonlinearity="relu").numpy()
    bound = math.sqrt(2) * math.sqrt(3 / fan)
    assert np.abs(t).max() <= bound and np.abs(t).max() > 0.99 * bound
    t = init.kaiming_normal_(big(300, 200), a=0.1, mode=mode).numpy()
    std = init.calculate_gain("leaky_relu", 0.1) / math.sqrt(fan)
    assert abs(t.std() - std) < 0.03 * std
    with pytest.raises(ValueError, match="Mode x not supported"):
        init.kaiming_uniform_(big(3, 3), mode="x")


def test_kaiming_zero_element_warns():
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        init.kaiming_uniform_(big(0, 3))


def test_trunc_normal():
    t = init.trunc_normal_(big(300, 300), mean=1.0, std=2.0, a=-1.0, b=2.0).numpy()
    assert t.min() >= -1 and t.max() <= 2
    # Mean of N(1, 2) truncated to [-1, 2]: mu + sigma (phi(al) - phi(be)) / (Phi(be) - Phi(al)).
    al, be = -1.0, 0.5
    phi = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    Phi = lambda z: (1 + math.erf(z / math.sqrt(2))) / 2
    expected = 1.0 + 2.0 * (phi(al) - phi(be)) / (Phi(be) - Phi(al))
    assert abs(t.mean() - expected) < 0.02
    # The default: a standard normal cut at +-2 has std 0.8796.
    t = init.trunc_normal_(big(300, 300)).numpy()
    assert abs(t.std() - 0.8796) < 0.01 and abs(t).max() <= 2


@pytest.mark.parametrize("shape", [(4, 6), (6, 4), (3, 2, 2)])
def test_orthogonal(shape):
    t = init.orthogonal_(big(*shape), gain=2.0).numpy().reshape(shape[0], -1)
    if t.shape[0] <= t.shape[1]:
        np.testing.assert_allclose(t @ t.T, 4 * np.eye(t.shape[0]), atol=1e-10)
    else:
        np.testing.assert_allclose(t.T @ t, 4 * np.eye(t.shape[1]), atol=1e-10)
    with pytest.raises(ValueError, match="Only tensors with 2 or more dimensions are supported"):
        init.orthogonal_(big(3))


def test_dirac():
    w = init.dirac_(big(4, 2, 3, 3), groups=2).numpy()
    assert w.sum() == 4
    assert w[0, 0, 1, 1] == 1 and w[1, 1, 1, 1] == 1 and w[2, 0, 1, 1] == 1 and w[3, 1, 1, 1] == 1


def test_init_works_on_parameters_float32():
    lin = nn.Linear(10, 5)
    init.xavier_uniform_(lin.weight)
    init.zeros_(lin.bias)
    assert isinstance(lin.weight, nn.Parameter) and lin.weight.dtype == pytensor.float32
    assert (lin.bias.detach().numpy() == 0).all()
    init.orthogonal_(lin.weight)
    w = lin.weight.detach().numpy().astype(np.float64)
    np.testing.assert_allclose(w @ w.T, np.eye(5), atol=1e-5)

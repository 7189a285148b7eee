"""The composite helpers of pytensor/_functions.py against numpy, with gradients."""
import numpy as np
import pytest

import pytensor
from pytensor.autograd import gradcheck


def test_predicates_and_comparisons():
    a = pytensor.tensor([1.0, 2.0, float("nan")])
    assert pytensor.is_tensor(a) and not pytensor.is_tensor([1])
    assert pytensor.numel(a) == 3 and pytensor.is_floating_point(a)
    b = a + 1e-9
    assert pytensor.isclose(a, b).tolist() == [True, True, False]
    assert pytensor.isclose(a, b, equal_nan=True).tolist() == [True, True, True]
    assert not pytensor.allclose(a, b) and pytensor.allclose(a, b, equal_nan=True)
    assert pytensor.equal(pytensor.tensor([1, 2]), pytensor.tensor([1, 2]))
    assert not pytensor.equal(pytensor.tensor([1, 2]), pytensor.tensor([1, 2, 3]))
    assert pytensor.isclose(pytensor.tensor([float("inf")]), pytensor.tensor([float("inf")])).tolist() == [True]


def test_addcmul_addcdiv_lerp_and_in_place_forms():
    rng = np.random.default_rng(0)
    x, y, z = (rng.uniform(1, 2, 4) for _ in range(3))
    X, Y, Z = (pytensor.from_numpy(v.copy()) for v in (x, y, z))
    np.testing.assert_allclose(pytensor.addcmul(X, Y, Z, value=0.5).numpy(), x + 0.5 * y * z)
    np.testing.assert_allclose(pytensor.addcdiv(X, Y, Z, value=2).numpy(), x + 2 * y / z)
    np.testing.assert_allclose(pytensor.lerp(X, Y, 0.25).numpy(), x + 0.25 * (y - x))
    assert X.addcmul_(Y, Z, value=2) is X
    np.testing.assert_allclose(X.numpy(), x + 2 * y * z)
    X2 = pytensor.from_numpy(x.copy())
    X2.lerp_(Y, 0.5)
    np.testing.assert_allclose(X2.numpy(), (x + y) / 2)
    leaves = [pytensor.from_numpy(v.copy()).requires_grad_() for v in (x, y, z)]
    assert gradcheck(lambda a, b, c: pytensor.addcdiv(a, b, c, value=0.3), leaves)


def test_trace_meshgrid_unique():
    m = np.arange(9.0).reshape(3, 3)
    assert pytensor.trace(pytensor.from_numpy(m)).item() == np.trace(m)
    with pytest.raises(RuntimeError, match="trace"):
        pytensor.trace(pytensor.ones(3))
    a, b = pytensor.tensor([1, 2, 3]), pytensor.tensor([4, 5])
    for indexing in ("ij", "xy"):
        got = pytensor.meshgrid(a, b, indexing=indexing)
        want = np.meshgrid([1, 2, 3], [4, 5], indexing=indexing)
        for g, w in zip(got, want):
            np.testing.assert_array_equal(g.numpy(), w)
    vals, inv, counts = pytensor.unique(pytensor.tensor([3, 1, 3, 2]), return_inverse=True, return_counts=True)
    assert vals.tolist() == [1, 2, 3] and inv.tolist() == [2, 0, 2, 1] and counts.tolist() == [1, 1, 2]


def test_type_as_and_dtype_info():
    assert pytensor.tensor([1, 2]).type_as(pytensor.tensor([1.0])).dtype is pytensor.float32
    assert pytensor.finfo(pytensor.float32).eps == np.finfo(np.float32).eps
    assert pytensor.finfo().bits == 32
    assert pytensor.iinfo(pytensor.int32).max == 2 ** 31 - 1
    with pytest.raises(TypeError):
        pytensor.finfo(pytensor.int64)

"""matmul and friends against numpy (float64), on odd, strided, broadcast and empty shapes."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import pytensor
from helpers import assert_close, layouts, rand

MATMUL_SHAPES = [
    ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((1, 1), (1, 1)),
    ((5, 3, 4), (4, 2)), ((4,), (2, 4, 3)), ((2, 1, 3, 4), (5, 4, 2)), ((2, 3, 4), (2, 4, 5)),
    ((0, 3), (3, 4)), ((2, 0), (0, 4)), ((3, 0, 4), (4, 2)), ((7, 33), (33, 65)),
    ((17, 130, 70), (70, 19)), ((1, 300), (300, 1)),
]


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32"])
def test_matmul_matches_numpy(sa, sb, dtype):
    rng = np.random.default_rng(1)
    a, b = rand(sa, dtype, rng), rand(sb, dtype, rng)
    expected = np.matmul(a.astype(np.float64), b.astype(np.float64))
    for _, ta, na in layouts(a):
        for _, tb, nb in layouts(b):
            out = ta @ tb
            rtol = 1e-5 if dtype == "float32" else 1e-12
            assert_close(out, expected.astype(a.dtype) if dtype.startswith("int") else expected,
                         rtol=rtol, atol=rtol * max(1, sa[-1]), dtype=dtype)
            assert_close(pytensor.matmul(ta, tb), np.asarray(out), dtype=dtype)


def test_large_square_is_accurate():
    rng = np.random.default_rng(2)
    a, b = rand((257, 513), "float32", rng), rand((513, 129), "float32", rng)
    ta, tb = pytensor.from_numpy(a), pytensor.from_numpy(b)
    expected = a.astype(np.float64) @ b.astype(np.float64)
    assert_close(ta @ tb, expected, rtol=1e-4, atol=1e-3)
    assert_close(tb.T @ ta.T, expected.T, rtol=1e-4, atol=1e-3)


def test_strict_forms():
    rng = np.random.default_rng(3)
    a, b, v = rand((4, 5), "float64", rng), rand((5, 3), "float64", rng), rand((5,), "float64", rng)
    ta, tb, tv = map(pytensor.from_numpy, (a, b, v))
    assert_close(pytensor.mm(ta, tb), a @ b)
    assert_close(ta.mv(tv), a @ v)
    assert_close(tv.dot(tv), np.dot(v, v))
    assert_close(pytensor.outer(tv, tv), np.outer(v, v))
    x, y = rand((3, 4, 5), "float64", rng), rand((3, 5, 2), "float64", rng)
    assert_close(pytensor.bmm(pytensor.from_numpy(x), pytensor.from_numpy(y)), x @ y)


def test_matmul_with_numpy_operand():
    a = np.arange(6.0).reshape(2, 3)
    t = pytensor.from_numpy(a)
    assert_close(t @ a.T, a @ a.T)
    out = a.T @ t  # numpy defers to the tensor (__array_priority__)
    assert isinstance(out, pytensor.Tensor)
    assert_close(out, a.T @ a)


def test_broadcast_batch_strides_are_respected():
    # b broadcast over a's batch via expand-like stride 0 from numpy.
    rng = np.random.default_rng(4)
    a = rand((6, 3, 4), "float32", rng)
    b = np.broadcast_to(rand((4, 2), "float32", rng), (6, 4, 2))
    assert_close(pytensor.from_numpy(a) @ pytensor.from_numpy(b), a.astype(np.float64) @ b)


@pytest.mark.parametrize("sa,sb,msg", [
    ((2, 3), (4, 5), "matmul: shapes (2, 3) and (4, 5) cannot be multiplied (3 != 4)"),
    ((3,), (4,), "dot"),
    ((2, 3, 4), (5, 4, 2), "matmul"),
])
def test_shape_errors(sa, sb, msg):
    with pytest.raises(RuntimeError, match=msg.replace("(", r"\(").replace(")", r"\)")):
        pytensor.from_numpy(np.zeros(sa)) @ pytensor.from_numpy(np.zeros(sb))


def test_bad_inputs():
    f32 = pytensor.from_numpy(np.zeros((2, 2), np.float32))
    f64 = pytensor.from_numpy(np.zeros((2, 2)))
    with pytest.raises(RuntimeError, match="same dtype"):
        f32 @ f64
    with pytest.raises(RuntimeError, match="at least 1D"):
        pytensor.from_numpy(np.array(1.0)) @ f64
    with pytest.raises(RuntimeError, match="mm: expected 2-D"):
        pytensor.mm(f64, pytensor.from_numpy(np.zeros(2)))
    with pytest.raises(RuntimeError, match="bmm"):
        pytensor.bmm(f64, f64)
    with pytest.raises(RuntimeError, match="bool"):
        b = pytensor.from_numpy(np.zeros((2, 2), bool))
        b @ b
    with pytest.raises(TypeError):
        f64 @ "x"


def test_nan_propagates_and_empty_inner_dim_gives_zeros():
    a = np.array([[np.nan, 1.0], [1.0, 1.0]])
    out = pytensor.from_numpy(a) @ pytensor.from_numpy(np.ones((2, 2)))
    assert np.isnan(np.asarray(out)[0]).all() and (np.asarray(out)[1] == 2).all()
    z = pytensor.from_numpy(np.zeros((3, 0))) @ pytensor.from_numpy(np.zeros((0, 2)))
    assert_close(z, np.zeros((3, 2)))


def test_threads_agree_with_single_thread():
    rng = np.random.default_rng(5)
    a, b = rand((300, 200), "float64", rng), rand((200, 310), "float64", rng)
    ta, tb = pytensor.from_numpy(a), pytensor.from_numpy(b)
    n = pytensor.get_num_threads()
    try:
        pytensor.set_num_threads(1)
        one = np.asarray(ta @ tb)
        pytensor.set_num_threads(2)
        two = np.asarray(ta @ tb)
    finally:
        pytensor.set_num_threads(n)
    np.testing.assert_allclose(one, two, rtol=1e-13)
    np.testing.assert_allclose(one, a @ b, rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 3), st.integers(0, 9), st.integers(0, 9), st.integers(0, 9),
       st.booleans(), st.booleans())
def test_matmul_property(batch, m, k, n, ta_, tb_):
    rng = np.random.default_rng(m * 100 + k * 10 + n)
    sa = (batch, m, k) if batch else (m, k)
    a = rand(sa, "float64", rng)
    b = rand((k, n), "float64", rng)
    if ta_:
        a = np.ascontiguousarray(np.swapaxes(a, -1, -2)).swapaxes(-1, -2)
    if tb_:
        b = np.asfortranarray(b)
    assert_close(pytensor.from_numpy(a) @ pytensor.from_numpy(b), a @ b)


LINEAR_SHAPES = [((5, 3), (4, 3)), ((1, 1), (1, 1)), ((7, 65), (13, 65)), ((0, 3), (4, 3)),
                 ((2, 0), (4, 0)), ((3, 4), (0, 4)), ((3,), (2, 3)), ((2, 5, 3), (4, 3)),
                 ((64, 512), (10, 512))]


@pytest.mark.parametrize("sx,sw", LINEAR_SHAPES)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
@pytest.mark.parametrize("with_bias", [True, False])
def test_linear_matches_numpy(sx, sw, dtype, with_bias):
    rng = np.random.default_rng(3)
    x, w, b = rand(sx, dtype, rng), rand(sw, dtype, rng), rand(sw[:1], dtype, rng)
    expected = x.astype(np.float64) @ w.astype(np.float64).T + (b if with_bias else 0)
    rtol = 1e-5 if dtype == "float32" else 1e-12
    for _, tx, _ in layouts(x):
        for _, tw, _ in layouts(w):
            tb = pytensor.from_numpy(b)[::1] if with_bias else None
            out = pytensor.nn.functional.linear(tx, tw, tb)
            assert_close(out, expected.astype(x.dtype) if dtype == "int64" else expected,
                         rtol=rtol, atol=rtol * max(1, sx[-1]), dtype=dtype)


def test_linear_strided_bias_1d_weight_and_broadcast_bias():
    F = pytensor.nn.functional
    rng = np.random.default_rng(4)
    x, w, b = rand((3, 4), "float64", rng), rand((2, 4), "float64", rng), rand((2, 2), "float64", rng)
    out = F.linear(pytensor.from_numpy(x), pytensor.from_numpy(w), pytensor.from_numpy(b)[:, 0])
    assert_close(out, x @ w.T + b[:, 0])
    assert_close(F.linear(pytensor.from_numpy(x), pytensor.from_numpy(w[0])), x @ w[0])
    col = pytensor.from_numpy(rand((3, 1), "float64", rng))  # a bias that broadcasts over rows
    assert_close(F.linear(pytensor.from_numpy(x), pytensor.from_numpy(w), col), x @ w.T + col.numpy())


def test_linear_grad_fns_and_gradients():
    F = pytensor.nn.functional
    rng = np.random.default_rng(5)
    x = pytensor.from_numpy(rand((4, 3), "float64", rng)).requires_grad_()
    w = pytensor.from_numpy(rand((2, 3), "float64", rng)).requires_grad_()
    b = pytensor.from_numpy(rand((2,), "float64", rng)).requires_grad_()
    assert F.linear(x, w, b).grad_fn.name() == "AddmmBackward0"
    assert F.linear(x, w).grad_fn.name() == "MmBackward0"
    assert F.linear(x.view(2, 2, 3), w, b).grad_fn.name() == "ViewBackward0"
    assert pytensor.autograd.gradcheck(F.linear, (x, w, b))
    assert pytensor.autograd.gradgradcheck(F.linear, (x, w, b))
    assert pytensor.autograd.gradcheck(F.linear, (x.view(2, 2, 3), w.t().contiguous().t(), b))
    # Only the gradients that are needed: a frozen input and bias.
    out = F.linear(x.detach(), w, b.detach())
    out.sum().backward()
    assert_close(w.grad, np.tile(x.detach().numpy().sum(0), (2, 1)))
    with pytensor.no_grad():
        assert F.linear(x, w, b).grad_fn is None


def test_linear_bad_input():
    F = pytensor.nn.functional
    with pytest.raises(RuntimeError, match=r"linear: input of shape \(2, 783\) has 783 features.*\(10, 784\)"):
        pytensor.nn.Linear(784, 10)(pytensor.randn(2, 783))
    with pytest.raises(RuntimeError, match="linear: weight must be 1-D or 2-D"):
        F.linear(pytensor.randn(2, 3), pytensor.randn(2, 2, 3))
    with pytest.raises(RuntimeError, match="linear: input must be at least 1-D"):
        F.linear(pytensor.tensor(1.0), pytensor.randn(2, 3))
    with pytest.raises(RuntimeError, match="same dtype"):
        F.linear(pytensor.randn(2, 3), pytensor.randn(4, 3, dtype=pytensor.float64))
    with pytest.raises(TypeError):
        F.linear(None, pytensor.randn(4, 3))


def test_linear_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(6)
    x, w, b = rand((6, 5), "float32", rng), rand((3, 5), "float32", rng), rand((3,), "float32", rng)
    px, pw, pb = (pytensor.from_numpy(a).requires_grad_() for a in (x, w, b))
    tx, tw, tb = (torch.from_numpy(a).requires_grad_() for a in (x, w, b))
    out, tout = pytensor.nn.functional.linear(px, pw, pb), torch.nn.functional.linear(tx, tw, tb)
    (out * out).sum().backward()
    (tout * tout).sum().backward()
    for mine, theirs in [(out, tout), (px.grad, tx.grad), (pw.grad, tw.grad), (pb.grad, tb.grad)]:
        assert_close(mine, theirs.detach().numpy(), rtol=1e-5, atol=1e-5)

"""The tape and the engine: backward/grad semantics, retain_graph, hooks, grad modes, version
counters, custom Functions, gradcheck itself, and graph lifetime. Uses ops whose backward lives
in the core (matmul, clone, to, copy_) so it tests the engine, not the formulas."""
import gc
import threading
import weakref

import numpy as np
import pytest

import pytensor
from pytensor.autograd import Function, gradcheck
from pytensor.autograd.gradcheck import GradcheckError


def leaf(values, dtype=pytensor.float64):
    return pytensor.tensor(values, dtype=dtype, requires_grad=True)


def test_mm_gradients_and_names():
    a = leaf([[1.0, 2.0], [3.0, 4.0]])
    b = leaf([[1.0, 0.0], [1.0, 1.0]])
    c = a @ b
    assert c.grad_fn.name() == "MmBackward0" and "grad_fn=<MmBackward0>" in repr(c)
    assert repr(c.grad_fn).startswith("<MmBackward0 object at 0x")
    c.backward(pytensor.ones(2, 2, dtype=pytensor.float64))
    np.testing.assert_allclose(a.grad.numpy(), np.ones((2, 2)) @ b.detach().numpy().T)
    np.testing.assert_allclose(b.grad.numpy(), a.detach().numpy().T @ np.ones((2, 2)))
    assert a.is_leaf and not c.is_leaf and a.grad_fn is None
    names = [f.name() for f, _ in c.grad_fn.next_functions]
    assert names == ["AccumulateGrad", "AccumulateGrad"]


def test_only_inputs_that_require_grad_get_gradients():
    a = leaf([1.0, 2.0])
    b = pytensor.tensor([3.0, 4.0], dtype=pytensor.float64)
    d = a @ b
    d.backward()
    assert a.grad.tolist() == [3.0, 4.0] and b.grad is None


def test_gradients_accumulate_until_cleared():
    x = leaf([1.0, 2.0, 3.0])
    for _ in range(2):
        (x @ x).backward()
    assert x.grad.tolist() == [4.0, 8.0, 12.0]
    x.grad = None
    (x @ x).backward()
    assert x.grad.tolist() == [2.0, 4.0, 6.0]


def test_backward_errors():
    x = pytensor.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="does not require grad and does not have a grad_fn"):
        x.backward()
    y = leaf([[1.0], [2.0]]) @ leaf([[1.0, 1.0]])
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        y.backward()
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        y.backward(pytensor.ones(3, dtype=pytensor.float64))


def test_second_backward_needs_retain_graph():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    c = a @ b
    c.backward(retain_graph=True)
    c.backward()
    assert a.grad.tolist() == [6.0, 8.0]
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        c.backward()


def test_autograd_grad_does_not_touch_dot_grad():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (ga,) = pytensor.autograd.grad(a @ b, [a])
    assert ga.tolist() == [3.0, 4.0] and a.grad is None and b.grad is None
    unused = leaf([1.0])
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        pytensor.autograd.grad(a @ b, [a, unused])
    ga, gu = pytensor.autograd.grad(a @ b, [a, unused], allow_unused=True)
    assert gu is None
    with pytest.raises(RuntimeError, match="does not require grad"):
        pytensor.autograd.grad(a @ b, [pytensor.tensor([1.0])])


def test_backward_inputs_restricts_accumulation():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (a @ b).backward(inputs=[b])
    assert a.grad is None and b.grad.tolist() == [1.0, 2.0]


def test_hooks_on_leaves_and_non_leaves():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    seen = []
    h = a.register_hook(lambda g: g * 10)
    c = a.clone()
    c.register_hook(lambda g: seen.append(g.tolist()))
    (c @ b).backward()
    assert seen == [[3.0, 4.0]] and a.grad.tolist() == [30.0, 40.0]
    h.remove()
    a.grad = None
    (a @ b).backward()
    assert a.grad.tolist() == [3.0, 4.0]
    a.register_hook(lambda g: pytensor.ones(5, dtype=pytensor.float64))
    with pytest.raises(RuntimeError, match="hook has changed the size of value"):
        (a @ b).backward()
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        pytensor.tensor([1.0]).register_hook(lambda g: g)


def test_retain_grad_on_a_non_leaf():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    c = a.clone()
    c.retain_grad()
    assert c.retains_grad
    (c @ b).backward()
    assert c.grad.tolist() == [3.0, 4.0]
    d = a.clone()
    (d @ b).backward()
    assert d.grad is None


def test_grad_modes():
    a, b = leaf([1.0]), leaf([2.0])
    with pytensor.no_grad():
        assert not (a @ b).requires_grad
        with pytensor.enable_grad():
            assert (a @ b).requires_grad
    assert (a @ b).requires_grad
    with pytensor.set_grad_enabled(False):
        assert not pytensor.is_grad_enabled()
    assert pytensor.is_grad_enabled()
    with pytensor.inference_mode():
        assert not (a @ b).requires_grad

    @pytensor.no_grad()
    def f():
        return (a @ b).requires_grad
    assert f() is False and pytensor.is_grad_enabled()

    @pytensor.set_grad_enabled(False)
    def g():
        return pytensor.is_grad_enabled()
    assert pytensor.is_grad_enabled() and g() is False and pytensor.is_grad_enabled()

    @pytensor.inference_mode()
    def h():
        return (a @ b).requires_grad
    assert h() is False
    pytensor.set_grad_enabled(False)
    try:
        out = []
        t = threading.Thread(target=lambda: out.append(pytensor.is_grad_enabled()))
        t.start()
        t.join()
        assert out == [True]  # grad mode is per thread
    finally:
        pytensor.set_grad_enabled(True)


def test_in_place_rules():
    a = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place operation"):
        a.copy_(pytensor.tensor([5.0, 6.0]))
    with pytensor.no_grad():
        a.copy_(pytensor.tensor([5.0, 6.0], dtype=pytensor.float64))
    assert a.tolist() == [5.0, 6.0] and a.is_leaf
    w = leaf([1.0, 1.0])
    b = a.clone()
    c = b @ w  # saves b
    b.copy_(pytensor.tensor([0.0, 0.0]))
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        c.backward()
    with pytest.raises(RuntimeError, match="only change requires_grad flags of leaf variables"):
        b.requires_grad = False


def test_copy_into_a_plain_tensor_joins_the_graph():
    w = leaf([1.0, 2.0])
    x = pytensor.zeros(2, dtype=pytensor.float64)
    x.copy_(w)
    assert x.requires_grad and x.grad_fn.name() == "CopyBackwards"
    (x @ pytensor.tensor([3.0, 4.0], dtype=pytensor.float64)).backward()
    assert w.grad.tolist() == [3.0, 4.0]


def test_dtype_conversion_is_differentiable():
    a = leaf([1.0, 2.0], dtype=pytensor.float32)
    d = a.to(pytensor.float64)
    assert d.grad_fn.name() == "ToCopyBackward0"
    (d @ pytensor.tensor([1.0, 1.0], dtype=pytensor.float64)).backward()
    assert a.grad.dtype is pytensor.float32 and a.grad.tolist() == [1.0, 1.0]


def test_detach_shares_storage_without_history():
    a = leaf([1.0, 2.0])
    d = a.detach()
    assert not d.requires_grad and d.grad_fn is None
    d.numpy()[0] = 9
    assert a.tolist()[0] == 9


class MatVec(Function):
    """y = A x with a hand-written backward (A^T g, g x^T)."""

    @staticmethod
    def forward(ctx, A, x):
        ctx.save_for_backward(A, x)
        return A @ x

    @staticmethod
    def backward(ctx, g):
        A, x = ctx.saved_tensors
        return pytensor.outer(g, x) if ctx.needs_input_grad[0] else None, A.T @ g


def test_custom_function():
    A = pytensor.randn(3, 4, dtype=pytensor.float64, requires_grad=True)
    x = pytensor.randn(4, dtype=pytensor.float64, requires_grad=True)
    y = MatVec.apply(A, x)
    assert y.grad_fn.name() == "MatVecBackward"
    assert gradcheck(MatVec.apply, (A, x))


def test_gradcheck_catches_a_wrong_backward():
    class Wrong(Function):
        @staticmethod
        def forward(ctx, x):
            return x.clone()

        @staticmethod
        def backward(ctx, g):
            return g @ pytensor.eye(g.shape[0], dtype=g.dtype) @ (2 * pytensor.eye(g.shape[0], dtype=g.dtype))

    x = pytensor.randn(3, dtype=pytensor.float64, requires_grad=True)
    with pytest.raises(GradcheckError, match="Jacobian mismatch"):
        gradcheck(Wrong.apply, (x,))
    assert gradcheck(Wrong.apply, (x,), raise_exception=False) is False


class Payload:
    pass


class KeepPayload(Function):
    """Its ctx holds a Payload, so the payload lives exactly as long as the graph."""
    made = []

    @staticmethod
    def forward(ctx, x):
        ctx.payload = Payload()
        KeepPayload.made.append(weakref.ref(ctx.payload))
        return x.clone()

    @staticmethod
    def backward(ctx, g):
        return g


def test_graph_is_freed_when_the_output_goes():
    x = leaf([1.0])
    y = KeepPayload.apply(x)
    payload = KeepPayload.made[-1]
    assert payload() is not None
    gc.disable()  # freed by reference counting alone: the graph has no cycles
    try:
        del y
        assert payload() is None
    finally:
        gc.enable()
    y = KeepPayload.apply(x)
    y.backward()  # saved state goes after backward, the node with y
    del y
    assert KeepPayload.made[-1]() is None


def test_long_chain_neither_overflows_backward_nor_destruction():
    x = leaf([1.0, 2.0])
    y = x
    for _ in range(100_000):
        y = y.clone()
    (y @ pytensor.tensor([1.0, 1.0], dtype=pytensor.float64)).backward()
    assert x.grad.tolist() == [1.0, 1.0]
    del y  # frees a 10^5-node chain iteratively

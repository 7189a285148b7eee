"""Autograd of the index family: gradcheck (float64) of every differentiable indexing op, with
repeated and negative indices, masks, steps, None/Ellipsis and non-contiguous bases;
gradgradcheck of the reads; __setitem__ and the in-place writes (leaf error, version counter,
gradients through a write on a non-leaf); PyTorch's node names; no_grad; integer outputs."""
import numpy as np
import pytest

import pytensor as pt
from pytensor.autograd import gradcheck, gradgradcheck

from helpers import layouts, rand, to_np

D = pt.float64


def leaf(shape, seed=0):
    return pt.from_numpy(rand(shape, "float64", np.random.default_rng(seed))).requires_grad_()


def idx(*v):
    return pt.tensor(list(v), dtype=pt.int64)


def copy_of(x):
    """A non-leaf copy of x made with an index op (x[arange]), so writes into it are allowed."""
    return x.index_select(0, pt.arange(x.shape[0]))


def grad_of(f, x, g):
    """d(f(x))/dx contracted with g, as a numpy array."""
    (gx,) = pt.autograd.grad([f(x)], [x], [g])
    return to_np(gx)


# ---- __getitem__ --------------------------------------------------------------------------

GETITEM_KEYS = [
    ("int", lambda: 1),
    ("negative int", lambda: -1),
    ("slice with step", lambda: slice(None, None, 2)),
    ("slice, None, step", lambda: (slice(1, None), None, slice(None, None, 2))),
    ("ellipsis then int", lambda: (Ellipsis, 1)),
    ("None then ellipsis", lambda: (None, Ellipsis)),
    ("0-d tensor int", lambda: pt.tensor(2)),
    ("index with repeats", lambda: idx(0, 2, 0, -1, 2)),
    ("index then slice", lambda: (idx(3, 0, 3), slice(None, None, 2))),
    ("slice then index", lambda: (slice(None), idx(-1, 0, 0))),
    ("broadcast index pair", lambda: (idx(0, 2, 2)[:, None], idx(1, 1)[None, :])),
    ("int and index", lambda: (1, idx(2, 2, 0))),
    ("2-d index", lambda: pt.tensor([[0, 1], [3, 3]])),
    ("list", lambda: [0, 0, 2]),
    ("bool mask", lambda: pt.from_numpy(rand((4, 3), "bool", np.random.default_rng(3)))),
    ("row mask", lambda: pt.tensor([True, False, True, True])),
    ("True", lambda: True),
    ("mask then slice", lambda: (pt.tensor([False, True, True, False]), slice(1, None))),
]


@pytest.mark.parametrize("name,key", GETITEM_KEYS, ids=[k[0] for k in GETITEM_KEYS])
def test_getitem_gradcheck(name, key):
    arr = rand((4, 3), "float64")
    for layout, x, _ in layouts(arr):
        x.requires_grad_()
        assert gradcheck(lambda x: x[key()], (x,)), layout


def test_getitem_non_adjacent_indices_3d():
    x = leaf((3, 4, 2))
    assert gradcheck(lambda x: x[idx(0, 2, 2), 1:, idx(1, 0, 1)], (x,))
    assert gradcheck(lambda x: x[..., idx(1, 1), None], (x,))


def test_getitem_gradient_values_repeats_add_up():
    x = leaf((5, 2))
    i = np.array([[0, 4], [4, 4], [-1, 2]])
    g = rand((3, 2, 2), "float64", np.random.default_rng(1))
    expect = np.zeros((5, 2))
    np.add.at(expect, i, g)
    np.testing.assert_allclose(grad_of(lambda x: x[pt.from_numpy(i)], x, pt.from_numpy(g)), expect)


def test_getitem_view_gradient_values():
    x = leaf((4, 5))
    g = rand((2, 1, 3), "float64", np.random.default_rng(1))
    expect = np.zeros((4, 5))
    expect[1::2, ::2] = g[:, 0, :]
    np.testing.assert_allclose(grad_of(lambda x: x[1::2, None, ::2], x, pt.from_numpy(g)), expect)


def test_getitem_empty():
    x = leaf((0, 3))
    assert gradcheck(lambda x: x[:, 1], (x,))
    assert gradcheck(lambda x: x[pt.tensor([], dtype=pt.int64)], (x,))
    y = leaf((3,))
    assert gradcheck(lambda y: y[idx()], (y,))


@pytest.mark.parametrize("key", [
    lambda: (slice(1, None), None, slice(None, None, 2)),
    lambda: (Ellipsis, -1),
    lambda: idx(0, 2, 0, -1),
    lambda: (idx(1, 1), slice(None, 2)),
    lambda: pt.tensor([True, False, True, True]),
], ids=["basic", "ellipsis", "index", "index+slice", "mask"])
def test_getitem_gradgradcheck(key):
    x = leaf((4, 3))
    assert gradgradcheck(lambda x: x[key()], (x,))


def test_getitem_0d():
    x = pt.tensor(1.5, dtype=D, requires_grad=True)
    for key in [None, Ellipsis, True, False]:
        assert gradcheck(lambda x: x[key], (x,))


# ---- views: select, narrow, slicing -------------------------------------------------------

def test_select_narrow_gradcheck():
    arr = rand((3, 5), "float64")
    for layout, x, _ in layouts(arr):
        x.requires_grad_()
        assert gradcheck(lambda x: x.select(1, -2), (x,)), layout
        assert gradcheck(lambda x: pt.select(x, 0, 2), (x,)), layout
        assert gradcheck(lambda x: x.narrow(1, 1, 3), (x,)), layout
        assert gradcheck(lambda x: x.narrow(0, -2, 2), (x,)), layout
        assert gradcheck(lambda x: x[1:][::2], (x,)), layout  # a view of a view


def test_select_gradgradcheck():
    x = leaf((3, 4))
    assert gradgradcheck(lambda x: x.select(1, 2), (x,))
    assert gradgradcheck(lambda x: x.narrow(0, 1, 2), (x,))


# ---- index_select, take, gather -----------------------------------------------------------

@pytest.mark.parametrize("dim", [0, 1, -1])
def test_index_select_gradcheck(dim):
    arr = rand((3, 4), "float64")
    for layout, x, _ in layouts(arr):
        x.requires_grad_()
        i = idx(0, 2, 0, 1, 2)
        assert gradcheck(lambda x: x.index_select(dim, i), (x,)), layout
    assert gradcheck(lambda x: x.index_select(dim, i.int()), (x,))


def test_index_select_gradient_values_and_gradgrad():
    x = leaf((4, 2))
    i = idx(3, 0, 3, 3)
    g = rand((4, 2), "float64", np.random.default_rng(2))
    expect = np.zeros((4, 2))
    np.add.at(expect, [3, 0, 3, 3], g)
    np.testing.assert_allclose(grad_of(lambda x: x.index_select(0, i), x, pt.from_numpy(g)), expect)
    assert gradgradcheck(lambda x: x.index_select(0, i), (x,))
    x0 = pt.tensor(2.0, dtype=D, requires_grad=True)
    assert gradcheck(lambda x: x.index_select(0, idx(0)), (x0,))


def test_take_gradcheck():
    arr = rand((3, 4), "float64")
    for layout, x, _ in layouts(arr):
        x.requires_grad_()
        assert gradcheck(lambda x: x.take(pt.tensor([[0, -1, 5], [5, 5, 11]])), (x,)), layout
    x = leaf((3,))
    g = np.array([1.0, 2.0, 4.0])
    np.testing.assert_allclose(grad_of(lambda x: pt.take(x, idx(2, -1, 0)), x, pt.from_numpy(g)),
                               [4.0, 0.0, 3.0])


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_gather_gradcheck(dim):
    rng = np.random.default_rng(4)
    arr = rand((3, 4), "float64")
    index = pt.from_numpy(rng.integers(0, arr.shape[dim], size=(2, 3)))  # repeats likely
    for layout, x, _ in layouts(arr):
        x.requires_grad_()
        assert gradcheck(lambda x: x.gather(dim, index), (x,)), layout
    assert gradgradcheck(lambda x: pt.gather(x, dim, index), (leaf((3, 4)),))


def test_gather_gradient_values():
    x = leaf((2, 3))
    index = pt.tensor([[0, 0, 2], [1, 1, 1]])
    g = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    np.testing.assert_allclose(grad_of(lambda x: x.gather(1, index), x, pt.from_numpy(g)),
                               [[3.0, 0.0, 3.0], [0.0, 15.0, 0.0]])


# ---- scatter, scatter_add, index_add, index_fill ------------------------------------------

# No index repeats along dim 1 within a row: with repeats the surviving write is unspecified.
UNIQUE_ROWS = pt.tensor([[0, 2], [1, 3], [3, 0]])


def test_scatter_gradcheck():
    x, src = leaf((3, 4)), leaf((3, 2), seed=1)
    assert gradcheck(lambda x, s: x.scatter(1, UNIQUE_ROWS, s), (x, src))
    assert gradcheck(lambda x, s: pt.scatter(x, 1, UNIQUE_ROWS, s), (x, leaf((4, 5), seed=2)))  # src larger
    assert gradcheck(lambda x: x.scatter(1, UNIQUE_ROWS, 2.5), (x,))
    assert gradcheck(lambda x, s: x.scatter(0, pt.tensor([[2, 0, 1, 1]]), s), (x, leaf((1, 4), seed=3)))
    assert gradgradcheck(lambda x, s: x.scatter(1, UNIQUE_ROWS, s), (x, src))


def test_scatter_gradient_values():
    x, src = leaf((2, 3)), leaf((2, 2), seed=1)
    index = pt.tensor([[2, 0], [1, 2]])
    g = np.arange(6.0).reshape(2, 3)
    (gx, gs) = pt.autograd.grad([x.scatter(1, index, src)], [x, src], [pt.from_numpy(g)])
    np.testing.assert_allclose(to_np(gx), [[0.0, 1.0, 0.0], [3.0, 0.0, 0.0]])
    np.testing.assert_allclose(to_np(gs), [[2.0, 0.0], [4.0, 5.0]])


def test_scatter_add_gradcheck():
    rng = np.random.default_rng(5)
    index = pt.from_numpy(rng.integers(0, 4, size=(3, 3)))  # repeats add up
    for layout, x, _ in layouts(rand((3, 4), "float64")):
        x.requires_grad_()
        src = leaf((3, 3), seed=1)
        assert gradcheck(lambda x, s: x.scatter_add(1, index, s), (x, src)), layout
    assert gradcheck(lambda x, s: pt.scatter_add(x, 0, index[:2], s), (leaf((4, 4)), leaf((2, 5), seed=2)))
    assert gradgradcheck(lambda x, s: x.scatter_add(1, index, s), (leaf((3, 4)), leaf((3, 3), seed=1)))


@pytest.mark.parametrize("alpha", [1, 2.5])
def test_index_add_gradcheck(alpha):
    x, src = leaf((4, 3)), leaf((5, 3), seed=1)
    i = idx(0, 3, 0, 3, 2)
    assert gradcheck(lambda x, s: x.index_add(0, i, s, alpha=alpha), (x, src))
    assert gradcheck(lambda x, s: pt.index_add(x, 1, idx(2, 2), s), (x, leaf((4, 2), seed=2)))
    if alpha == 1:
        assert gradgradcheck(lambda x, s: x.index_add(0, i, s), (x, src))


def test_index_fill_gradcheck():
    x = leaf((3, 4))
    i = idx(0, -1, 0)
    assert gradcheck(lambda x: x.index_fill(1, i, 2.0), (x,))
    v = pt.tensor(0.5, dtype=D, requires_grad=True)
    assert gradcheck(lambda x, v: x.index_fill(1, i, v), (x, v))
    # The value's gradient: the sum over the filled positions, each counted once.
    g = rand((3, 4), "float64", np.random.default_rng(6))
    (gv,) = pt.autograd.grad([x.index_fill(1, i, v)], [v], [pt.from_numpy(g)])
    np.testing.assert_allclose(to_np(gv), g[:, [0, 3]].sum())


# ---- masks --------------------------------------------------------------------------------

def test_masked_fill_gradcheck():
    mask = pt.from_numpy(rand((3, 4), "bool", np.random.default_rng(7)))
    for layout, x, _ in layouts(rand((3, 4), "float64")):
        x.requires_grad_()
        assert gradcheck(lambda x: x.masked_fill(mask, -1.0), (x,)), layout
    # self broadcast against a larger mask: its gradient is summed back
    assert gradcheck(lambda x: x.masked_fill(mask, 3.0), (leaf((4,)),))
    v = pt.tensor(2.0, dtype=D, requires_grad=True)
    assert gradcheck(lambda x, v: pt.masked_fill(x, mask, v), (leaf((3, 4)), v))
    g = rand((3, 4), "float64", np.random.default_rng(8))
    (gv,) = pt.autograd.grad([leaf((3, 4)).masked_fill(mask, v)], [v], [pt.from_numpy(g)])
    np.testing.assert_allclose(to_np(gv), g[to_np(mask)].sum())


def test_masked_fill_value_grad_only_for_tensors():
    x, mask = leaf((2, 2)), pt.tensor([[True, False], [False, True]])
    y = x.masked_fill(mask, 1.0)
    assert y.grad_fn.name() == "MaskedFillBackward0"
    assert len(y.grad_fn.next_functions) == 2 and y.grad_fn.next_functions[1][0] is None
    v = pt.tensor(1.0, dtype=D)  # a 0-d tensor that needs no gradient
    assert x.masked_fill(mask, v).grad_fn.name() == "MaskedFillBackward1"
    w = pt.tensor(1.0, dtype=D, requires_grad=True)
    assert pt.zeros(2, 2, dtype=D).masked_fill(mask, w).grad_fn.name() == "MaskedFillBackward1"


def test_masked_select_gradcheck():
    mask = pt.from_numpy(rand((3, 4), "bool", np.random.default_rng(9)))
    for layout, x, _ in layouts(rand((3, 4), "float64")):
        x.requires_grad_()
        assert gradcheck(lambda x: x.masked_select(mask), (x,)), layout
    assert gradcheck(lambda x: pt.masked_select(x, mask), (leaf((4,)),))  # x broadcast
    assert gradcheck(lambda x: x.masked_select(pt.tensor([True, False, True, True])), (leaf((3, 4)),))
    assert gradgradcheck(lambda x: x.masked_select(mask), (leaf((3, 4)),))
    assert gradcheck(lambda x: x.masked_select(pt.tensor(True)), (pt.tensor(1.0, dtype=D, requires_grad=True),))


# ---- index_put and __setitem__ ------------------------------------------------------------

def test_index_put_gradcheck():
    x = leaf((4, 3))
    i = idx(0, 2, 0, -1)
    assert gradcheck(lambda x, v: x.index_put((i,), v, accumulate=True), (x, leaf((4, 3), seed=1)))
    assert gradcheck(lambda x, v: x.index_put((idx(0, 2),), v), (x, leaf((3,), seed=1)))  # broadcast
    assert gradcheck(lambda x, v: pt.index_put(x, (None, idx(1, 2)), v, accumulate=True),
                     (x, leaf((1, 2), seed=2)))


def test_index_put_inplace_on_non_leaf():
    def f(x, v):
        y = copy_of(x)
        y.index_put_((idx(1, 3),), v)
        return y
    assert gradcheck(f, (leaf((4, 2)), leaf((2, 2), seed=1)))
    y = copy_of(leaf((4, 2)))
    y.index_put_((idx(1),), pt.ones(1, 2, dtype=D))
    assert y.grad_fn.name() == "IndexPutBackward0"


SETITEM_KEYS = [
    ("int", lambda: 1, (3,)),
    ("slices with step", lambda: (slice(None, None, 2), slice(1, None)), (2, 2)),
    ("ellipsis", lambda: (Ellipsis, 0), (4,)),
    ("None", lambda: (None, 2), (1, 3)),
    ("index", lambda: idx(0, -1), (2, 3)),
    ("index broadcast value", lambda: idx(0, 2), (3,)),
    ("index pair", lambda: (idx(0, 3), idx(2, 1)), (2,)),
    ("mask", lambda: pt.tensor([True, False, False, True]), (2, 3)),
    ("mask 2-d", lambda: pt.tensor([[True, False, True]] * 4), (8,)),
    ("dropped leading 1s", lambda: (slice(1, 3), 1), (1, 1, 2)),
]


@pytest.mark.parametrize("name,key,vshape", SETITEM_KEYS, ids=[k[0] for k in SETITEM_KEYS])
def test_setitem_gradcheck(name, key, vshape):
    def f(x, v):
        y = copy_of(x)
        y[key()] = v
        return y
    assert gradcheck(f, (leaf((4, 3)), leaf(vshape, seed=1)))


def test_setitem_number_on_non_leaf():
    def f(x):
        y = copy_of(x)
        y[1:, 0] = 7.0
        y[idx(0)] = 1.0
        return y
    x = leaf((3, 2))
    assert gradcheck(f, (x,))
    np.testing.assert_allclose(grad_of(f, x, pt.ones(3, 2, dtype=D)), [[0, 0], [0, 1], [0, 1]])


def test_setitem_gradient_values():
    x = leaf((3, 4))
    v = leaf((4,), seed=1)
    y = copy_of(x)
    y[1] = v
    y[idx(0, 2), 1:] = pt.zeros(1, dtype=D)
    g = rand((3, 4), "float64", np.random.default_rng(10))
    gx, gv = pt.autograd.grad([y], [x, v], [pt.from_numpy(g)])
    expect = g.copy()
    expect[1] = 0
    expect[[0, 2], 1:] = 0
    np.testing.assert_allclose(to_np(gx), expect)
    np.testing.assert_allclose(to_np(gv), g[1])


def test_setitem_names():
    y = copy_of(leaf((3, 4)))
    y[0] = 1.0
    assert y.grad_fn.name() == "CopySlices"
    y[idx(0)] = 1.0
    assert y.grad_fn.name() == "IndexPutBackward0"
    y[pt.tensor([True, False, True])] = pt.zeros(4, dtype=D)
    assert y.grad_fn.name() == "IndexPutBackward0"


def test_setitem_gradgradcheck():
    def f(x, v, w):
        y = copy_of(x)
        y[1:, ::2] = v
        y[idx(0, 2), 1:] = w
        return y
    assert gradgradcheck(f, (leaf((3, 4)), leaf((2, 2), seed=1), leaf((2, 3), seed=2)))


def test_setitem_gradgradcheck_value_read_from_target():
    def f(x):
        y = copy_of(x)
        y[idx(0)] = y[idx(2)]  # the value reads the target's history before the write
        return y
    assert gradgradcheck(f, (leaf((3, 4)),))


def test_setitem_into_plain_tensor_joins_the_graph():
    # The tutorials' pattern: a buffer that needs no grad filled with values that do.
    w = leaf((4,))
    x = pt.zeros(3, 4, dtype=D)
    x[0] = w.index_select(0, idx(3, 2, 1, 0))
    x[idx(2)] = w
    assert x.requires_grad and not x.is_leaf and x.grad_fn.name() == "IndexPutBackward0"
    x.backward(pt.ones(3, 4, dtype=D))
    np.testing.assert_allclose(to_np(w.grad), [2.0, 2.0, 2.0, 2.0])


def test_setitem_tutorial_pattern():
    w = pt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x = pt.zeros(3)
    x[0] = w[1] * 2
    x[1:] = w[:2] * w[:2]
    x.sum().backward()
    np.testing.assert_allclose(to_np(w.grad), [2.0, 6.0, 0.0])


def test_setitem_value_dtype_cast():
    v = pt.tensor([1.0], requires_grad=True)  # float32 into float64
    x = pt.zeros(3, dtype=D)
    x[idx(0, 2)] = v
    x.backward(pt.ones(3, dtype=D))
    assert v.grad.dtype == pt.float32
    np.testing.assert_allclose(to_np(v.grad), [2.0])


# ---- in-place ops on non-leaves -----------------------------------------------------------

INPLACE = [
    ("scatter_", lambda y, s: y.scatter_(1, UNIQUE_ROWS[:, :1], s[:, :1]), "ScatterBackward0"),
    ("scatter_ value", lambda y, s: y.scatter_(1, UNIQUE_ROWS, value=2.0), "ScatterBackward1"),
    ("scatter_add_", lambda y, s: y.scatter_add_(1, pt.tensor([[0, 0], [3, 1], [2, 2]]), s),
     "ScatterAddBackward0"),
    ("index_add_", lambda y, s: y.index_add_(1, idx(3, 3), s, alpha=-2), "IndexAddBackward0"),
    ("index_fill_", lambda y, s: y.index_fill_(0, idx(2, 0), 5.0), "IndexFillBackward0"),
    ("masked_fill_", lambda y, s: y.masked_fill_(pt.tensor([True, False, False, True]), 5.0),
     "MaskedFillBackward0"),
    ("index_put_", lambda y, s: y.index_put_((idx(1, 1),), s[:2, :1], accumulate=True), "IndexPutBackward0"),
]


@pytest.mark.parametrize("name,op,node", INPLACE, ids=[k[0] for k in INPLACE])
def test_inplace_on_non_leaf(name, op, node):
    def f(x, s):
        y = copy_of(x)
        op(y, s)
        return y
    x, s = leaf((3, 4)), leaf((3, 2), seed=1)
    y = f(x, s)
    assert y.grad_fn.name() == node
    assert gradcheck(f, (x, s))


@pytest.mark.parametrize("name,op,node", INPLACE, ids=[k[0] for k in INPLACE])
def test_inplace_on_leaf_raises(name, op, node):
    x, s = leaf((3, 4)), leaf((3, 2), seed=1)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
        op(x, s)
    with pt.no_grad():  # how optimizers write weights
        op(x, s)
    assert x.is_leaf and x.grad_fn is None


def test_setitem_on_leaf():
    x = leaf((3, 4))
    for key in [0, idx(1), pt.tensor([True, False, True])]:
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad is being used in an in-place"):
            x[key] = 1.0
    with pt.no_grad():
        x[0] = 2.0
        x[idx(1)] = pt.ones(4, dtype=D)
    assert x.is_leaf and x.requires_grad and x.grad_fn is None
    np.testing.assert_allclose(to_np(x.detach())[:2], [[2.0] * 4, [1.0] * 4])


def test_write_through_view_refused_but_setitem_on_base_works():
    x = leaf((3, 4))
    y = copy_of(x)
    with pytest.raises(RuntimeError, match="view"):
        y[0].index_fill_(0, idx(1), 0.0)
    y[0, 1] = 0.0  # __setitem__ writes the base itself
    g = grad_of(lambda _: y, x, pt.ones(3, 4, dtype=D))
    assert g[0, 1] == 0 and g.sum() == 11


def test_version_counter_of_saved_input():
    x = leaf((3, 4))
    h = copy_of(x)
    w = leaf((4, 2), seed=1)
    out = h @ w  # saves h
    h[0] = 5.0
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.backward(pt.ones(3, 2, dtype=D))


def test_version_counter_of_saved_index():
    x = leaf((3, 4))
    for make in [lambda i: x.gather(1, i), lambda i: x[i], lambda i: x.take(i)]:
        i = pt.tensor([[0, 1]])
        y = make(i)
        i[0, 0] = 2
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.backward(pt.ones(*y.shape, dtype=D))


def test_backward_twice_frees_saved_indices():
    x = leaf((3, 4))
    y = x[idx(0, 2)]
    y.backward(pt.ones(2, 4, dtype=D), retain_graph=True)
    y.backward(pt.ones(2, 4, dtype=D))
    np.testing.assert_allclose(to_np(x.grad)[[0, 2]], 2.0)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward(pt.ones(2, 4, dtype=D))


def test_scatter_with_reduce_is_not_differentiable():
    x = leaf((3, 4))
    y = x.scatter(1, UNIQUE_ROWS, leaf((3, 2), seed=1), reduce="add")
    assert y.grad_fn.name() == "NotImplemented"
    with pytest.raises(RuntimeError, match="not implemented"):
        y.backward(pt.ones(3, 4, dtype=D))


# ---- names, no_grad, integer outputs ------------------------------------------------------

NAMES = [
    (lambda x: x[1], "SelectBackward0"),
    (lambda x: x[-1, :], "SelectBackward0"),
    (lambda x: x[..., 1], "SelectBackward0"),
    (lambda x: x[pt.tensor(1)], "SelectBackward0"),
    (lambda x: x.select(0, 1), "SelectBackward0"),
    (lambda x: x[1:], "SliceBackward0"),
    (lambda x: x[:], "SliceBackward0"),
    (lambda x: x[:, ::2], "SliceBackward0"),
    (lambda x: x[None, 1:], "SliceBackward0"),
    (lambda x: x.narrow(1, 0, 2), "SliceBackward0"),
    (lambda x: x[None], "UnsqueezeBackward0"),
    (lambda x: x[1:2, None, :], "UnsqueezeBackward0"),
    (lambda x: x[...], "AliasBackward0"),
    (lambda x: x[:, 0:4], "AliasBackward0"),
    (lambda x: x[idx(0)], "IndexBackward0"),
    (lambda x: x[True], "IndexBackward0"),
    (lambda x: x[x.detach() > 0], "IndexBackward0"),
    (lambda x: x.index_select(0, idx(0)), "IndexSelectBackward0"),
    (lambda x: x.take(idx(0)), "TakeBackward0"),
    (lambda x: x.gather(1, pt.tensor([[0]])), "GatherBackward0"),
    (lambda x: x.scatter(1, pt.tensor([[0]]), x), "ScatterBackward0"),
    (lambda x: x.scatter(1, pt.tensor([[0]]), 1.0), "ScatterBackward1"),
    (lambda x: x.scatter_add(1, pt.tensor([[0]]), x), "ScatterAddBackward0"),
    (lambda x: x.index_add(0, idx(0), x[:1]), "IndexAddBackward0"),
    (lambda x: x.index_fill(0, idx(0), 1.0), "IndexFillBackward0"),
    (lambda x: x.index_fill(0, idx(0), pt.tensor(1.0)), "IndexFillBackward1"),
    (lambda x: x.masked_fill(x.detach() > 0, 1.0), "MaskedFillBackward0"),
    (lambda x: x.masked_select(x.detach() > 0), "MaskedSelectBackward0"),
    (lambda x: x.index_put((idx(0),), pt.tensor(1.0, dtype=D)), "IndexPutBackward0"),
]


@pytest.mark.parametrize("i", range(len(NAMES)))
def test_grad_fn_names(i):
    f, name = NAMES[i]
    y = f(leaf((3, 4)))
    assert y.requires_grad and y.grad_fn.name() == name
    assert name in repr(y.grad_fn)


@pytest.mark.parametrize("i", range(len(NAMES)))
def test_no_grad_records_nothing(i):
    f, _ = NAMES[i]
    x = leaf((3, 4))
    with pt.no_grad():
        y = f(x)
    assert not y.requires_grad and y.grad_fn is None


def test_integer_outputs_and_inputs_record_nothing():
    x = leaf((3, 4))
    for y in [x.nonzero(), pt.argwhere(x), x.nonzero(as_tuple=True)[0]]:
        assert not y.requires_grad and y.grad_fn is None
    xi = pt.tensor([[1, 2], [3, 4]])
    for y in [xi[0], xi[idx(1)], xi.gather(1, pt.tensor([[0]])), xi.masked_select(xi > 2)]:
        assert not y.requires_grad and y.grad_fn is None
    plain = pt.ones(3, 4, dtype=D)
    assert plain[idx(0)].grad_fn is None and plain[0].grad_fn is None


def test_views_are_marked_as_views():
    x = leaf((3, 4))
    for v in [x[0], x[1:], x.narrow(0, 0, 1), x[None]]:
        with pytest.raises(RuntimeError, match="view"):
            v.masked_fill_(pt.tensor(True), 0.0)
    x[idx(0)].masked_fill_(pt.tensor(True), 0.0)  # an advanced-index result is a copy

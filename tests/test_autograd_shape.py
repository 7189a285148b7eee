"""Autograd of the shape family: gradcheck (float64) for every differentiable shape op on
contiguous and non-contiguous inputs, second derivatives, PyTorch's node names, no_grad,
multi-output splits, joins of mixed inputs, in-place views and a very long chain of views."""
import time

import numpy as np
import pytest

import pytensor as pt
from pytensor.autograd import gradcheck, gradgradcheck

F64 = pt.float64


def leaf(shape, layout="contiguous", seed=0):
    """A float64 leaf that requires grad; "transposed" gives the same shape with reversed strides."""
    a = np.random.default_rng(seed).uniform(-1, 1, size=shape)
    if layout == "transposed" and a.ndim >= 2:
        a = np.swapaxes(np.ascontiguousarray(np.swapaxes(a, 0, -1)), 0, -1)
    return pt.from_numpy(a).requires_grad_()


def np_of(t):
    return np.asarray(t.detach())


def backward_with(y, g=None):
    """y.backward with an explicit gradient (ones by default), the same as y.sum().backward()."""
    g = pt.ones_like(y) if g is None else g
    y.backward(g)
    return g



# ---- gradcheck of every op: (id, function, input shape) ----
# Ops that accept any strides run on contiguous and transposed leaves.
ANY_LAYOUT = [
    ("reshape", lambda x: x.reshape(-1, 2), (2, 3, 2)),
    ("reshape_same", lambda x: x.reshape(2, 3, 2), (2, 3, 2)),
    ("reshape_fn", lambda x: pt.reshape(x, (3, 4)), (2, 3, 2)),
    ("reshape_as", lambda x: x.reshape_as(pt.zeros(4, 3)), (2, 3, 2)),
    ("flatten", lambda x: x.flatten(), (2, 3, 2)),
    ("flatten_neg", lambda x: x.flatten(1, -1), (2, 3, 2)),
    ("unflatten", lambda x: x.unflatten(-1, (2, -1)), (3, 4)),
    ("ravel", lambda x: x.ravel(), (2, 3, 2)),
    ("squeeze_all", lambda x: x.squeeze(), (2, 1, 3, 1)),
    ("squeeze_dim", lambda x: x.squeeze(-3), (2, 1, 3, 1)),
    ("squeeze_dims", lambda x: pt.squeeze(x, (1, -1)), (2, 1, 3, 1)),
    ("unsqueeze", lambda x: x.unsqueeze(-1), (2, 3)),
    ("unsqueeze_front", lambda x: pt.unsqueeze(x, 0), (2, 3)),
    ("permute", lambda x: x.permute(2, 0, 1), (2, 3, 2)),
    ("permute_neg", lambda x: pt.permute(x, (-1, 0, -2)), (2, 3, 2)),
    ("transpose", lambda x: x.transpose(0, -1), (2, 3, 2)),
    ("swapaxes", lambda x: x.swapaxes(-1, 1), (2, 3, 2)),
    ("swapdims", lambda x: pt.swapdims(x, 0, 1), (2, 3, 2)),
    ("t", lambda x: x.t(), (2, 3)),
    ("t_1d", lambda x: pt.t(x), (4,)),
    ("T", lambda x: x.T, (2, 3)),
    ("mT", lambda x: x.mT, (2, 3, 2)),
    ("movedim", lambda x: x.movedim((0, 1), (-1, 0)), (2, 3, 2)),
    ("moveaxis", lambda x: pt.moveaxis(x, -1, 0), (2, 3, 2)),
    ("expand", lambda x: x.expand(3, 2, 4, 2), (2, 1, 2)),
    ("expand_keep", lambda x: x.expand(-1, 3, -1), (2, 1, 2)),
    ("expand_as", lambda x: x.expand_as(pt.zeros(2, 2, 3, 2)), (2, 1, 2)),
    ("broadcast_to", lambda x: pt.broadcast_to(x, (2, 3, 2)), (1, 2)),
    ("diagonal", lambda x: x.diagonal(), (3, 4)),
    ("diagonal_offset_neg_dims", lambda x: x.diagonal(1, -1, 0), (3, 2, 4)),
    ("diagonal_below", lambda x: pt.diagonal(x, -1, 1, 2), (2, 3, 3)),
    ("atleast_2d", lambda x: pt.atleast_2d(x), (3,)),
    ("atleast_3d", lambda x: pt.atleast_3d(x), (2, 3)),
    ("atleast_3d_1d", lambda x: pt.atleast_3d(x), (3,)),
    ("unbind", lambda x: x.unbind(-1), (2, 3, 2)),
    ("split", lambda x: x.split(2, -1), (2, 5)),
    ("split_sizes", lambda x: pt.split(x, [1, 0, 2], 1), (2, 3)),
    ("chunk", lambda x: x.chunk(3, 0), (5, 2)),
    ("tensor_split", lambda x: x.tensor_split(3, -1), (2, 4)),
    ("tensor_split_overlap", lambda x: pt.tensor_split(x, [3, 1], 1), (2, 4)),
    ("cat", lambda x: pt.cat([x, x.flip(0)], -1), (2, 3)),
    ("concat", lambda x: pt.concat([x, x], 0), (2, 3)),
    ("stack", lambda x: pt.stack([x, x.t().t()], -1), (2, 3)),
    ("hstack", lambda x: pt.hstack([x, x]), (2, 3)),
    ("vstack", lambda x: pt.vstack([x, x]), (2, 3)),
    ("dstack", lambda x: pt.dstack([x, x]), (2, 3)),
    ("flip", lambda x: x.flip(0, -1), (2, 3, 2)),
    ("fliplr", lambda x: x.fliplr(), (2, 3)),
    ("flipud", lambda x: pt.flipud(x), (2, 3)),
    ("roll", lambda x: x.roll(1, 0), (3, 4)),
    ("roll_dims", lambda x: pt.roll(x, (1, -5), (0, -1)), (3, 4)),
    ("roll_flat", lambda x: x.roll(5), (3, 4)),
    ("repeat", lambda x: x.repeat(2, 1, 3), (2, 2)),
    ("repeat_zero", lambda x: x.repeat(0, 2), (2, 2)),
    ("tile", lambda x: x.tile((2,)), (2, 2)),
    ("repeat_interleave", lambda x: x.repeat_interleave(2, -1), (2, 3)),
    ("repeat_interleave_flat", lambda x: pt.repeat_interleave(x, 2), (2, 3)),
    ("repeat_interleave_tensor", lambda x: x.repeat_interleave(pt.tensor([1, 0, 2]), 1), (2, 3)),
    ("repeat_interleave_runs", lambda x: x.repeat_interleave(pt.tensor([2, 2, 1, 0, 0, 3]), None), (2, 3)),
    ("repeat_interleave_one", lambda x: x.repeat_interleave(pt.tensor([3]), 0), (2, 3)),
    ("tril", lambda x: x.tril(), (3, 4)),
    ("tril_batched", lambda x: pt.tril(x, -1), (2, 3, 3)),
    ("triu", lambda x: x.triu(1), (3, 4)),
    ("diag_2d", lambda x: x.diag(), (3, 4)),
    ("diag_2d_offset", lambda x: pt.diag(x, -1), (3, 4)),
    ("diag_1d", lambda x: x.diag(), (3,)),
    ("diag_1d_offset", lambda x: pt.diag(x, 2), (3,)),
]
# view() needs strides that allow it.
CONTIGUOUS_ONLY = [
    ("view", lambda x: x.view(3, -1), (2, 3, 2)),
    ("view_as", lambda x: x.view_as(pt.zeros(12)), (2, 3, 2)),
    ("view_split_dim", lambda x: x.transpose(0, 1).view(3, 2, 1, 2), (2, 3, 2)),
]


@pytest.mark.parametrize("name,fn,shape", ANY_LAYOUT, ids=[c[0] for c in ANY_LAYOUT])
@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
def test_gradcheck(name, fn, shape, layout):
    assert gradcheck(fn, (leaf(shape, layout),))


@pytest.mark.parametrize("name,fn,shape", CONTIGUOUS_ONLY, ids=[c[0] for c in CONTIGUOUS_ONLY])
def test_gradcheck_views(name, fn, shape):
    assert gradcheck(fn, (leaf(shape),))


def test_gradcheck_transposed_bases():
    # Views and copies of a transposed (non-contiguous) view of the leaf.
    x = leaf((3, 4))
    for fn in [lambda x: x.t().reshape(-1), lambda x: x.t().flatten(), lambda x: x.t().unflatten(0, (2, 2)),
               lambda x: x.t().unsqueeze(1).squeeze(1), lambda x: x.t().diagonal(1),
               lambda x: x.t().split(3, 1), lambda x: x.mT.expand(2, 4, 3), lambda x: x.t().ravel(),
               lambda x: pt.cat([x.t(), x.t()]), lambda x: x.t().tril(), lambda x: x.t().repeat(1, 2)]:
        assert gradcheck(fn, (x,))


@pytest.mark.parametrize("fn,shape", [
    (lambda x: x.view(1), ()), (lambda x: x.reshape(()), (1,)), (lambda x: x.reshape(1, 1), ()),
    (lambda x: x.flatten(), ()), (lambda x: x.squeeze(), ()), (lambda x: x.squeeze(0), ()),
    (lambda x: x.squeeze(-1), (1,)), (lambda x: x.unsqueeze(0), ()), (lambda x: x.unsqueeze(-1), (1,)),
    (lambda x: x.expand(3), ()), (lambda x: x.expand(2, 3), (1,)), (lambda x: x.t(), ()),
    (lambda x: pt.permute(x, ()), ()), (lambda x: x.movedim(0, -1), ()), (lambda x: pt.atleast_1d(x), ()),
    (lambda x: pt.atleast_2d(x), ()), (lambda x: pt.atleast_3d(x), ()), (lambda x: x.flip(0), ()),
    (lambda x: x.roll(3), ()), (lambda x: x.repeat(2, 2), ()), (lambda x: x.repeat_interleave(3), ()),
    (lambda x: pt.stack([x, x]), ()), (lambda x: x.unbind(0), (1,)), (lambda x: x.split(1), (1,)),
    (lambda x: x.diag(), (1,)), (lambda x: x.diagonal(), (1, 1)), (lambda x: pt.cat([x, x]), (1,)),
], ids=lambda v: "" if callable(v) else str(v))
def test_gradcheck_0d_and_size_1(fn, shape):
    assert gradcheck(fn, (leaf(shape),))


def test_gradcheck_several_inputs():
    a, b, c = leaf((2, 3), seed=1), leaf((1, 3), seed=2), leaf((3,), seed=3)
    assert gradcheck(lambda a, b: pt.cat([a, b]), (a, b))
    assert gradcheck(lambda a, b: pt.cat([b, a, b], 0), (a, b))
    assert gradcheck(lambda a, c: pt.stack([c, c], 1), (a, c))
    assert gradcheck(lambda a, c: pt.vstack([a, c]), (a, c))
    assert gradcheck(lambda b, c: pt.broadcast_tensors(b, c.unsqueeze(1)), (b, c))


# ---- second derivatives ----
GRADGRAD = [
    ("view", lambda x: x.view(6, 2), (3, 4)),
    ("reshape_copy", lambda x: x.t().reshape(-1), (3, 4)),
    ("permute", lambda x: x.permute(1, 0, 2), (2, 3, 2)),
    ("transpose", lambda x: x.transpose(0, 1), (3, 4)),
    ("squeeze_unsqueeze", lambda x: x.unsqueeze(0).squeeze(), (3, 4)),
    ("cat", lambda x, y: pt.cat([x, y.flip(1)], 1), (2, 3), (2, 1)),
    ("stack", lambda x, y: pt.stack([x, y], -1), (2, 3), (2, 3)),
    ("split", lambda x: x.split(2, 1), (2, 3)),
    ("unbind", lambda x: x.unbind(1), (2, 3)),
    ("tensor_split_piece", lambda x: x.tensor_split([1, 3], 1)[1], (2, 4)),
    ("diagonal", lambda x: x.diagonal(1), (3, 4)),
    ("diag_1d", lambda x: x.diag(-1), (3,)),
    ("diag_2d", lambda x: x.diag(), (3, 3)),
    ("flip", lambda x: x.flip(0), (2, 3)),
    ("roll", lambda x: x.roll(2, 1), (2, 3)),
    ("tril", lambda x: x.tril(), (3, 3)),
    ("triu", lambda x: x.triu(-1), (3, 3)),
]
GRADGRAD_SUM = [
    ("expand", lambda x: x.expand(2, 3, 2), (3, 1)),
    ("repeat", lambda x: x.repeat(2, 1), (2, 2)),
    ("repeat_interleave", lambda x: x.repeat_interleave(2, 0), (2, 2)),
    ("repeat_interleave_tensor", lambda x: x.repeat_interleave(pt.tensor([2, 0, 1]), 1), (2, 3)),
]


# Inputs used more than once: their gradients meet in an add.
GRADGRAD_ADD = [
    ("cat_twice", lambda x: pt.cat([x, x.flip(1)], 1), (2, 3)),
    ("stack_twice", lambda x: pt.stack([x, x], 0), (2, 3)),
    ("tensor_split", lambda x: x.tensor_split([1, 3], 1), (2, 4)),
]


@pytest.mark.parametrize("case", GRADGRAD, ids=[c[0] for c in GRADGRAD])
def test_gradgradcheck(case):
    _, fn, *shapes = case
    assert gradgradcheck(fn, tuple(leaf(s, seed=i) for i, s in enumerate(shapes)))


@pytest.mark.parametrize("name,fn,shape", GRADGRAD_ADD, ids=[c[0] for c in GRADGRAD_ADD])
def test_gradgradcheck_of_inputs_used_twice(name, fn, shape):
    assert gradgradcheck(fn, (leaf(shape),))


@pytest.mark.parametrize("name,fn,shape", GRADGRAD_SUM, ids=[c[0] for c in GRADGRAD_SUM])
def test_gradgradcheck_through_sum_to(name, fn, shape):
    assert gradgradcheck(fn, (leaf(shape),))


def test_create_graph_records_the_formula():
    x = leaf((2, 3))
    g = pt.ones(3, 2, dtype=F64, requires_grad=True)
    (gx,) = pt.autograd.grad([x.t()], [x], [g], create_graph=True)
    assert gx.requires_grad and gx.grad_fn is not None
    y = leaf((1, 3))
    g = pt.ones(3, 3, dtype=F64, requires_grad=True)
    gx, gy = pt.autograd.grad([pt.cat([x, y])], [x, y], [g], create_graph=True)
    assert gx.grad_fn.name() == gy.grad_fn.name() == "SliceBackward0"


# ---- node names, as PyTorch 2.x prints them ----
# (expected name of the first output's grad_fn, function of (module, x) with x of shape (2, 3, 4))
NAMES = [
    ("ViewBackward0", lambda m, x: x.view(6, 4)),
    ("ViewBackward0", lambda m, x: x.view_as(m.zeros(24))),
    ("ViewBackward0", lambda m, x: x.reshape(6, 4)),
    ("ReshapeAliasBackward0", lambda m, x: x.transpose(0, 1).reshape(3, 2, 4)),
    ("UnsafeViewBackward0", lambda m, x: x.transpose(0, 1).reshape(6, 4)),
    ("ViewBackward0", lambda m, x: x.reshape_as(m.zeros(24))),
    ("ViewBackward0", lambda m, x: x.flatten()),
    ("UnsafeViewBackward0", lambda m, x: x.transpose(0, 1).flatten()),
    ("ViewBackward0", lambda m, x: x.unflatten(1, (3, 1))),
    ("ViewBackward0", lambda m, x: x.ravel()),
    ("ViewBackward0", lambda m, x: x.transpose(0, 1).ravel()),
    ("SqueezeBackward0", lambda m, x: x.unsqueeze(0).squeeze()),
    ("SqueezeBackward1", lambda m, x: x.squeeze(0)),
    ("SqueezeBackward2", lambda m, x: x.squeeze((0, 1))),
    ("UnsqueezeBackward0", lambda m, x: x.unsqueeze(-1)),
    ("PermuteBackward0", lambda m, x: x.permute(2, 0, 1)),
    ("TransposeBackward0", lambda m, x: x.transpose(0, 1)),
    ("TransposeBackward0", lambda m, x: x.swapaxes(0, 1)),
    ("TransposeBackward0", lambda m, x: x.swapdims(0, 1)),
    ("TBackward0", lambda m, x: x.flatten(1).t()),
    ("PermuteBackward0", lambda m, x: x.flatten(1).T),
    ("TransposeBackward0", lambda m, x: x.mT),
    ("PermuteBackward0", lambda m, x: x.movedim(0, 2)),
    ("ExpandBackward0", lambda m, x: x.unsqueeze(0).expand(2, 2, 3, 4)),
    ("ExpandBackward0", lambda m, x: x.expand_as(m.zeros(2, 2, 3, 4))),
    ("ExpandBackward0", lambda m, x: m.broadcast_to(x, (2, 2, 3, 4))),
    ("ExpandBackward0", lambda m, x: m.broadcast_tensors(x, m.zeros(2, 1, 1, 1))[0]),
    ("DiagonalBackward0", lambda m, x: x.diagonal()),
    ("ViewBackward0", lambda m, x: m.atleast_1d(x.reshape(24).unbind(0)[0])),
    ("UnsqueezeBackward0", lambda m, x: m.atleast_2d(x.reshape(24))),
    ("UnsqueezeBackward0", lambda m, x: m.atleast_3d(x.reshape(6, 4))),
    ("UnbindBackward0", lambda m, x: x.unbind(1)[0]),
    ("SplitBackward0", lambda m, x: x.split(2, 2)[1]),
    ("SplitWithSizesBackward0", lambda m, x: x.split([1, 3], 2)[0]),
    ("SplitBackward0", lambda m, x: x.chunk(2, 2)[0]),
    ("SliceBackward0", lambda m, x: x.tensor_split(3, 2)[0]),
    ("SliceBackward0", lambda m, x: x.tensor_split([1, 2], 2)[2]),
    ("CatBackward0", lambda m, x: m.cat([x, x])),
    ("CatBackward0", lambda m, x: m.concat([x, x], 1)),
    ("StackBackward0", lambda m, x: m.stack([x, x])),
    ("CatBackward0", lambda m, x: m.hstack([x, x])),
    ("CatBackward0", lambda m, x: m.vstack([x, x])),
    ("CatBackward0", lambda m, x: m.dstack([x, x])),
    ("FlipBackward0", lambda m, x: x.flip(0)),
    ("FlipBackward0", lambda m, x: x.fliplr()),
    ("FlipBackward0", lambda m, x: x.flipud()),
    ("RollBackward0", lambda m, x: x.roll(1, 0)),
    ("RollBackward0", lambda m, x: x.roll(1)),
    ("RepeatBackward0", lambda m, x: x.repeat(2, 1, 1)),
    ("RepeatBackward0", lambda m, x: x.tile(2)),
    ("ViewBackward0", lambda m, x: x.repeat_interleave(2, 0)),
    ("IndexSelectBackward0", lambda m, x: x.repeat_interleave(m.tensor([1, 2]), 0)),
    ("TrilBackward0", lambda m, x: x.tril()),
    ("TriuBackward0", lambda m, x: x.triu()),
    ("DiagonalBackward0_copy", lambda m, x: x.flatten(1).diag()),
    ("DiagEmbedBackward0", lambda m, x: x.reshape(24).diag()),
]


def _name(t):
    return t.grad_fn.name() if hasattr(t.grad_fn, "name") else type(t.grad_fn).__name__


@pytest.mark.parametrize("expected,fn", NAMES, ids=[f"{i}-{n[0]}" for i, n in enumerate(NAMES)])
def test_grad_fn_names(expected, fn):
    y = fn(pt, leaf((2, 3, 4)))
    assert y.requires_grad and not y.is_leaf
    assert _name(y) == expected
    assert repr(y.grad_fn).startswith(f"<{expected} object")


def test_grad_fn_names_match_torch():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(0).uniform(-1, 1, size=(2, 3, 4))
    for expected, fn in NAMES:
        ours = fn(pt, pt.from_numpy(a.copy()).requires_grad_())
        theirs = fn(torch, torch.tensor(a, requires_grad=True))
        assert _name(ours) == _name(theirs) == expected


def test_multi_output_nodes_are_shared():
    x = leaf((2, 6))
    parts = x.split(2, 1)
    assert all(p.grad_fn is parts[0].grad_fn for p in parts)
    assert [p.grad_fn.name() for p in x.unbind(0)] == ["UnbindBackward0"] * 2
    slices = x.tensor_split(3, 1)
    assert slices[0].grad_fn is not slices[1].grad_fn


# ---- gradients by hand ----
def test_expand_then_sum():
    x = leaf((3, 1))
    y = x.expand(2, 3, 4)
    backward_with(y)
    np.testing.assert_array_equal(np_of(x.grad), np.full((3, 1), 8.0))
    b = leaf((1,))
    backward_with(b.expand(0))  # expanded to nothing: a zero gradient of the input's shape
    np.testing.assert_array_equal(np_of(b.grad), [0.0])


def test_broadcast_tensors_returns_full_shaped_inputs_themselves():
    a, b = leaf((2, 3)), leaf((3,))
    oa, ob = pt.broadcast_tensors(a, b)
    assert oa is a and ob.grad_fn.name() == "ExpandBackward0"
    backward_with(ob)
    np.testing.assert_array_equal(np_of(b.grad), [2.0, 2.0, 2.0])


def test_cat_where_only_some_inputs_require_grad():
    a, b = leaf((2, 3)), pt.ones(1, 3, dtype=F64)
    y = pt.cat([b, a, b])
    assert [f is None for f, _ in y.grad_fn.next_functions] == [True, False, True]
    g = pt.from_numpy(np.arange(12.0).reshape(4, 3))
    y.backward(g)
    np.testing.assert_array_equal(np_of(a.grad), np.arange(3.0, 9.0).reshape(2, 3))
    assert b.grad is None
    assert gradcheck(lambda a: pt.stack([pt.zeros(2, 3, dtype=F64), a], 1), (a,))


def test_cat_casts_gradients_back_to_each_dtype():
    a = pt.ones(2, dtype=pt.float32, requires_grad=True)
    b = pt.ones(3, dtype=F64, requires_grad=True)
    i = pt.arange(2)
    y = pt.cat([a, b, i])
    assert y.dtype == F64 and y.requires_grad
    y.backward(pt.from_numpy(np.arange(7.0)))
    assert a.grad.dtype == pt.float32 and b.grad.dtype == F64
    np.testing.assert_array_equal(np_of(a.grad), [0.0, 1.0])
    np.testing.assert_array_equal(np_of(b.grad), [2.0, 3.0, 4.0])
    s = pt.stack([a, pt.zeros(2, dtype=F64, requires_grad=True)])
    s.backward(pt.ones(2, 2, dtype=F64))
    assert a.grad.dtype == pt.float32


def test_cat_skipped_empty_inputs_get_empty_gradients():
    e = pt.zeros(0, dtype=F64, requires_grad=True)
    x = leaf((2, 3))
    y = pt.cat([e, x, e], 1)
    backward_with(y)
    assert tuple(e.grad.shape) == (0,)
    np.testing.assert_array_equal(np_of(x.grad), np.ones((2, 3)))
    e2 = pt.zeros(0, dtype=F64, requires_grad=True)
    z = pt.cat([e2, pt.zeros(0, dtype=pt.float32, requires_grad=True)])
    assert z.requires_grad and tuple(z.shape) == (0,)
    z.backward(pt.zeros(0, dtype=F64))
    assert tuple(e2.grad.shape) == (0,)


def test_split_where_only_some_outputs_are_used():
    x = leaf((5, 2))
    parts = x.split(2)
    backward_with(parts[1], pt.full((2, 2), 3.0, dtype=F64))
    expected = np.zeros((5, 2))
    expected[2:4] = 3.0
    np.testing.assert_array_equal(np_of(x.grad), expected)
    assert gradcheck(lambda x: x.chunk(3, 0)[2], (x,))
    assert gradcheck(lambda x: x.unbind(1)[0], (x,))
    assert gradcheck(lambda x: (x.split([1, 4])[1], x.split([1, 4])[0]), (x,))


def test_gradient_of_several_uses_of_one_split():
    x = leaf((4,))
    a, b = x.split(2)
    y = pt.cat([b, a, b])
    y.backward(pt.from_numpy(np.arange(6.0)))
    np.testing.assert_array_equal(np_of(x.grad), [2.0, 3.0, 0.0 + 4.0, 1.0 + 5.0])


def test_chains_of_views_accumulate_into_the_base():
    base = leaf((6,))
    x = base.view(2, 3)
    a = x.t()                 # (3, 2)
    b = x.unsqueeze(0).squeeze(0)
    c = x.diagonal()          # x[0, 0], x[1, 1]
    rows = x.unbind(0)
    y = pt.cat([a.reshape(-1), b.flatten(), c, rows[1]])
    g = np.arange(1.0, 18.0)
    y.backward(pt.from_numpy(g.copy()))
    expected = np.zeros((2, 3))
    expected += g[:6].reshape(3, 2).T
    expected += g[6:12].reshape(2, 3)
    expected[0, 0] += g[12]
    expected[1, 1] += g[13]
    expected[1] += g[14:]
    np.testing.assert_array_equal(np_of(base.grad), expected.ravel())
    assert gradcheck(lambda z: z.view(2, 3).t().unsqueeze(0).expand(2, 3, 2).permute(2, 0, 1).reshape(-1),
                     (leaf((6,)),))


def test_indexing_views_of_views_accumulate_into_the_base():
    base = leaf((6,))
    x = base.view(2, 3)
    parts = [x[0], x[:, 1], x.t()[2], x[1, ::2].unsqueeze(0)]
    y = pt.cat([p.reshape(-1) for p in parts])
    g = np.arange(1.0, 10.0)
    y.backward(pt.from_numpy(g.copy()))
    expected = np.zeros((2, 3))
    expected[0] += g[0:3]
    expected[:, 1] += g[3:5]
    expected[:, 2] += g[5:7]
    expected[1, ::2] += g[7:9]
    np.testing.assert_array_equal(np_of(base.grad), expected.ravel())
    assert gradcheck(lambda b: b.view(2, 3)[:, 1:].t().reshape(-1)[::2], (leaf((6,)),))


def test_grads_accumulate_over_backward_calls():
    x = leaf((2, 3))
    for _ in range(2):
        backward_with(x.t())
    np.testing.assert_array_equal(np_of(x.grad), np.full((2, 3), 2.0))


# ---- grad mode and dtypes ----
def test_no_grad_records_nothing():
    x = leaf((2, 3, 4))
    with pt.no_grad():
        for _, fn in NAMES:
            y = fn(pt, x)
            assert not y.requires_grad and y.grad_fn is None
    with pt.set_grad_enabled(False):
        assert x.view(-1).grad_fn is None and pt.cat([x, x]).grad_fn is None
    assert x.view(-1).requires_grad


def test_inputs_that_need_no_grad_record_nothing():
    x = pt.ones(2, 3, dtype=F64)
    assert x.view(-1).grad_fn is None and x.split(1)[0].grad_fn is None and x.tril().grad_fn is None
    i = pt.arange(6).view(2, 3)
    assert not i.t().requires_grad and not pt.cat([i, i]).requires_grad
    assert not pt.stack([i, i]).repeat(2, 1, 1).requires_grad
    assert x.detach().t().is_leaf


# ---- in-place ops ----
INPLACE = [
    ("t_", lambda y: y.t_()), ("transpose_", lambda y: y.transpose_(0, 1)),
    ("squeeze_", lambda y: y.squeeze_()), ("unsqueeze_", lambda y: y.unsqueeze_(0)),
    ("tril_", lambda y: y.tril_()), ("triu_", lambda y: y.triu_(1)),
]


@pytest.mark.parametrize("name,fn", INPLACE, ids=[c[0] for c in INPLACE])
def test_inplace_on_leaf_that_requires_grad_raises(name, fn):
    x = leaf((2, 3))
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        fn(x)
    with pt.no_grad():
        assert fn(x) is x  # allowed under no_grad, as optimizers do
    assert x.is_leaf and x.requires_grad


@pytest.mark.parametrize("name,fn,expected", [
    ("t_", lambda y: y.t_(), "TBackward1"),
    ("transpose_", lambda y: y.transpose_(0, -1), "TransposeBackward1"),
    ("unsqueeze_", lambda y: y.unsqueeze_(1), "UnsqueezeBackward1"),
    ("squeeze_all", lambda y: y.unsqueeze_(0).squeeze_(), "SqueezeBackward3"),
    ("squeeze_dim", lambda y: y.unsqueeze_(0).squeeze_(0), "SqueezeBackward4"),
    ("squeeze_dims", lambda y: y.unsqueeze_(0).squeeze_((0,)), "SqueezeBackward5"),
    ("tril_", lambda y: y.tril_(), "TrilBackward0"),
    ("triu_", lambda y: y.triu_(-1), "TriuBackward0"),
])
def test_inplace_on_non_leaf(name, fn, expected):
    x = leaf((2, 3))
    y = x.flip(0)  # a non-leaf that is no view
    v = y._version
    assert fn(y) is y
    assert y._version > v and y.grad_fn.name() == expected
    assert gradcheck(lambda x: fn(x.flip(0)), (x,))


def test_inplace_view_ops_gradient_values():
    x = leaf((2, 3))
    y = x.flip(0)
    y.t_()
    y.unsqueeze_(0)
    g = np.arange(6.0).reshape(1, 3, 2)
    y.backward(pt.from_numpy(g.copy()))
    np.testing.assert_array_equal(np_of(x.grad), np.flip(g[0].T, 0))


def test_inplace_view_ops_on_views_are_allowed():
    x = leaf((6,))
    v = x.view(2, 3)
    v.t_()
    assert v.grad_fn.name() == "TBackward1" and tuple(v.shape) == (3, 2)
    g = np.arange(6.0).reshape(3, 2)
    v.backward(pt.from_numpy(g.copy()))
    np.testing.assert_array_equal(np_of(x.grad), g.T.ravel())


def test_inplace_write_on_view_of_tensor_that_requires_grad_is_refused():
    # A limitation we accept: the base's history cannot be rewritten yet.
    y = leaf((2, 3)).flip(0)
    with pytest.raises(RuntimeError, match="view of a tensor that requires grad"):
        y.view(3, 2).tril_()


def test_inplace_after_save_raises_version_error():
    x, w = leaf((2, 3)), leaf((3, 2), seed=1)
    y = x.flip(0)
    z = pt.matmul(y, w)  # saves y for w's gradient
    y.tril_()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward(pt.ones(2, 2, dtype=F64))
    y2 = x.flip(0)
    z2 = pt.matmul(y2, w)
    y2.t_()  # metadata only, but the saved y2 would now read transposed
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z2.backward(pt.ones(2, 2, dtype=F64))


def test_inplace_triangle_gradient_through_non_leaf():
    x = leaf((3, 3))
    y = x.flip(1)
    y.triu_()
    g = np.arange(9.0).reshape(3, 3)
    y.backward(pt.from_numpy(g.copy()))
    np.testing.assert_array_equal(np_of(x.grad), np.flip(np.triu(g), 1))


# ---- long chains ----
def test_long_chain_of_views():
    start = time.perf_counter()
    base = leaf((3,))
    x = base
    for _ in range(100_000):
        x = x.view(-1)
    x.backward(pt.ones(3, dtype=F64))  # the same as x.sum().backward()
    np.testing.assert_array_equal(np_of(base.grad), np.ones(3))
    del x  # frees 10^5 nodes without recursing
    y = base
    for _ in range(100_000):
        y = y.unsqueeze(0).squeeze(0)
    del y  # never ran backward: the saved graph is freed the same way
    assert time.perf_counter() - start < 10

"""Shape ops against numpy: views (shared storage, writes visible through the base), joins and
copies on every dtype and layout, PyTorch's argument forms, error types and messages."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import pytensor
from helpers import ALL_DTYPES, NP_DTYPES, SHAPES, assert_close, dtype_name, layouts, rand, to_np


def T(arr):
    return pytensor.from_numpy(np.ascontiguousarray(arr) if np.ndim(arr) else np.array(arr))


def arange(*shape, dtype="float64"):
    return np.arange(int(np.prod(shape)), dtype=NP_DTYPES[dtype]).reshape(shape) if shape else \
        np.array(5, dtype=NP_DTYPES[dtype])


def same_storage(a, b):
    return a.untyped_storage_ptr() == b.untyped_storage_ptr()


def assert_view(v, base, expected):
    """v holds `expected`, shares base's storage, and a write through v shows in base."""
    assert_close(v, expected)
    assert same_storage(v, base)
    if v.numel() and v.dtype != pytensor.bool:
        w = np.asarray(v)
        idx = (0,) * w.ndim
        old = w[idx].copy()
        hits = np.count_nonzero(to_np(base) == 123)
        w[idx] = 123 if old != 123 else 124
        assert np.count_nonzero(to_np(base) == 123) != hits
        w[idx] = old


# PyTorch's promotion on our dtypes (numpy's differs: int32 + float32 -> float64 there).
ORDER = ["bool", "uint8", "int32", "int64", "float32", "float64"]


def promote(*names):
    floats = [n for n in names if n.startswith("float")]
    if floats:
        return "float64" if "float64" in floats else "float32"
    return max(names, key=ORDER.index)


# ---------------------------------------------------------------- view / reshape

VIEW_CASES = [
    ((2, 3, 4), (6, 4)), ((2, 3, 4), (24,)), ((2, 3, 4), (-1,)), ((2, 3, 4), (4, -1)),
    ((2, 3, 4), (2, 1, 3, 1, 4)), ((6,), (1, 6, 1)), ((), (1, 1)), ((1, 1), ()), ((), ()),
    ((0, 3), (3, 0)), ((0, 3), (-1,)), ((0, 3), (0, 1, 3)), ((2, 0), (0, 5)), ((5,), (5,)), ((1,), ()),
]


@pytest.mark.parametrize("shape,new", VIEW_CASES)
def test_view_contiguous(shape, new):
    arr = arange(*shape)
    t = T(arr)
    v = t.view(*new) if new else t.view(())
    assert_view(v, t, arr.reshape(new))
    assert_close(t.view(new), arr.reshape(new))
    assert_close(t.reshape(new), arr.reshape(new))
    assert same_storage(t.reshape(new), t)


def test_view_argument_forms():
    t = T(arange(2, 3))
    for v in (t.view(3, 2), t.view((3, 2)), t.view([3, 2]), t.view(pytensor.Size([3, 2])),
              t.view(np.int64(3), 2), t.reshape(3, 2), t.reshape((3, 2)), pytensor.reshape(t, (3, 2)),
              pytensor.reshape(t, shape=[3, -1]), t.view_as(T(np.zeros((3, 2)))),
              t.reshape_as(T(np.zeros((3, 2))))):
        assert_view(v, t, np.arange(6.0).reshape(3, 2))
    assert tuple(t.view(-1).shape) == (6,)
    assert tuple(t.reshape(-1).shape) == (6,)


def test_view_errors():
    t = T(arange(2, 3))
    with pytest.raises(RuntimeError, match=r"shape '\[2, 5\]' is invalid for input of size 6"):
        t.view(2, 5)
    with pytest.raises(RuntimeError, match=r"shape '\[4, -1\]' is invalid for input of size 6"):
        t.reshape(4, -1)
    with pytest.raises(RuntimeError, match="only one dimension can be inferred"):
        t.view(-1, -1)
    with pytest.raises(RuntimeError, match=r"invalid shape dimension -2 at index 0 of shape \[-2, 3\]"):
        t.view(-2, 3)
    with pytest.raises(RuntimeError, match="the unspecified dimension size -1 can be any value"):
        T(np.zeros((0, 3))).view(-1, 0)
    with pytest.raises(RuntimeError, match="is invalid for input of size 6"):
        t.view(2 ** 62, 2 ** 62, 0)
    msg = (r"view size is not compatible with input tensor's size and stride \(at least one dimension "
           r"spans across two contiguous subspaces\). Use \.reshape\(\.\.\.\) instead\.")
    with pytest.raises(RuntimeError, match=msg):
        t.t().view(6)
    with pytest.raises(TypeError, match="must be tuple of ints"):
        t.view(2, 3.0)
    with pytest.raises(TypeError, match="must be tuple of ints"):
        t.reshape("ab")
    with pytest.raises(TypeError, match="missing 1 required positional"):
        t.view()
    with pytest.raises(TypeError):
        t.view_as(None)
    with pytest.raises(TypeError):
        pytensor.reshape(None, (6,))


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_reshape_noncontiguous(dtype):
    arr = rand((4, 3, 6), dtype)
    for name, t, a in layouts(arr):
        for new in [(12, 6), (4, 18), (72,), (2, 2, 3, 6), (4, 3, 2, 3), (6, 12), (-1, 3)]:
            r = t.reshape(new)
            assert_close(r, a.reshape(new), dtype=dtype)
            # A view exactly when numpy can reshape without copying.
            try:
                np.reshape(a, new, copy=False)
                can_view = True
            except ValueError:
                can_view = False
            assert same_storage(r, t) == can_view, (name, new)
            if can_view:
                assert_view(t.view(new), t, a.reshape(new))
            else:
                assert r.is_contiguous()
                with pytest.raises(RuntimeError, match="view size is not compatible"):
                    t.view(new)


def test_negative_strides():
    # numpy's reversed views arrive with negative strides; views keep them, copies read them.
    arr = arange(4, 6)
    a = arr[::-1, ::-2]
    t = pytensor.from_numpy(a)
    for new in [(12,), (3, 4), (2, 6, 1), (2, 2, 3)]:
        assert_close(t.reshape(new), a.reshape(new))
    assert_view(t.view(12), t, a.reshape(12))
    assert_view(t.view(2, 2, 3), t, a.reshape(2, 2, 3))
    assert_close(t.flip(0), np.flip(a, 0))
    assert_close(t.roll(1, 1), np.roll(a, 1, 1))
    assert_close(pytensor.cat([t, t], 1), np.concatenate([a, a], 1))
    assert_close(t.tril(), np.tril(a))
    assert_close(t.repeat(2, 1), np.tile(a, (2, 1)))


def test_reshape_view_strides_match_pytorch():
    # Strides PyTorch gives (checked against torch 2.x): non-contiguous inputs keep their steps.
    t = T(np.zeros((2, 3, 4))).permute(2, 0, 1)
    assert t.reshape(4, 6).stride() == (1, 4)
    assert t.reshape(2, 2, 6).stride() == (2, 1, 4)
    assert T(np.zeros((2, 1, 3))).unsqueeze(1).stride() == (3, 3, 3, 1)
    assert T(np.zeros((2, 3))).unsqueeze(-1).stride() == (3, 1, 1)


def test_flatten_unflatten_ravel():
    arr = arange(2, 3, 4, 5)
    t = T(arr)
    assert_view(t.flatten(), t, arr.reshape(-1))
    assert_view(t.flatten(1), t, arr.reshape(2, -1))
    assert_view(t.flatten(1, 2), t, arr.reshape(2, 12, 5))
    assert_view(pytensor.flatten(t, start_dim=-2, end_dim=-1), t, arr.reshape(2, 3, 20))
    assert t.flatten(2, 2) is t
    assert tuple(T(np.array(3.0)).flatten().shape) == (1,)
    assert_view(t.unflatten(1, (3, 1)), t, arr.reshape(2, 3, 1, 4, 5))
    assert_view(t.unflatten(-1, (5, -1)), t, arr.reshape(2, 3, 4, 5, 1))
    assert_view(pytensor.unflatten(t, 2, [2, 2]), t, arr.reshape(2, 3, 2, 2, 5))
    assert_view(t.ravel(), t, arr.ravel())
    # unflatten of a non-contiguous dim is still a view.
    tt = t.transpose(0, 3)
    assert_view(tt.unflatten(0, (5, 1)), t, np.swapaxes(arr, 0, 3).reshape(5, 1, 3, 4, 2))
    # ravel of a transposed tensor copies, as numpy does.
    r = t.transpose(0, 1).ravel()
    assert_close(r, np.swapaxes(arr, 0, 1).ravel())
    assert not same_storage(r, t)
    with pytest.raises(RuntimeError, match="start_dim cannot come after end_dim"):
        t.flatten(2, 1)
    with pytest.raises(RuntimeError, match=r"Provided sizes \[2, 2\] don't multiply up to the size of dim 1 \(3\)"):
        t.unflatten(1, (2, 2))
    with pytest.raises(RuntimeError, match="sizes must be non-empty"):
        t.unflatten(1, ())
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-4, 3\], but got 4\)"):
        t.flatten(0, 4)


# ---------------------------------------------------------------- squeeze / unsqueeze / permute


@pytest.mark.parametrize("shape", [(), (1,), (1, 3, 1, 2), (2, 1, 0), (3,)])
def test_squeeze(shape):
    arr = arange(*shape)
    t = T(arr)
    assert_view(t.squeeze(), t, np.squeeze(arr))
    for d in range(-max(arr.ndim, 1), max(arr.ndim, 1)):
        expect = np.squeeze(arr, d) if arr.ndim and arr.shape[d] == 1 else arr
        assert_view(t.squeeze(d), t, expect)
        assert_view(pytensor.squeeze(t, dim=d), t, expect)
    if arr.ndim == 4:
        assert_view(t.squeeze((0, 3)), t, arr.reshape(3, 1, 2))
        assert_view(t.squeeze((0, 1)), t, arr.reshape(3, 1, 2))
        with pytest.raises(RuntimeError, match="dim 0 appears multiple times in the list of dims"):
            t.squeeze((0, -4))


@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (2, 0, 3)])
def test_unsqueeze(shape):
    arr = arange(*shape)
    t = T(arr)
    for d in range(-arr.ndim - 1, arr.ndim + 1):
        assert_view(t.unsqueeze(d), t, np.expand_dims(arr, d))
        assert_view(pytensor.unsqueeze(t, d), t, np.expand_dims(arr, d))
    with pytest.raises(IndexError, match=f"but got {arr.ndim + 1}"):
        t.unsqueeze(arr.ndim + 1)


def test_inplace_views():
    arr = arange(1, 3, 1)
    t = T(arr)
    ptr = t.data_ptr()
    assert t.squeeze_() is t and tuple(t.shape) == (3,)
    assert t.unsqueeze_(0) is t and tuple(t.shape) == (1, 3)
    assert t.t_() is t and tuple(t.shape) == (3, 1) and t.stride() == (1, 3)
    assert t.transpose_(0, 1) is t and tuple(t.shape) == (1, 3)
    assert t.squeeze_(0) is t and tuple(t.shape) == (3,)
    assert t.data_ptr() == ptr
    assert_close(t, arr.reshape(3))


@pytest.mark.parametrize("layout", ["contiguous", "transposed", "strided"])
def test_permute_transpose(layout):
    arr = rand((2, 3, 4), "float64")
    _, t, a = next(x for x in layouts(arr) if x[0] == layout)
    for perm in [(0, 1, 2), (2, 0, 1), (1, 2, 0), (2, 1, 0), (-1, 0, -2)]:
        assert_view(t.permute(*perm), t, np.transpose(a, perm))
        assert_view(t.permute(perm), t, np.transpose(a, perm))
        assert_view(pytensor.permute(t, list(perm)), t, np.transpose(a, perm))
    assert_view(t.transpose(0, 2), t, np.swapaxes(a, 0, 2))
    assert_view(pytensor.transpose(t, -1, 1), t, np.swapaxes(a, -1, 1))
    assert_view(t.swapaxes(0, 1), t, np.swapaxes(a, 0, 1))
    assert_view(pytensor.swapdims(t, 1, 2), t, np.swapaxes(a, 1, 2))
    assert_view(t.mT, t, np.swapaxes(a, -1, -2))
    with pytest.warns(UserWarning, match="deprecated"):
        assert_view(t.T, t, a.T)
    assert_view(t.movedim(0, -1), t, np.moveaxis(a, 0, -1))
    assert_view(t.movedim((0, 1), (-1, 0)), t, np.moveaxis(a, (0, 1), (-1, 0)))
    assert_view(pytensor.moveaxis(t, [2], [0]), t, np.moveaxis(a, [2], [0]))


def test_t_and_T():
    for shape in [(), (3,), (2, 3)]:
        arr = arange(*shape)
        t = T(arr)
        assert_view(t.t(), t, arr.T)
        assert_view(pytensor.t(t), t, arr.T)
    t2 = T(arange(2, 3))
    assert_view(t2.T, t2, arange(2, 3).T)
    with pytest.raises(RuntimeError, match="t\\(\\) expects a tensor with <= 2 dimensions, but self is 3D"):
        T(np.zeros((2, 3, 4))).t()
    with pytest.raises(RuntimeError, match="tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor."):
        T(np.zeros(3)).mT


def test_permute_errors():
    t = T(arange(2, 3))
    with pytest.raises(RuntimeError, match=r"input.dim\(\) = 2 is not equal to len\(dims\) = 1"):
        t.permute(0)
    with pytest.raises(RuntimeError, match="duplicate dims are not allowed"):
        t.permute(0, 0)
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"):
        t.permute(0, 2)
    with pytest.raises(IndexError, match=r"expected to be in range of \[-2, 1\], but got 2"):
        t.transpose(0, 2)
    with pytest.raises(TypeError):
        t.permute(0, 1.0)
    with pytest.raises(TypeError, match="missing 1 required positional"):
        t.permute()
    with pytest.raises(TypeError):
        t.transpose(0, "1")
    t3 = T(np.zeros((2, 3, 4)))
    with pytest.raises(RuntimeError, match=r"source \(\[0, 1\] dims\) should contain the same number of dims as destination \(\[0\] dims\)"):
        t3.movedim((0, 1), (0,))
    with pytest.raises(RuntimeError, match=r"repeated dim in `source` \(\[0, 0\]\)"):
        t3.movedim((0, 0), (0, 1))
    with pytest.raises(RuntimeError, match=r"repeated dim in `destination` \(\[1, 1\]\)"):
        t3.movedim((0, 1), (1, 1))


# ---------------------------------------------------------------- expand / broadcast


def test_expand():
    arr = arange(1, 2, 1)
    t = T(arr)
    e = t.expand(3, 2, 2)
    assert_close(e, np.broadcast_to(arr, (3, 2, 2)))
    assert e.stride() == (0, 1, 0) and same_storage(e, t)
    e = t.expand(4, -1, -1, 5)
    assert_close(e, np.broadcast_to(arr, (4, 1, 2, 5)))
    assert e.stride() == (0, 2, 1, 0)
    assert t.expand(1, 1, 2, 1).stride() == (2, 2, 1, 1)
    assert_close(t.expand((2, 2, 0)), np.zeros((2, 2, 0)))
    assert_close(t.expand_as(T(np.zeros((5, 2, 3)))), np.broadcast_to(arr, (5, 2, 3)))
    assert_close(pytensor.broadcast_to(t, (2, 2, 2)), np.broadcast_to(arr, (2, 2, 2)))
    assert_close(t.broadcast_to([7, 1, 2, 1]), np.broadcast_to(arr, (7, 1, 2, 1)))
    s = T(np.array(2.5))
    assert_close(s.expand(()), np.array(2.5))
    assert_close(s.expand(2, 3), np.full((2, 3), 2.5))
    # Writing through an expanded view is refused, as in PyTorch.
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        t.expand(3, 2, 2).copy_(T(np.zeros((3, 2, 2))))


def test_expand_errors():
    t = T(arange(2, 3))
    with pytest.raises(RuntimeError, match=r"The expanded size of the tensor \(3\) must match the existing size \(2\) "
                                           r"at non-singleton dimension 0.  Target sizes: \[3, 3\].  Tensor sizes: \[2, 3\]"):
        t.expand(3, 3)
    with pytest.raises(RuntimeError, match=r"the number of sizes provided \(1\) must be greater or equal to the "
                                           r"number of dimensions in the tensor \(2\)"):
        t.expand(3)
    with pytest.raises(RuntimeError, match=r"The expanded size of the tensor \(-1\) isn't allowed in a leading, "
                                           r"non-existing dimension 0"):
        t.expand(-1, 2, 3)
    with pytest.raises(RuntimeError, match=r"The expanded size of the tensor \(-2\) must match"):
        T(np.zeros((2, 1))).expand(2, -2)
    with pytest.raises(RuntimeError, match="must match"):
        pytensor.broadcast_to(t, (3, 2))
    with pytest.raises(TypeError, match="missing 1 required positional"):
        t.expand()


def test_broadcast_tensors_and_shapes():
    arrs = [arange(3, 1), arange(1, 4), arange()]
    outs = pytensor.broadcast_tensors(*[T(a) for a in arrs])
    assert isinstance(outs, tuple) and len(outs) == 3
    for o, e in zip(outs, np.broadcast_arrays(*arrs)):
        assert_close(o, e)
    assert pytensor.broadcast_shapes((2, 1), (3,), (1, 1, 1)) == pytensor.Size([1, 2, 3])
    assert pytensor.broadcast_shapes(3, (2, 1)) == (2, 3)
    with pytest.raises(RuntimeError, match=r"size of tensor a \(2\) must match the size of tensor b \(3\)"):
        pytensor.broadcast_tensors(T(np.zeros(2)), T(np.zeros(3)))
    with pytest.raises(TypeError, match="expected Tensor as element 1"):
        pytensor.broadcast_tensors(T(np.zeros(2)), 3)


# ---------------------------------------------------------------- unbind / split / chunk


@pytest.mark.parametrize("layout", ["contiguous", "transposed", "strided"])
def test_unbind_split_chunk(layout):
    arr = rand((7, 5), "float64")
    _, t, a = next(x for x in layouts(arr) if x[0] == layout)
    for dim in (0, 1, -1):
        parts = t.unbind(dim)
        assert isinstance(parts, tuple) and len(parts) == a.shape[dim]
        for i, p in enumerate(parts):
            assert_view(p, t, np.take(a, i, axis=dim))
        for size in (1, 2, 3, 7, 9):
            got = t.split(size, dim)
            idx = list(range(size, a.shape[dim], size))
            exp = np.split(a, idx, axis=dim)
            assert isinstance(got, tuple) and len(got) == len(exp)
            for g, e in zip(got, exp):
                assert_view(g, t, e)
        for chunks in (1, 2, 3, 4, 8):
            got = t.chunk(chunks, dim)
            n = a.shape[dim]
            step = -(-n // chunks)
            exp = np.split(a, list(range(step, n, step)), axis=dim)
            assert len(got) == len(exp)
            for g, e in zip(got, exp):
                assert_view(g, t, e)
            for g, e in zip(t.tensor_split(chunks, dim), np.array_split(a, chunks, axis=dim)):
                assert_view(g, t, e)
    for g, e in zip(pytensor.split(t, [2, 0, 5], dim=0), np.split(a, [2, 2], axis=0)):
        assert_view(g, t, e)
    for g, e in zip(t.split(np.int64(3), 1), np.split(a, [3], axis=1)):
        assert_view(g, t, e)
    for g, e in zip(t.split((1, 4), 1), np.split(a, [1], axis=1)):
        assert_view(g, t, e)
    for idx in ([2, 5], [], (0, 7), [3, 3]):
        got = t.tensor_split(list(idx))
        exp = np.split(a, list(idx), axis=0)
        assert len(got) == len(exp)
        for g, e in zip(got, exp):
            assert_view(g, t, e)
    # Python slice rules for unsorted / negative / past-the-end indices (PyTorch's results).
    assert [tuple(g.shape) for g in t.tensor_split([1, 5, 3, 9])] == [(1, 5), (4, 5), (0, 5), (4, 5), (0, 5)]
    assert [tuple(g.shape) for g in t.tensor_split([-2, 3])] == [(5, 5), (0, 5), (4, 5)]
    assert [tuple(g.shape) for g in t.tensor_split(T(np.array([2, 4])), 0)] == [(2, 5), (2, 5), (3, 5)]
    assert [tuple(g.shape) for g in t.tensor_split(T(np.array(3)), 1)] == [(7, 2), (7, 2), (7, 1)]


def test_split_edge_cases():
    e = T(np.zeros((0, 3)))
    assert [tuple(p.shape) for p in e.split(2)] == [(0, 3)]
    assert [tuple(p.shape) for p in e.split(0)] == [(0, 3)]
    assert [tuple(p.shape) for p in e.chunk(4)] == [(0, 3)] * 4
    assert len(T(np.zeros((5, 3))).chunk(4)) == 3
    assert len(T(np.zeros((6, 3))).chunk(4)) == 3
    t = T(arange(2, 3))
    with pytest.raises(RuntimeError, match=r"split_sizes to sum exactly to 3 \(input tensor's size at dimension 1\), "
                                           r"but got split_sizes=\[2, 3\]"):
        t.split([2, 3], 1)
    with pytest.raises(RuntimeError, match=r"non-negative entries, but got split_sizes=\[-1, 4\]"):
        t.split([-1, 4], 1)
    with pytest.raises(RuntimeError, match="split_size can only be 0 if dimension size is 0"):
        t.split(0, 1)
    with pytest.raises(RuntimeError, match="split expects split_size be non-negative, but got split_size=-1"):
        t.split(-1)
    with pytest.raises(RuntimeError, match="chunk expects `chunks` to be greater than 0, got: 0"):
        t.chunk(0)
    with pytest.raises(RuntimeError, match="number of sections must be larger than 0, got 0"):
        t.tensor_split(0)
    s = T(np.array(1.0))
    with pytest.raises(IndexError, match="Dimension specified as 0 but tensor has no dimensions"):
        s.unbind()
    with pytest.raises(RuntimeError, match="split expects at least a 1-dimensional tensor"):
        s.split(1)
    with pytest.raises(RuntimeError, match="chunk expects at least a 1-dimensional tensor"):
        s.chunk(1)
    with pytest.raises(IndexError, match="but got 2"):
        t.unbind(2)
    with pytest.raises(TypeError):
        t.split(1.5)


def test_diagonal_and_diag():
    arr = rand((3, 4, 5), "float64")
    for name, t, a in layouts(arr):
        for off in (-4, -1, 0, 2, 6):
            for d1, d2 in ((0, 1), (2, 0), (-1, 1)):
                assert_view(t.diagonal(off, d1, d2), t, np.diagonal(a, off, d1, d2))
        assert_view(pytensor.diagonal(t, offset=1, dim1=1, dim2=2), t, np.diagonal(a, 1, 1, 2))
    with pytest.raises(RuntimeError, match="diagonal dimensions cannot be identical 0, 0"):
        T(arr).diagonal(0, 0, 0)
    for dtype in ALL_DTYPES:
        v = rand((4,), dtype)
        for k in (-2, 0, 3):
            assert_close(T(v).diag(k), np.diag(v, k), dtype=dtype)
        m = rand((3, 5), dtype)
        for k in (-3, -1, 0, 2, 7):
            d = pytensor.diag(T(m), k)
            assert_close(d, np.diag(m, k), dtype=dtype)
            assert not same_storage(d, T(m))
    assert_close(T(np.zeros(0)).diag(), np.zeros((0, 0)))
    with pytest.raises(RuntimeError, match="diag\\(\\): Supports 1D or 2D tensors. Got 3D"):
        T(arr).diag()


def test_atleast():
    s, v, m = T(np.array(2.0)), T(np.arange(3.0)), T(np.ones((2, 3)))
    assert tuple(pytensor.atleast_1d(s).shape) == (1,)
    assert tuple(pytensor.atleast_2d(v).shape) == (1, 3)
    assert tuple(pytensor.atleast_3d(v).shape) == (1, 3, 1)
    assert tuple(pytensor.atleast_3d(m).shape) == (2, 3, 1)
    assert tuple(pytensor.atleast_3d(s).shape) == (1, 1, 1)
    assert pytensor.atleast_1d(m) is m
    out = pytensor.atleast_2d(s, v)
    assert isinstance(out, tuple) and [tuple(o.shape) for o in out] == [(1, 1), (1, 3)]
    assert [tuple(o.shape) for o in pytensor.atleast_2d([v])] == [(1, 3)]
    assert same_storage(pytensor.atleast_3d(v), v)


# ---------------------------------------------------------------- cat / stack


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_cat_stack_all_dtypes_and_layouts(dtype):
    arr = rand((4, 3, 5), dtype)
    for name, t, a in layouts(arr):
        other = rand((4, 2, 5), dtype, rng=np.random.default_rng(1))
        for dim in (1, -2):
            out = pytensor.cat([t, T(other), t], dim)
            assert_close(out, np.concatenate([a, other, a], axis=dim), dtype=dtype)
            assert out.is_contiguous()
        assert_close(pytensor.cat((t, t), 0), np.concatenate([a, a], 0), dtype=dtype)
        assert_close(pytensor.concat([t, t], dim=2), np.concatenate([a, a], 2), dtype=dtype)
        assert_close(pytensor.concatenate([t, t], axis=-1), np.concatenate([a, a], -1), dtype=dtype)
        for dim in (0, 1, 3, -1, -4):
            assert_close(pytensor.stack([t, t, t], dim), np.stack([a, a, a], axis=dim), dtype=dtype)
        assert_close(pytensor.stack((t,), dim=2), np.stack([a], 2), dtype=dtype)
        assert_close(pytensor.hstack([t, t]), np.hstack([a, a]), dtype=dtype)
        assert_close(pytensor.vstack([t, t]), np.vstack([a, a]), dtype=dtype)
        assert_close(pytensor.dstack([t, t]), np.dstack([a, a]), dtype=dtype)


@pytest.mark.parametrize("shape", SHAPES)
def test_stack_and_join_shapes(shape):
    a = rand(shape, "float32")
    b = rand(shape, "float32", rng=np.random.default_rng(5))
    ta, tb = T(a), T(b)
    assert_close(pytensor.stack([ta, tb]), np.stack([a, b]))
    assert_close(pytensor.stack([ta, tb], -1), np.stack([a, b], -1))
    assert_close(pytensor.hstack([ta, tb]), np.hstack([a, b]))
    assert_close(pytensor.vstack([ta, tb]), np.vstack([a, b]))
    assert_close(pytensor.dstack([ta, tb]), np.dstack([a, b]))
    if a.ndim:
        for d in range(a.ndim):
            assert_close(pytensor.cat([ta, tb, ta], d), np.concatenate([a, b, a], d))


def test_cat_promotion():
    for x in ALL_DTYPES:
        for y in ALL_DTYPES:
            a, b = rand((2, 3), x), rand((2, 2), y)
            out = pytensor.cat([T(a), T(b)], 1)
            want = promote(x, y)
            expected = np.concatenate([a.astype(NP_DTYPES[want]), b.astype(NP_DTYPES[want])], 1)
            assert_close(out, expected, dtype=want)
            st_ = pytensor.stack([T(a[:, :2]), T(b)])
            assert dtype_name(st_) == want


def test_cat_legacy_empty_and_empty():
    a = rand((2, 3), "float32")
    e64 = T(np.zeros(0, np.float64))
    out = pytensor.cat([e64, T(a), e64], 1)  # skipped for shapes and dim, but promotes the dtype
    assert_close(out, a.astype(np.float64), dtype="float64")
    out = pytensor.cat([e64, T(np.zeros(0, np.int32))], 5)
    assert tuple(out.shape) == (0,) and dtype_name(out) == "float64"
    assert_close(pytensor.cat([T(np.zeros((0, 3))), T(a)]), a)
    assert_close(pytensor.cat([T(np.zeros((2, 0))), T(a)], 1), a)
    assert_close(pytensor.cat([T(np.zeros((0, 3))), T(np.zeros((0, 3)))]), np.zeros((0, 3)))


def test_cat_stack_errors():
    a = T(np.zeros((2, 3)))
    with pytest.raises(RuntimeError, match=r"Sizes of tensors must match except in dimension 1. Expected size 2 but "
                                           r"got size 3 for tensor number 1 in the list."):
        pytensor.cat([a, T(np.zeros((3, 3)))], 1)
    with pytest.raises(RuntimeError, match="Tensors must have same number of dimensions: got 2 and 1"):
        pytensor.cat([a, T(np.zeros(2))])
    with pytest.raises(RuntimeError, match=r"zero-dimensional tensor \(at position 0\) cannot be concatenated"):
        pytensor.cat([T(np.array(1.0)), a])
    with pytest.raises(ValueError, match="expected a non-empty list of Tensors"):
        pytensor.cat([])
    with pytest.raises(IndexError, match=r"expected to be in range of \[-2, 1\], but got 2"):
        pytensor.cat([a, a], 2)
    with pytest.raises(TypeError, match="expected Tensor as element 1 in argument 0, but got int"):
        pytensor.cat([a, 1], 1)
    with pytest.raises(TypeError, match="must be tuple of Tensors, not Tensor"):
        pytensor.cat(a, 1)
    with pytest.raises(TypeError):
        pytensor.cat([a, a], 1.5)
    with pytest.raises(RuntimeError, match=r"stack expects each tensor to be equal size, but got \[2, 3\] at entry 0 "
                                           r"and \[2, 2\] at entry 1"):
        pytensor.stack([a, T(np.zeros((2, 2)))])
    with pytest.raises(RuntimeError, match="stack expects a non-empty TensorList"):
        pytensor.stack([])
    with pytest.raises(IndexError, match=r"expected to be in range of \[-3, 2\], but got 3"):
        pytensor.stack([a, a], 3)
    with pytest.raises(RuntimeError, match="hstack expects a non-empty TensorList"):
        pytensor.hstack([])


def test_cat_large_threaded():
    a = rand((300, 257), "float32")
    b = rand((300, 100), "float32", rng=np.random.default_rng(2))
    ta = T(a).t()  # transposed input into a slice of the output
    assert_close(pytensor.cat([ta, T(b.T.copy())], 0), np.concatenate([a.T, b.T], 0))
    assert_close(pytensor.stack([T(a), T(a)], 1), np.stack([a, a], 1))


# ---------------------------------------------------------------- flip / roll / repeat / tile


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_flip_roll_all_dtypes(dtype):
    arr = rand((3, 4, 5), dtype)
    for name, t, a in layouts(arr):
        for dims in [(0,), (1, 2), (0, 1, 2), (-1,), ()]:
            out = t.flip(dims)
            assert_close(out, np.flip(a, dims) if dims else a, dtype=dtype)
            assert not same_storage(out, t) and out.is_contiguous()
        assert_close(t.flip(0, 2), np.flip(a, (0, 2)), dtype=dtype)
        assert_close(pytensor.flip(t, [1]), np.flip(a, 1), dtype=dtype)
        assert_close(t.fliplr(), np.fliplr(a), dtype=dtype)
        assert_close(pytensor.flipud(t), np.flipud(a), dtype=dtype)
        for shifts, dims in [(1, 0), (-2, 1), (7, 2), ((1, 2), (0, 1)), ((1, -3, 4), (0, 1, 2)),
                             ((1, 1), (0, 0)), (0, 1), (100, -1)]:
            assert_close(t.roll(shifts, dims), np.roll(a, shifts, dims), dtype=dtype)
        for shifts in (3, -61, 0):
            assert_close(pytensor.roll(t, shifts), np.roll(a, shifts), dtype=dtype)
        assert_close(t.roll((2,)), np.roll(a, 2), dtype=dtype)


@pytest.mark.parametrize("shape", SHAPES)
def test_flip_roll_shapes(shape):
    a = rand(shape, "int64")
    t = T(a)
    assert_close(t.flip(tuple(range(a.ndim))), np.flip(a) if a.ndim else a)
    assert_close(t.roll(2), np.roll(a, 2))
    if a.ndim:
        assert_close(t.roll(-1, 0), np.roll(a, -1, 0))
        assert_close(t.flipud(), np.flipud(a))


def test_flip_roll_errors():
    t = T(np.zeros((2, 3)))
    with pytest.raises(RuntimeError, match="dim 0 appears multiple times in the list of dims"):
        t.flip(0, 0)
    with pytest.raises(IndexError, match="but got 2"):
        t.flip(2)
    with pytest.raises(RuntimeError, match="Input must be >= 2-d."):
        T(np.zeros(3)).fliplr()
    with pytest.raises(RuntimeError, match="Input must be >= 1-d."):
        T(np.array(1.0)).flipud()
    with pytest.raises(RuntimeError, match="shifts and dimensions must align. shifts: 2, dims:0"):
        t.roll((1, 2))
    with pytest.raises(RuntimeError, match="shifts and dimensions must align. shifts: 2, dims:1"):
        t.roll((1, 2), 0)
    with pytest.raises(IndexError, match="but got 2"):
        t.roll(1, 2)
    with pytest.raises(IndexError, match="tensor has no dimensions"):
        T(np.array(1.0)).roll(1, 0)
    with pytest.raises(TypeError, match="missing 1 required positional"):
        t.flip()
    with pytest.raises(TypeError):
        t.roll(1.5)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_repeat_tile_all_dtypes(dtype):
    arr = rand((2, 3, 4), dtype)
    for name, t, a in layouts(arr):
        for reps in [(1, 1, 1), (2, 1, 3), (2, 2, 1, 2), (3, 1, 1, 1, 1), (1, 0, 2)]:
            out = t.repeat(*reps)
            assert_close(out, np.tile(a, reps), dtype=dtype)
            assert not same_storage(out, t)
            assert_close(t.repeat(reps), np.tile(a, reps), dtype=dtype)
        for reps in [(2,), (2, 3), (1, 2, 1, 2), ()]:
            assert_close(t.tile(reps), np.tile(a, reps), dtype=dtype)
            assert_close(pytensor.tile(t, reps), np.tile(a, reps), dtype=dtype)
        assert_close(t.tile(2, 1), np.tile(a, (2, 1)), dtype=dtype)
        for r in (0, 1, 3):
            for dim in (None, 0, 2, -2):
                assert_close(t.repeat_interleave(r, dim), np.repeat(a, r, axis=dim), dtype=dtype)
        reps = np.array([2, 0, 1])
        assert_close(pytensor.repeat_interleave(t, T(reps), dim=1), np.repeat(a, reps, axis=1), dtype=dtype)
        assert_close(t.repeat_interleave(T(np.array([3])), 0), np.repeat(a, 3, axis=0), dtype=dtype)
        assert_close(t.repeat_interleave(T(np.array(2, np.int32))), np.repeat(a, 2), dtype=dtype)


def test_repeat_edge_cases_and_errors():
    s = T(np.array(4.0))
    assert_close(s.repeat(2, 3), np.full((2, 3), 4.0))
    assert_close(s.repeat(()), np.array(4.0))
    assert_close(T(np.zeros((0, 2))).repeat(3, 2), np.zeros((0, 4)))
    t = T(np.zeros((2, 3)))
    with pytest.raises(RuntimeError, match="Number of dimensions of repeat dims can not be smaller than number "
                                           "of dimensions of tensor"):
        t.repeat(2)
    with pytest.raises(RuntimeError, match=r"Trying to create tensor with negative dimension -2: \[-2, 6\]"):
        t.repeat(-1, 2)
    with pytest.raises(RuntimeError, match="overflow"):
        t.repeat(2 ** 62, 2 ** 62)
    with pytest.raises(TypeError, match="missing 1 required positional"):
        t.repeat()
    with pytest.raises(RuntimeError, match="Repeats must be non-negative"):
        t.repeat_interleave(-1)
    with pytest.raises(RuntimeError, match="repeats can not be negative"):
        t.repeat_interleave(T(np.array([1, -2])), 0)
    with pytest.raises(RuntimeError, match=r"repeats must have the same size as input along dim, but got "
                                           r"repeats.size\(0\) = 3 and input.size\(0\) = 2"):
        t.repeat_interleave(T(np.array([1, 2, 3])), 0)
    with pytest.raises(RuntimeError, match="repeats must be 0-dim or 1-dim tensor"):
        t.repeat_interleave(T(np.array([[1, 2]])), 0)
    with pytest.raises(RuntimeError, match="must be an integer tensor"):
        t.repeat_interleave(T(np.array([1.0, 2.0])), 0)
    with pytest.raises(TypeError):
        t.repeat_interleave("x")


# ---------------------------------------------------------------- tril / triu


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_tril_triu(dtype):
    arr = rand((2, 4, 5), dtype)
    for name, t, a in layouts(arr):
        for k in (-5, -1, 0, 1, 3, 10, 2 ** 62, -2 ** 62):
            out = t.tril(k)
            assert_close(out, np.tril(a, k), dtype=dtype)
            assert not same_storage(out, t)
            assert_close(pytensor.triu(t, diagonal=k), np.triu(a, k), dtype=dtype)
            c = T(a.copy())
            assert c.tril_(k) is c
            assert_close(c, np.tril(a, k))
            c = T(a.copy()).transpose(1, 2)
            c.triu_(k)
            assert_close(c, np.triu(np.swapaxes(a, 1, 2), k))
        # in-place through a view writes into the base numpy array
        base = a.copy()
        v = pytensor.from_numpy(base)
        v.tril_(0)
        np.testing.assert_array_equal(base, np.tril(a))


@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (1, 1), (7, 3), (2, 0, 4), (2, 3, 33, 65)])
def test_tril_triu_shapes(shape):
    a = rand(shape, "float64")
    for k in (-2, 0, 1):
        assert_close(T(a).tril(k), np.tril(a, k))
        assert_close(T(a).triu(k), np.triu(a, k))


def test_tril_errors():
    with pytest.raises(RuntimeError, match="tril: input tensor must have at least 2 dimensions"):
        T(np.zeros(3)).tril()
    with pytest.raises(RuntimeError, match="triu: input tensor must have at least 2 dimensions"):
        T(np.array(1.0)).triu()
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        T(np.zeros((1, 3))).expand(2, 3).tril_()
    with pytest.raises(TypeError):
        T(np.zeros((2, 2))).tril(0.5)


# ---------------------------------------------------------------- property tests against numpy

dims_st = st.lists(st.integers(0, 4), min_size=0, max_size=4)


@settings(max_examples=60, deadline=None)
@given(shape=dims_st, data=st.data())
def test_reshape_property(shape, data):
    a = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    # A random strided, permuted view of a bigger buffer as the input.
    perm = data.draw(st.permutations(range(len(shape))))
    steps = data.draw(st.lists(st.integers(1, 2), min_size=len(shape), max_size=len(shape)))
    big = np.zeros([s * k for s, k in zip(shape, steps)] or [], np.float64)
    view = big[tuple(slice(None, None, k) for k in steps)] if shape else big
    view[...] = a
    view = np.transpose(view, perm)
    t = pytensor.from_numpy(view)
    n = view.size
    targets = [(n,), (1, n), (n, 1), tuple(view.shape[::-1])]
    if view.ndim >= 2:
        targets.append(tuple(view.shape[:-2]) + (view.shape[-2] * view.shape[-1],))
        targets.append((view.shape[0] * view.shape[1],) + tuple(view.shape[2:]))
    if n:
        targets += [(-1,), (view.shape[0], -1)] if view.ndim else [(-1,)]
    target = data.draw(st.sampled_from(targets))
    r = t.reshape(target)
    assert_close(r, view.reshape(target))
    try:
        np.reshape(view, target, copy=False)
        can_view = True
    except ValueError:
        can_view = False
    if view.size:
        assert same_storage(r, t) == can_view


@settings(max_examples=60, deadline=None)
@given(shape=st.lists(st.integers(0, 4), min_size=0, max_size=5), data=st.data())
def test_permute_property(shape, data):
    a = rand(tuple(shape), "int32")
    perm = data.draw(st.permutations(range(len(shape))))
    neg = data.draw(st.lists(st.booleans(), min_size=len(shape), max_size=len(shape)))
    dims = [p - len(shape) if n else p for p, n in zip(perm, neg)]
    t = T(a)
    assert_close(t.permute(dims), np.transpose(a, perm))
    assert_close(t.permute(dims).contiguous(), np.transpose(a, perm))
    if len(shape) >= 2:
        i, j = data.draw(st.integers(0, len(shape) - 1)), data.draw(st.integers(0, len(shape) - 1))
        assert_close(t.transpose(i, j), np.swapaxes(a, i, j))
        assert_close(t.movedim(i, j), np.moveaxis(a, i, j))


@settings(max_examples=60, deadline=None)
@given(shape=st.lists(st.integers(1, 3), min_size=0, max_size=4), data=st.data())
def test_broadcast_property(shape, data):
    ones = data.draw(st.lists(st.booleans(), min_size=len(shape), max_size=len(shape)))
    small = tuple(1 if o else s for s, o in zip(shape, ones))
    lead = tuple(data.draw(st.lists(st.integers(0, 3), max_size=2)))
    target = lead + tuple(shape)
    a = rand(small, "float64")
    t = T(a)
    e = t.expand(target)
    assert_close(e, np.broadcast_to(a, target))
    assert same_storage(e, t)
    for d, (s, want) in enumerate(zip((1,) * len(lead) + small, target)):
        if s != want:
            assert e.stride(d) == 0
    assert_close(pytensor.broadcast_to(t, target), np.broadcast_to(a, target))
    other = rand(target, "float64")
    bt = pytensor.broadcast_tensors(t, T(other))
    for got, exp in zip(bt, np.broadcast_arrays(a, other)):
        assert_close(got, exp)


# ---------------------------------------------------------------- parity with PyTorch (optional)


def test_torch_parity_view_geometry():
    """Sizes, strides and offsets of every view op equal PyTorch's, size-1 dims included."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    for _ in range(300):
        nd = int(rng.integers(0, 5))
        shape = tuple(int(s) for s in rng.integers(1, 4, size=nd))
        steps = tuple(int(s) for s in rng.integers(1, 3, size=nd))
        big = np.zeros([s * k for s, k in zip(shape, steps)])
        arr = np.asarray(np.transpose(big[tuple(slice(None, None, k) for k in steps)], rng.permutation(nd)))
        p, x = pytensor.from_numpy(arr), torch.from_numpy(arr)
        if p.stride() != x.stride():
            continue  # the two from_numpy may pick different strides for size-1 dims
        n = arr.size
        ops = [lambda v, s=s: v.view(s) for s in [(n,), (1, n), (n, 1), arr.shape[::-1], arr.shape + (1,)]]
        ops += [lambda v, s=s: v.reshape(s) for s in [(n,), arr.shape[::-1], (1,) + arr.shape]]
        ops += [lambda v: v.squeeze(), lambda v: v.flatten()]
        ops += [lambda v, d=d: v.unsqueeze(d) for d in range(-nd - 1, nd + 1)]
        if nd:
            ops += [lambda v: v.expand((2,) + tuple(v.shape)), lambda v: v.expand((1, 1) + tuple(v.shape)),
                    lambda v: v.expand(tuple(3 if s == 1 else -1 for s in v.shape)),
                    lambda v: v.movedim(0, -1), lambda v: v.unflatten(0, (1, -1)), lambda v: v.flatten(0, -1)]
        if nd >= 2:
            ops += [lambda v, k=k: v.diagonal(k) for k in (-2, 0, 1, 5)]
            ops += [lambda v: v.mT, lambda v: v.transpose(0, -1), lambda v: v.unflatten(-1, (-1, 1))]
        for op in ops:
            try:
                want = op(x)
            except RuntimeError:
                with pytest.raises(RuntimeError):
                    op(p)
                continue
            got = op(p)
            assert (tuple(got.shape), got.stride(), got.storage_offset()) == \
                (tuple(want.shape), want.stride(), want.storage_offset()), (arr.shape, arr.strides)

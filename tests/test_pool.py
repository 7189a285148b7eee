"""max_pool1d/2d (with indices), avg_pool1d/2d, adaptive_avg_pool2d, adaptive_max_pool2d:
forward against numpy window loops (float64), NaN propagation, layouts, gradcheck and
gradgradcheck, node names, PyTorch's error messages, and parity with PyTorch where installed."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import pytensor
from pytensor.autograd import gradcheck, gradgradcheck

from helpers import assert_close, layouts, rand, to_np

f64 = pytensor.float64


def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def out_size(n, k, s, p, d, ceil_mode):
    num = n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    o = num // s + 1
    if ceil_mode and (o - 1) * s >= n + p:
        o -= 1
    return o


def np_max_pool2d(x, k, s=None, p=0, d=1, ceil_mode=False):
    """Window maxima and flat in-plane positions of x [..., H, W]; first on ties, the last NaN wins."""
    (kh, kw), (ph, pw), (dh, dw) = pair(k), pair(p), pair(d)
    sh, sw = pair(k if s is None else s)
    H, W = x.shape[-2:]
    OH, OW = out_size(H, kh, sh, ph, dh, ceil_mode), out_size(W, kw, sw, pw, dw, ceil_mode)
    planes = x.reshape(-1, H, W)
    vals = np.zeros((len(planes), OH, OW), x.dtype)
    idx = np.zeros((len(planes), OH, OW), np.int64)
    for n, plane in enumerate(planes):
        for oh in range(OH):
            for ow in range(OW):
                best, at = None, -1
                for i in range(kh):
                    for j in range(kw):
                        h, w = oh * sh - ph + i * dh, ow * sw - pw + j * dw
                        if 0 <= h < H and 0 <= w < W:
                            v = plane[h, w]
                            if at < 0 or v > best or v != v:
                                best, at = v, h * W + w
                vals[n, oh, ow], idx[n, oh, ow] = best, at
    shape = x.shape[:-2] + (OH, OW)
    return vals.reshape(shape), idx.reshape(shape)


def np_avg_pool2d(x, k, s=None, p=0, ceil_mode=False, count_include_pad=True, divisor_override=None):
    (kh, kw), (ph, pw) = pair(k), pair(p)
    sh, sw = pair(k if s is None else s)
    H, W = x.shape[-2:]
    OH, OW = out_size(H, kh, sh, ph, 1, ceil_mode), out_size(W, kw, sw, pw, 1, ceil_mode)
    planes = x.reshape(-1, H, W).astype(np.float64)
    out = np.zeros((len(planes), OH, OW))
    for oh in range(OH):
        for ow in range(OW):
            h0, w0 = oh * sh - ph, ow * sw - pw
            h1, w1 = min(h0 + kh, H + ph), min(w0 + kw, W + pw)
            padded = (h1 - h0) * (w1 - w0)
            h0, w0, h1, w1 = max(h0, 0), max(w0, 0), min(h1, H), min(w1, W)
            if h0 >= h1 or w0 >= w1:
                continue
            div = divisor_override or (padded if count_include_pad else (h1 - h0) * (w1 - w0))
            out[:, oh, ow] = planes[:, h0:h1, w0:w1].sum(axis=(1, 2)) / div
    return out.reshape(x.shape[:-2] + (OH, OW))


def np_adaptive(x, size, reduce):
    H, W = x.shape[-2:]
    OH, OW = [n if o is None else o for o, n in zip(pair(size) if not isinstance(size, int) else (size, size), (H, W))]
    planes = x.reshape(-1, H, W)
    out = np.zeros((len(planes), OH, OW), np.float64)
    for oh in range(OH):
        for ow in range(OW):
            h0, h1 = oh * H // OH, -(-(oh + 1) * H // OH)
            w0, w1 = ow * W // OW, -(-(ow + 1) * W // OW)
            out[:, oh, ow] = reduce(planes[:, h0:h1, w0:w1].reshape(len(planes), -1), axis=1)
    return out.reshape(x.shape[:-2] + (OH, OW))


def t(a, **kw):
    return pytensor.tensor(a, **kw)


# shape, kernel, stride, padding, dilation, ceil_mode
MAX_CASES = [
    ((2, 3, 8, 8), 2, None, 0, 1, False),
    ((2, 3, 9, 7), 3, 2, 1, 1, False),
    ((1, 2, 9, 7), 3, 2, 1, 1, True),
    ((1, 2, 10, 9), (3, 2), (2, 3), (1, 1), (2, 3), True),
    ((3, 7, 5), (2, 3), 1, (1, 0), 1, False),       # unbatched
    ((0, 2, 4, 4), 2, None, 0, 1, False),           # empty batch
    ((1, 1, 5, 6), (5, 6), None, 0, 1, False),      # one window
]


@pytest.mark.parametrize("shape,k,s,p,d,ceil_mode", MAX_CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "uint8"])
def test_max_pool2d_matches_numpy(shape, k, s, p, d, ceil_mode, dtype):
    x = rand(shape, dtype, np.random.default_rng(0), low=-50, high=50)
    vals, idx = np_max_pool2d(x, k, s, p, d, ceil_mode)
    v, i = pytensor.max_pool2d(t(x), k, s, p, d, ceil_mode, return_indices=True)
    assert_close(v, vals, dtype=dtype)
    assert_close(i, idx, dtype="int64")
    assert_close(pytensor.max_pool2d(t(x), k, s, p, d, ceil_mode), vals)
    v2, i2 = pytensor.max_pool2d_with_indices(t(x), k, s, p, d, ceil_mode)
    assert_close(i2, idx)


def test_max_pool_nan_and_inf():
    x = np.array([[[[1.0, np.nan, 3.0, -np.inf], [0.0, 2.0, -np.inf, -np.inf]]]])
    v, i = pytensor.max_pool2d(t(x), 2, return_indices=True)
    assert np.isnan(to_np(v)[0, 0, 0, 0]) and to_np(i)[0, 0, 0, 0] == 1
    assert to_np(v)[0, 0, 0, 1] == 3.0 and to_np(i)[0, 0, 0, 1] == 2
    v, i = pytensor.max_pool2d(t(np.full((1, 1, 2, 2), -np.inf)), 2, return_indices=True)
    assert to_np(v)[0, 0, 0, 0] == -np.inf and to_np(i)[0, 0, 0, 0] == 0
    assert np.isnan(to_np(pytensor.adaptive_max_pool2d(t(x), 1))).all()


def test_pools_noncontiguous():
    x = rand((2, 3, 7, 6), "float64", np.random.default_rng(1))
    for name, view, a in layouts(x):
        assert_close(pytensor.max_pool2d(view, 3, 2, 1), np_max_pool2d(a, 3, 2, 1)[0])
        assert_close(pytensor.avg_pool2d(view, 3, 2, 1), np_avg_pool2d(a, 3, 2, 1), 1e-12, 1e-12)
        assert_close(pytensor.adaptive_avg_pool2d(view, (3, 4)), np_adaptive(a, (3, 4), np.mean), 1e-12, 1e-12)
        assert_close(pytensor.adaptive_max_pool2d(view, 4), np_adaptive(a, 4, np.max))


@pytest.mark.parametrize("shape,k,s,p,ceil_mode,cip,div", [
    ((2, 3, 8, 8), 2, None, 0, False, True, None),
    ((2, 3, 9, 7), 3, 2, 1, False, True, None),
    ((2, 3, 9, 7), 3, 2, 1, False, False, None),
    ((1, 2, 9, 7), 3, 2, 1, True, True, None),
    ((1, 2, 9, 7), 3, 2, 1, True, False, None),
    ((1, 2, 6, 6), 2, 3, 1, True, False, None),     # a last window wholly in the padding
    ((1, 2, 10, 9), (3, 2), (2, 3), (1, 1), True, True, 5),
    ((3, 7, 5), (2, 3), 1, (1, 0), False, False, None),
])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_avg_pool2d_matches_numpy(shape, k, s, p, ceil_mode, cip, div, dtype):
    x = rand(shape, dtype, np.random.default_rng(2))
    got = pytensor.avg_pool2d(t(x), k, s, p, ceil_mode, cip, div)
    assert_close(got, np_avg_pool2d(x, k, s, p, ceil_mode, cip, div), 1e-5, 1e-6, dtype=dtype)


@pytest.mark.parametrize("size", [1, 3, (2, 5), (None, 2), (4, None), (7, 7), (9, 10)])
def test_adaptive_pools_match_numpy(size):
    x = rand((2, 3, 7, 6), "float64", np.random.default_rng(3))
    assert_close(pytensor.adaptive_avg_pool2d(t(x), size), np_adaptive(x, size, np.mean), 1e-12, 1e-12)
    assert_close(pytensor.adaptive_max_pool2d(t(x), size), np_adaptive(x, size, np.max))
    assert_close(pytensor.adaptive_avg_pool2d(t(x[0]), size), np_adaptive(x[0], size, np.mean), 1e-12, 1e-12)
    v, i = pytensor.adaptive_max_pool2d(t(x), size, return_indices=True)
    np.testing.assert_array_equal(np.take_along_axis(x.reshape(2, 3, -1), to_np(i).reshape(2, 3, -1), 2),
                                  to_np(v).reshape(2, 3, -1))


def test_pool1d():
    x = rand((2, 3, 11), "float64", np.random.default_rng(4))
    v, i = pytensor.max_pool1d(t(x), 3, 2, 1, 2, True, return_indices=True)
    ev, ei = np_max_pool2d(x[:, :, None], (1, 3), (1, 2), (0, 1), (1, 2), True)
    assert_close(v, ev[:, :, 0])
    assert_close(i, ei[:, :, 0])
    assert_close(pytensor.max_pool1d(t(x[0]), 2), np_max_pool2d(x[0][:, None], (1, 2))[0][:, 0])
    assert_close(pytensor.avg_pool1d(t(x), 4, 3, 2, True, False),
                 np_avg_pool2d(x[:, :, None], (1, 4), (1, 3), (0, 2), True, False)[:, :, 0], 1e-12, 1e-12)


@settings(max_examples=30, deadline=None)
@given(H=st.integers(1, 9), W=st.integers(1, 9), k=st.integers(1, 4), s=st.integers(1, 3),
       p=st.integers(0, 2), ceil_mode=st.booleans(), cip=st.booleans(), seed=st.integers(0, 1000))
def test_pool_property(H, W, k, s, p, ceil_mode, cip, seed):
    if 2 * p > k or out_size(H, k, s, p, 1, ceil_mode) < 1 or out_size(W, k, s, p, 1, ceil_mode) < 1:
        return
    x = rand((2, H, W), "float64", np.random.default_rng(seed))
    assert_close(pytensor.max_pool2d(t(x), k, s, p, ceil_mode=ceil_mode), np_max_pool2d(x, k, s, p, 1, ceil_mode)[0])
    assert_close(pytensor.avg_pool2d(t(x), k, s, p, ceil_mode, cip),
                 np_avg_pool2d(x, k, s, p, ceil_mode, cip), 1e-12, 1e-12)


# ---- fast kernels (vectorised row passes) against the one-window references ----

@pytest.fixture
def reference_pool():
    pytensor._C._use_reference_pool(True)
    yield
    pytensor._C._use_reference_pool(False)


def run_pools(x, max_args, avg_args, adaptive):
    """Values, indices and input gradients of every pooling kind on x (a numpy array)."""
    out = []
    for fn in (lambda a: pytensor.max_pool2d(a, *max_args, return_indices=True),
               lambda a: (pytensor.avg_pool2d(a, *avg_args),),
               lambda a: (pytensor.adaptive_avg_pool2d(a, adaptive),),
               lambda a: pytensor.adaptive_max_pool2d(a, adaptive, return_indices=True)):
        a = t(x, requires_grad=True)
        r = fn(a)
        g = np.random.default_rng(11).standard_normal(tuple(r[0].shape)).astype(x.dtype)
        r[0].backward(t(g))
        out.append([to_np(v) for v in r] + [to_np(a.grad)])
    with pytensor.no_grad():  # the max without indices (nothing needs them)
        out.append([to_np(pytensor.max_pool2d(t(x), *max_args))])
    return out


# (H, W), max (kernel, stride, padding, dilation, ceil_mode), avg (kernel, stride, padding,
# ceil_mode, count_include_pad, divisor_override), adaptive output size
FAST_CASES = [
    ((26, 26), (2, None, 0, 1, False), (2, None, 0, False, True, None), (13, 13)),
    ((13, 13), (2, None, 0, 1, True), (2, None, 0, True, False, None), (6, 7)),
    ((7, 63), (3, 2, 1, 1, False), (3, 2, 1, False, False, None), (3, 21)),
    ((65, 7), (3, 2, 1, 1, True), (3, 2, 1, True, True, None), (5, 7)),
    ((1, 65), ((1, 3), 1, (0, 1), 1, False), ((1, 3), 1, (0, 1), False, False, None), (1, 13)),
    ((63, 65), (3, 3, 0, 1, True), (3, 3, 1, True, True, 4), (9, 13)),
    ((13, 26), ((2, 3), (2, 1), (1, 1), (2, 1), False), ((2, 3), (1, 2), (1, 1), True, True, None), (4, 5)),
    ((26, 13), (3, 2, 1, (2, 3), True), (5, 3, 2, True, False, 7), (26, 13)),
    ((7, 26), (4, 3, 2, 1, False), (4, 1, 2, False, True, None), (1, 1)),
    ((1, 1), (1, None, 0, 1, False), (1, None, 0, False, True, None), (1, 1)),
]


@pytest.mark.parametrize("hw,max_args,avg_args,adaptive", FAST_CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_fast_kernels_match_reference(hw, max_args, avg_args, adaptive, dtype, request):
    x = rand((2, 3) + hw, dtype, np.random.default_rng(sum(hw)))
    x.flat[::17] = np.nan  # NaN and inf in some windows; ties from repeated values
    x.flat[5::19] = np.inf
    x.flat[7::23] = -np.inf
    x.flat[3::11] = 1.0
    fast = run_pools(x, max_args, avg_args, adaptive)
    request.getfixturevalue("reference_pool")
    ref = run_pools(x, max_args, avg_args, adaptive)
    for kind, (f, r) in enumerate(zip(fast, ref)):
        for a, b in zip(f, r):
            # Forward: the same sums in the same order, bit for bit. Backward of overlapping
            # average windows adds the shares in another order: a few ulp.
            tol = 1e-6 if dtype == "float32" else 1e-14
            np.testing.assert_allclose(a, b, tol, tol, err_msg=f"kind {kind}")
    # ... and the fast forward against numpy in float64 (NaN-free: numpy's mean has no NaN order)
    x = np.nan_to_num(x, nan=0.5, posinf=2.0, neginf=-2.0)
    v, i = pytensor.max_pool2d(t(x), *max_args, return_indices=True)
    ev, ei = np_max_pool2d(x, *max_args)
    assert_close(v, ev, dtype=dtype)
    assert_close(i, ei, dtype="int64")
    assert_close(pytensor.avg_pool2d(t(x), *avg_args), np_avg_pool2d(x.astype(np.float64), *avg_args),
                 1e-5, 1e-6, dtype=dtype)
    assert_close(pytensor.adaptive_avg_pool2d(t(x), adaptive), np_adaptive(x.astype(np.float64), adaptive, np.mean),
                 1e-5, 1e-6, dtype=dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64", "uint8"])
def test_max_without_indices_matches(dtype):
    x = rand((3, 4, 13, 26), dtype, np.random.default_rng(6), low=-20, high=20)
    for args in [(2,), (3, 2, 1), ((2, 3), 1, (1, 1), (2, 1), True)]:
        v, i = pytensor.max_pool2d(t(x), *args, return_indices=True)
        np.testing.assert_array_equal(to_np(pytensor.max_pool2d(t(x), *args)), to_np(v))
        np.testing.assert_array_equal(to_np(pytensor.max_pool1d(t(x[0]), args[0] if isinstance(args[0], int) else 2)),
                                      np_max_pool2d(x[0][:, :, None], (1, args[0] if isinstance(args[0], int) else 2))[0][:, :, 0])


def test_pools_threaded_deterministic_and_empty_batch():
    x = rand((16, 32, 26, 26), "float32", np.random.default_rng(8))
    a = t(x, requires_grad=True)
    y = pytensor.avg_pool2d(a, 3, 2, 1)
    y.backward(pytensor.ones_like(y))
    first = (to_np(pytensor.max_pool2d(t(x), 2, return_indices=True)[1]), to_np(y), to_np(a.grad))
    a.grad = None
    y = pytensor.avg_pool2d(a, 3, 2, 1)
    y.backward(pytensor.ones_like(y))
    again = (to_np(pytensor.max_pool2d(t(x), 2, return_indices=True)[1]), to_np(y), to_np(a.grad))
    for f, g in zip(first, again):
        np.testing.assert_array_equal(f, g)
    e = pytensor.zeros(0, 3, 8, 8, requires_grad=True)
    for y in (pytensor.max_pool2d(e, 2), pytensor.avg_pool2d(e, 2), pytensor.adaptive_avg_pool2d(e, 3),
              pytensor.adaptive_max_pool2d(e, 3)):
        assert tuple(y.shape)[:2] == (0, 3)
        y.sum().backward()
    assert tuple(e.grad.shape) == (0, 3, 8, 8)


def test_dilated_window_missing_the_input():
    # Padding up to half the dilated kernel lets a window's taps all fall in the padding: it
    # gives -inf at position -1, and the backward sends its gradient nowhere.
    x = t(np.arange(10.0).reshape(1, 1, 2, 5), requires_grad=True)
    v, i = pytensor.max_pool2d(x, (2, 1), 1, (2, 0), (3, 1), return_indices=True)
    np.testing.assert_array_equal(to_np(v)[0, 0], [np.arange(5.0, 10.0), np.full(5, -np.inf), np.arange(5.0)])
    np.testing.assert_array_equal(to_np(i)[0, 0], [np.arange(5, 10), np.full(5, -1), np.arange(5)])
    v.backward(pytensor.ones_like(v))
    np.testing.assert_array_equal(to_np(x.grad), np.ones((1, 1, 2, 5)))


# ---- autograd ----

def leaf(shape, seed=0):
    # Distinct values, so the maxima (and the numeric gradient) are unambiguous.
    vals = np.random.default_rng(seed).permutation(math.prod(shape)).reshape(shape) / 7.0
    return t(vals, dtype=f64, requires_grad=True)


@pytest.mark.parametrize("fn", [
    lambda x: pytensor.max_pool2d(x, 2),
    lambda x: pytensor.max_pool2d(x, 3, 2, 1, 2, True),
    lambda x: pytensor.max_pool2d(x, (2, 3), (1, 2), (1, 1), ceil_mode=True, return_indices=True)[0],
    lambda x: pytensor.avg_pool2d(x, 2),
    lambda x: pytensor.avg_pool2d(x, 3, 2, 1, True, False),
    lambda x: pytensor.avg_pool2d(x, (2, 3), 1, (1, 1), False, True, 4),
    lambda x: pytensor.adaptive_avg_pool2d(x, (3, 2)),
    lambda x: pytensor.adaptive_avg_pool2d(x, 1),
    lambda x: pytensor.adaptive_max_pool2d(x, (2, 3)),
    lambda x: pytensor.max_pool1d(x[0], 2, 1, 1),
    lambda x: pytensor.avg_pool1d(x[0], 3, 2, 1, True),
])
def test_pool_gradcheck(fn):
    x = leaf((2, 2, 5, 5))
    assert gradcheck(fn, (x,))
    x3 = t(to_np(x).transpose(1, 0, 2, 3).copy(), requires_grad=True)
    assert gradcheck(lambda a: fn(a.transpose(0, 1)), (x3,))  # non-contiguous input


@pytest.mark.parametrize("fn", [
    lambda x: pytensor.max_pool2d(x, 2, 1),
    lambda x: pytensor.avg_pool2d(x, 3, 2, 1, True, False),
    lambda x: pytensor.adaptive_avg_pool2d(x, (2, 3)),
    lambda x: pytensor.adaptive_max_pool2d(x, 2),
])
def test_pool_gradgradcheck(fn):
    assert gradgradcheck(fn, (leaf((1, 2, 4, 5), 1),))


def test_pool_grad_fn_names():
    x = leaf((1, 2, 4, 4))
    names = {
        "MaxPool2DWithIndicesBackward0": pytensor.max_pool2d(x, 2),
        "AvgPool2DBackward0": pytensor.avg_pool2d(x, 2),
        "AdaptiveAvgPool2DBackward0": pytensor.adaptive_avg_pool2d(x, 3),
        "AdaptiveMaxPool2DBackward0": pytensor.adaptive_max_pool2d(x, 3),
        "MeanBackward1": pytensor.adaptive_avg_pool2d(x, 1),
        "SqueezeBackward1": pytensor.max_pool1d(x[0], 2),
    }
    for name, y in names.items():
        assert y.grad_fn.name() == name
    v, i = pytensor.max_pool2d(x, 2, return_indices=True)
    assert not i.requires_grad
    g, = pytensor.autograd.grad(v.sum(), x, create_graph=True)
    assert g.grad_fn.name() == "MaxPool2DWithIndicesBackwardBackward0"
    gg, = pytensor.autograd.grad((g * g).sum(), x)  # the max positions do not move: zero
    np.testing.assert_array_equal(to_np(gg), np.zeros((1, 2, 4, 4)))
    g, = pytensor.autograd.grad(pytensor.avg_pool2d(x, 2).sum(), x, create_graph=True)
    assert g.grad_fn.name() == "AvgPool2DBackwardBackward0"
    # max: the gradient lands on the maxima only; avg: spread over the windows.
    x = t(np.arange(16.0).reshape(1, 1, 4, 4), requires_grad=True)
    pytensor.max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(to_np(x.grad)[0, 0], [[0, 0, 0, 0], [0, 1, 0, 1], [0, 0, 0, 0], [0, 1, 0, 1]])
    with pytensor.no_grad():
        assert not pytensor.avg_pool2d(x, 2).requires_grad


# ---- bad input ----

@pytest.mark.parametrize("call,fragment", [
    (lambda: pytensor.max_pool2d(pytensor.zeros(1, 3, 1, 1), 2),
     "Given input size: (3x1x1). Calculated output size: (3x0x0). Output size is too small"),
    (lambda: pytensor.avg_pool2d(pytensor.zeros(1, 3, 1, 1), 2), "Output size is too small"),
    (lambda: pytensor.max_pool2d(pytensor.zeros(3, 2), 2), "non-empty 3D or 4D (batch mode) tensor expected for input"),
    (lambda: pytensor.max_pool2d(pytensor.zeros(1, 3, 5, 5), 2, padding=2),
     "pad should be at most half of effective kernel size, but got pad=2, kernel_size=2 and dilation=1"),
    (lambda: pytensor.avg_pool2d(pytensor.zeros(1, 3, 5, 5), 2, padding=2), "pad should be at most half"),
    (lambda: pytensor.max_pool2d(pytensor.zeros(1, 3, 5, 5), 0), "stride should not be zero"),
    (lambda: pytensor.max_pool2d(pytensor.zeros(1, 3, 5, 5), 2, stride=0), "stride should not be zero"),
    (lambda: pytensor.max_pool2d(pytensor.zeros(1, 3, 5, 5), 2, dilation=0), "dilation should be greater than zero"),
    (lambda: pytensor.max_pool2d(pytensor.zeros(1, 3, 5, 5), (1, 2, 3)),
     "max_pool2d: kernel_size must either be a single int, or a tuple of two ints"),
    (lambda: pytensor.max_pool2d(pytensor.zeros(1, 3, 5, 5), 3, dilation=3), "Output size is too small"),
    (lambda: pytensor.avg_pool2d(pytensor.zeros(1, 3, 5, 5), 2, divisor_override=0), "divisor must be not zero"),
    (lambda: pytensor.avg_pool2d(pytensor.zeros(1, 3, 5, 5, dtype=pytensor.int64), 2),
     "\"avg_pool2d\" not implemented for 'int64'"),
    (lambda: pytensor.max_pool2d(pytensor.zeros(1, 3, 5, 5, dtype=pytensor.bool), 2), "not implemented for 'bool'"),
    (lambda: pytensor.adaptive_avg_pool2d(pytensor.zeros(3, 2), 2),
     "adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got [3, 2]"),
    (lambda: pytensor.adaptive_avg_pool2d(pytensor.zeros(1, 3, 5, 5), (2, 2, 2)),
     "adaptive_avg_pool2d: output_size must be 2"),
    (lambda: pytensor.adaptive_avg_pool2d(pytensor.zeros(1, 3, 0, 5), 2),
     "Expected input to have non-zero size for non-batch dimensions, but input has sizes [1, 3, 0, 5] "
     "with dimension 2 being empty"),
    (lambda: pytensor.adaptive_max_pool2d(pytensor.zeros(1, 3, 5, 5), -1), "output_size must be greater than"),
    (lambda: pytensor.max_pool1d(pytensor.zeros(3), 2),
     "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, but got:[3]"),
])
def test_bad_input(call, fragment):
    with pytest.raises(RuntimeError) as info:
        call()
    assert fragment in str(info.value)


def test_bad_argument_types():
    with pytest.raises(TypeError):
        pytensor.max_pool2d(pytensor.zeros(1, 3, 5, 5), "2")
    with pytest.raises(TypeError):
        pytensor.adaptive_avg_pool2d(pytensor.zeros(1, 3, 5, 5), 2.5)


# ---- parity with PyTorch ----

def test_matches_torch():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 3, 11, 10))
    x[0, 0, 1, 1] = np.nan
    xt = torch.tensor(x)
    for k, s, p, d, ceil_mode in [(2, None, 0, 1, False), (3, 2, 1, 2, True), ((3, 2), (2, 3), (1, 0), 1, True)]:
        v, i = pytensor.max_pool2d(t(x), k, s, p, d, ceil_mode, return_indices=True)
        vt, it = F.max_pool2d(xt, k, s, p, d, ceil_mode, return_indices=True)
        np.testing.assert_array_equal(to_np(v), vt.numpy())
        np.testing.assert_array_equal(to_np(i), it.numpy())
    for k, s, p, ceil_mode, cip, div in [(3, 2, 1, True, False, None), (2, 1, 1, False, True, 3), (4, 3, 2, True, True, None)]:
        np.testing.assert_allclose(to_np(pytensor.avg_pool2d(t(x), k, s, p, ceil_mode, cip, div)),
                                   F.avg_pool2d(xt, k, s, p, ceil_mode, cip, div).numpy(), 1e-12, 1e-12)
    for size in [(3, 4), (None, 3), 7, (11, 13)]:
        np.testing.assert_allclose(to_np(pytensor.adaptive_avg_pool2d(t(x), size)),
                                   F.adaptive_avg_pool2d(xt, size).numpy(), 1e-12, 1e-12)
        v, i = pytensor.adaptive_max_pool2d(t(x), size, return_indices=True)
        vt, it = F.adaptive_max_pool2d(xt, size, return_indices=True)
        np.testing.assert_array_equal(to_np(v), vt.numpy())
        np.testing.assert_array_equal(to_np(i), it.numpy())
    # The fast kernels' cases, with NaN, inf and ties in the windows.
    for hw, max_args, avg_args, adaptive in FAST_CASES:
        x = rng.standard_normal((2, 3) + hw).astype(np.float32)
        x.flat[::17], x.flat[5::19], x.flat[3::11] = np.nan, np.inf, 1.0
        v, i = pytensor.max_pool2d(t(x), *max_args, return_indices=True)
        vt, it = F.max_pool2d(torch.tensor(x), *max_args, return_indices=True)
        np.testing.assert_array_equal(to_np(v), vt.numpy())
        np.testing.assert_array_equal(to_np(i), it.numpy())
        x = np.nan_to_num(x, nan=0.5, posinf=2.0)
        np.testing.assert_allclose(to_np(pytensor.avg_pool2d(t(x), *avg_args)),
                                   F.avg_pool2d(torch.tensor(x), *avg_args).numpy(), 1e-6, 1e-6)
    # Gradients through every pool, NaN-free input.
    y = rng.standard_normal((2, 3, 9, 8))
    for f, ft in [(lambda a: pytensor.max_pool2d(a, 3, 2, 1), lambda a: F.max_pool2d(a, 3, 2, 1)),
                  (lambda a: pytensor.avg_pool2d(a, 3, 2, 1, True, False), lambda a: F.avg_pool2d(a, 3, 2, 1, True, False)),
                  (lambda a: pytensor.adaptive_avg_pool2d(a, (4, 5)), lambda a: F.adaptive_avg_pool2d(a, (4, 5))),
                  (lambda a: pytensor.adaptive_max_pool2d(a, (4, 5)), lambda a: F.adaptive_max_pool2d(a, (4, 5)))]:
        a, at = t(y, requires_grad=True), torch.tensor(y, requires_grad=True)
        out, outt = f(a), ft(at)
        g = rng.standard_normal(tuple(out.shape))
        out.backward(t(g))
        outt.backward(torch.tensor(g))
        np.testing.assert_allclose(to_np(a.grad), at.grad.numpy(), 1e-12, 1e-12)

"""conv1d / conv2d / conv_transpose1d / conv_transpose2d: forward against a numpy float64
convolution, the implicit-im2col GEMM kernels (AVX2 and portable) against the plain-loop reference kernels, gradcheck of
input / weight / bias (and second order), node names, PyTorch's error messages, and parity
with PyTorch where it is installed."""
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import pytensor
from pytensor.autograd import gradcheck, gradgradcheck

from helpers import assert_close, layouts, rand, to_np

f64 = pytensor.float64


# ---- numpy references (float64) ----

def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def np_conv2d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """Cross-correlation of x [N, C, H, W] with w [O, C/groups, kh, kw], one kernel tap at a time."""
    (sh, sw), (ph, pw), (dh, dw) = pair(stride), pair(padding), pair(dilation)
    x, w = x.astype(np.float64), w.astype(np.float64)
    N, C, H, W = x.shape
    O, Cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    OH = (H + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    OW = (W + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    Og = O // groups
    y = np.zeros((N, O, OH, OW))
    for g in range(groups):
        xg = xp[:, g * Cg:(g + 1) * Cg]
        wg = w[g * Og:(g + 1) * Og]
        for i in range(kh):
            for j in range(kw):
                patch = xg[:, :, i * dh:i * dh + sh * (OH - 1) + 1:sh, j * dw:j * dw + sw * (OW - 1) + 1:sw]
                y[:, g * Og:(g + 1) * Og] += np.einsum("nchw,oc->nohw", patch, wg[:, :, i, j])
    if b is not None:
        y += b.astype(np.float64)[None, :, None, None]
    return y


def np_conv_transpose2d(x, w, b=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Each input pixel scatters its weighted kernel into the output (w: [Cin, Cout/groups, kh, kw])."""
    (sh, sw), (ph, pw), (dh, dw), (oph, opw) = pair(stride), pair(padding), pair(dilation), pair(output_padding)
    x, w = x.astype(np.float64), w.astype(np.float64)
    N, Cin, H, W = x.shape
    _, Cog, kh, kw = w.shape
    OH = (H - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1
    OW = (W - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1
    Cig = Cin // groups
    full = np.zeros((N, Cog * groups, OH + 2 * ph + dh * kh, OW + 2 * pw + dw * kw))
    for g in range(groups):
        xg = x[:, g * Cig:(g + 1) * Cig]
        wg = w[g * Cig:(g + 1) * Cig]
        for i in range(kh):
            for j in range(kw):
                contrib = np.einsum("nchw,co->nohw", xg, wg[:, :, i, j])
                full[:, g * Cog:(g + 1) * Cog, i * dh:i * dh + sh * (H - 1) + 1:sh,
                     j * dw:j * dw + sw * (W - 1) + 1:sw] += contrib
    y = full[:, :, ph:ph + OH, pw:pw + OW]
    if b is not None:
        y = y + b.astype(np.float64)[None, :, None, None]
    return y


def t(a, **kw):
    return pytensor.tensor(a, **kw)


# (N, C, H, W), O, (kh, kw), stride, padding, dilation, groups
CONV2D_CASES = [
    ((2, 3, 7, 9), 4, (3, 3), 1, 0, 1, 1),
    ((1, 1, 5, 5), 2, (5, 5), 1, 0, 1, 1),          # kernel == input
    ((2, 4, 8, 7), 6, (3, 3), 2, 1, 2, 2),          # strided, padded, dilated, grouped
    ((3, 6, 10, 11), 6, (2, 3), (2, 1), (1, 0), (1, 2), 3),
    ((2, 4, 6, 5), 8, (1, 1), 1, 0, 1, 1),          # pointwise (plain GEMM on the input)
    ((2, 64, 32, 33), 8, (1, 1), 1, 0, 1, 2),       # pointwise, samples too big for that: im2col
    ((2, 4, 6, 5), 8, (1, 1), 2, 0, 1, 4),          # 1x1 strided, depthwise-style groups
    ((1, 5, 9, 4), 3, (3, 1), (3, 2), (2, 0), 1, 1),
    ((0, 3, 5, 5), 2, (3, 3), 1, 1, 1, 1),          # empty batch
    ((2, 4, 5, 5), 4, (3, 3), 1, 1, 1, 4),          # depthwise
    ((1, 3, 4, 4), 2, (3, 3), 1, 3, 1, 1),          # padding wider than the kernel's reach
    ((2, 3, 20, 37), 5, (3, 5), 1, (1, 2), (1, 2), 1),  # rows wider than a GEMM panel, padded
    ((2, 6, 9, 8), 4, (3, 2), 1, (2, 1), 1, 2),     # stride 1, grouped: dx as a flipped forward
    ((1, 2, 3, 23), 3, (1, 3), 1, (0, 4), (1, 3), 1),  # one output row, wide padding
]


@pytest.mark.parametrize("shape,O,k,stride,padding,dilation,groups", CONV2D_CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_conv2d_matches_numpy(shape, O, k, stride, padding, dilation, groups, dtype):
    rng = np.random.default_rng(1)
    x = rand(shape, dtype, rng)
    w = rand((O, shape[1] // groups) + k, dtype, rng)
    b = rand((O,), dtype, rng)
    expected = np_conv2d(x, w, b, stride, padding, dilation, groups)
    got = pytensor.conv2d(t(x), t(w), t(b), stride=stride, padding=padding, dilation=dilation, groups=groups)
    tol = {"float32": (1e-4, 1e-4), "float64": (1e-12, 1e-11)}[dtype]
    assert_close(got, expected, *tol, dtype=dtype)
    no_bias = pytensor.conv2d(t(x), t(w), None, stride, padding, dilation, groups)
    assert_close(no_bias, np_conv2d(x, w, None, stride, padding, dilation, groups), *tol)


@pytest.mark.parametrize("which", ["input", "weight"])
def test_conv2d_noncontiguous(which):
    rng = np.random.default_rng(2)
    x, w = rand((3, 4, 6, 7), "float64", rng), rand((6, 2, 3, 2), "float64", rng)
    expected = np_conv2d(x, w, None, (2, 1), 1, 1, 2)
    arr = x if which == "input" else w
    for name, view, a in layouts(arr):
        args = (view, t(w)) if which == "input" else (t(x), view)
        got = pytensor.conv2d(*args, stride=(2, 1), padding=1, groups=2)
        assert_close(got, expected, 1e-12, 1e-11)
        assert np.array_equal(a, arr), name  # the input is not written


def test_conv2d_unbatched_and_padding_strings():
    rng = np.random.default_rng(3)
    x, w, b = rand((3, 6, 7), "float64", rng), rand((4, 3, 3, 2), "float64", rng), rand((4,), "float64", rng)
    got = pytensor.conv2d(t(x), t(w), t(b), padding=1)
    assert_close(got, np_conv2d(x[None], w, b, 1, 1)[0], 1e-12, 1e-11)
    assert_close(pytensor.conv2d(t(x), t(w), padding="valid"), np_conv2d(x[None], w)[0], 1e-12, 1e-11)
    # 'same' keeps the size; an even kernel puts the odd row/column of padding at the end.
    same = pytensor.conv2d(t(x[None]), t(w), padding="same", dilation=(1, 3))
    assert tuple(same.shape) == (1, 4, 6, 7)
    xp = np.pad(x[None], ((0, 0), (0, 0), (1, 1), (1, 2)))
    assert_close(same, np_conv2d(xp, w, dilation=(1, 3)), 1e-12, 1e-11)


def test_conv1d_matches_numpy():
    rng = np.random.default_rng(4)
    x, w, b = rand((2, 4, 11), "float64", rng), rand((6, 2, 3), "float64", rng), rand((6,), "float64", rng)
    got = pytensor.conv1d(t(x), t(w), t(b), stride=2, padding=2, dilation=2, groups=2)
    expected = np_conv2d(x[:, :, None], w[:, :, None], b, (1, 2), (0, 2), (1, 2), 2)[:, :, 0]
    assert_close(got, expected, 1e-12, 1e-11)
    unbatched = pytensor.conv1d(t(x[0]), t(w), t(b), 2, 2, 2, 2)
    assert_close(unbatched, expected[0], 1e-12, 1e-11)
    same = pytensor.conv1d(t(x), t(w[:, :, :2]), padding="same", groups=2)
    assert tuple(same.shape) == (2, 6, 11)


@pytest.mark.parametrize("shape,Cout,k,stride,padding,output_padding,groups,dilation", [
    ((2, 3, 4, 5), 2, (3, 3), 1, 0, 0, 1, 1),
    ((2, 4, 3, 4), 6, (3, 2), 2, 1, 1, 2, 1),
    ((1, 2, 5, 3), 3, (2, 3), (3, 2), (0, 1), (2, 0), 1, (1, 2)),
    ((2, 4, 3, 3), 4, (1, 1), 1, 0, 0, 1, 1),
    ((1, 6, 4, 4), 3, (3, 3), 2, 2, 1, 3, 2),
])
def test_conv_transpose2d_matches_numpy(shape, Cout, k, stride, padding, output_padding, groups, dilation):
    rng = np.random.default_rng(5)
    x = rand(shape, "float64", rng)
    w = rand((shape[1], Cout // groups) + k, "float64", rng)
    b = rand((Cout,), "float64", rng)
    got = pytensor.conv_transpose2d(t(x), t(w), t(b), stride, padding, output_padding, groups, dilation)
    expected = np_conv_transpose2d(x, w, b, stride, padding, output_padding, groups, dilation)
    assert_close(got, expected, 1e-12, 1e-11)
    x32, w32 = t(x.astype(np.float32)), t(w.astype(np.float32))
    assert_close(pytensor.conv_transpose2d(x32, w32, stride=stride, padding=padding, output_padding=output_padding,
                                           groups=groups, dilation=dilation),
                 np_conv_transpose2d(x, w, None, stride, padding, output_padding, groups, dilation), 1e-4, 1e-4)


def test_conv_transpose1d_and_unbatched():
    rng = np.random.default_rng(6)
    x, w = rand((2, 4, 5), "float64", rng), rand((4, 3, 3), "float64", rng)
    got = pytensor.conv_transpose1d(t(x), t(w), stride=2, padding=1, output_padding=1)
    expected = np_conv_transpose2d(x[:, :, None], w[:, :, None], None, (1, 2), (0, 1), (0, 1))[:, :, 0]
    assert_close(got, expected, 1e-12, 1e-11)
    assert_close(pytensor.conv_transpose2d(t(x[:, :, None]), t(w[:, :, None]), stride=(1, 2)),
                 np_conv_transpose2d(x[:, :, None], w[:, :, None], None, (1, 2)), 1e-12, 1e-11)
    assert_close(pytensor.conv_transpose1d(t(x[0]), t(w)),
                 np_conv_transpose2d(x[:1, :, None], w[:, :, None])[0, :, 0], 1e-12, 1e-11)


# ---- fast kernels against the reference loops ----

@pytest.fixture
def reference_conv():
    pytensor._C._use_reference_conv(True)
    yield
    pytensor._C._use_reference_conv(False)


def conv_and_grads(x, w, b, **kw):
    xs, ws, bs = (t(a, requires_grad=True) for a in (x, w, b))
    y = pytensor.conv2d(xs, ws, bs, **kw)
    g = np.random.default_rng(9).standard_normal(tuple(y.shape)).astype(x.dtype)
    y.backward(t(g))
    return [to_np(a) for a in (y, xs.grad, ws.grad, bs.grad)]


@pytest.mark.parametrize("shape,O,k,stride,padding,dilation,groups", CONV2D_CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_fast_kernels_match_reference(shape, O, k, stride, padding, dilation, groups, dtype, request):
    rng = np.random.default_rng(7)
    x, w, b = rand(shape, dtype, rng), rand((O, shape[1] // groups) + k, dtype, rng), rand((O,), dtype, rng)
    kw = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    fast = conv_and_grads(x, w, b, **kw)
    request.getfixturevalue("reference_conv")
    ref = conv_and_grads(x, w, b, **kw)
    tol = {"float32": (2e-4, 2e-4), "float64": (1e-11, 1e-11)}[dtype]
    for f, r in zip(fast, ref):
        np.testing.assert_allclose(f, r, *tol)


def test_portable_kernels_match_reference():
    # PT_GEMM_ISA=generic: portable GEMM kernels, whose panel width the AVX2 packer does not
    # serve, so the implicit im2col runs its plain-loop packing.
    code = (
        "import numpy as np, pytensor\n"
        "from test_conv import conv_and_grads, CONV2D_CASES\n"
        "from helpers import rand\n"
        "for shape, O, k, s, p, d, g in CONV2D_CASES:\n"
        "    rng = np.random.default_rng(3)\n"
        "    x, w, b = rand(shape, 'float32', rng), rand((O, shape[1] // g) + k, 'float32', rng), rand((O,), 'float32', rng)\n"
        "    kw = dict(stride=s, padding=p, dilation=d, groups=g)\n"
        "    fast = conv_and_grads(x, w, b, **kw)\n"
        "    pytensor._C._use_reference_conv(True)\n"
        "    ref = conv_and_grads(x, w, b, **kw)\n"
        "    pytensor._C._use_reference_conv(False)\n"
        "    for f, r in zip(fast, ref):\n"
        "        np.testing.assert_allclose(f, r, 2e-4, 2e-4)\n"
        "print('ok')\n")
    # The child imports the pytensor this process imported (installed or in-tree) and runs
    # in tests/ so that test_conv and helpers import.
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(pytensor.__file__)))
    env = dict(os.environ, PT_GEMM_ISA="generic", PYTHONPATH=package_root)
    tests_dir = os.path.dirname(os.path.abspath(__file__))
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=tests_dir, capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]


def test_threads_do_not_change_results():
    rng = np.random.default_rng(8)
    x, w, b = rand((5, 3, 9, 9), "float64", rng), rand((4, 3, 3, 3), "float64", rng), rand((4,), "float64", rng)
    n = pytensor.get_num_threads()
    try:
        pytensor.set_num_threads(1)
        one = conv_and_grads(x, w, b, padding=1)
        pytensor.set_num_threads(3)
        three = conv_and_grads(x, w, b, padding=1)
    finally:
        pytensor.set_num_threads(n)
    for a, c in zip(one, three):
        np.testing.assert_allclose(a, c, 1e-12, 1e-12)


@settings(max_examples=25, deadline=None)
@given(N=st.integers(1, 3), C=st.integers(1, 4), H=st.integers(1, 8), W=st.integers(1, 8),
       O=st.integers(1, 4), kh=st.integers(1, 3), kw=st.integers(1, 3), s=st.integers(1, 3),
       p=st.integers(0, 2), d=st.integers(1, 2), seed=st.integers(0, 1000))
def test_conv2d_property(N, C, H, W, O, kh, kw, s, p, d, seed):
    if H + 2 * p < d * (kh - 1) + 1 or W + 2 * p < d * (kw - 1) + 1:
        return
    rng = np.random.default_rng(seed)
    x, w = rand((N, C, H, W), "float64", rng), rand((O, C, kh, kw), "float64", rng)
    got = pytensor.conv2d(t(x), t(w), stride=s, padding=p, dilation=d)
    assert_close(got, np_conv2d(x, w, None, s, p, d), 1e-12, 1e-11)


# ---- autograd ----

def leaf(shape, seed):
    return t(np.random.default_rng(seed).uniform(-1, 1, shape), requires_grad=True)


@pytest.mark.parametrize("kw", [
    dict(),
    dict(stride=2, padding=1),
    dict(stride=(1, 2), padding=(0, 1), dilation=(2, 1)),
    dict(padding="same", dilation=2),
])
def test_conv2d_gradcheck(kw):
    x, w, b = leaf((2, 4, 5, 5), 0), leaf((4, 2, 2, 3), 1), leaf((4,), 2)
    assert gradcheck(lambda x, w, b: pytensor.conv2d(x, w, b, groups=2, **kw), (x, w, b))


def test_conv2d_gradcheck_noncontiguous_and_unbatched():
    base = np.random.default_rng(3).uniform(-1, 1, (5, 4, 3))
    for name, x, _ in layouts(base):
        x.requires_grad_()
        w = leaf((2, 3, 2, 2), 4)
        assert gradcheck(lambda x, w: pytensor.conv2d(x.permute(2, 0, 1), w, padding=1), (x, w)), name


def test_conv1d_and_transposed_gradcheck():
    x, w, b = leaf((2, 4, 6), 5), leaf((4, 2, 3), 6), leaf((4,), 7)
    assert gradcheck(lambda x, w, b: pytensor.conv1d(x, w, b, stride=2, padding=1, groups=2), (x, w, b))
    xt, wt, bt = leaf((2, 4, 3, 3), 8), leaf((4, 1, 2, 3), 9), leaf((2,), 10)
    assert gradcheck(lambda x, w, b: pytensor.conv_transpose2d(x, w, b, stride=2, padding=(0, 1), output_padding=1,
                                                               groups=2), (xt, wt, bt))
    x1, w1 = leaf((4, 5), 11), leaf((4, 2, 3), 12)
    assert gradcheck(lambda x, w: pytensor.conv_transpose1d(x, w, stride=2, dilation=2), (x1, w1))


def test_conv_gradgradcheck():
    x, w, b = leaf((1, 2, 4, 4), 13), leaf((2, 2, 2, 2), 14), leaf((2,), 15)
    assert gradgradcheck(lambda x, w, b: pytensor.conv2d(x, w, b, stride=2, padding=1), (x, w, b))
    xt, wt = leaf((1, 2, 3, 3), 16), leaf((2, 1, 2, 2), 17)
    assert gradgradcheck(lambda x, w: pytensor.conv_transpose2d(x, w, stride=2), (xt, wt))


def test_grad_fn_names_and_needs():
    x, w, b = leaf((1, 2, 4, 4), 0), leaf((3, 2, 3, 3), 1), leaf((3,), 2)
    assert pytensor.conv2d(x, w, b).grad_fn.name() == "ConvolutionBackward0"
    assert pytensor.conv1d(x[:, :, 0], w[:, :, 0]).grad_fn.name() == "ConvolutionBackward0"
    assert pytensor.conv_transpose2d(x, w.transpose(0, 1)).grad_fn.name() == "ConvolutionBackward0"
    assert pytensor.conv2d(x[0], w).grad_fn.name() == "SqueezeBackward1"  # unbatched, as PyTorch
    g, = pytensor.autograd.grad(pytensor.conv2d(x, w).sum(), x, create_graph=True)
    assert g.grad_fn.name() == "ConvolutionBackward0"
    g, = pytensor.autograd.grad(pytensor.conv2d(x, w).sum(), w, create_graph=True)
    assert g.grad_fn.name() == "ConvolutionBackwardBackward0"
    # The first layer of a network: data that needs no gradient gets none.
    data = t(np.ones((1, 2, 4, 4)))
    y = pytensor.conv2d(data, w, b)
    y.sum().backward()
    assert data.grad is None and w.grad is not None
    np.testing.assert_allclose(to_np(b.grad), np.full(3, 4.0))
    with pytensor.no_grad():
        assert not pytensor.conv2d(x, w).requires_grad
    assert not pytensor.conv2d(data, data[:, :, :3, :3].expand(3, 2, 3, 3)).requires_grad


# ---- bad input, with PyTorch's messages ----

@pytest.mark.parametrize("call,exc,fragment", [
    (lambda: pytensor.conv2d(pytensor.zeros(2, 3), pytensor.zeros(4, 3, 3, 3)), RuntimeError,
     "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [2, 3]"),
    (lambda: pytensor.conv1d(pytensor.zeros(1, 3, 5, 5), pytensor.zeros(8, 3, 3)), RuntimeError,
     "Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: [1, 3, 5, 5]"),
    (lambda: pytensor.conv2d(pytensor.zeros(1, 4, 5, 5), pytensor.zeros(8, 3, 3, 3)), RuntimeError,
     "Given groups=1, weight of size [8, 3, 3, 3], expected input[1, 4, 5, 5] to have 3 channels, "
     "but got 4 channels instead"),
    (lambda: pytensor.conv2d(pytensor.zeros(1, 3, 2, 2), pytensor.zeros(8, 3, 3, 3)), RuntimeError,
     "Calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). "
     "Kernel size can't be greater than actual input size"),
    (lambda: pytensor.conv2d(pytensor.zeros(1, 4, 5, 5), pytensor.zeros(8, 2, 3, 3), groups=3), RuntimeError,
     "Given groups=3, expected weight to be divisible by 3 at dimension 0, but got weight of size "
     "[[8, 2, 3, 3]] instead"),
    (lambda: pytensor.conv2d(pytensor.zeros(1, 4, 5, 5), pytensor.zeros(8, 2, 3, 3), pytensor.zeros(3), groups=2),
     RuntimeError, "expected bias to be 1-dimensional with 8 elements, but got bias of size [3] instead"),
    (lambda: pytensor.conv2d(pytensor.zeros(1, 3, 5, 5), pytensor.zeros(8, 3, 3, 3), stride=0), RuntimeError,
     "non-positive stride is not supported"),
    (lambda: pytensor.conv2d(pytensor.zeros(1, 3, 5, 5), pytensor.zeros(8, 3, 3, 3), padding=-1), RuntimeError,
     "negative padding is not supported"),
    (lambda: pytensor.conv2d(pytensor.zeros(1, 3, 5, 5), pytensor.zeros(8, 3, 3, 3), groups=0), RuntimeError,
     "non-positive groups is not supported"),
    (lambda: pytensor.conv2d(pytensor.zeros(1, 3, 5, 5), pytensor.zeros(8, 3, 3, 3), padding="same", stride=2),
     RuntimeError, "padding='same' is not supported for strided convolutions"),
    (lambda: pytensor.conv2d(pytensor.zeros(1, 3, 5, 5), pytensor.zeros(8, 3, 3, 3), padding="foo"), RuntimeError,
     "Invalid padding string: 'foo'"),
    (lambda: pytensor.conv2d(pytensor.zeros(1, 3, 5, 5), pytensor.zeros(8, 3, 3, 3), stride=(1, 2, 3)),
     RuntimeError, "expected stride to be a single integer value or a list of 2 values to match the "
     "convolution dimensions, but got stride=[1, 2, 3]"),
    (lambda: pytensor.conv2d(pytensor.zeros(1, 3, 5, 5), pytensor.zeros(8, 3, 3)), RuntimeError,
     "Expected 4D weight for conv2d"),
    (lambda: pytensor.conv2d(pytensor.zeros(1, 3, 5, 5), pytensor.zeros(8, 3, 3, 3, dtype=f64)), RuntimeError,
     "expected scalar type Float but found Double"),
    (lambda: pytensor.conv2d(pytensor.zeros(1, 3, 5, 5, dtype=pytensor.int64),
                             pytensor.zeros(8, 3, 3, 3, dtype=pytensor.int64)), RuntimeError,
     "\"conv2d\" not implemented for 'int64'"),
    (lambda: pytensor.conv_transpose2d(pytensor.zeros(1, 3, 5, 5), pytensor.zeros(3, 2, 3, 3), output_padding=1),
     RuntimeError, "output padding must be smaller than either stride or dilation"),
    (lambda: pytensor.conv_transpose2d(pytensor.zeros(1, 4, 5, 5), pytensor.zeros(3, 2, 3, 3)), RuntimeError,
     "Given transposed=1, weight of size [3, 2, 3, 3], expected input[1, 4, 5, 5] to have 3 channels, "
     "but got 4 channels instead"),
    (lambda: pytensor.conv_transpose2d(pytensor.zeros(1, 3, 1, 1), pytensor.zeros(3, 2, 1, 1), padding=1),
     RuntimeError, "Output size is too small"),
    (lambda: pytensor.conv2d(pytensor.zeros(1, 3, 5, 5), pytensor.zeros(8, 3, 3, 3), stride="a"), TypeError,
     "argument 'stride' must be tuple of ints"),
    (lambda: pytensor.conv2d(np.zeros((1, 3, 5, 5)), pytensor.zeros(8, 3, 3, 3)), TypeError, ""),
    (lambda: pytensor.conv2d(pytensor.zeros(1, 3, 5, 5), pytensor.zeros(8, 3, 0, 3)), RuntimeError,
     "kernel size should be greater than zero, but got kernel_height: 0 kernel_width: 3"),
    (lambda: pytensor.conv_transpose1d(pytensor.zeros(1, 3, 5), pytensor.zeros(3, 2, 0)), RuntimeError,
     "kernel size should be greater than zero, but got kernel_width: 0"),
    (lambda: pytensor.conv2d(pytensor.zeros(1, 3, 5, 5), pytensor.zeros(0, 3, 3, 3)), RuntimeError,
     "expected weight to be at least 1 at dimension 0, but got weight of size [0, 3, 3, 3] instead"),
])
def test_bad_input(call, exc, fragment):
    with pytest.raises(exc) as info:
        call()
    assert fragment in str(info.value)


# ---- parity with PyTorch ----

def test_matches_torch():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(10)
    for shape, O, k, stride, padding, dilation, groups in CONV2D_CASES:
        x, w, b = rand(shape, "float64", rng), rand((O, shape[1] // groups) + k, "float64", rng), rand((O,), "float64", rng)
        kw = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
        xs, ws, bs = (t(a, requires_grad=True) for a in (x, w, b))
        xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
        y, yt = pytensor.conv2d(xs, ws, bs, **kw), F.conv2d(xt, wt, bt, **kw)
        np.testing.assert_allclose(to_np(y), yt.detach().numpy(), 1e-10, 1e-10)
        g = rng.standard_normal(tuple(y.shape))
        y.backward(t(g))
        yt.backward(torch.tensor(g))
        for a, at in ((xs, xt), (ws, wt), (bs, bt)):
            np.testing.assert_allclose(to_np(a.grad), at.grad.numpy(), 1e-10, 1e-10)
    x, w = rand((2, 6, 4, 5), "float64", rng), rand((6, 2, 3, 2), "float64", rng)
    kw = dict(stride=(2, 3), padding=(1, 0), output_padding=(1, 2), groups=3, dilation=(1, 2))
    np.testing.assert_allclose(to_np(pytensor.conv_transpose2d(t(x), t(w), **kw)),
                               F.conv_transpose2d(torch.tensor(x), torch.tensor(w), **kw).numpy(), 1e-10, 1e-10)
    x1, w1 = rand((3, 4, 9), "float64", rng), rand((2, 4, 4), "float64", rng)
    np.testing.assert_allclose(to_np(pytensor.conv1d(t(x1), t(w1), padding="same", dilation=2)),
                               F.conv1d(torch.tensor(x1), torch.tensor(w1), padding="same", dilation=2).numpy(),
                               1e-10, 1e-10)

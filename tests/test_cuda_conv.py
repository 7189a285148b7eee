"""Convolutions and poolings on CUDA (cuda/conv.cu, cuda/pool.cu) against the CPU: forward and
backward on odd channel counts and image sizes that are no multiple of the 64x64 tiles,
strides, paddings, dilations, groups, 1x1 kernels, the MNIST CNN's and a ResNet layer's
shapes, every pooling option, second derivatives, and bit-identical reruns."""
import numpy as np
import pytest

import pytensor
from helpers import GPU, assert_close, grads_as_cpu, on_gpu, rand, same_as_cpu, to_np

pytestmark = pytest.mark.cuda

# Device sums run in another order than the CPU's: float32 holds to rtol 1e-4 with an atol
# for the entries that cancel to near zero in sums of hundreds of terms.
TOL = {"float32": dict(rtol=1e-4, atol=1e-3), "float64": dict(rtol=1e-10, atol=1e-10)}


def arr(shape, dtype, seed, scale=1.0):
    return pytensor.from_numpy(rand(shape, dtype, np.random.default_rng(seed), low=-scale, high=scale))


def run_twice_equal(fn, *args):
    """fn on the device twice (forward and .grad of every floating argument): bit-identical."""
    def once():
        ins = [a.to(GPU).requires_grad_(True) for a in args]
        out = fn(*ins)
        w = pytensor.from_numpy(np.random.default_rng(9).standard_normal(tuple(out.shape)).astype(
            to_np(out.detach()).dtype)).to(GPU)
        (out * w).sum().backward()
        return [to_np(out.detach())] + [to_np(a.grad) for a in ins]
    first, second = once(), once()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


# ---- convolution ----

# (N, C, H, W), O, k, stride, padding, dilation, groups, bias
CONV2D_CASES = [
    ((2, 3, 13, 17), 5, 3, 1, 1, 1, 1, True),
    ((3, 5, 13, 17), 17, 3, 2, 2, 1, 1, True),           # stride 2, padding 2
    ((1, 3, 13, 17), 33, (3, 5), (2, 1), (1, 2), 2, 1, False),  # dilation 2, no bias
    ((2, 6, 11, 9), 4, 3, 1, 1, 1, 2, True),             # groups 2
    ((2, 5, 13, 17), 5, 3, 2, 1, 1, 5, True),            # depthwise, strided
    ((3, 17, 9, 10), 33, 1, 1, 0, 1, 1, True),           # 1x1
    ((2, 33, 7, 7), 17, 1, 2, 0, 1, 1, False),           # 1x1 strided
    ((1, 4, 9, 9), 130, 3, 1, 1, 1, 1, True),            # three tiles of output channels
    ((1, 3, 4, 4), 2, 3, 1, 3, 1, 1, True),              # padding wider than the kernel's reach
    ((0, 3, 5, 5), 2, 3, 1, 1, 1, 1, True),              # empty batch
    ((1, 1, 28, 28), 32, 3, 1, 0, 1, 1, True),           # MNIST CNN conv1
    ((2, 32, 26, 26), 64, 3, 1, 0, 1, 1, True),          # MNIST CNN conv2
    ((2, 64, 24, 24), 64, 3, 1, 1, 1, 1, False),         # ResNet 64->64 3x3 layer
]


def conv2d_fn(stride, padding, dilation, groups):
    return lambda x, w, b=None: pytensor.conv2d(x, w, b, stride, padding, dilation, groups)


@pytest.mark.parametrize("shape,O,k,stride,padding,dilation,groups,bias", CONV2D_CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_conv2d_forward_backward(shape, O, k, stride, padding, dilation, groups, bias, dtype):
    kh, kw = (k, k) if isinstance(k, int) else k
    x = arr(shape, dtype, 0)
    w = arr((O, shape[1] // groups, kh, kw), dtype, 1)
    args = [x, w] + ([arr((O,), dtype, 2)] if bias else [])
    fn = conv2d_fn(stride, padding, dilation, groups)
    same_as_cpu(fn, *args, **TOL[dtype])
    grads_as_cpu(fn, *args, **TOL[dtype])


def test_conv2d_noncontiguous_unbatched_same_padding():
    x = arr((2, 5, 17, 13), "float32", 3)
    w = arr((7, 5, 6, 3), "float32", 4)
    same_as_cpu(lambda x, w: pytensor.conv2d(x.transpose(2, 3), w[:, :, ::2]), x, w, **TOL["float32"])
    same_as_cpu(lambda x, w: pytensor.conv2d(x[0], w[:, :, ::2], padding="same"), x, w, **TOL["float32"])
    grads_as_cpu(lambda x, w: pytensor.conv2d(x.transpose(2, 3), w[:, :, ::2], padding=1, stride=2), x, w,
                 **TOL["float32"])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape,O,k,stride,padding,dilation,groups", [
    ((3, 5, 37), 17, 5, 2, 2, 1, 1),
    ((2, 6, 29), 4, 3, 1, 2, 2, 2),
    ((1, 33, 16), 33, 3, 1, 1, 1, 33),   # depthwise
])
def test_conv1d_forward_backward(shape, O, k, stride, padding, dilation, groups, dtype):
    x, w, b = arr(shape, dtype, 5), arr((O, shape[1] // groups, k), dtype, 6), arr((O,), dtype, 7)
    fn = lambda x, w, b: pytensor.conv1d(x, w, b, stride, padding, dilation, groups)  # noqa: E731
    grads_as_cpu(fn, x, w, b, **TOL[dtype])


# (N, Cin, H, W), Cout per group, k, stride, padding, output_padding, groups, dilation
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape,Cout,k,stride,padding,outpad,groups,dilation", [
    ((2, 3, 7, 9), 5, 3, 2, 1, 1, 1, 1),
    ((1, 6, 13, 17), 3, (3, 2), 1, (2, 1), 0, 2, 2),
    ((3, 17, 5, 6), 33, 4, 2, 0, 0, 1, 1),
    ((2, 4, 6, 5), 2, 1, 1, 0, 0, 1, 1),
])
def test_conv_transpose2d_forward_backward(shape, Cout, k, stride, padding, outpad, groups, dilation, dtype):
    kh, kw = (k, k) if isinstance(k, int) else k
    x, w, b = arr(shape, dtype, 8), arr((shape[1], Cout, kh, kw), dtype, 9), arr((Cout * groups,), dtype, 10)
    fn = lambda x, w, b: pytensor.conv_transpose2d(x, w, b, stride, padding, outpad, groups, dilation)  # noqa: E731
    same_as_cpu(fn, x, w, b, **TOL[dtype])
    grads_as_cpu(fn, x, w, b, **TOL[dtype])


def test_conv_transpose1d_forward_backward():
    x, w, b = arr((2, 5, 19), "float64", 11), arr((5, 3, 4), "float64", 12), arr((3,), "float64", 13)
    grads_as_cpu(lambda x, w, b: pytensor.conv_transpose1d(x, w, b, 3, 1, 2), x, w, b, **TOL["float64"])


def test_conv2d_second_derivatives():
    x, w = arr((2, 3, 9, 8), "float64", 14), arr((4, 3, 3, 3), "float64", 15)
    v = arr((2, 4, 5, 4), "float64", 16)
    u = arr((2, 3, 9, 8), "float64", 17)

    def second(device):
        xd, wd, vd = (t.to(device).requires_grad_(True) for t in (x, w, v))
        y = pytensor.conv2d(xd, wd, stride=2, padding=1)
        (gx,) = pytensor.autograd.grad(y, xd, vd, create_graph=True)
        return pytensor.autograd.grad(gx, (wd, vd), u.to(device))
    for g, e in zip(second(GPU), second("cpu")):
        assert on_gpu(g)
        assert_close(g, to_np(e), **TOL["float64"])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_conv_deterministic(dtype):
    # grad_weight cut into K slices (2 * 24 * 24 = 1152 long), grad_input with stride 2
    run_twice_equal(lambda x, w, b: pytensor.conv2d(x, w, b, 1, 1), arr((2, 32, 24, 24), dtype, 18),
                    arr((64, 32, 3, 3), dtype, 19), arr((64,), dtype, 20))
    run_twice_equal(lambda x, w: pytensor.conv2d(x, w, None, 2, 2, 1, 5), arr((3, 5, 13, 17), dtype, 21),
                    arr((5, 1, 3, 3), dtype, 22))


def test_conv_mixed_devices_refused():
    if GPU == "cpu":
        pytest.skip("the dry run has one device")
    x, w = arr((1, 2, 5, 5), "float32", 23), arr((3, 2, 3, 3), "float32", 24)
    with pytest.raises(RuntimeError, match="conv2d: Expected all tensors to be on the same device"):
        pytensor.conv2d(x.to(GPU), w)
    with pytest.raises(RuntimeError, match="conv2d: Expected all tensors to be on the same device"):
        pytensor.conv2d(x.to(GPU), w.to(GPU), arr((3,), "float32", 25))


# ---- pooling ----

# shape, kernel, stride, padding, dilation, ceil_mode
MAX_CASES = [
    ((2, 3, 13, 17), 3, 2, 1, 1, False),
    ((1, 5, 13, 17), 3, 1, 1, 2, True),          # overlapping, dilated windows
    ((2, 3, 9, 9), 2, None, 0, 1, False),
    ((3, 11, 10), (2, 3), (1, 2), (1, 1), 1, True),  # unbatched
    ((2, 33, 28, 28), 2, 2, 0, 1, False),        # MNIST CNN
    ((1, 2, 7, 5), (3, 2), (2, 3), (1, 1), (2, 1), True),
]


@pytest.mark.parametrize("shape,k,s,p,d,ceil_mode", MAX_CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "uint8"])
def test_max_pool2d_values_and_indices(shape, k, s, p, d, ceil_mode, dtype):
    # few distinct values: ties must keep the first maximum, as on the CPU
    x = pytensor.from_numpy(rand(shape, dtype, np.random.default_rng(30), low=0, high=4))
    same_as_cpu(lambda x: pytensor.max_pool2d(x, k, s, p, d, ceil_mode, return_indices=True), x)


@pytest.mark.parametrize("shape,k,s,p,d,ceil_mode", MAX_CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_max_pool2d_backward(shape, k, s, p, d, ceil_mode, dtype):
    x = pytensor.from_numpy(rand(shape, dtype, np.random.default_rng(31), low=0, high=4))
    grads_as_cpu(lambda x: pytensor.max_pool2d(x, k, s, p, d, ceil_mode), x, **TOL[dtype])


def test_max_pool_nan_inf_and_windows_off_the_input():
    x = np.array([[[[1.0, np.nan, 3.0, -np.inf], [0.0, 2.0, -np.inf, -np.inf]]]])
    same_as_cpu(lambda x: pytensor.max_pool2d(x, 2, return_indices=True), pytensor.from_numpy(x))
    same_as_cpu(lambda x: pytensor.adaptive_max_pool2d(x, (1, 3), return_indices=True), pytensor.from_numpy(x))
    # dilation 5, padding 3 on a 2x2 image: every window misses the input (-inf at index -1)
    y = arr((1, 2, 2, 2), "float64", 32)
    v, i = same_as_cpu(lambda x: pytensor.max_pool2d(x, 2, 1, 3, 5, return_indices=True), y)
    assert (to_np(i) == -1).all() and (to_np(v) == -np.inf).all()


# shape, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override
AVG_CASES = [
    ((2, 3, 13, 17), 3, 2, 1, False, True, None),
    ((2, 3, 13, 17), 3, 2, 1, False, False, None),
    ((1, 5, 13, 17), 3, 2, 1, True, True, None),
    ((1, 5, 13, 17), 3, 2, 1, True, False, None),
    ((1, 2, 6, 6), 2, 3, 1, True, False, None),     # a last window wholly in the padding
    ((1, 2, 10, 9), (3, 2), (2, 3), (1, 1), True, True, 5),
    ((3, 7, 5), (2, 3), 1, (1, 0), False, False, None),  # overlapping, unbatched
    ((2, 33, 28, 28), 2, None, 0, False, True, None),
]


@pytest.mark.parametrize("shape,k,s,p,ceil_mode,cip,div", AVG_CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_avg_pool2d_forward_backward(shape, k, s, p, ceil_mode, cip, div, dtype):
    x = arr(shape, dtype, 33, 3.0)
    fn = lambda x: pytensor.avg_pool2d(x, k, s, p, ceil_mode, cip, div)  # noqa: E731
    same_as_cpu(fn, x, **TOL[dtype])
    grads_as_cpu(fn, x, **TOL[dtype])


@pytest.mark.parametrize("size", [(3, 4), 5, (None, 7), (20, 30), (13, 1), 1])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_adaptive_pools_forward_backward(size, dtype):
    x = arr((2, 3, 13, 17), dtype, 34, 3.0)
    same_as_cpu(lambda x: pytensor.adaptive_max_pool2d(x, size, return_indices=True), x)
    for fn in (lambda x: pytensor.adaptive_avg_pool2d(x, size), lambda x: pytensor.adaptive_max_pool2d(x, size)):
        same_as_cpu(fn, x, **TOL[dtype])
        grads_as_cpu(fn, x, **TOL[dtype])
    grads_as_cpu(lambda x: pytensor.adaptive_avg_pool2d(x, size), x[0], **TOL[dtype])


def test_adaptive_max_pool_integer():
    x = pytensor.from_numpy(rand((2, 3, 13, 17), "int32", np.random.default_rng(35), low=0, high=3))
    same_as_cpu(lambda x: pytensor.adaptive_max_pool2d(x, (4, 6), return_indices=True), x)


def test_pool1d_forward_backward():
    x = arr((2, 3, 37), "float64", 36, 3.0)
    grads_as_cpu(lambda x: pytensor.max_pool1d(x, 3, 2, 1, 2, True), x, **TOL["float64"])
    grads_as_cpu(lambda x: pytensor.avg_pool1d(x, 4, 3, 2, True, False), x, **TOL["float64"])
    same_as_cpu(lambda x: pytensor.max_pool1d(x, 2, return_indices=True), x)


def test_pools_noncontiguous():
    x = arr((2, 3, 14, 13), "float32", 37, 3.0)
    for fn in (lambda x: pytensor.max_pool2d(x.transpose(2, 3), 3, 2, 1),
               lambda x: pytensor.avg_pool2d(x[:, :, ::2], 3, 2, 1),
               lambda x: pytensor.adaptive_avg_pool2d(x.transpose(2, 3), (3, 4)),
               lambda x: pytensor.adaptive_max_pool2d(x[..., ::2], 4)):
        same_as_cpu(fn, x, **TOL["float32"])
        grads_as_cpu(fn, x, **TOL["float32"])


def test_max_pool_second_derivative():
    # the backward of max pooling's backward gathers by the saved indices
    x, v, u = arr((2, 3, 9, 8), "float64", 38), arr((2, 3, 5, 4), "float64", 39), arr((2, 3, 9, 8), "float64", 40)

    def second(device):
        xd, vd = x.to(device).requires_grad_(True), v.to(device).requires_grad_(True)
        y = pytensor.max_pool2d(xd, 3, 2, 1)
        (gx,) = pytensor.autograd.grad(y, xd, vd, create_graph=True)
        return pytensor.autograd.grad(gx, vd, u.to(device))
    for g, e in zip(second(GPU), second("cpu")):
        assert on_gpu(g)
        assert_close(g, to_np(e), **TOL["float64"])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_pools_deterministic(dtype):
    x = arr((2, 5, 13, 17), dtype, 41, 3.0)
    run_twice_equal(lambda x: pytensor.max_pool2d(x, 3, 1, 1), x)
    run_twice_equal(lambda x: pytensor.avg_pool2d(x, 3, 2, 1, True, False), x)
    run_twice_equal(lambda x: pytensor.adaptive_avg_pool2d(x, (5, 7)), x)
    run_twice_equal(lambda x: pytensor.adaptive_max_pool2d(x, (20, 30)), x)


def test_pools_large_and_empty():
    # more cells than one pass of the grid (SMs x 16 blocks x 256 threads): the grid-stride loops wrap
    x = arr((4, 64, 56, 56), "float32", 42, 3.0)
    for fn in (lambda x: pytensor.max_pool2d(x, 3, 2, 1), lambda x: pytensor.avg_pool2d(x, 2)):
        grads_as_cpu(fn, x, **TOL["float32"])
    e = arr((0, 3, 5, 5), "float32", 43)
    same_as_cpu(lambda x: pytensor.max_pool2d(x, 2, return_indices=True), e)
    same_as_cpu(lambda x: pytensor.avg_pool2d(x, 2), e)
    same_as_cpu(lambda x: pytensor.adaptive_avg_pool2d(x, 3), e)
    grads_as_cpu(lambda x, w: pytensor.conv_transpose2d(x, w, stride=2), e, arr((3, 2, 3, 3), "float32", 44))

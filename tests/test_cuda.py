"""The CUDA backend. Tests marked `cuda` compare each CUDA op with the CPU result on random
inputs (contiguous, transposed, strided, broadcast, odd sizes, empty, 0-d) and check the
caching allocator; they skip without a GPU. The unmarked tests check what a machine without
a GPU (or a build without CUDA) answers."""
import numpy as np
import pytest

import pytensor
from helpers import (ALL_DTYPES, CUDA_SHAPES, FLOAT_DTYPES, INT_DTYPES, assert_close, gpu_layouts, rand,
                     same_as_cpu, to_np)

cuda = pytest.mark.cuda
no_gpu = pytest.mark.skipif(pytensor.cuda.is_available(), reason="checks the no-GPU answers")

# ---- without a GPU ----

@no_gpu
def test_no_gpu_queries():
    assert pytensor.cuda.is_available() is False
    assert pytensor.cuda.device_count() == 0
    assert pytensor.cuda.memory_allocated() == 0
    assert pytensor.cuda.max_memory_allocated() == 0
    assert pytensor.cuda.memory_reserved() == 0
    assert pytensor.cuda.empty_cache() is None


@no_gpu
@pytest.mark.parametrize("call", [
    lambda: pytensor.ones(2).cuda(),
    lambda: pytensor.ones(2).to("cuda"),
    lambda: pytensor.ones(2, device="cuda"),
    lambda: pytensor.zeros(0, device="cuda"),
    lambda: pytensor.arange(5, device="cuda"),
    lambda: pytensor.cuda.current_device(),
    lambda: pytensor.cuda.set_device(0),
    lambda: pytensor.cuda.reset_peak_memory_stats(),
    lambda: pytensor.cuda.synchronize(),
])
def test_no_gpu_raises_runtime_error(call):
    with pytest.raises(RuntimeError, match="CUDA|cuda|GPU"):
        call()


def test_manual_seed_is_stored():
    pytensor.cuda.manual_seed(1234)
    assert pytensor.cuda.initial_seed() == 1234
    pytensor.cuda.manual_seed_all(7)
    assert pytensor.cuda.initial_seed() == 7


def test_out_of_memory_error_is_a_runtime_error():
    assert issubclass(pytensor.cuda.OutOfMemoryError, RuntimeError)


# ---- copies and factories ----

@cuda
@pytest.mark.parametrize("shape", CUDA_SHAPES)
@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_round_trip(shape, dtype):
    a = rand(shape, dtype)
    t = pytensor.from_numpy(a).cuda()
    assert t.is_cuda and t.device.type == "cuda"
    np.testing.assert_array_equal(to_np(t.cpu()), a)


@cuda
@pytest.mark.parametrize("shape", [(5, 3), (2, 3, 5), (4, 1, 33, 7)])
def test_non_contiguous_copies(shape):
    a = rand(shape)
    host_view = pytensor.from_numpy(np.repeat(a, 2, axis=-1))[..., ::2]
    np.testing.assert_array_equal(to_np(host_view.cuda().cpu()), a)   # strided host -> device
    for name, t, arr in gpu_layouts(a):
        np.testing.assert_array_equal(to_np(t.cpu()), arr, err_msg=name)  # strided device -> host
        c = t.contiguous()
        assert c.is_contiguous() and c.is_cuda
        np.testing.assert_array_equal(to_np(c), arr, err_msg=name)
        np.testing.assert_array_equal(to_np(t.transpose(0, -1).cpu()), np.swapaxes(arr, 0, -1))


@cuda
@pytest.mark.parametrize("src", ALL_DTYPES)
@pytest.mark.parametrize("dst", ALL_DTYPES)
def test_casts_on_device(src, dst):
    # Non-negative values: a negative float cast to uint8 is undefined in C++ and CUDA alike.
    a = pytensor.from_numpy(rand((3, 67), src, low=0 if dst == "uint8" else -3))
    dt = getattr(pytensor, dst)
    got = a.cuda().t().to(dt)
    assert got.is_cuda and got.dtype == dt
    np.testing.assert_array_equal(to_np(got), to_np(a.t().to(dt)))


@cuda
def test_copy_between_devices_and_broadcast():
    a = rand((4, 5))
    dst = pytensor.zeros(4, 5, device="cuda")
    dst.copy_(pytensor.from_numpy(a))                     # host -> device
    np.testing.assert_array_equal(to_np(dst), a)
    view = pytensor.zeros(5, 4, device="cuda").t()
    view.copy_(pytensor.from_numpy(a[0]).cuda())           # device -> device, broadcast, strided
    np.testing.assert_array_equal(to_np(view), np.broadcast_to(a[0], (4, 5)))
    host = pytensor.zeros(5, 4).t()
    host.copy_(dst)                                         # device -> strided host
    np.testing.assert_array_equal(to_np(host), a)
    dst[1:].copy_(dst[:-1])                                 # overlapping on the device
    np.testing.assert_array_equal(to_np(dst)[1:], a[:-1])


@cuda
def test_gradients_return_to_their_inputs_device():
    a = rand((3, 4), "float64")
    w = rand((3, 4), "float64")
    x = pytensor.from_numpy(a).requires_grad_(True)           # a CPU leaf used on the device
    (x.to("cuda", pytensor.float32) * pytensor.from_numpy(w).to("cuda")).sum().backward()
    assert x.grad.device.type == "cpu" and x.grad.dtype == pytensor.float64
    assert_close(x.grad, w.astype(np.float32).astype(np.float64), rtol=1e-6, atol=1e-7)
    y = pytensor.from_numpy(a).to("cuda").requires_grad_(True)  # a device leaf used on the CPU
    dst = pytensor.zeros(3, 4, dtype=pytensor.float64)
    dst.copy_(y)
    (dst * pytensor.from_numpy(w)).sum().backward()
    assert y.grad.device.type == "cuda"
    assert_close(y.grad, w)


@cuda
@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_factories_on_device(dtype):
    dt = getattr(pytensor, dtype)
    for t, ref in [(pytensor.zeros(3, 257, dtype=dt, device="cuda"), np.zeros((3, 257))),
                   (pytensor.ones(7, dtype=dt, device="cuda"), np.ones(7)),
                   (pytensor.full((2, 3), 1, dtype=dt, device="cuda"), np.ones((2, 3))),
                   (pytensor.zeros(0, dtype=dt, device="cuda"), np.zeros(0))]:
        assert t.is_cuda
        assert_close(t, ref.astype(to_np(t).dtype), dtype=dtype)
    if dtype != "bool":
        assert_close(pytensor.arange(2, 250, 3, dtype=dt, device="cuda"), np.arange(2, 250, 3), dtype=dtype)
    x = pytensor.zeros(6, 4, device="cuda")
    x.t().fill_(2.5)
    x[:, 1].fill_(pytensor.tensor(-1.0))
    ref = np.full((6, 4), 2.5)
    ref[:, 1] = -1
    assert_close(x, ref)


@cuda
def test_float_arange_on_device():
    assert_close(pytensor.arange(-1.5, 3.0, 0.25, device="cuda"), np.arange(-1.5, 3.0, 0.25))


# ---- elementwise ----

BINARY = {
    "add": (lambda a, b: pytensor.add(a, b, alpha=2), lambda a, b: a + 2 * b),
    "sub": (lambda a, b: a - b, np.subtract),
    "mul": (lambda a, b: a * b, np.multiply),
    "div": (lambda a, b: a / b, np.divide),
    "maximum": (pytensor.maximum, np.maximum),
    "minimum": (pytensor.minimum, np.minimum),
}
COMPARE = {"eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal,
           "gt": np.greater, "ge": np.greater_equal}


@cuda
@pytest.mark.parametrize("shape", CUDA_SHAPES)
@pytest.mark.parametrize("op", BINARY)
def test_binary_layouts(op, shape):
    fn, ref = BINARY[op]
    a, b = rand(shape), rand(shape, rng=np.random.default_rng(1), low=0.5)
    for name, ta, arr_a in gpu_layouts(a):
        for _, tb, arr_b in gpu_layouts(b):
            got = fn(ta, tb)
            assert got.is_cuda
            assert_close(got, ref(arr_a.astype(np.float64), arr_b.astype(np.float64)), dtype="float32")


@cuda
@pytest.mark.parametrize("op", BINARY)
@pytest.mark.parametrize("dtype", INT_DTYPES + FLOAT_DTYPES)
def test_binary_dtypes_broadcast_and_numbers(op, dtype):
    fn, _ = BINARY[op]
    a = pytensor.from_numpy(rand((5, 1, 33), dtype))
    b = pytensor.from_numpy(rand((4, 1), dtype, rng=np.random.default_rng(2), low=1))
    same_as_cpu(fn, a, b)                        # broadcast both ways
    same_as_cpu(fn, a, 3)                        # Python int
    same_as_cpu(fn, a, 1.5)                      # Python float promotes ints
    same_as_cpu(fn, a, pytensor.tensor(2))       # 0-d CPU tensor joins the CUDA op
    same_as_cpu(fn, a, b.to(pytensor.float64))   # promotion between tensors


@cuda
@pytest.mark.parametrize("op", COMPARE)
@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_comparisons(op, dtype):
    a = pytensor.from_numpy(rand((3, 257), dtype))
    b = pytensor.from_numpy(rand((257,), dtype, rng=np.random.default_rng(3)))
    fn = getattr(pytensor, op)
    got = fn(a.cuda(), b.cuda())
    assert got.is_cuda and got.dtype == pytensor.bool
    np.testing.assert_array_equal(to_np(got), COMPARE[op](to_np(a), to_np(b)))
    same_as_cpu(lambda x: fn(x, 1), a)


@cuda
def test_inplace_binary_on_device():
    a = rand((6, 130))
    t = pytensor.from_numpy(a).cuda()
    view = t.t()
    view.add_(pytensor.from_numpy(a[:, 0]).cuda(), alpha=-1)   # broadcast into a strided view
    view.mul_(2)
    assert_close(t, (a - a[:, :1]) * 2)
    i = pytensor.arange(10, device="cuda")
    i.add_(3)
    assert_close(i, np.arange(10) + 3, dtype="int64")


UNARY = {
    "neg": np.negative, "abs": np.abs, "relu": lambda x: np.maximum(x, 0), "exp": np.exp,
    "log": np.log, "sqrt": np.sqrt, "rsqrt": lambda x: 1 / np.sqrt(x), "tanh": np.tanh,
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
}
POSITIVE = {"log", "sqrt", "rsqrt"}


@cuda
@pytest.mark.parametrize("shape", CUDA_SHAPES)
@pytest.mark.parametrize("op", UNARY)
def test_unary_layouts(op, shape):
    a = rand(shape, low=0.1 if op in POSITIVE else -3)
    fn = getattr(pytensor, op)
    for name, t, arr in gpu_layouts(a):
        got = fn(t)
        assert got.is_cuda
        assert_close(got, UNARY[op](arr.astype(np.float64)), dtype="float32")


@cuda
@pytest.mark.parametrize("op", UNARY)
@pytest.mark.parametrize("dtype", INT_DTYPES + ["float64"])
def test_unary_dtypes(op, dtype):
    if op == "neg" and dtype == "uint8":
        pytest.skip("uint8 negation wraps; covered by the CPU tests")
    a = pytensor.from_numpy(rand((3, 41), dtype, low=1))
    same_as_cpu(getattr(pytensor, op), a)
    if dtype == "float64":
        t = a.cuda()
        getattr(t, op + "_")()
        assert_close(t, to_np(getattr(pytensor, op)(a)))


@cuda
@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_where(dtype):
    cond = pytensor.from_numpy(rand((4, 1, 67), "bool"))
    a = pytensor.from_numpy(rand((3, 67), dtype))
    b = pytensor.from_numpy(rand((67,), dtype, rng=np.random.default_rng(4)))
    same_as_cpu(pytensor.where, cond, a, b)
    same_as_cpu(pytensor.where, cond, a, 0)


@cuda
def test_op_without_cuda_kernel_raises_not_implemented():
    with pytest.raises(NotImplementedError, match="multinomial"):
        pytensor.multinomial(pytensor.ones(3, device="cuda"), 2)


@cuda
@pytest.mark.parametrize("call", [
    lambda c, h: c + h, lambda c, h: h * c, lambda c, h: pytensor.where(c > 0, c, h),
    lambda c, h: c.add_(h), lambda c, h: pytensor.maximum(h.copy_(c), c),
])
def test_device_mismatch(call):
    c, h = pytensor.ones(3, device="cuda"), pytensor.ones(3)
    with pytest.raises(RuntimeError, match="cuda:0 and cpu|cpu and cuda:0"):
        call(c, h)


# ---- the caching allocator ----

@cuda
def test_allocator_reuses_and_counts():
    pytensor.cuda.synchronize()
    base = pytensor.cuda.memory_allocated()
    t = pytensor.empty(1000, device="cuda")   # 4000 bytes, rounded to 512
    assert pytensor.cuda.memory_allocated() == base + 4096
    ptr = t.data_ptr()
    del t
    assert pytensor.cuda.memory_allocated() == base
    u = pytensor.empty(1000, device="cuda")
    assert u.data_ptr() == ptr                 # the cached block comes back
    big = pytensor.empty(3 << 20, device="cuda")
    assert pytensor.cuda.max_memory_allocated() >= base + 4096 + (12 << 20)
    del big, u
    assert pytensor.cuda.memory_allocated() == base
    reserved = pytensor.cuda.memory_reserved()
    assert reserved >= 12 << 20                 # freed blocks stay cached...
    pytensor.cuda.empty_cache()
    assert pytensor.cuda.memory_reserved() < reserved   # ...until empty_cache
    pytensor.cuda.reset_peak_memory_stats()
    assert pytensor.cuda.max_memory_allocated() == pytensor.cuda.memory_allocated()


@cuda
def test_allocator_splits_and_merges():
    base, reserved = pytensor.cuda.memory_allocated(), pytensor.cuda.memory_reserved()
    ts = [pytensor.empty(100, device="cuda") for _ in range(50)]   # 512-byte blocks...
    assert pytensor.cuda.memory_allocated() == base + 50 * 512
    assert pytensor.cuda.memory_reserved() - reserved <= 2 << 20    # ...cut from one segment
    del ts
    one = pytensor.empty(50 * 128, device="cuda")   # freed neighbours merged serve a larger block
    assert pytensor.cuda.memory_allocated() == base + 25600
    del one


@cuda
def test_out_of_memory():
    with pytest.raises(pytensor.cuda.OutOfMemoryError, match="Tried to allocate"):
        pytensor.empty(1 << 45, device="cuda")   # 128 TiB of float32
    x = pytensor.ones(10, device="cuda")            # still usable afterwards
    assert_close(x + 1, np.full(10, 2.0))


# ---- matmul ----

MATMUL_SHAPES = [((1, 1), (1, 1)), ((3, 5), (5, 2)), ((129, 7), (7, 257)), ((130, 300), (300, 131)),
                 ((4, 0), (0, 3)), ((0, 4), (4, 3)), ((2, 33, 9), (2, 9, 17)), ((3, 1, 20, 8), (5, 8, 6)),
                 ((7,), (7, 4)), ((5, 7), (7,)), ((9,), (9,))]


@cuda
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
def test_matmul(sa, sb, dtype):
    a, b = rand(sa, dtype), rand(sb, dtype, rng=np.random.default_rng(5))
    expected = np.matmul(a.astype(np.float64), b.astype(np.float64))
    for name_a, ta, _ in gpu_layouts(a):
        for name_b, tb, _ in gpu_layouts(b):
            got = pytensor.matmul(ta, tb)
            assert got.is_cuda
            tol = dict(rtol=1e-4, atol=1e-3) if dtype == "float32" else {}
            assert_close(got, expected, dtype=dtype, **tol)


@cuda
def test_mm_bmm_linear_on_device():
    tol = dict(rtol=1e-4, atol=1e-3)
    a, b = rand((70, 45)), rand((45, 90), rng=np.random.default_rng(6))
    ref = a.astype(np.float64) @ b
    assert_close(pytensor.mm(pytensor.from_numpy(a).cuda(), pytensor.from_numpy(b).cuda()), ref, **tol)
    x, y = rand((3, 40, 20)), rand((3, 20, 50), rng=np.random.default_rng(7))
    assert_close(pytensor.bmm(pytensor.from_numpy(x).cuda(), pytensor.from_numpy(y).cuda()),
                 np.matmul(x.astype(np.float64), y), **tol)
    w, bias = rand((6, 45)), rand((6,))
    got = pytensor.nn.functional.linear(pytensor.from_numpy(a).cuda(), pytensor.from_numpy(w).cuda(),
                                        pytensor.from_numpy(bias).cuda())
    assert got.is_cuda
    assert_close(got, a.astype(np.float64) @ w.T + bias, **tol)
    with pytest.raises(NotImplementedError, match="mm"):
        pytensor.mm(pytensor.ones(2, 2, dtype=pytensor.int64, device="cuda"),
                    pytensor.ones(2, 2, dtype=pytensor.int64, device="cuda"))
    with pytest.raises(RuntimeError, match="cuda:0 and cpu"):
        pytensor.mm(pytensor.ones(2, 2, device="cuda"), pytensor.ones(2, 2))


def _relative_error(got, expected):
    return np.linalg.norm(to_np(got).astype(np.float64) - expected) / np.linalg.norm(expected)


@cuda
@pytest.mark.parametrize("sa,sb", [((130, 300), (300, 131)), ((2, 33, 9), (2, 9, 17)), ((257, 1000), (1000, 65))])
def test_tf32_matmul(sa, sb):
    """allow_tf32 moves float32 matmuls onto the tensor cores: TF32's 10-bit mantissa gives
    errors near 1e-4 relative (far above FFMA's), still well inside TF32's bound; float64
    and the default stay exact."""
    a, b = rand(sa), rand(sb, rng=np.random.default_rng(5))
    expected = np.matmul(a.astype(np.float64), b.astype(np.float64))
    ta, tb = pytensor.from_numpy(a).cuda(), pytensor.from_numpy(b).cuda()
    exact = _relative_error(pytensor.matmul(ta, tb), expected)
    try:
        pytensor.backends.cuda.matmul.allow_tf32 = True
        for name_a, la, _ in gpu_layouts(a):
            for name_b, lb, _ in gpu_layouts(b):
                tf32 = _relative_error(pytensor.matmul(la, lb), expected)
                assert tf32 < 3e-3, (name_a, name_b, tf32)
                assert tf32 > 10 * exact, (name_a, name_b, tf32, exact)  # the tensor cores ran
        a64, b64 = ta.double(), tb.double()
        assert _relative_error(pytensor.matmul(a64, b64), expected) < 1e-12
    finally:
        pytensor.backends.cuda.matmul.allow_tf32 = False
    assert exact < 1e-6


# ---- pinned memory and non_blocking copies ----

def test_to_takes_non_blocking_and_copy_flags():
    x = pytensor.arange(4.0)
    assert x.is_pinned() is False
    assert x.to("cpu", True) is x                      # non_blocking alone changes nothing here
    y = x.to(pytensor.float64, False, True)            # non_blocking, copy
    assert y.dtype == pytensor.float64 and y is not x
    assert x.to(x, non_blocking=True, copy=True) is not x
    with pytest.raises(TypeError, match="too many flags"):
        x.to("cpu", True, False, True)


@no_gpu
def test_pin_memory_needs_cuda():
    with pytest.raises(RuntimeError, match="CUDA|cuda|GPU"):
        pytensor.ones(3).pin_memory()


@cuda
def test_pin_memory_copies_into_page_locked_memory():
    a = rand((5, 7))
    x = pytensor.from_numpy(a).t()                     # non-contiguous source
    p = x.pin_memory()
    assert p.is_pinned() and not x.is_pinned() and p.is_contiguous()
    np.testing.assert_array_equal(to_np(p), a.T)
    assert p.pin_memory() is p                          # already pinned: itself
    assert pytensor.empty(0).pin_memory().is_pinned()
    with pytest.raises(RuntimeError, match="only dense CPU tensors can be pinned"):
        pytensor.ones(3, device="cuda").pin_memory()
    leaf = pytensor.ones(3, requires_grad=True)
    pinned = leaf.pin_memory()
    assert pinned.grad_fn.name() == "PinMemoryBackward0"
    (pinned * 2).sum().backward()
    np.testing.assert_array_equal(to_np(leaf.grad), [2, 2, 2])


@cuda
def test_non_blocking_copies_between_host_and_device():
    a = rand((33, 9))
    pinned = pytensor.from_numpy(a).pin_memory()
    for moved in (pinned.to("cuda", non_blocking=True), pinned.cuda(non_blocking=True),
                  pytensor.empty(33, 9, device="cuda").copy_(pinned, non_blocking=True)):
        assert moved.is_cuda
        back = pytensor.empty(33, 9).pin_memory().copy_(moved, non_blocking=True)
        pytensor.cuda.synchronize()
        np.testing.assert_array_equal(to_np(back), a)
    strided = pytensor.from_numpy(a)[:, ::2].to("cuda", non_blocking=True)   # gathered, then copied
    np.testing.assert_array_equal(to_np(strided), a[:, ::2])


@cuda
def test_dataloader_pins_batches():
    import collections
    Pair = collections.namedtuple("Pair", "x y")
    data = [Pair(pytensor.full((3,), float(i)), {"label": i, "name": f"s{i}"}) for i in range(5)]
    loader = pytensor.utils.data.DataLoader(data, batch_size=2, pin_memory=True)
    batches = list(loader)
    assert len(batches) == 3
    for b in batches:
        assert isinstance(b, Pair) and b.x.is_pinned() and b.y["label"].is_pinned()
        assert isinstance(b.y["name"], list)
    assert not next(iter(pytensor.utils.data.DataLoader(data, batch_size=2))).x.is_pinned()

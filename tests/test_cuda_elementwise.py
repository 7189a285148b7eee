"""Elementwise ops on CUDA (cuda/elementwise.cu) against the same ops on the CPU: every binary
and unary op for every dtype the CPU takes, on contiguous, transposed, strided, broadcast,
empty and 0-d inputs and Python numbers; the in-place forms; integer division by zero;
special values; clamp with tensor bounds; the backward of every differentiable op (including
the fused activation backward); determinism. Skipped without a GPU; PYTENSOR_TEST_GPU=cpu
dry-runs the tests' logic on the CPU."""
import numpy as np
import pytest

import pytensor
from helpers import (ALL_DTYPES, CUDA_SHAPES, FLOAT_DTYPES, GPU, INT_DTYPES, assert_close, gpu_layouts,
                     grads_as_cpu, on_gpu, rand, same_as_cpu, to_np)

pytestmark = pytest.mark.cuda

NUMERIC = INT_DTYPES + FLOAT_DTYPES
INTEGRAL = ["bool"] + INT_DTYPES
# CUDA's libm is within a few ulp of the CPU's; float64 transcendentals get the brief's 1e-10.
TOL = {"float32": dict(rtol=1e-5, atol=1e-6), "float64": dict(rtol=1e-10, atol=1e-12)}


def t_of(arr):
    return pytensor.from_numpy(np.ascontiguousarray(arr) if np.ndim(arr) else np.array(arr))


def divisor(shape, dtype, seed=1):
    """Random values without zeros for the integer dtypes (negative ones where signed)."""
    b = rand(shape, dtype, rng=np.random.default_rng(seed))
    if dtype in INT_DTYPES:
        b[b == 0] = 1
    return b


def check_layouts(fn, *arrays, tol=None):
    """fn over every combination of device layouts of the arrays equals fn on the CPU."""
    expected = to_np(fn(*[t_of(a) for a in arrays]))
    ref = expected if expected.dtype.kind in "bui" else expected.astype(np.float64)

    def combos(i):
        if i == len(arrays):
            yield []
            return
        for _, t, _ in gpu_layouts(arrays[i]):
            for rest in combos(i + 1):
                yield [t] + rest

    for ts in combos(0):
        got = fn(*ts)
        assert on_gpu(got)
        assert got.dtype == pytensor.from_numpy(np.zeros(1, expected.dtype)).dtype
        assert_close(got, ref, **(tol or {}))


# ---- binary ----

# name: (fn, dtypes the CPU op takes, divisor-like second operand)
BINARY = {
    "add": (lambda a, b: pytensor.add(a, b, alpha=2), ALL_DTYPES, False),
    "add_plain": (lambda a, b: a + b, ALL_DTYPES, False),
    "sub": (lambda a, b: pytensor.sub(a, b, alpha=3), NUMERIC, False),
    "mul": (lambda a, b: a * b, ALL_DTYPES, False),
    "div": (lambda a, b: a / b, ALL_DTYPES, True),
    "div_trunc": (lambda a, b: pytensor.div(a, b, rounding_mode="trunc"), NUMERIC, True),
    "div_floor": (lambda a, b: pytensor.div(a, b, rounding_mode="floor"), NUMERIC, True),
    "floor_divide": (lambda a, b: a // b, NUMERIC, True),
    "remainder": (lambda a, b: a % b, NUMERIC, True),
    "fmod": (pytensor.fmod, NUMERIC, True),
    "pow": (lambda a, b: a ** b, NUMERIC, False),
    "maximum": (pytensor.maximum, ALL_DTYPES, False),
    "minimum": (pytensor.minimum, ALL_DTYPES, False),
    "atan2": (pytensor.atan2, ALL_DTYPES, False),
    "bitwise_and": (lambda a, b: a & b, INTEGRAL, False),
    "bitwise_or": (lambda a, b: a | b, INTEGRAL, False),
    "bitwise_xor": (lambda a, b: a ^ b, INTEGRAL, False),
    "eq": (pytensor.eq, ALL_DTYPES, False),
    "ne": (pytensor.ne, ALL_DTYPES, False),
    "lt": (pytensor.lt, ALL_DTYPES, False),
    "le": (pytensor.le, ALL_DTYPES, False),
    "gt": (pytensor.gt, ALL_DTYPES, False),
    "ge": (pytensor.ge, ALL_DTYPES, False),
    "logical_and": (pytensor.logical_and, ALL_DTYPES, False),
    "logical_or": (pytensor.logical_or, ALL_DTYPES, False),
    "logical_xor": (pytensor.logical_xor, ALL_DTYPES, False),
}
BINARY_CASES = [(op, dt) for op, (_, dts, _) in BINARY.items() for dt in dts]


def binary_operands(op, shape_a, shape_b, dtype):
    _, _, div = BINARY[op]
    a = rand(shape_a, dtype)
    if op == "pow" and dtype in FLOAT_DTYPES:
        a = np.abs(a) + np.asarray(0.5, a.dtype)   # real powers of positive bases
    b = divisor(shape_b, dtype) if div else rand(shape_b, dtype, rng=np.random.default_rng(1))
    if op == "pow" and dtype in INT_DTYPES:
        b = np.abs(b) if dtype == "uint8" else b.clip(-2, 5)   # negative exponents included
    return a, b


@pytest.mark.parametrize("shape", CUDA_SHAPES)
@pytest.mark.parametrize("op", BINARY)
def test_binary_layouts(op, shape):
    dtype = "int64" if op.startswith(("bitwise", "logical")) else "float32"
    a, b = binary_operands(op, shape, shape, dtype)
    check_layouts(BINARY[op][0], a, b, tol=TOL.get(dtype))


@pytest.mark.parametrize("op,dtype", BINARY_CASES)
def test_binary_dtypes_broadcast_and_numbers(op, dtype):
    fn = BINARY[op][0]
    a, b = binary_operands(op, (5, 1, 33), (4, 1), dtype)
    a, b = t_of(a), t_of(b)
    tol = TOL.get(dtype, {})
    same_as_cpu(fn, a, b, **tol)                 # broadcast both ways
    same_as_cpu(fn, b[:, :1], a[0], **tol) if not BINARY[op][2] else None
    number = {"bool": True, "uint8": 2, "int32": -2, "int64": 3}.get(dtype, 1.5)
    if op == "pow" and dtype in INT_DTYPES:
        number = 2                               # negative int exponents raise for numbers
    same_as_cpu(lambda x: fn(x, number), a, **tol)              # Python number second
    if not BINARY[op][2] or dtype in FLOAT_DTYPES:
        same_as_cpu(lambda x: fn(number, x), b, **tol)          # Python number first
    same_as_cpu(fn, a, t_of(np.array(b.numpy().flat[0])), **tol)  # 0-d CPU tensor joins
    if dtype not in ("bool", "float64") and BINARY[op][1] is not INTEGRAL:
        same_as_cpu(fn, a, b.to(pytensor.float64), **TOL["float64"])   # promotion


@pytest.mark.parametrize("op", ["div_floor", "remainder", "fmod", "div_trunc"])
@pytest.mark.parametrize("dtype", NUMERIC)
def test_division_signs(op, dtype):
    # Every sign combination, exact multiples and a zero dividend: Python's floor and remainder.
    vals = [-7, -6, -3, -1, 0, 1, 3, 6, 7]
    if dtype == "uint8":
        vals = [v for v in vals if v >= 0]
    a = np.array([x for x in vals for _ in vals], dtype=dtype)
    b = np.array([y if y != 0 else 2 for _ in vals for y in vals], dtype=dtype)
    if dtype in FLOAT_DTYPES:
        a = a * np.asarray(1.25, dtype)
    same_as_cpu(BINARY[op][0], t_of(a), t_of(b))


@pytest.mark.parametrize("dtype", ["int32", "int64"])
def test_integer_wrapping_and_extremes(dtype):
    info = np.iinfo(dtype)
    a = t_of(np.array([info.min, info.max, info.min, -1, info.max], dtype))
    b = t_of(np.array([-1, 1, 1, info.min, -1], dtype))
    for fn in (lambda x, y: x // y, lambda x, y: x % y, pytensor.fmod, lambda x, y: x * y,
               lambda x, y: x + y, lambda x, y: x - y, lambda x, y: pytensor.div(x, y, rounding_mode="trunc")):
        same_as_cpu(fn, a, b)
    same_as_cpu(lambda x: -x, a)
    same_as_cpu(pytensor.abs, a)
    same_as_cpu(pytensor.square, a)


def test_integer_pow_negative_exponents():
    a = t_of(np.array([-3, -2, -1, 0, 1, 2, 3] * 3, "int64"))
    b = t_of(np.array([-1] * 7 + [-2] * 7 + [3] * 7, "int64"))
    got = same_as_cpu(pytensor.pow, a, b)
    np.testing.assert_array_equal(to_np(got)[:14], [0, 0, -1, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0])


def test_bool_rules():
    a = t_of(rand((3, 40), "bool"))
    b = t_of(rand((40,), "bool", rng=np.random.default_rng(2)))
    for fn in (lambda x, y: x + y, lambda x, y: x * y, pytensor.maximum, lambda x, y: pytensor.add(x, y, alpha=True)):
        got = same_as_cpu(fn, a, b)
        assert got.dtype == pytensor.bool
    same_as_cpu(lambda x: x ** True, a)
    same_as_cpu(lambda x: x ** False, a)
    same_as_cpu(lambda x: x ** 2, a)
    same_as_cpu(lambda x: x + 1, a)              # promotes to int64
    same_as_cpu(lambda x: x / x, a)              # promotes to float
    with pytest.raises(RuntimeError, match="Subtraction"):
        a.to(GPU) - b.to(GPU)


@pytest.mark.parametrize("fn", [lambda a, b: a // b, lambda a, b: a % b, pytensor.fmod,
                                lambda a, b: pytensor.div(a, b, rounding_mode="trunc")])
@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_integer_division_by_zero_raises(fn, dtype):
    a = t_of(np.arange(1, 1001).astype(dtype)).to(GPU)
    b = np.ones(1000, dtype)
    b[777] = 0
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        fn(a, t_of(b).to(GPU))
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        fn(a, 0)
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        fn(a, t_of(np.zeros((), dtype)))         # a 0-d CPU zero
    b[777] = 3
    assert_close(fn(a, t_of(b).to(GPU)), to_np(fn(a.cpu(), t_of(b))))   # the flag is per call
    f = t_of(np.arange(1, 1001).astype(np.float64))  # a CPU tensor: same_as_cpu moves it
    same_as_cpu(fn, f, t_of(np.zeros(1000)))     # floats: inf and nan, no error


def test_inplace_integer_division_by_zero():
    i = t_of(np.array([1, 2], "int64")).to(GPU)
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        i //= 0
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        i.remainder_(t_of(np.array([1, 0], "int64")).to(GPU))


INPLACE_BINARY = {
    "add_": lambda a, b: a.add_(b, alpha=2), "sub_": lambda a, b: a.sub_(b),
    "mul_": lambda a, b: a.mul_(b), "div_": lambda a, b: a.div_(b),
    "div_floor_": lambda a, b: a.div_(b, rounding_mode="floor"),
    "floor_divide_": lambda a, b: a.floor_divide_(b), "remainder_": lambda a, b: a.remainder_(b),
    "fmod_": lambda a, b: a.fmod_(b), "pow_": lambda a, b: a.pow_(b),
    "clamp_min_": lambda a, b: a.clamp_min_(b), "clamp_max_": lambda a, b: a.clamp_max_(b),
    "bitwise_and_": lambda a, b: a.bitwise_and_(b), "bitwise_or_": lambda a, b: a.bitwise_or_(b),
    "bitwise_xor_": lambda a, b: a.bitwise_xor_(b),
}


@pytest.mark.parametrize("op", INPLACE_BINARY)
@pytest.mark.parametrize("dtype", ["int64", "float32", "float64"])
def test_inplace_binary(op, dtype):
    if op.startswith("bitwise") and dtype != "int64" or op == "div_" and dtype == "int64":
        return
    fn = INPLACE_BINARY[op]
    a = np.abs(rand((6, 65), dtype)) + (1 if dtype != "int64" else 0)
    b = divisor((6, 1), dtype)
    if op == "pow_" and dtype == "int64":
        b = np.abs(b)
    for operand in (b, b.flat[0].item()):        # a broadcast tensor, a Python number
        expected = t_of(a).clone()
        fn(expected, t_of(operand) if isinstance(operand, np.ndarray) else operand)
        big = t_of(np.repeat(a.T, 2, axis=0)).to(GPU)
        view = big[::2].t()                      # a strided, transposed view is written
        out = fn(view, t_of(operand).to(GPU) if isinstance(operand, np.ndarray) else operand)
        assert out is view and on_gpu(view)
        assert_close(view, to_np(expected).astype(np.float64) if dtype != "int64" else to_np(expected))
        assert_close(big[1::2].t(), a.astype(np.float64) if dtype != "int64" else a)   # untouched


def test_inplace_promotion_rules():
    i = t_of(np.arange(6, dtype="int64")).to(GPU)
    with pytest.raises(RuntimeError, match="can't be cast"):
        i.mul_(1.5)
    f = t_of(np.arange(6, dtype="float32")).to(GPU)
    f.add_(t_of(np.arange(6, dtype="int64")).to(GPU))   # int into float
    assert_close(f, 2 * np.arange(6, dtype=np.float64))
    f.mul_(t_of(np.array(2.0)))                        # 0-d float64 CPU tensor: stays float32
    assert f.dtype == pytensor.float32
    assert_close(f, 4 * np.arange(6, dtype=np.float64))


# ---- unary ----

# name: (fn, dtypes the CPU op takes, (low, high) of the random inputs)
FLOAT_IN = ALL_DTYPES   # floating math: other dtypes compute in the default float dtype
UNARY = {
    "exp": (pytensor.exp, FLOAT_IN, (-3, 3)), "exp2": (pytensor.exp2, FLOAT_IN, (-3, 3)),
    "log": (pytensor.log, FLOAT_IN, (0.1, 3)), "log2": (pytensor.log2, FLOAT_IN, (0.1, 3)),
    "log10": (pytensor.log10, FLOAT_IN, (0.1, 3)), "log1p": (pytensor.log1p, FLOAT_IN, (-0.9, 3)),
    "expm1": (pytensor.expm1, FLOAT_IN, (-3, 3)), "sqrt": (pytensor.sqrt, FLOAT_IN, (0.1, 3)),
    "rsqrt": (pytensor.rsqrt, FLOAT_IN, (0.1, 3)), "sin": (pytensor.sin, FLOAT_IN, (-3, 3)),
    "cos": (pytensor.cos, FLOAT_IN, (-3, 3)), "tan": (pytensor.tan, FLOAT_IN, (-1.2, 1.2)),
    "asin": (pytensor.asin, FLOAT_IN, (-0.95, 0.95)), "acos": (pytensor.acos, FLOAT_IN, (-0.95, 0.95)),
    "atan": (pytensor.atan, FLOAT_IN, (-3, 3)), "sinh": (pytensor.sinh, FLOAT_IN, (-3, 3)),
    "cosh": (pytensor.cosh, FLOAT_IN, (-3, 3)), "tanh": (pytensor.tanh, FLOAT_IN, (-3, 3)),
    "sigmoid": (pytensor.sigmoid, FLOAT_IN, (-3, 3)),
    "reciprocal": (pytensor.reciprocal, FLOAT_IN, (0.2, 3)),
    "erf": (pytensor.erf, FLOAT_IN, (-3, 3)), "erfc": (pytensor.erfc, FLOAT_IN, (-3, 3)),
    "erfinv": (pytensor.erfinv, FLOAT_IN, (-0.99, 0.99)),
    "floor": (pytensor.floor, NUMERIC, (-3, 3)), "ceil": (pytensor.ceil, NUMERIC, (-3, 3)),
    "round": (pytensor.round, NUMERIC, (-3, 3)), "trunc": (pytensor.trunc, NUMERIC, (-3, 3)),
    "round_decimals": (lambda x: pytensor.round(x, decimals=2), FLOAT_DTYPES, (-3, 3)),
    "round_negative_decimals": (lambda x: pytensor.round(x * 100, decimals=-1), FLOAT_DTYPES, (-3, 3)),
    "frac": (pytensor.frac, FLOAT_DTYPES, (-3, 3)),
    "nan_to_num": (pytensor.nan_to_num, ALL_DTYPES, (-3, 3)),
    "silu": (pytensor.nn.functional.silu, FLOAT_DTYPES, (-4, 4)),
    "gelu": (pytensor.nn.functional.gelu, FLOAT_DTYPES, (-4, 4)),
    "gelu_tanh": (lambda x: pytensor.nn.functional.gelu(x, approximate="tanh"), FLOAT_DTYPES, (-4, 4)),
    "abs": (pytensor.abs, NUMERIC, (-3, 3)), "neg": (pytensor.neg, NUMERIC, (-3, 3)),
    "sign": (pytensor.sign, ALL_DTYPES, (-3, 3)), "square": (pytensor.square, ALL_DTYPES, (-3, 3)),
    "relu": (pytensor.relu, NUMERIC, (-3, 3)),
    "bitwise_not": (pytensor.bitwise_not, INTEGRAL, (-3, 3)),
    "isnan": (pytensor.isnan, ALL_DTYPES, (-3, 3)), "isinf": (pytensor.isinf, ALL_DTYPES, (-3, 3)),
    "isfinite": (pytensor.isfinite, ALL_DTYPES, (-3, 3)),
    "isposinf": (pytensor.isposinf, ALL_DTYPES, (-3, 3)),
    "isneginf": (pytensor.isneginf, ALL_DTYPES, (-3, 3)),
    "logical_not": (pytensor.logical_not, ALL_DTYPES, (-3, 3)),
}
UNARY_CASES = [(op, dt) for op, (_, dts, _) in UNARY.items() for dt in dts]


@pytest.mark.parametrize("shape", CUDA_SHAPES)
@pytest.mark.parametrize("op", UNARY)
def test_unary_layouts(op, shape):
    fn, dtypes, (lo, hi) = UNARY[op]
    dtype = "float32" if "float32" in dtypes else "int64"
    check_layouts(fn, rand(shape, dtype, low=lo, high=hi), tol=TOL.get(dtype))


@pytest.mark.parametrize("op,dtype", UNARY_CASES)
def test_unary_dtypes(op, dtype):
    fn, _, (lo, hi) = UNARY[op]
    if dtype in INT_DTYPES:
        lo, hi = (1, 3) if lo > 0 else (int(np.floor(lo)), int(np.ceil(hi)))
    a = t_of(rand((3, 41), dtype, low=lo, high=hi))
    got = same_as_cpu(fn, a, **TOL.get(dtype, TOL["float32"]))
    same_as_cpu(fn, a.t(), **TOL.get(dtype, TOL["float32"]))
    assert got.shape == a.shape


INPLACE_UNARY = ["exp", "exp2", "log", "log2", "log10", "log1p", "expm1", "sqrt", "rsqrt", "sin", "cos",
                 "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "sigmoid", "reciprocal", "erf",
                 "erfc", "erfinv", "floor", "ceil", "round", "trunc", "frac", "nan_to_num", "abs", "neg",
                 "sign", "square", "relu"]


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("op", INPLACE_UNARY)
def test_inplace_unary(op, dtype):
    _, _, (lo, hi) = UNARY[op]
    a = rand((5, 66), dtype, low=lo, high=hi)
    expected = getattr(t_of(a).clone(), op + "_")()
    big = t_of(np.repeat(a, 2, axis=-1)).to(GPU)
    view = big[:, ::2]
    out = getattr(view, op + "_")()
    assert out is view and on_gpu(view)
    assert_close(view, to_np(expected).astype(np.float64), **TOL[dtype])
    assert_close(big[:, 1::2], a.astype(np.float64))


def test_inplace_unary_others():
    a = rand((4, 9), "float32")
    for call in (lambda t: t.round_(decimals=1), lambda t: t.silu_() if hasattr(t, "silu_") else
                 pytensor.nn.functional.silu(t, inplace=True), lambda t: t.nan_to_num_(posinf=5.0),
                 lambda t: pytensor.nn.functional.relu(t, inplace=True)):
        expected = t_of(a).clone()
        call(expected)
        got = t_of(a).to(GPU)
        call(got)
        assert on_gpu(got)
        assert_close(got, to_np(expected).astype(np.float64))
    i = t_of(rand((3, 5), "int32")).to(GPU)
    expected = i.cpu().bitwise_not_()
    i.bitwise_not_()
    assert_close(i, to_np(expected))


SPECIAL = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-30, -1e-30, 1e-7, -1e-7, 0.5, -0.5, 1.0, -1.0,
                    1 - 1e-7, -1 + 1e-7, 2.0, 88.7, 89.0, -87.0, -104.0, 709.0, 710.0, -745.0, 1e10, -1e10,
                    3e38, -3e38, 1e300])


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("op", [op for op, (_, dts, _) in UNARY.items() if "float64" in dts])
def test_unary_special_values(op, dtype):
    with np.errstate(over="ignore"):
        a = t_of(SPECIAL.astype(dtype))
    same_as_cpu(UNARY[op][0], a, **TOL[dtype])


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("op", ["div", "div_trunc", "div_floor", "remainder", "fmod", "pow", "maximum",
                                "minimum", "atan2", "eq", "lt", "logical_and"])
def test_binary_special_values(op, dtype):
    with np.errstate(over="ignore"):
        v = SPECIAL.astype(dtype)
    a, b = np.repeat(v, len(v)), np.tile(v, len(v))
    same_as_cpu(BINARY[op][0], t_of(a), t_of(b), **TOL[dtype])


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_rounding_halves(dtype):
    halves = np.array([-3.5, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 4.5, 1e16 + 2], dtype)
    got = same_as_cpu(pytensor.round, t_of(halves))
    np.testing.assert_array_equal(to_np(got)[:9], [-4, -2, -2, -0, 0, 2, 2, 4, 4])
    same_as_cpu(lambda x: pytensor.round(x, decimals=1), t_of(np.array([0.25, 0.35, -1.25, 2.675], dtype)))
    same_as_cpu(lambda x: pytensor.round(x, decimals=-2), t_of(np.array([1234.5, 1250.0, -150.0], dtype)))
    for fn in (pytensor.floor, pytensor.ceil, pytensor.trunc, pytensor.frac):
        same_as_cpu(fn, t_of(halves))


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_nan_to_num_arguments(dtype):
    a = t_of(SPECIAL.astype(dtype) if dtype == "float64" else SPECIAL[:-1].astype(dtype))
    same_as_cpu(lambda x: pytensor.nan_to_num(x, nan=-1.0, posinf=7.5, neginf=-8.0), a)
    same_as_cpu(lambda x: pytensor.nan_to_num(x, posinf=1e300), a)


# ---- clamp, where, composites ----

@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_clamp_tensor_bounds(dtype):
    x = t_of(rand((3, 257), dtype))
    lo = t_of(rand((257,), dtype, rng=np.random.default_rng(2), low=-2, high=1))
    hi = t_of(rand((3, 1), dtype, rng=np.random.default_rng(3), low=-1, high=2))   # some hi < lo
    same_as_cpu(pytensor.clamp, x, lo, hi)
    same_as_cpu(lambda a, b: pytensor.clamp(a, min=b), x, lo)
    same_as_cpu(lambda a, b: pytensor.clamp(a, max=b), x, hi)
    same_as_cpu(pytensor.clamp_min, x, lo)
    same_as_cpu(pytensor.clamp_max, x, hi)
    if dtype != "bool":
        same_as_cpu(lambda a: pytensor.clamp(a, -1, 2), x)
        same_as_cpu(lambda a, b: pytensor.clamp(a, b, 1.5), x, lo)   # a number promotes ints
        same_as_cpu(lambda a: pytensor.clamp(a, min=0.5), x)
        same_as_cpu(lambda a, b: pytensor.clamp(a, t_of(np.array(-1)), b), x, hi)   # 0-d CPU bound


@pytest.mark.parametrize("shape", CUDA_SHAPES)
def test_clamp_layouts(shape):
    x, lo = rand(shape), rand(shape, rng=np.random.default_rng(2), low=-2, high=0)
    hi = rand(shape, rng=np.random.default_rng(3), low=0, high=2)
    check_layouts(pytensor.clamp, x, lo, hi)


def test_clamp_nan_and_inplace():
    x = np.array([np.nan, 1.0, -5.0, 5.0, 0.5, np.inf], np.float32)
    lo = np.array([0.0, np.nan, -1.0, -1.0, 1.0, 0.0], np.float32)
    hi = np.array([1.0, 2.0, np.nan, 1.0, 0.0, 1.0], np.float32)
    same_as_cpu(pytensor.clamp, t_of(x), t_of(lo), t_of(hi))
    for call in (lambda a, b, c: a.clamp_(b, c), lambda a, b, c: a.clamp_(min=b), lambda a, b, c: a.clamp_(-1, 0.25)):
        expected = t_of(x).clone()
        call(expected, t_of(lo), t_of(hi))
        got = t_of(x).to(GPU)
        assert call(got, t_of(lo).to(GPU), t_of(hi).to(GPU)) is got
        assert_close(got, to_np(expected).astype(np.float64))
    i = t_of(np.arange(-5, 5, dtype="int64")).to(GPU)
    with pytest.raises(RuntimeError, match="can't be cast"):
        i.clamp_(t_of(np.zeros(10, "float32")).to(GPU), t_of(np.ones(10, "float32")).to(GPU))


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_where_numbers_and_promotion(dtype):
    cond = t_of(rand((4, 1, 67), "bool"))
    a = t_of(rand((3, 67), dtype))
    same_as_cpu(lambda c, x: pytensor.where(c, x, 1.5), cond, a)
    same_as_cpu(lambda c, x: pytensor.where(c, 2, x), cond, a)
    same_as_cpu(lambda c, x: pytensor.where(c, x, x.to(pytensor.float64)), cond, a)


def test_python_composites():
    a, b, c = (t_of(rand((5, 33), rng=np.random.default_rng(s), low=0.5)) for s in range(3))
    F = pytensor.nn.functional
    same_as_cpu(lambda x, y, z: pytensor.addcmul(x, y, z, value=0.5), a, b, c)
    same_as_cpu(lambda x, y, z: pytensor.addcdiv(x, y, z, value=2), a, b, c)
    same_as_cpu(lambda x, y: pytensor.lerp(x, y, 0.3), a, b)
    same_as_cpu(lambda x, y: pytensor.isclose(x, x + (y - 0.5) * 1e-5, equal_nan=True), a, b)
    for fn in (F.hardtanh, F.relu6, F.leaky_relu, F.elu, F.softplus, F.tanh, F.sigmoid):
        same_as_cpu(fn, a - 1.5)


def test_fill_with_tensor_value():
    x = pytensor.zeros(6, 4, device=GPU)
    x.t().fill_(t_of(np.array(2.5)).to(GPU))        # a 0-d device value
    x[:, 1].fill_(t_of(np.array(-1)))               # a 0-d CPU value
    ref = np.full((6, 4), 2.5)
    ref[:, 1] = -1
    assert_close(x, ref)
    x.zero_()
    assert_close(x, np.zeros((6, 4)))


def test_large_inputs_take_every_path():
    # float32 contiguous (float4 path with a tail, several grid-stride rounds), a host number on
    # that path, strided (offset calculator) and int64 (generic kernel) over many blocks.
    n = 3_000_001
    a = rand((n,), low=-4, high=4)
    t = t_of(a)
    same_as_cpu(pytensor.exp, t)
    same_as_cpu(lambda x: x * 3.0 + 1, t)
    same_as_cpu(lambda x, y: pytensor.clamp(x, y, 2.0), t, t_of(rand((n,), rng=np.random.default_rng(4))))
    same_as_cpu(lambda x: pytensor.sigmoid(x[::3]), t)
    i = t_of(rand((n,), "int64"))
    same_as_cpu(lambda x: x % 3, i)
    same_as_cpu(lambda x: pytensor.div(x, 7, rounding_mode="floor"), i)


def test_deterministic():
    a = t_of(rand((1001, 257), low=-4, high=4)).to(GPU)
    b = t_of(rand((257,), rng=np.random.default_rng(9), low=0.5)).to(GPU)
    for fn in (lambda: pytensor.atan2(a, b), lambda: a ** b, lambda: pytensor.nn.functional.gelu(a),
               lambda: pytensor.erfinv(a / 5), lambda: a % b, lambda: pytensor.clamp(a, -b, b)):
        first, second = to_np(fn()), to_np(fn())
        np.testing.assert_array_equal(first, second)


# ---- backward ----

GRAD_UNARY = ["exp", "exp2", "log", "log2", "log10", "log1p", "expm1", "sqrt", "rsqrt", "sin", "cos", "tan",
              "asin", "acos", "atan", "sinh", "cosh", "tanh", "sigmoid", "reciprocal", "erf", "erfc",
              "erfinv", "floor", "ceil", "round", "round_decimals", "trunc", "frac", "nan_to_num", "silu",
              "gelu", "gelu_tanh", "abs", "neg", "sign", "square", "relu"]
# Transcendental formulas compound a few ulp of CUDA's libm; float64 stays tight.
GRAD_TOL = {"float32": dict(rtol=1e-4, atol=1e-5), "float64": dict(rtol=1e-10, atol=1e-12)}


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("op", GRAD_UNARY)
def test_unary_backward(op, dtype):
    fn, _, (lo, hi) = UNARY[op]
    a = t_of(rand((7, 33), dtype, low=lo, high=hi))
    grads_as_cpu(fn, a, **GRAD_TOL[dtype])
    grads_as_cpu(lambda x: fn(x.t()), a, **GRAD_TOL[dtype])   # a transposed input


GRAD_BINARY = ["add", "sub", "mul", "div", "div_trunc", "remainder", "fmod", "pow", "maximum",
               "minimum", "atan2"]


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("op", GRAD_BINARY)
def test_binary_backward(op, dtype):
    fn = BINARY[op][0]
    a, b = binary_operands(op, (4, 1, 9), (3, 1), dtype)
    if op in ("maximum", "minimum"):
        b[0, 0] = a[0, 0, 0]                     # a tie splits the gradient
    a, b = t_of(a), t_of(b)
    tol = GRAD_TOL[dtype]
    grads_as_cpu(fn, a, b, **tol)                # both broadcast: the gradients are summed back
    grads_as_cpu(lambda x: fn(x, 2.0), a, **tol)
    if op not in ("remainder", "fmod"):          # PyTorch has no gradient for the number-first forms
        grads_as_cpu(lambda y: fn(2.0, y), b, **tol)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_pow_backward_special_bases(dtype):
    a = t_of(np.array([0.0, 0.0, 1.5, 2.0, 0.0], dtype))
    b = t_of(np.array([0.0, 2.0, 0.0, -1.0, 3.0], dtype))
    grads_as_cpu(pytensor.pow, a, b, **GRAD_TOL[dtype])
    grads_as_cpu(lambda y: 0.0 ** y, b, **GRAD_TOL[dtype])
    grads_as_cpu(lambda x: x ** 0, a, **GRAD_TOL[dtype])


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_clamp_and_where_backward(dtype):
    x = t_of(rand((3, 17), dtype))
    lo = t_of(rand((17,), dtype, rng=np.random.default_rng(2), low=-2, high=1))
    hi = t_of(rand((3, 1), dtype, rng=np.random.default_rng(3), low=-1, high=2))
    cond = t_of(rand((3, 17), "bool"))
    for fn in (pytensor.clamp, lambda a, b, c: pytensor.clamp(a, min=b), lambda a, b, c: pytensor.clamp(a, max=c),
               lambda a, b, c: pytensor.clamp(a, -1, 1), lambda a, b, c: pytensor.clamp_min(a, b),
               lambda a, b, c: pytensor.clamp_max(a, 0.5), lambda a, b, c: pytensor.where(cond.to(a.device), a, b),
               lambda a, b, c: pytensor.where(cond.to(a.device), 0.0, a)):
        grads_as_cpu(fn, x, lo, hi, **GRAD_TOL[dtype])


def test_inplace_backward():
    x = t_of(rand((4, 9), "float64"))

    def fn(a):
        y = a * 2                                # in-place ops on a non-leaf: clamp_ and mul_
        y.clamp_(-2.0, 1.5).add_(a, alpha=0.5)   # save a clone of their input, sigmoid_ its result
        return y.mul_(a).sigmoid_()

    grads_as_cpu(fn, x, **GRAD_TOL["float64"])


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("act", ["sigmoid", "tanh", "silu", "gelu", "gelu_tanh"])
def test_activation_backward(act, dtype):
    # Fused kernel (plain backward) and the graph of the same formula (create_graph=True).
    fn = UNARY[act][0]
    x = t_of(np.concatenate([rand((1000,), dtype, low=-8, high=8), np.array([-30, -10, 0, 10, 30], dtype)]))
    grads_as_cpu(fn, x, **GRAD_TOL[dtype])
    grads_as_cpu(fn, x.reshape(5, 201)[:, ::2], **GRAD_TOL[dtype])   # strided input

    def second(device):
        xs = x.detach().to(device).requires_grad_(True)
        (g,) = pytensor.autograd.grad(fn(xs).sum(), xs, create_graph=True)
        (gg,) = pytensor.autograd.grad(g.sum(), xs)
        return g, gg

    for got, expected in zip(second(GPU), second("cpu")):
        assert on_gpu(got)
        assert_close(got.detach(), to_np(expected.detach()), **GRAD_TOL[dtype])

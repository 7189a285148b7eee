"""Backward of the elementwise family: gradcheck (float64) on broadcast, 0-d, non-contiguous
and number operands, second derivatives, PyTorch's values at the special points (ties,
bounds, zeros), node names, grad modes and the in-place rules."""
import math

import numpy as np
import pytest

import pytensor
from pytensor.autograd import gradcheck, gradgradcheck

F64 = pytensor.float64


def leaf(arr):
    return pytensor.from_numpy(np.asarray(arr, dtype=np.float64)).requires_grad_()


def make(shape, low=-2.0, high=2.0, seed=0, transposed=False, nonzero=False):
    """A float64 leaf of values in [low, high] (nonzero: +-[0.5, 2], safe for division, abs,
    relu); transposed: a zero-copy transposed numpy view, so the leaf is non-contiguous."""
    rng = np.random.default_rng(seed)
    shape = tuple(shape)
    stored = shape[::-1] if transposed else shape
    v = rng.uniform(low, high, stored)
    if nonzero:
        v = np.where(rng.random(stored) < 0.5, -1.0, 1.0) * rng.uniform(0.5, 2.0, stored)
    return pytensor.from_numpy(v.T if transposed else v).requires_grad_()


def backward(y, **kwargs):
    """y.sum().backward() without depending on sum's own backward."""
    y.backward(pytensor.ones_like(y), **kwargs)


def grads(f, *values):
    """Gradients of f(*leaves).sum() for float64 leaves made from `values`."""
    ts = [leaf(v) for v in values]
    backward(f(*ts))
    return [t.grad.numpy() for t in ts]


def test_pytorch_tutorial_snippet():
    x = pytensor.tensor(1.0, requires_grad=True)
    y = 2 * x ** 3
    z = y.pow(2)
    z.backward()
    assert x.grad.item() == 24.0


# ---- unary ops ----

# (name, function, low, high): inputs drawn from [low, high], away from kinks and poles.
UNARY = [
    ("exp", pytensor.exp, -2, 2), ("exp2", pytensor.exp2, -2, 2),
    ("log", pytensor.log, 0.5, 3), ("log2", pytensor.log2, 0.5, 3),
    ("log10", pytensor.log10, 0.5, 3), ("log1p", pytensor.log1p, -0.5, 2),
    ("expm1", pytensor.expm1, -2, 2), ("sqrt", pytensor.sqrt, 0.5, 3),
    ("rsqrt", pytensor.rsqrt, 0.5, 3), ("sin", pytensor.sin, -3, 3),
    ("cos", pytensor.cos, -3, 3), ("tan", pytensor.tan, -1.2, 1.2),
    ("asin", pytensor.asin, -0.9, 0.9), ("acos", pytensor.acos, -0.9, 0.9),
    ("atan", pytensor.atan, -3, 3), ("sinh", pytensor.sinh, -2, 2),
    ("cosh", pytensor.cosh, -2, 2), ("tanh", pytensor.tanh, -2, 2),
    ("sigmoid", pytensor.sigmoid, -3, 3), ("reciprocal", pytensor.reciprocal, 0.5, 2),
    ("neg", pytensor.neg, -2, 2), ("square", pytensor.square, -2, 2),
    ("abs", pytensor.abs, 0.5, 2), ("relu", pytensor.relu, 0.5, 2),
    ("frac", pytensor.frac, -3, 3), ("nan_to_num", pytensor.nan_to_num, -3, 3),
    ("floor", pytensor.floor, -3, 3), ("ceil", pytensor.ceil, -3, 3),
    ("round", pytensor.round, -3, 3), ("round2", lambda t: pytensor.round(t, decimals=2), -3, 3),
    ("trunc", pytensor.trunc, -3, 3), ("sign", pytensor.sign, -3, 3),
]


@pytest.mark.parametrize("name,fn,low,high", UNARY, ids=[u[0] for u in UNARY])
@pytest.mark.parametrize("layout", ["contiguous", "transposed", "0-d"])
def test_unary_gradcheck(name, fn, low, high, layout):
    shape = () if layout == "0-d" else (2, 3)
    x = make(shape, low, high, transposed=layout == "transposed",
             nonzero=name in ("abs", "relu", "reciprocal"))
    assert gradcheck(fn, (x,))


def test_unary_values_against_numpy():
    v = np.array([-1.5, -0.3, 0.2, 0.7])
    pos = np.array([0.3, 1.0, 2.5])
    inside = np.array([-0.6, 0.1, 0.8])
    cases = [(v, {
        "exp": np.exp(v), "sin": np.cos(v), "cos": -np.sin(v), "tanh": 1 - np.tanh(v) ** 2,
        "sigmoid": np.exp(-v) / (1 + np.exp(-v)) ** 2, "atan": 1 / (1 + v * v),
        "square": 2 * v, "neg": -np.ones(4), "floor": np.zeros(4), "frac": np.ones(4),
        "abs": np.sign(v), "exp2": np.exp2(v) * math.log(2), "expm1": np.exp(v),
        "sinh": np.cosh(v), "cosh": np.sinh(v), "relu": (v > 0) * 1.0,
    }), (pos, {
        "log": 1 / pos, "log2": 1 / (pos * math.log(2)), "log10": 1 / (pos * math.log(10)),
        "log1p": 1 / (1 + pos), "sqrt": 0.5 / np.sqrt(pos), "rsqrt": -0.5 * pos ** -1.5,
        "reciprocal": -1 / pos ** 2, "tan": 1 + np.tan(pos) ** 2,
    }), (inside, {"asin": 1 / np.sqrt(1 - inside ** 2), "acos": -1 / np.sqrt(1 - inside ** 2)})]
    for values, expected in cases:
        for name, want in expected.items():
            (g,) = grads(getattr(pytensor, name), values)
            np.testing.assert_allclose(g, want, rtol=1e-12, atol=1e-12, err_msg=name)


# ---- binary ops ----

BROADCASTS = {
    "same": ((2, 3), (2, 3)),
    "row-col": ((3, 1), (1, 4)),
    "0d-nd": ((), (2, 3)),
    "nd-0d": ((2, 3), ()),
}




BINARY = {
    "add": lambda a, b: a + b,
    "add_alpha": lambda a, b: pytensor.add(a, b, alpha=2.5),
    "sub": lambda a, b: a - b,
    "sub_alpha": lambda a, b: pytensor.sub(a, b, alpha=-3),
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "atan2": pytensor.atan2,
    "maximum": pytensor.maximum,
    "minimum": pytensor.minimum,
    "pow": lambda a, b: a.abs() ** b,
    "remainder": pytensor.remainder,
    "fmod": pytensor.fmod,
    "clamp_min": pytensor.clamp_min,
    "clamp_max": pytensor.clamp_max,
    "where": lambda a, b: pytensor.where(a > 0.3, a, b),
    "div_trunc": lambda a, b: pytensor.div(a, b, rounding_mode="trunc"),
    "div_floor": lambda a, b: pytensor.div(a, b, rounding_mode="floor"),
}


@pytest.mark.parametrize("op", list(BINARY))
@pytest.mark.parametrize("shapes", list(BROADCASTS), ids=list(BROADCASTS))
@pytest.mark.parametrize("transposed", [False, True], ids=["contiguous", "transposed"])
def test_binary_gradcheck(op, shapes, transposed):
    sa, sb = BROADCASTS[shapes]
    a = make(sa, transposed=transposed and len(sa) == 2)
    b = make(sb, seed=1, transposed=transposed and len(sb) == 2,
             nonzero=op in ("div", "remainder", "fmod", "div_trunc", "div_floor"))
    assert gradcheck(BINARY[op], (a, b))


# (name, tensor OP number, number OP tensor); remainder and fmod have no derivative for a number
# first (test_floor_divide_...), so both of theirs take the number second.
WITH_NUMBERS = [
    ("add", lambda t: t + 1.5, lambda t: 1.5 + t),
    ("sub", lambda t: t - 2, lambda t: 2 - t),
    ("rsub_alpha", lambda t: pytensor.sub(t, 2, alpha=3), lambda t: pytensor.rsub(t, 2, alpha=3)),
    ("mul", lambda t: t * -2.5, lambda t: 3 * t),
    ("div", lambda t: t / 4, lambda t: 2.0 / t),
    ("pow", lambda t: t.abs() ** 2.5, lambda t: 2.0 ** t),
    ("pow_int", lambda t: t ** 3, lambda t: 3 ** t),
    ("pow_neg", lambda t: t ** -2, lambda t: 0.5 ** t),
    ("remainder", lambda t: t % 1.5, lambda t: pytensor.remainder(t, 0.7)),
    ("fmod", lambda t: pytensor.fmod(t, 1.5), lambda t: pytensor.fmod(t, -0.7)),
    ("atan2", lambda t: pytensor.atan2(t, pytensor.tensor(0.5, dtype=F64)),
     lambda t: pytensor.atan2(pytensor.tensor(-0.5, dtype=F64), t)),
    ("atan2_number", lambda t: pytensor.atan2(t, 0.5), lambda t: pytensor.atan2(-0.5, t)),
    ("maximum_number", lambda t: pytensor.maximum(t, 0.2), lambda t: pytensor.minimum(0.2, t)),
    ("where", lambda t: pytensor.where(t > 0, t, 0.0), lambda t: pytensor.where(t > 0, 2.0, t)),
    ("clamp", lambda t: t.clamp(-1, 1), lambda t: t.clip(min=-0.5)),
    ("clamp_minmax", lambda t: t.clamp_min(0.1), lambda t: t.clamp_max(-0.1)),
]


@pytest.mark.parametrize("name,left,right", WITH_NUMBERS, ids=[w[0] for w in WITH_NUMBERS])
def test_number_operands_gradcheck(name, left, right):
    x = make((2, 3), transposed=True, nonzero=True)
    assert gradcheck(left, (x,))
    assert gradcheck(right, (x,))
    s = leaf(np.float64(0.8))
    assert gradcheck(left, (s,)) and gradcheck(right, (s,))


def test_clamp_tensor_bounds_gradcheck():
    x = make((3, 4), -3, 3)
    lo = make((3, 1), -1.5, -0.5, seed=1)
    hi = make((1, 4), 0.5, 1.5, seed=2)
    assert gradcheck(lambda x, lo, hi: x.clamp(lo, hi), (x, lo, hi))
    assert gradcheck(lambda x, lo: pytensor.clamp(x, min=lo), (x, lo))
    assert gradcheck(lambda x, hi: pytensor.clip(x, max=hi), (x, hi))
    assert gradcheck(lambda x, lo: x.clamp(lo, 1.0), (x, lo))  # tensor and number bounds


def test_where_broadcast_gradcheck():
    cond = pytensor.from_numpy(np.array([[True], [False], [True]]))
    a, b = make((1, 4)), make((3, 4), seed=1)
    assert gradcheck(lambda a, b: pytensor.where(cond, a, b), (a, b))
    assert gradcheck(lambda b: b.where(cond, 1.5), (b,))


def test_mixed_precision_gradients_keep_input_dtypes():
    a = pytensor.ones(2, 3, requires_grad=True)  # float32
    b = pytensor.full((3,), 2.0, dtype=F64, requires_grad=True)
    out = a * b
    assert out.dtype == F64
    backward(out)
    assert a.grad.dtype == pytensor.float32 and b.grad.dtype == F64
    np.testing.assert_allclose(a.grad.numpy(), np.full((2, 3), 2.0))
    np.testing.assert_allclose(b.grad.numpy(), np.full(3, 2.0))
    c = pytensor.tensor([1.0, 2.0], dtype=F64, requires_grad=True)
    d = pytensor.tensor([3.0, 4.0], requires_grad=True)
    for f in (pytensor.maximum, pytensor.atan2, lambda x, y: pytensor.where(x > 1.5, x, y)):
        c.grad = d.grad = None
        backward(f(c, d))
        assert c.grad.dtype == F64 and d.grad.dtype == pytensor.float32


def test_integer_operand_gives_float_gradient():
    x = pytensor.tensor([1.0, 2.0], requires_grad=True)
    k = pytensor.tensor([3, 4])
    backward(x * k + x / k)
    np.testing.assert_allclose(x.grad.numpy(), [3 + 1 / 3, 4 + 1 / 4], rtol=1e-6)
    assert x.grad.dtype == pytensor.float32


# ---- second derivatives ----

GRADGRAD = {
    "add": lambda a, b: pytensor.add(a, b, alpha=2) * a,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a.abs() ** b,
    "pow_number": lambda a, b: a ** 3 + 2.0 ** b,
    "exp": lambda a, b: (a * b).exp(),
    "log": lambda a, b: (a * b).abs().log(),
    "tanh": lambda a, b: (a * b).tanh(),
    "sigmoid": lambda a, b: (a * b).sigmoid(),
    "where": lambda a, b: pytensor.where(a > 0, a * a, b * a),
    "clamp": lambda a, b: (a * b).clamp(-0.5, 0.5) * a,
    "maximum": lambda a, b: pytensor.maximum(a, b) * b,
    "atan2": pytensor.atan2,
    "sqrt": lambda a, b: (a * b).abs().sqrt(),
    # in-place ops whose formulas read self's old value (saved with its history) or the result
    "inplace_old_self": lambda a, b: (a * 1).mul_(b).pow_(2).div_(b).sigmoid_(),
    "inplace_result": lambda a, b: (a * b).clamp_(-1.0, 1.5).tanh_(),
}


@pytest.mark.parametrize("op", list(GRADGRAD))
def test_gradgradcheck(op):
    a = make((2, 3), nonzero=True)
    b = make((2, 3), seed=7, nonzero=True)
    assert gradgradcheck(GRADGRAD[op], (a, b))


@pytest.mark.parametrize("op", ["add", "mul", "div", "maximum"])
def test_gradgradcheck_broadcast(op):
    a = make((3, 1), nonzero=True)
    b = make((1, 4), seed=7, nonzero=True)
    assert gradgradcheck(GRADGRAD[op], (a, b))


# ---- PyTorch's values at the special points ----

def test_special_points():
    nan, inf = float("nan"), float("inf")
    (g,) = grads(pytensor.relu, [0.0, -1.0, 1.0])
    assert g.tolist() == [0.0, 0.0, 1.0]
    (g,) = grads(pytensor.abs, [0.0, -2.0, 3.0])
    assert g.tolist() == [0.0, -1.0, 1.0]
    (g,) = grads(pytensor.sqrt, [0.0])
    assert g.tolist() == [inf]
    (g,) = grads(pytensor.rsqrt, [0.0])
    assert g.tolist() == [-inf]
    (g,) = grads(lambda x: x.clamp(-1, 1), [-1.0, 1.0, 0.0, 2.0, -2.0])
    assert g.tolist() == [1.0, 1.0, 1.0, 0.0, 0.0]
    (g,) = grads(lambda x: x.clamp(-1, 1), [nan])
    assert g.tolist() == [0.0]
    (g,) = grads(lambda x: x.clamp_min(0.0), [0.0, -1.0])
    assert g.tolist() == [1.0, 0.0]
    (g,) = grads(lambda x: x.clamp_max(0.0), [0.0, 1.0])
    assert g.tolist() == [1.0, 0.0]
    ga, gb = grads(pytensor.maximum, [1.0, 2.0, nan], [1.0, 3.0, 1.0])
    assert ga.tolist() == [0.5, 0.0, 1.0] and gb.tolist() == [0.5, 1.0, 1.0]
    ga, gb = grads(pytensor.minimum, [1.0, 2.0], [1.0, 3.0])
    assert ga.tolist() == [0.5, 1.0] and gb.tolist() == [0.5, 0.0]
    ga, gb = grads(pytensor.atan2, [0.0, 1.0], [0.0, 0.0])
    assert ga.tolist() == [0.0, 0.0] and gb.tolist() == [0.0, -1.0]
    (g,) = grads(pytensor.nan_to_num, [nan, inf, 1.0])
    assert g.tolist() == [0.0, 0.0, 1.0]


def test_clamp_tensor_bounds_at_the_bounds():
    # x at min, at max, inside, above, below, and min > max (the result is max)
    gx, glo, ghi = grads(lambda x, lo, hi: x.clamp(lo, hi),
                         [-1.0, 1.0, 0.0, 2.0, -2.0, 0.5], [-1.0, -1.0, -1.0, -1.0, -1.0, 1.0],
                         [1.0, 1.0, 1.0, 1.0, 1.0, 0.0])
    assert gx.tolist() == [1.0, 1.0, 1.0, 0.0, 0.0, 0.0]
    assert glo.tolist() == [0.0, 0.0, 0.0, 0.0, 1.0, 0.0]
    assert ghi.tolist() == [0.0, 0.0, 0.0, 1.0, 0.0, 1.0]
    gx, glo = grads(lambda x, lo: x.clamp_min(lo), [1.0, 0.0, 2.0], [1.0, 1.0, 1.0])
    assert gx.tolist() == [1.0, 0.0, 1.0] and glo.tolist() == [0.0, 1.0, 0.0]


def test_pow_at_zero():
    inf = float("inf")
    ga, gb = grads(lambda a, b: a ** b, [0.0, 0.0, 0.0, 2.0], [2.0, 0.0, -1.0, 0.0])
    assert ga.tolist() == [0.0, 0.0, -inf, 0.0]
    assert gb[:3].tolist() == [0.0, 0.0, -inf] and gb[3] == pytest.approx(math.log(2))
    (g,) = grads(lambda a: a ** 0, [0.0, 2.0])
    assert g.tolist() == [0.0, 0.0]
    assert grads(lambda a: a ** 0.5, [0.0])[0].tolist() == [inf]
    assert grads(lambda a: a ** 2, [0.0])[0].tolist() == [0.0]
    assert grads(lambda a: a ** -1, [0.0])[0].tolist() == [-inf]
    assert grads(lambda b: 0.0 ** b, [2.0, 0.0, -1.0])[0].tolist() == [0.0, 0.0, -inf]
    assert grads(lambda b: 0 ** b, [2.0, 0.0, -1.0])[0].tolist() == [0.0, 0.0, -inf]


def test_remainder_fmod_and_rounded_division_values():
    ga, gb = grads(pytensor.remainder, [5.5, -5.5], [2.0, 2.0])
    assert ga.tolist() == [1.0, 1.0] and gb.tolist() == [-2.0, 3.0]
    ga, gb = grads(pytensor.fmod, [5.5, -5.5], [2.0, 2.0])
    assert ga.tolist() == [1.0, 1.0] and gb.tolist() == [-2.0, 2.0]
    for mode in ("trunc", "floor"):
        ga, gb = grads(lambda a, b: pytensor.div(a, b, rounding_mode=mode), [5.5, -1.0], [2.0, 3.0])
        assert ga.tolist() == [0.0, 0.0] and gb.tolist() == [0.0, 0.0]


def test_where_gradients_split_by_condition():
    ga, gb = grads(lambda a, b: pytensor.where(a > 0, a, b), [1.0, -1.0], [5.0, 5.0])
    assert ga.tolist() == [1.0, 0.0] and gb.tolist() == [0.0, 1.0]


def test_alpha_scales_second_gradient():
    ga, gb = grads(lambda a, b: pytensor.add(a, b, alpha=3), [1.0], [2.0])
    assert ga.tolist() == [1.0] and gb.tolist() == [3.0]
    ga, gb = grads(lambda a, b: pytensor.sub(a, b, alpha=0.5), [1.0], [2.0])
    assert ga.tolist() == [1.0] and gb.tolist() == [-0.5]
    (g,) = grads(lambda t: pytensor.rsub(t, 2, alpha=3), [1.0])
    assert g.tolist() == [-3.0]


def test_floor_divide_and_number_remainder_have_no_derivative():
    x = pytensor.tensor([3.0, 4.0], requires_grad=True)
    for y, op in ((x // 2, "floor_divide"), (2 % x, "remainder"), (pytensor.fmod(2.0, x), "fmod")):
        assert y.requires_grad and y.grad_fn.name() == "NotImplemented"
        with pytest.raises(RuntimeError, match=f"derivative for aten::{op} is not implemented"):
            backward(y)


# ---- node names, grad modes, non-differentiable outputs ----

def _x():
    return pytensor.tensor([0.5, 1.5], dtype=F64, requires_grad=True)


NAMES = [
    ("AddBackward0", lambda x: x + x), ("AddBackward0", lambda x: 1 + x),
    ("SubBackward0", lambda x: x - 1), ("RsubBackward1", lambda x: 1 - x),
    ("MulBackward0", lambda x: x * 2), ("DivBackward0", lambda x: x / x),
    ("DivBackward2", lambda x: pytensor.div(x, 2, rounding_mode="floor")),
    ("PowBackward0", lambda x: x ** 2), ("PowBackward1", lambda x: x ** x),
    ("PowBackward2", lambda x: 2 ** x), ("PowBackward0", pytensor.square),
    ("NegBackward0", lambda x: -x), ("AbsBackward0", abs), ("ExpBackward0", pytensor.exp),
    ("Exp2Backward0", pytensor.exp2), ("LogBackward0", pytensor.log),
    ("Log2Backward0", pytensor.log2), ("Log10Backward0", pytensor.log10),
    ("Log1PBackward0", pytensor.log1p), ("Expm1Backward0", pytensor.expm1),
    ("SqrtBackward0", pytensor.sqrt), ("RsqrtBackward0", pytensor.rsqrt),
    ("SinBackward0", pytensor.sin), ("CosBackward0", pytensor.cos), ("TanBackward0", pytensor.tan),
    ("AsinBackward0", lambda x: (x / 2).asin()), ("AcosBackward0", pytensor.acos),
    ("AtanBackward0", pytensor.atan), ("SinhBackward0", pytensor.sinh),
    ("CoshBackward0", pytensor.cosh), ("TanhBackward0", pytensor.tanh),
    ("SigmoidBackward0", pytensor.sigmoid), ("ReluBackward0", pytensor.relu),
    ("ReciprocalBackward0", pytensor.reciprocal), ("Atan2Backward0", lambda x: pytensor.atan2(x, x)),
    ("MaximumBackward0", lambda x: pytensor.maximum(x, x)),
    ("MinimumBackward0", lambda x: pytensor.minimum(x, x)),
    ("ClampBackward1", lambda x: x.clamp(0, 1)), ("ClampBackward1", lambda x: x.clip(min=0)),
    ("ClampBackward0", lambda x: x.clamp(x, x)), ("ClampBackward0", lambda x: x.clamp(min=x)),
    ("ClampMinBackward0", lambda x: x.clamp_min(0)), ("ClampMinBackward1", lambda x: x.clamp_min(x)),
    ("ClampMaxBackward0", lambda x: x.clamp_max(0)), ("ClampMaxBackward1", lambda x: x.clamp_max(x)),
    ("WhereBackward0", lambda x: pytensor.where(x > 1, x, 0.0)),
    ("FloorBackward0", pytensor.floor), ("CeilBackward0", pytensor.ceil),
    ("RoundBackward0", pytensor.round), ("RoundBackward1", lambda x: x.round(decimals=1)),
    ("TruncBackward0", pytensor.trunc), ("SignBackward0", pytensor.sign),
    ("FracBackward0", pytensor.frac), ("NanToNumBackward0", pytensor.nan_to_num),
    ("RemainderBackward0", lambda x: x % 2), ("RemainderBackward1", lambda x: x % x),
    ("FmodBackward0", lambda x: x.fmod(2)), ("FmodBackward1", lambda x: x.fmod(x)),
    ("NotImplemented", lambda x: x // 2),
]


@pytest.mark.parametrize("name,fn", NAMES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(NAMES)])
def test_grad_fn_names(name, fn):
    y = fn(_x())
    assert y.requires_grad and not y.is_leaf
    assert y.grad_fn.name() == name
    assert repr(y.grad_fn).startswith(f"<{name} object at ")


def test_next_functions_point_at_inputs():
    a, b = _x(), _x()
    y = (a * 2) * b
    fns = y.grad_fn.next_functions
    assert fns[0][0].name() == "MulBackward0" and fns[1][0].name() == "AccumulateGrad"
    assert (a * 2).grad_fn.next_functions[1][0] is None  # the number has no edge
    w = pytensor.where(a > 1, a, b).grad_fn.next_functions
    assert w[0][0] is None and w[1][0].name() == "AccumulateGrad"


def test_no_grad_records_nothing():
    x = _x()
    with pytensor.no_grad():
        for y in (x + 1, x * x, x.exp(), x.clamp(0, 1), pytensor.where(x > 1, x, x), x ** 2, -x):
            assert not y.requires_grad and y.grad_fn is None
    y = x * 2
    assert y.requires_grad


def test_inputs_not_requiring_grad_record_nothing():
    x = pytensor.tensor([0.5, 1.5], dtype=F64)
    for y in (x + 1, x * x, x.sigmoid(), x.clamp(0, 1)):
        assert not y.requires_grad and y.grad_fn is None


def test_non_differentiable_outputs():
    x = _x()
    for y in (x > 1, x == x, x.le(1), x.isnan(), x.isfinite(), pytensor.logical_and(x, x),
              pytensor.logical_not(x), x.isinf(), x != 0):
        assert y.dtype == pytensor.bool
        assert not y.requires_grad and y.grad_fn is None
    i = pytensor.tensor([1, 2])
    assert not (i & 1).requires_grad and not (~i).requires_grad


def test_only_needed_gradients_are_computed():
    a = _x()
    b = pytensor.tensor([2.0, 3.0], dtype=F64)
    backward(a * b)
    assert b.grad is None and a.grad.tolist() == [2.0, 3.0]


def test_saved_output_and_retain_graph():
    x = _x()
    y = x.exp()
    backward(y, retain_graph=True)
    backward(y)
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp([0.5, 1.5]))
    y = x.tanh()
    backward(y)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        backward(y)


# ---- in-place ops ----

LEAF_ERROR = "a leaf Variable that requires grad is being used in an in-place operation."

# (method, call, PyTorch's node on a non-leaf)
INPLACE = [
    ("add_", lambda t: t.add_(1), "AddBackward0"), ("sub_", lambda t: t.sub_(1), "SubBackward0"),
    ("mul_", lambda t: t.mul_(2), "MulBackward0"), ("div_", lambda t: t.div_(2), "DivBackward0"),
    ("pow_", lambda t: t.pow_(2), "PowBackward0"), ("exp_", lambda t: t.exp_(), "ExpBackward0"),
    ("neg_", lambda t: t.neg_(), "NegBackward0"), ("sigmoid_", lambda t: t.sigmoid_(), "SigmoidBackward0"),
    ("relu_", lambda t: t.relu_(), "ReluBackward0"), ("tanh_", lambda t: t.tanh_(), "TanhBackward0"),
    ("clamp_", lambda t: t.clamp_(0, 1), "ClampBackward1"),
    ("clamp_min_", lambda t: t.clamp_min_(0), "ClampMinBackward0"),
    ("square_", lambda t: t.square_(), "PowBackward0"), ("abs_log_", lambda t: t.abs_().log_(), "LogBackward0"),
    ("fill_", lambda t: t.fill_(1), "FillBackward2"), ("zero_", lambda t: t.zero_(), "ZeroBackward0"),
    ("floor_divide_", lambda t: t.floor_divide_(2), "NotImplemented"),
    ("round_", lambda t: t.round_(), "RoundBackward0"),
]


@pytest.mark.parametrize("name,fn,node", INPLACE, ids=[n for n, _, _ in INPLACE])
def test_inplace_on_leaf_raises(name, fn, node):
    x = _x()
    with pytest.raises(RuntimeError, match=LEAF_ERROR):
        fn(x)
    assert x.tolist() == [0.5, 1.5]


def test_inplace_dunders_on_leaf_raise():
    x = _x()
    for op in ("__iadd__", "__isub__", "__imul__", "__itruediv__", "__ipow__"):
        with pytest.raises(RuntimeError, match=LEAF_ERROR):
            getattr(x, op)(2)


def test_inplace_on_leaf_allowed_under_no_grad():
    x = _x()
    with pytensor.no_grad():
        x.mul_(2).add_(1)
        x += 1
        x.clamp_(0, 3)
    assert x.tolist() == [3.0, 3.0]
    assert x.is_leaf and x.requires_grad and x.grad_fn is None


def test_gradients_through_a_chain_of_inplace_ops():
    a = leaf([1.0, 2.0])
    b = leaf([3.0, -1.0])
    c = leaf([0.5, 4.0])
    x = a * 2
    x.add_(b)
    x.mul_(c)
    assert x.grad_fn.name() == "MulBackward0"
    backward(x)
    np.testing.assert_allclose(a.grad.numpy(), 2 * c.detach().numpy())
    np.testing.assert_allclose(b.grad.numpy(), c.detach().numpy())
    np.testing.assert_allclose(c.grad.numpy(), [2 * 1 + 3, 2 * 2 - 1])


@pytest.mark.parametrize("name,fn,node", INPLACE, ids=[n for n, _, _ in INPLACE])
def test_inplace_on_non_leaf(name, fn, node):
    x = make((2, 3), transposed=True, nonzero=True)
    y = x * 1
    assert fn(y) is y
    assert y.grad_fn.name() == node and not y.is_leaf
    if node != "NotImplemented":
        assert gradcheck(lambda t: fn(t * 1), (x,))


def test_inplace_binary_gradcheck_both_inputs():
    a, b = make((2, 3), nonzero=True), make((1, 3), seed=5, nonzero=True)
    for f in (lambda a, b: (a * 1).mul_(b), lambda a, b: (a * 1).div_(b),
              lambda a, b: (a.abs() + 0.5).pow_(b), lambda a, b: (a * 1).sub_(b, alpha=2),
              lambda a, b: (a * 1).clamp_(b, b + 1), lambda a, b: (a * 1).clamp_min_(b),
              lambda a, b: (a * 1).remainder_(b), lambda a, b: (a * 1).fmod_(b)):
        assert gradcheck(f, (a, b))


def test_inplace_mul_uses_old_self_for_other_gradient():
    a = leaf([2.0, 3.0])
    c = leaf([5.0, 7.0])
    x = a * 1
    x.mul_(c)
    x.mul_(10)  # would corrupt a saved self that was not cloned
    backward(x)
    assert c.grad.tolist() == [20.0, 30.0] and a.grad.tolist() == [50.0, 70.0]


def test_inplace_into_tensor_without_grad_from_one_with_grad():
    x = pytensor.zeros(2, dtype=F64)
    w = leaf([1.0, 2.0])
    x.add_(w, alpha=3)
    assert x.requires_grad and x.grad_fn.name() == "AddBackward0"
    backward(x * x)
    assert w.grad.tolist() == [18.0, 36.0]  # d(9 w^2)/dw


def test_inplace_mixed_dtypes():
    x = pytensor.ones(2, requires_grad=True) * 1  # float32
    o = pytensor.ones(2, dtype=F64, requires_grad=True)
    x.add_(o)
    assert x.dtype == pytensor.float32
    backward(x)
    assert o.grad.dtype == F64 and o.grad.tolist() == [1.0, 1.0]


def test_version_error_when_saved_input_modified():
    x = _x()
    a = x * 1
    b = a.sin()  # saves a
    a.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        backward(b)
    y = x.exp()  # saves its output
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        backward(y)
    c = x * 1
    d = c * x  # saves c for x's gradient
    c.zero_()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        backward(d)


def test_inplace_with_self_as_other_operand():
    x = _x()
    a = x * 1
    a.add_(a)  # add saves nothing: fine
    backward(a)
    assert x.grad.tolist() == [2.0, 2.0]
    b = x * 1
    b.mul_(b)  # the saved other operand is self, overwritten: PyTorch's version error
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        backward(b)


def test_inplace_after_inplace_that_saved_its_result():
    y = _x() * 1
    y.tanh_()  # saves y as its result
    y.sigmoid_()
    with pytest.raises(RuntimeError, match="which is output 0 of TanhBackward0"):
        backward(y)


def test_inplace_on_saved_but_unneeded_tensor_is_fine():
    x = _x()
    a = x * 1
    b = a + 1  # add saves nothing
    a.mul_(3)
    backward(b)
    assert x.grad.tolist() == [1.0, 1.0]


def test_inplace_ops_that_save_their_result():
    for name in ("exp_", "sigmoid_", "tanh_", "relu_", "sqrt_"):
        x = pytensor.tensor([0.5, 1.5], dtype=F64, requires_grad=True)
        y = x * 1
        getattr(y, name)()
        backward(y)
        ref = pytensor.tensor([0.5, 1.5], dtype=F64, requires_grad=True)
        backward(getattr(pytensor, name[:-1])(ref))
        np.testing.assert_allclose(x.grad.numpy(), ref.grad.numpy(), rtol=1e-12)


def test_fill_and_zero_cut_history():
    x = _x()
    y = x * 3
    y.fill_(2.0)
    assert y.grad_fn.name() == "FillBackward2" and y.tolist() == [2.0, 2.0]
    backward(y * x)
    assert x.grad.tolist() == [2.0, 2.0]  # only through the later product
    x.grad = None
    z = x * 3
    z.zero_()
    assert z.grad_fn.name() == "ZeroBackward0"
    backward(z + x)
    assert x.grad.tolist() == [1.0, 1.0]
    v = pytensor.tensor(4.0, dtype=F64, requires_grad=True)
    w = pytensor.zeros(3, dtype=F64)
    w.fill_(v)
    assert w.grad_fn.name() == "FillBackward3"
    backward(w * 2)
    assert v.grad.item() == 6.0


def test_integer_and_bool_outputs_never_require_grad_in_place():
    i = pytensor.tensor([1, 2])
    i.add_(1)
    assert not i.requires_grad

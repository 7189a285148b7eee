"""The fused optimizer updates (_C._sgd_step_, _adam_step_, _rmsprop_step_, _adagrad_step_):
several steps against float64 numpy references of each formula, for every option combination,
odd and empty sizes, non-contiguous tensors, both floating dtypes, the bad paths, and the
optimizers built on them against torch.optim from the same weights and gradients."""
import itertools

import numpy as np
import pytest

import pytensor
from pytensor import _C, optim
from helpers import FLOAT_DTYPES, assert_close, to_np

STEPS = 3

# ---- float64 references: (param, grad, state dict of arrays, options, step t) -> new param --


def ref_sgd(p, g, s, o, t):
    g = -g if o["maximize"] else g
    if o["weight_decay"]:
        g = g + o["weight_decay"] * p
    if o["momentum"]:
        b = g if t == 1 else o["momentum"] * s["momentum_buffer"] + (1 - o["dampening"]) * g
        s["momentum_buffer"] = b
        g = g + o["momentum"] * b if o["nesterov"] else b
    return p - o["lr"] * g


def ref_adam(p, g, s, o, t):
    lr, wd, b1, b2 = o["lr"], o["weight_decay"], o["beta1"], o["beta2"]
    g = -g if o["maximize"] else g
    if wd and o["decoupled"]:
        p = p * (1 - lr * wd)
    elif wd:
        g = g + wd * p
    s["exp_avg"] = b1 * s["exp_avg"] + (1 - b1) * g
    s["exp_avg_sq"] = b2 * s["exp_avg_sq"] + (1 - b2) * g * g
    v = s["exp_avg_sq"]
    if o["amsgrad"]:
        v = s["max_exp_avg_sq"] = np.maximum(s["max_exp_avg_sq"], v)
    denom = np.sqrt(v) / np.sqrt(1 - b2 ** t) + o["eps"]
    return p - lr / (1 - b1 ** t) * s["exp_avg"] / denom


def ref_rmsprop(p, g, s, o, t):
    alpha = o["alpha"]
    g = -g if o["maximize"] else g
    if o["weight_decay"]:
        g = g + o["weight_decay"] * p
    s["square_avg"] = alpha * s["square_avg"] + (1 - alpha) * g * g
    if o["centered"]:
        s["grad_avg"] = alpha * s["grad_avg"] + (1 - alpha) * g
        avg = np.sqrt(s["square_avg"] - s["grad_avg"] ** 2) + o["eps"]
    else:
        avg = np.sqrt(s["square_avg"]) + o["eps"]
    if o["momentum"] > 0:
        s["momentum_buffer"] = o["momentum"] * s["momentum_buffer"] + g / avg
        return p - o["lr"] * s["momentum_buffer"]
    return p - o["lr"] * g / avg


def ref_adagrad(p, g, s, o, t):
    g = -g if o["maximize"] else g
    if o["weight_decay"]:
        g = g + o["weight_decay"] * p
    s["sum"] = s["sum"] + g * g
    clr = o["lr"] / (1 + (t - 1) * o["lr_decay"])
    return p - clr * g / (np.sqrt(s["sum"]) + o["eps"])


# ---- the ops: the buffers each option set uses (name -> initial value) and the call ---------


def buffers(op, o):
    if op == "sgd":  # the first step must not read the buffer: start it as NaN
        return {"momentum_buffer": np.nan} if o["momentum"] else {}
    if op == "adam":
        return {"exp_avg": 0.0, "exp_avg_sq": 0.0, **({"max_exp_avg_sq": 0.0} if o["amsgrad"] else {})}
    if op == "rmsprop":
        return {"square_avg": 0.0, **({"grad_avg": 0.0} if o["centered"] else {}),
                **({"momentum_buffer": 0.0} if o["momentum"] > 0 else {})}
    return {"sum": o["init"]}


def call(op, p, g, s, step, o, t):
    if op == "sgd":
        _C._sgd_step_(p, g, s.get("momentum_buffer"), o["lr"], o["momentum"], o["dampening"],
                      o["weight_decay"], o["nesterov"], o["maximize"], t == 1)
    elif op == "adam":
        _C._adam_step_(p, g, s["exp_avg"], s["exp_avg_sq"], s.get("max_exp_avg_sq"), step,
                       o["lr"], o["beta1"], o["beta2"], o["eps"], o["weight_decay"],
                       o["decoupled"], o["amsgrad"], o["maximize"])
    elif op == "rmsprop":
        _C._rmsprop_step_(p, g, s["square_avg"], s.get("grad_avg"), s.get("momentum_buffer"),
                          step, o["lr"], o["alpha"], o["eps"], o["weight_decay"], o["momentum"],
                          o["maximize"])
    else:
        _C._adagrad_step_(p, g, s["sum"], step, o["lr"], o["lr_decay"], o["weight_decay"],
                          o["eps"], o["maximize"])


REFS = {"sgd": ref_sgd, "adam": ref_adam, "rmsprop": ref_rmsprop, "adagrad": ref_adagrad}


def combos(base, **choices):
    keys = list(choices)
    for values in itertools.product(*choices.values()):
        yield dict(base, **dict(zip(keys, values)))


SGD_CASES = [o for o in combos(dict(lr=0.1), momentum=[0, 0.9], dampening=[0, 0.3],
                               nesterov=[False, True], weight_decay=[0, 0.1],
                               maximize=[False, True])
             if not (o["nesterov"] and (o["momentum"] == 0 or o["dampening"]))]
ADAM_CASES = list(combos(dict(lr=0.05, beta1=0.9, beta2=0.999, eps=1e-8), weight_decay=[0, 0.1],
                         decoupled=[False, True], amsgrad=[False, True], maximize=[False, True]))
ADAM_CASES.append(dict(ADAM_CASES[0], beta1=0.3, beta2=0.6))  # lerp's large-weight branch
RMSPROP_CASES = list(combos(dict(lr=0.01, eps=1e-8), alpha=[0.99, 0.3], weight_decay=[0, 0.1],
                            momentum=[0, 0.9], centered=[False, True], maximize=[False, True]))
ADAGRAD_CASES = list(combos(dict(lr=0.1, eps=1e-10), lr_decay=[0, 0.05], weight_decay=[0, 0.1],
                            init=[0, 0.5], maximize=[False, True]))
CASES = ([("sgd", o) for o in SGD_CASES] + [("adam", o) for o in ADAM_CASES]
         + [("rmsprop", o) for o in RMSPROP_CASES] + [("adagrad", o) for o in ADAGRAD_CASES])


def make(arr, layout):
    """A tensor holding arr's values: contiguous, every other element of a wider buffer, or
    the transpose of a contiguous 2-D buffer."""
    if layout == "strided" and arr.ndim:
        big = np.zeros(arr.shape[:-1] + (2 * arr.shape[-1],), arr.dtype)
        big[..., ::2] = arr
        return pytensor.from_numpy(big[..., ::2])
    if layout == "transposed" and arr.ndim == 2:
        return pytensor.from_numpy(np.ascontiguousarray(arr.T)).t()
    return pytensor.tensor(arr)


def check_steps(op, o, shape, dtype, layouts=("contiguous", "contiguous", "contiguous")):
    """STEPS steps of `op` against its reference; layouts of (param, grad, buffers)."""
    rng = np.random.default_rng(1)
    npd = np.dtype(dtype)
    p_ref = rng.uniform(-2, 2, shape).astype(npd).astype(np.float64)
    s_ref = {k: np.full(shape, v) for k, v in buffers(op, o).items()}
    p = make(p_ref.astype(npd), layouts[0])
    state = {k: make(v.astype(npd), layouts[2]) for k, v in s_ref.items()}
    step = pytensor.tensor(0.0)
    for t in range(1, STEPS + 1):
        # |grad| >= 0.5 > |weight_decay * p|: a decayed gradient near 0 would be all rounding
        # error in float32, which the first normalised step (g / sqrt(v)) blows up.
        g = (rng.uniform(0.5, 3, shape) * rng.choice([-1, 1], shape)).astype(npd)
        call(op, p, make(g, layouts[1]), state, step, o, t)
        p_ref = REFS[op](p_ref, g.astype(np.float64), s_ref, o, t)
    # Absolute tolerance scaled to each tensor: sums such as the momentum buffers cancel.
    for t, ref in [(p, p_ref)] + [(state[k], v) for k, v in s_ref.items()]:
        scale = max(1.0, float(np.abs(ref).max(initial=0)))
        assert_close(t, ref, atol=(1e-6 if dtype == "float32" else 1e-12) * scale)
    if op != "sgd":
        assert step.item() == STEPS


@pytest.mark.parametrize("op,o", CASES, ids=[f"{op}-{i}" for i, (op, _) in enumerate(CASES)])
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_every_option_combination(op, o, dtype):
    check_steps(op, o, (7,), dtype)


# One case per op with every option on (and Adam's decoupled decay) over sizes and layouts;
# RMSprop with alpha near 1, since centered v - a * a cancels badly in float32 otherwise.
FULL = {"sgd": SGD_CASES[-1], "adam": ADAM_CASES[-2], "rmsprop": dict(RMSPROP_CASES[-1], alpha=0.99),
        "adagrad": ADAGRAD_CASES[-1]}


@pytest.mark.parametrize("op", list(FULL))
@pytest.mark.parametrize("shape", [(0,), (1,), (7,), (1000,), (40, 33), (3, 0)])
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_sizes(op, shape, dtype):
    check_steps(op, FULL[op], shape, dtype)


@pytest.mark.parametrize("op", list(FULL))
@pytest.mark.parametrize("layouts", [("strided", "contiguous", "contiguous"),
                                     ("contiguous", "transposed", "contiguous"),
                                     ("transposed", "strided", "transposed"),
                                     ("strided", "strided", "strided")])
def test_non_contiguous(op, layouts):
    check_steps(op, FULL[op], (9, 70), "float32", layouts)


def test_large_tensor_runs_threaded_kernel():
    # Above the threading grain, and not a multiple of any vector width or block size.
    for op in FULL:
        check_steps(op, FULL[op], (70001,), "float32")


def test_writes_in_place_bump_versions_and_record_nothing():
    p = pytensor.tensor([1.0, -2.0, 3.0], requires_grad=True)
    m, v, step = pytensor.zeros(3), pytensor.zeros(3), pytensor.tensor(0.0)
    ptr, versions = p.data_ptr(), [t._version for t in (p, m, v, step)]
    _C._adam_step_(p, pytensor.tensor([0.5, 0.5, -0.5]), m, v, None, step, 0.1, 0.9, 0.999, 1e-8,
                   0.0, False, False, False)
    assert p.data_ptr() == ptr and p.is_leaf and p.requires_grad and p.grad_fn is None
    assert all(t._version > before for t, before in zip((p, m, v, step), versions))
    assert_close(p.detach(), np.array([0.9, -2.1, 3.1]), rtol=1e-6)


def test_step_counter_float64_and_one_element():
    p, s = pytensor.zeros(2), pytensor.zeros(2)
    for step in (pytensor.tensor(4.0, dtype=pytensor.float64), pytensor.tensor([4.0])):
        _C._adagrad_step_(p, pytensor.ones(2), s, step, 0.1, 0.0, 0.0, 1e-10, False)
        assert step.tolist() in (5.0, [5.0])


# ---- bad inputs -------------------------------------------------------------------------------


def adam_args(**over):
    a = dict(param=pytensor.zeros(3), grad=pytensor.zeros(3), exp_avg=pytensor.zeros(3),
             exp_avg_sq=pytensor.zeros(3), max_exp_avg_sq=None, step=pytensor.tensor(0.0),
             lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, decoupled=False,
             amsgrad=False, maximize=False)
    a.update(over)
    return a


@pytest.mark.parametrize("over,exc,msg", [
    (dict(grad=pytensor.zeros(4)), RuntimeError,
     r"_adam_step_\(\): grad has shape \(4,\) but param has shape \(3,\)"),
    (dict(exp_avg=pytensor.zeros(3, 1)), RuntimeError,
     r"_adam_step_\(\): exp_avg has shape \(3, 1\) but param has shape \(3,\)"),
    (dict(exp_avg_sq=pytensor.zeros(3, dtype=pytensor.float64)), RuntimeError,
     "exp_avg_sq has dtype float64 but param has dtype float32"),
    (dict(param=pytensor.zeros(3, dtype=pytensor.int64), grad=pytensor.zeros(3, dtype=pytensor.int64),
          exp_avg=pytensor.zeros(3, dtype=pytensor.int64)), RuntimeError,
     "expected a floating-point param, but got int64"),
    (dict(amsgrad=True), RuntimeError, "amsgrad needs max_exp_avg_sq"),
    (dict(step=pytensor.tensor([1.0, 2.0])), RuntimeError, "step must be a one-element"),
    (dict(step=pytensor.tensor(1)), RuntimeError, "step must be a one-element floating-point"),
    (dict(param=pytensor.zeros(1).expand(3)), RuntimeError, "more than one element"),
    (dict(grad=[0.0, 0.0, 0.0]), TypeError, "incompatible function arguments"),
])
def test_adam_bad_inputs(over, exc, msg):
    a = adam_args(**over)
    before = a["param"].tolist(), a["step"].tolist()
    with pytest.raises(exc, match=msg):
        _C._adam_step_(**a)
    assert (a["param"].tolist(), a["step"].tolist()) == before  # nothing was written


def test_buffers_sharing_memory_are_refused():
    m = pytensor.zeros(3)
    with pytest.raises(RuntimeError, match="exp_avg and exp_avg_sq share memory"):
        _C._adam_step_(**adam_args(exp_avg=m, exp_avg_sq=m))
    p = pytensor.zeros(4)
    with pytest.raises(RuntimeError, match="param and sum share memory"):
        _C._adagrad_step_(p[:3], pytensor.zeros(3), p[1:], pytensor.tensor(0.0), 0.1, 0, 0, 1e-10,
                          False)
    with pytest.raises(RuntimeError, match="grad and param partially overlap"):
        _C._sgd_step_(p[:3], p[1:], None, 0.1, 0, 0, 0, False, False, False)


def test_other_ops_bad_inputs():
    z = pytensor.zeros(3)
    with pytest.raises(RuntimeError, match=r"_sgd_step_\(\): momentum != 0 needs a momentum_buffer"):
        _C._sgd_step_(z, z.clone(), None, 0.1, 0.9, 0, 0, False, False, False)
    with pytest.raises(RuntimeError, match=r"_sgd_step_\(\): momentum_buffer has shape \(2,\)"):
        _C._sgd_step_(z, z.clone(), pytensor.zeros(2), 0.1, 0.9, 0, 0, False, False, False)
    with pytest.raises(RuntimeError, match=r"_rmsprop_step_\(\): momentum > 0 needs"):
        _C._rmsprop_step_(z, z.clone(), z.clone(), None, None, pytensor.tensor(0.0), 0.1, 0.99,
                          1e-8, 0, 0.9, False)
    with pytest.raises(RuntimeError, match=r"_rmsprop_step_\(\): grad_avg has shape \(1,\)"):
        _C._rmsprop_step_(z, z.clone(), z.clone(), pytensor.zeros(1), None, pytensor.tensor(0.0),
                          0.1, 0.99, 1e-8, 0, 0, False)
    with pytest.raises(RuntimeError, match=r"_adagrad_step_\(\): sum has dtype float64"):
        _C._adagrad_step_(z, z.clone(), pytensor.zeros(3, dtype=pytensor.float64),
                          pytensor.tensor(0.0), 0.1, 0, 0, 1e-10, False)


# ---- the optimizers against torch.optim -------------------------------------------------------

TORCH_CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.2, weight_decay=0.01)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.3, 0.6), weight_decay=0.1, amsgrad=True, maximize=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, momentum=0.9, centered=True, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.3,
                     maximize=True)),
]


@pytest.mark.parametrize("name,kw", TORCH_CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(TORCH_CASES)])
def test_optimizer_matches_torch_float32(name, kw):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    shapes = [(7,), (33, 5), (1000,)]
    init = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    ours = [pytensor.tensor(w, requires_grad=True) for w in init]
    theirs = [torch.tensor(w, requires_grad=True) for w in init]
    opt = getattr(optim, name)(ours, **kw)
    topt = getattr(torch.optim, name)(theirs, foreach=False, **kw)
    for _ in range(5):
        for p, q in zip(ours, theirs):
            g = rng.standard_normal(p.shape).astype(np.float32)
            p.grad, q.grad = pytensor.tensor(g), torch.tensor(g)
        opt.step()
        topt.step()
    # PyTorch's float32 sqrt (MKL's) is not always correctly rounded, so an element may differ
    # by an ulp of its update: relative to the tensor's scale, not to each (possibly tiny) value.
    for p, q in zip(ours, theirs):
        want = q.detach().numpy()
        np.testing.assert_allclose(to_np(p.detach()), want, rtol=1e-6,
                                   atol=1e-6 * np.abs(want).max())
        for key, value in topt.state[q].items():
            want = value.numpy()
            np.testing.assert_allclose(to_np(opt.state[p][key]), want, rtol=1e-6,
                                       atol=1e-6 * np.abs(want).max())

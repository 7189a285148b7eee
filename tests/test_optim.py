"""pytensor.optim optimizers: parameter trajectories against numpy float64 references written
here (and against torch.optim when importable), convergence, state_dict round trips,
zero_grad, closures, repr and the bad paths."""
import copy
import warnings

import numpy as np
import pytest

import pytensor
from pytensor import optim

STEPS = 20


# ---- problems: parameters, a pytensor loss, and the gradient written out in numpy ----------

class Quadratic:
    """0.5 x'Ax - b'x with A symmetric positive definite: grad = Ax - b, minimum at A^-1 b."""

    def __init__(self, seed=0):
        rng = np.random.default_rng(seed)
        m = rng.normal(size=(4, 4))
        self.A = m @ m.T / 4 + np.eye(4)
        self.b = rng.normal(size=4)
        self.init = [rng.normal(size=4)]
        self.solution = [np.linalg.solve(self.A, self.b)]

    def loss(self, x, lib=pytensor):
        A, b = lib.tensor(self.A, dtype=x.dtype), lib.tensor(self.b, dtype=x.dtype)
        return 0.5 * (x @ (A @ x)) - (b * x).sum()

    def grads(self, x):
        return [self.A @ x - self.b]


class LeastSquares:
    """0.5 |XW + c - Y|^2 over W (3x2) and c (2): grads X'r and sum_rows(r), r the residual."""

    def __init__(self, seed=1):
        rng = np.random.default_rng(seed)
        self.X = rng.normal(size=(8, 3))
        self.Y = rng.normal(size=(8, 2))
        self.init = [rng.normal(size=(3, 2)), rng.normal(size=2)]
        design = np.hstack([self.X, np.ones((8, 1))])
        sol = np.linalg.lstsq(design, self.Y, rcond=None)[0]
        self.solution = [sol[:3], sol[3]]

    def loss(self, W, c, lib=pytensor):
        X, Y = lib.tensor(self.X, dtype=W.dtype), lib.tensor(self.Y, dtype=W.dtype)
        r = X @ W + c - Y
        return 0.5 * (r * r).sum()

    def grads(self, W, c):
        r = self.X @ W + c - self.Y
        return [self.X.T @ r, r.sum(0)]


PROBLEMS = {"quadratic": Quadratic(), "lstsq": LeastSquares()}


# ---- numpy references: one update of one parameter, from the textbook formulas --------------

DEFAULTS = {
    "SGD": dict(lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, maximize=False),
    "Adam": dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False,
                 maximize=False, decoupled_weight_decay=False),
    "RMSprop": dict(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                    maximize=False),
    "Adagrad": dict(lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                    maximize=False),
}
DEFAULTS["AdamW"] = dict(DEFAULTS["Adam"], weight_decay=1e-2, decoupled_weight_decay=True)


def ref_sgd(p, g, s, t, h):
    g = -g if h["maximize"] else g
    g = g + h["weight_decay"] * p
    if h["momentum"]:
        s["b"] = g.copy() if t == 1 else h["momentum"] * s["b"] + (1 - h["dampening"]) * g
        g = g + h["momentum"] * s["b"] if h["nesterov"] else s["b"]
    return p - h["lr"] * g


def ref_adam(p, g, s, t, h):
    b1, b2 = h["betas"]
    g = -g if h["maximize"] else g
    if h["decoupled_weight_decay"]:
        p = p * (1 - h["lr"] * h["weight_decay"])
    else:
        g = g + h["weight_decay"] * p
    s["m"] = b1 * s.get("m", 0) + (1 - b1) * g
    s["v"] = b2 * s.get("v", 0) + (1 - b2) * g * g
    v = s["v"]
    if h["amsgrad"]:
        v = s["vmax"] = np.maximum(s.get("vmax", 0), s["v"])
    m_hat, v_hat = s["m"] / (1 - b1 ** t), v / (1 - b2 ** t)
    return p - h["lr"] * m_hat / (np.sqrt(v_hat) + h["eps"])


def ref_rmsprop(p, g, s, t, h):
    a = h["alpha"]
    g = -g if h["maximize"] else g
    g = g + h["weight_decay"] * p
    s["v"] = a * s.get("v", 0) + (1 - a) * g * g
    if h["centered"]:
        s["a"] = a * s.get("a", 0) + (1 - a) * g
        d = np.sqrt(s["v"] - s["a"] ** 2) + h["eps"]
    else:
        d = np.sqrt(s["v"]) + h["eps"]
    if h["momentum"] > 0:
        s["b"] = h["momentum"] * s.get("b", 0) + g / d
        return p - h["lr"] * s["b"]
    return p - h["lr"] * g / d


def ref_adagrad(p, g, s, t, h):
    g = -g if h["maximize"] else g
    g = g + h["weight_decay"] * p
    s["sum"] = s.get("sum", h["initial_accumulator_value"]) + g * g
    lr = h["lr"] / (1 + (t - 1) * h["lr_decay"])
    return p - lr * g / (np.sqrt(s["sum"]) + h["eps"])


REFS = {"SGD": ref_sgd, "Adam": ref_adam, "AdamW": ref_adam, "RMSprop": ref_rmsprop,
        "Adagrad": ref_adagrad}

CASES = [
    ("SGD", {}),
    ("SGD", dict(lr=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.5)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.05, momentum=0.5, weight_decay=0.1)),
    ("SGD", dict(lr=0.01, momentum=0.5, maximize=True)),
    ("Adam", {}),
    ("Adam", dict(lr=0.1)),
    ("Adam", dict(lr=0.1, amsgrad=True)),
    ("Adam", dict(lr=0.1, weight_decay=0.1)),
    ("Adam", dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6, maximize=True)),
    ("Adam", dict(lr=0.1, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", {}),
    ("AdamW", dict(lr=0.1, amsgrad=True, weight_decay=0.5)),
    ("AdamW", dict(lr=0.1, maximize=True)),
    ("RMSprop", {}),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.01, momentum=0.9)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, maximize=True)),
    ("Adagrad", {}),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.5,
                     eps=1e-6)),
    ("Adagrad", dict(lr=0.1, maximize=True)),
]
CASE_IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in kw.items()) or 'defaults'}"
            for name, kw in CASES]
# The least-squares runs put the bias in a second param group with its own lr.
BIAS_GROUP = {"lr": 0.02}


def make_params(problem, dtype=pytensor.float64):
    return [pytensor.tensor(v, dtype=dtype, requires_grad=True) for v in problem.init]


def groups_for(problem_name, params):
    if problem_name == "lstsq":
        return [{"params": [params[0]]}, dict(BIAS_GROUP, params=[params[1]])]
    return params


def run_pytensor(problem_name, name, kw, steps=STEPS, dtype=pytensor.float64):
    problem = PROBLEMS[problem_name]
    params = make_params(problem, dtype)
    opt = getattr(optim, name)(groups_for(problem_name, params), **kw)
    trajectory = []
    for _ in range(steps):
        opt.zero_grad()
        problem.loss(*params).backward()
        opt.step()
        trajectory.append([p.detach().numpy().astype(np.float64) for p in params])
    return trajectory


def run_numpy(problem_name, name, kw, steps=STEPS):
    problem = PROBLEMS[problem_name]
    params = [v.copy() for v in problem.init]
    hypers = [dict(DEFAULTS[name], **kw) for _ in params]
    if problem_name == "lstsq":
        hypers[1].update(BIAS_GROUP)
    states = [{} for _ in params]
    trajectory = []
    for t in range(1, steps + 1):
        grads = problem.grads(*params)
        params = [REFS[name](p, g, s, t, h) for p, g, s, h in zip(params, grads, states, hypers)]
        trajectory.append([p.copy() for p in params])
    return trajectory


def assert_trajectories(got, expected, rtol, atol):
    for step, (g_step, e_step) in enumerate(zip(got, expected)):
        for g, e in zip(g_step, e_step):
            np.testing.assert_allclose(g, e, rtol=rtol, atol=atol, err_msg=f"after step {step + 1}")


@pytest.mark.parametrize("problem", list(PROBLEMS))
@pytest.mark.parametrize("name,kw", CASES, ids=CASE_IDS)
def test_trajectory_matches_numpy(problem, name, kw):
    assert_trajectories(run_pytensor(problem, name, kw), run_numpy(problem, name, kw),
                        rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name,kw", [c for c in CASES if c[1]][::3])
def test_trajectory_float32(name, kw):
    got = run_pytensor("lstsq", name, kw, steps=10, dtype=pytensor.float32)
    assert_trajectories(got, run_numpy("lstsq", name, kw, steps=10), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("problem", list(PROBLEMS))
@pytest.mark.parametrize("name,kw", CASES, ids=CASE_IDS)
def test_trajectory_matches_torch(problem, name, kw):
    torch = pytest.importorskip("torch")
    prob = PROBLEMS[problem]
    params = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in prob.init]
    opt = getattr(torch.optim, name)(groups_for(problem, params), **kw)
    expected = []
    for _ in range(STEPS):
        opt.zero_grad()
        prob.loss(*params, lib=torch).backward()
        opt.step()
        expected.append([p.detach().numpy().copy() for p in params])
    assert_trajectories(run_pytensor(problem, name, kw), expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name,kw,steps", [
    ("SGD", dict(lr=0.02, momentum=0.9), 300),
    ("SGD", dict(lr=0.02, momentum=0.9, nesterov=True), 300),
    ("Adam", dict(lr=0.05), 1500),
    ("AdamW", dict(lr=0.05, weight_decay=0.0), 1500),
    ("RMSprop", dict(lr=0.01, momentum=0.5), 1500),
    ("Adagrad", dict(lr=0.5), 1500),
])
@pytest.mark.parametrize("problem", list(PROBLEMS))
def test_converges(problem, name, kw, steps):
    prob = PROBLEMS[problem]
    params = make_params(prob)
    opt = getattr(optim, name)(params, **kw)
    for _ in range(steps):
        opt.zero_grad()
        prob.loss(*params).backward()
        opt.step()
    for p, sol in zip(params, prob.solution):
        np.testing.assert_allclose(p.detach().numpy(), sol, atol=2e-3)


# ---- state_dict --------------------------------------------------------------------------

def train(opt, params, steps, problem=PROBLEMS["lstsq"]):
    for _ in range(steps):
        opt.zero_grad()
        problem.loss(*params).backward()
        opt.step()


@pytest.mark.parametrize("name,kw", [(n, kw) for n, kw in CASES if kw or n == "Adagrad"],
                         ids=[i for i, (n, kw) in zip(CASE_IDS, CASES) if kw or n == "Adagrad"])
def test_state_dict_round_trip(name, kw):
    cls = getattr(optim, name)
    params = make_params(PROBLEMS["lstsq"])
    opt = cls(groups_for("lstsq", params), **kw)
    train(opt, params, 5)
    saved = opt.state_dict()
    twins = [pytensor.tensor(p.detach().numpy(), requires_grad=True) for p in params]
    twin_opt = cls(groups_for("lstsq", twins), lr=123.0)  # hyper-parameters come from the load
    twin_opt.load_state_dict(saved)
    assert twin_opt.param_groups[1]["lr"] == BIAS_GROUP["lr"]
    assert twin_opt.param_groups[0]["params"][0] is twins[0]
    train(opt, params, 5)
    train(twin_opt, twins, 5)
    for p, q in zip(params, twins):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())


def test_state_dict_layout():
    W, c = make_params(PROBLEMS["lstsq"])
    opt = optim.Adam([{"params": [W]}, {"params": [c], "lr": 0.5}], amsgrad=True)
    train(opt, [W, c], 3)
    sd = opt.state_dict()
    assert list(sd) == ["state", "param_groups"]
    assert sorted(sd["state"]) == [0, 1]
    assert list(sd["state"][0]) == ["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"]
    assert sd["state"][0]["step"].item() == 3.0 and sd["state"][0]["step"].dtype == pytensor.float32
    assert sd["param_groups"][0]["params"] == [0] and sd["param_groups"][1]["params"] == [1]
    assert list(sd["param_groups"][0]) == ["lr", "betas", "eps", "weight_decay", "amsgrad",
                                           "maximize", "foreach", "capturable", "differentiable",
                                           "fused", "decoupled_weight_decay", "params"]
    assert sd["param_groups"][1]["lr"] == 0.5
    assert tuple(sd["state"][1]["exp_avg"].shape) == (2,)


def test_state_dict_sgd_without_momentum_has_no_state():
    p = pytensor.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    p.sum().backward()
    opt.step()
    assert opt.state_dict()["state"] == {}


def test_load_state_dict_copies_and_casts():
    p = pytensor.tensor([1.0, -2.0], dtype=pytensor.float64, requires_grad=True)
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    (p * p).sum().backward()
    opt.step()
    q = pytensor.tensor([0.0, 0.0], dtype=pytensor.float32, requires_grad=True)
    other = optim.SGD([q], lr=0.1, momentum=0.9)
    other.load_state_dict(opt.state_dict())
    buf = other.state[q]["momentum_buffer"]
    assert buf.dtype == pytensor.float32
    np.testing.assert_allclose(buf.numpy(), [2.0, -4.0])
    opt.state[p]["momentum_buffer"].fill_(7.0)  # the loaded buffer is a copy
    np.testing.assert_allclose(buf.numpy(), [2.0, -4.0])


def test_load_state_dict_bad():
    p = pytensor.tensor([1.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        opt.load_state_dict({"state": {}, "param_groups": []})
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        opt.load_state_dict({"state": {}, "param_groups": [{"params": [0, 1], "lr": 0.1}]})


# ---- zero_grad, step, closures, groups ---------------------------------------------------

def test_zero_grad_set_to_none():
    p = pytensor.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    (p * p).sum().backward()
    assert p.grad is not None
    opt.zero_grad()
    assert p.grad is None
    opt.zero_grad()  # no gradient: nothing to do
    assert p.grad is None


def test_zero_grad_in_place():
    p = pytensor.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    (p * p).sum().backward()
    before = p.grad.data_ptr()
    opt.zero_grad(set_to_none=False)
    assert p.grad.data_ptr() == before
    assert p.grad.tolist() == [0.0, 0.0] and not p.grad.requires_grad
    (p * p).sum().backward()  # accumulates into the zeroed buffer
    assert p.grad.tolist() == [2.0, 4.0]


def test_zero_grad_detaches_graph_grad():
    p = pytensor.tensor([1.0, 2.0], requires_grad=True)
    (g,) = pytensor.autograd.grad((p * p).sum(), p, create_graph=True)
    p.grad = g
    assert p.grad.grad_fn is not None
    optim.SGD([p]).zero_grad(set_to_none=False)
    assert p.grad.grad_fn is None and p.grad.tolist() == [0.0, 0.0]


def test_step_skips_parameters_without_grad():
    p = pytensor.tensor([1.0, 2.0], requires_grad=True)
    q = pytensor.tensor([3.0], requires_grad=True)
    opt = optim.Adam([p, q], lr=0.1)
    (p * p).sum().backward()
    opt.step()
    assert q.tolist() == [3.0]
    assert q not in opt.state and "exp_avg" in opt.state[p]
    assert p.tolist() != [1.0, 2.0]


def test_step_leaves_grad_and_history_alone():
    p = pytensor.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.5, momentum=0.9, weight_decay=0.1, maximize=True)
    (p * p).sum().backward()
    opt.step()
    assert p.grad.tolist() == [2.0, 4.0]
    assert p.is_leaf and p.requires_grad and p.grad_fn is None


def test_step_returns_closure_loss():
    problem = PROBLEMS["quadratic"]
    (x,) = make_params(problem)
    opt = optim.SGD([x], lr=0.1)
    calls = []

    def closure():
        calls.append(pytensor.is_grad_enabled())
        opt.zero_grad()
        loss = problem.loss(x)
        loss.backward()
        return loss

    with pytensor.no_grad():  # the closure still runs with grad enabled
        loss = opt.step(closure)
    assert calls == [True]
    assert loss.item() == pytest.approx(problem.loss(pytensor.tensor(problem.init[0])).item())
    np.testing.assert_allclose(x.detach().numpy(), run_numpy("quadratic", "SGD", {"lr": 0.1}, 1)[0][0])
    assert opt.step() is None


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_param_group_hyperparameters_and_add_param_group(name):
    p = pytensor.tensor([1.0, 2.0], requires_grad=True)
    q = pytensor.tensor([3.0], requires_grad=True)
    opt = getattr(optim, name)([p], lr=0.3)
    opt.add_param_group({"params": q, "lr": 0.0})
    assert len(opt.param_groups[1]["params"]) == 1 and opt.param_groups[1]["params"][0] is q
    assert set(opt.param_groups[1]) == set(opt.param_groups[0])
    (p * p).sum().backward()
    (q * q).sum().backward()
    opt.step()
    assert q.tolist() == [3.0]  # lr 0 in its group
    assert p.tolist() != [1.0, 2.0]


def test_params_from_generator_and_group_defaults():
    ps = [pytensor.tensor([float(i)], requires_grad=True) for i in range(3)]
    opt = optim.SGD((p for p in ps), lr=0.5, momentum=0.1)
    assert len(opt.param_groups) == 1 and len(opt.param_groups[0]["params"]) == 3
    assert opt.defaults["lr"] == 0.5 and opt.param_groups[0]["momentum"] == 0.1


# ---- repr ---------------------------------------------------------------------------------

REPRS = {
    "SGD": "SGD (\nParameter Group 0\n    dampening: 0\n    differentiable: False\n    foreach: None\n    fused: None\n    lr: 0.001\n    maximize: False\n    momentum: 0\n    nesterov: False\n    weight_decay: 0\n)",  # noqa: E501
    "Adam": "Adam (\nParameter Group 0\n    amsgrad: False\n    betas: (0.9, 0.999)\n    capturable: False\n    decoupled_weight_decay: False\n    differentiable: False\n    eps: 1e-08\n    foreach: None\n    fused: None\n    lr: 0.001\n    maximize: False\n    weight_decay: 0\n)",  # noqa: E501
    "AdamW": "AdamW (\nParameter Group 0\n    amsgrad: False\n    betas: (0.9, 0.999)\n    capturable: False\n    decoupled_weight_decay: True\n    differentiable: False\n    eps: 1e-08\n    foreach: None\n    fused: None\n    lr: 0.001\n    maximize: False\n    weight_decay: 0.01\n)",  # noqa: E501
    "RMSprop": "RMSprop (\nParameter Group 0\n    alpha: 0.99\n    capturable: False\n    centered: False\n    differentiable: False\n    eps: 1e-08\n    foreach: None\n    lr: 0.01\n    maximize: False\n    momentum: 0\n    weight_decay: 0\n)",  # noqa: E501
    "Adagrad": "Adagrad (\nParameter Group 0\n    differentiable: False\n    eps: 1e-10\n    foreach: None\n    fused: None\n    initial_accumulator_value: 0\n    lr: 0.01\n    lr_decay: 0\n    maximize: False\n    weight_decay: 0\n)",  # noqa: E501
}


@pytest.mark.parametrize("name", list(REPRS))
def test_repr_defaults(name):
    assert repr(getattr(optim, name)([pytensor.tensor([1.0], requires_grad=True)])) == REPRS[name]


def test_repr_two_groups():
    a, b = (pytensor.tensor([1.0], requires_grad=True) for _ in range(2))
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.9)
    group = ("    dampening: 0\n    differentiable: False\n    foreach: None\n    fused: None\n"
             "    lr: {}\n    maximize: False\n    momentum: 0.9\n    nesterov: False\n"
             "    weight_decay: 0\n")
    assert repr(opt) == ("SGD (\nParameter Group 0\n" + group.format(0.1) +
                         "\nParameter Group 1\n" + group.format(0.5) + ")")


# ---- bad inputs -----------------------------------------------------------------------------

P = pytensor.tensor([1.0, 2.0], requires_grad=True)


@pytest.mark.parametrize("make,exc,msg", [
    (lambda: optim.SGD(P), TypeError, "params argument given to the optimizer should be an "
                                      "iterable of Tensors or dicts, but got pytensor.FloatTensor"),
    (lambda: optim.SGD([]), ValueError, "optimizer got an empty parameter list"),
    (lambda: optim.SGD([P, 1]), TypeError, "optimizer can only optimize Tensors, but one of the params is int"),
    (lambda: optim.SGD([P * 2]), ValueError, "can't optimize a non-leaf Tensor"),
    (lambda: optim.SGD([{"params": [P]}, {"params": P}]), ValueError,
     "some parameters appear in more than one parameter group"),
    (lambda: optim.SGD([{"lr": 1}]), KeyError, "params"),
    (lambda: optim.SGD([P], lr=-0.1), ValueError, "Invalid learning rate: -0.1"),
    (lambda: optim.SGD([P], momentum=-0.1), ValueError, "Invalid momentum value: -0.1"),
    (lambda: optim.SGD([P], weight_decay=-0.1), ValueError, "Invalid weight_decay value: -0.1"),
    (lambda: optim.SGD([P], nesterov=True), ValueError,
     "Nesterov momentum requires a momentum and zero dampening"),
    (lambda: optim.SGD([P], nesterov=True, momentum=0.9, dampening=0.1), ValueError,
     "Nesterov momentum requires a momentum and zero dampening"),
    (lambda: optim.Adam([P], lr=-1), ValueError, "Invalid learning rate: -1"),
    (lambda: optim.Adam([P], eps=-1), ValueError, "Invalid epsilon value: -1"),
    (lambda: optim.Adam([P], betas=(1.0, 0.9)), ValueError, "Invalid beta parameter at index 0: 1.0"),
    (lambda: optim.Adam([P], betas=(0.9, -0.1)), ValueError, "Invalid beta parameter at index 1: -0.1"),
    (lambda: optim.Adam([P], weight_decay=-1), ValueError, "Invalid weight_decay value: -1"),
    (lambda: optim.AdamW([P], weight_decay=-1), ValueError, "Invalid weight_decay value: -1"),
    (lambda: optim.RMSprop([P], lr=-1), ValueError, "Invalid learning rate: -1"),
    (lambda: optim.RMSprop([P], eps=-1), ValueError, "Invalid epsilon value: -1"),
    (lambda: optim.RMSprop([P], momentum=-1), ValueError, "Invalid momentum value: -1"),
    (lambda: optim.RMSprop([P], weight_decay=-1), ValueError, "Invalid weight_decay value: -1"),
    (lambda: optim.RMSprop([P], alpha=-1), ValueError, "Invalid alpha value: -1"),
    (lambda: optim.Adagrad([P], lr=-1), ValueError, "Invalid learning rate: -1"),
    (lambda: optim.Adagrad([P], lr_decay=-1), ValueError, "Invalid lr_decay value: -1"),
    (lambda: optim.Adagrad([P], weight_decay=-1), ValueError, "Invalid weight_decay value: -1"),
    (lambda: optim.Adagrad([P], initial_accumulator_value=-1), ValueError,
     "Invalid initial_accumulator_value value: -1"),
    (lambda: optim.Adagrad([P], eps=-1), ValueError, "Invalid epsilon value: -1"),
    (lambda: optim.Adam([P], fused=True), NotImplementedError, "fused=True"),
    (lambda: optim.SGD([P], differentiable=True), NotImplementedError, "differentiable=True"),
    (lambda: optim.SGD([P]).add_param_group([P]), TypeError,
     "param_group must be a dict, but got <class 'list'>"),
    (lambda: optim.SGD([P]).add_param_group({"params": [P]}), ValueError,
     "some parameters appear in more than one parameter group"),
    (lambda: optim.Optimizer([P], {}).step(), NotImplementedError, ""),
])
def test_bad_inputs(make, exc, msg):
    with pytest.raises(exc) as info:
        make()
    assert msg in str(info.value)


def test_required_hyperparameter():
    class Custom(optim.Optimizer):
        def __init__(self, params, lr=optim.optimizer.required):
            super().__init__(params, dict(lr=lr))

    with pytest.raises(ValueError, match="didn't specify a value of required optimization "
                                         "parameter lr"):
        Custom([P])
    assert Custom([{"params": [P], "lr": 0.5}]).param_groups[0]["lr"] == 0.5


def test_duplicate_parameters_warn():
    with pytest.warns(UserWarning, match="duplicate parameters"):
        opt = optim.SGD([P, P], lr=0.1)
    assert len(opt.param_groups[0]["params"]) == 2


def test_deepcopy_and_custom_optimizer_step():
    class Halve(optim.Optimizer):
        def __init__(self, params):
            super().__init__(params, {})

        def step(self, closure=None):
            with pytensor.no_grad():
                for group in self.param_groups:
                    for p in group["params"]:
                        p.mul_(0.5)

    p = pytensor.tensor([4.0], requires_grad=True)
    opt = Halve([p])
    opt.step()
    assert p.tolist() == [2.0] and opt._opt_called
    clone = copy.deepcopy(optim.SGD([p], lr=0.25))
    assert clone.param_groups[0]["lr"] == 0.25
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        optim.SGD([p]).step()


def test_named_parameters_keep_their_names():
    model = pytensor.nn.Sequential(pytensor.nn.Linear(2, 3), pytensor.nn.ReLU(), pytensor.nn.Linear(3, 1))
    opt = optim.SGD(model.named_parameters(), lr=0.1, momentum=0.9)
    group = opt.param_groups[0]
    assert group["param_names"] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert [p is q for p, q in zip(group["params"], model.parameters())] == [True] * 4
    assert opt.state_dict()["param_groups"][0]["param_names"] == group["param_names"]
    assert opt.state_dict()["param_groups"][0]["params"] == [0, 1, 2, 3]
    model(pytensor.ones(4, 2)).sum().backward()
    opt.step()
    assert set(opt.state_dict()["state"]) == {0, 1, 2, 3}
    with pytest.raises(ValueError, match="cannot add param group without names to the optimizer"):
        opt.add_param_group({"params": [pytensor.nn.Parameter(pytensor.ones(1))]})
    unnamed = optim.Adam(pytensor.nn.Linear(2, 2).parameters())
    with pytest.raises(ValueError, match="cannot add param group with names to the optimizer"):
        unnamed.add_param_group({"params": [("w", pytensor.nn.Parameter(pytensor.ones(1)))]})
    grouped = optim.Adam([{"params": model[0].named_parameters()},
                          {"params": model[2].named_parameters(), "lr": 0.5}])
    assert [g["param_names"] for g in grouped.param_groups] == [["weight", "bias"], ["weight", "bias"]]

"""CUDA batch norm / layer norm / group norm, optimizer steps (single and multi-tensor) and
on-device random numbers, held against the CPU (or, for random numbers, against statistics).
cuda-marked: skipped without a GPU; PYTENSOR_TEST_GPU=cpu dry-runs them on the CPU."""
import copy

import numpy as np
import pytest

import pytensor
import pytensor.nn as nn
import pytensor.nn.functional as F
from pytensor import _C
from helpers import GPU, assert_close, gpu_layouts, grads_as_cpu, on_gpu, rand, same_as_cpu, to_np

pytestmark = pytest.mark.cuda

TOL = {"float32": dict(rtol=1e-4, atol=1e-5), "float64": dict(rtol=1e-10, atol=1e-10)}


def t(arr):
    """A CPU tensor with a copy of arr (from_numpy alone would share the array's memory, and
    ops updating in place would change the reference inputs)."""
    return pytensor.from_numpy(np.array(arr))


def bit_equal(a, b):
    return np.array_equal(to_np(a), to_np(b), equal_nan=True)


# ---- batch norm ---------------------------------------------------------------------------

# 2-d, 3-d, 4-d; 1, 3 and 33 channels; odd spatial sizes; the last two have >= 4096 values
# per channel, so each channel is summed in several parts (the two-pass path).
BN_SHAPES = [(4, 3), (5, 1, 9), (2, 33, 5, 3), (3, 3, 7, 5), (64, 3, 9, 11), (9000, 2)]


def _stats(c, dtype, rng):
    return rand((c,), dtype, rng), rand((c,), dtype, rng, low=0.5, high=2)


def _bn_both(x, w, b, rm, rv, training, momentum):
    """batch_norm on the CPU and on the device with fresh copies of the running statistics;
    returns [(out, running_mean, running_var)] for both."""
    res = []
    for dev in ("cpu", GPU):
        rmd = None if rm is None else t(rm).to(dev)
        rvd = None if rv is None else t(rv).to(dev)
        wd = None if w is None else t(w).to(dev)
        bd = None if b is None else t(b).to(dev)
        out = F.batch_norm(t(x).to(dev), rmd, rvd, wd, bd, training, momentum, 1e-5)
        res.append((out, rmd, rvd))
    return res


@pytest.mark.parametrize("shape", BN_SHAPES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_forward_and_running_stats(shape, dtype, training, affine):
    rng = np.random.default_rng(1)
    c = shape[1]
    x = rand(shape, dtype, rng) + 2  # a mean away from 0
    w, b = (rand((c,), dtype, rng), rand((c,), dtype, rng)) if affine else (None, None)
    rm, rv = _stats(c, dtype, rng)
    (eo, erm, erv), (go, grm, grv) = _bn_both(x, w, b, rm, rv, training, 0.1)
    tol = TOL[dtype]
    for g, e in ((go, eo), (grm, erm), (grv, erv)):
        assert on_gpu(g)
        assert_close(g, to_np(e), **tol)


@pytest.mark.parametrize("shape", [(4, 3), (2, 33, 5, 3), (64, 3, 9, 11)])
def test_batch_norm_without_running_stats(shape):
    rng = np.random.default_rng(2)
    x = rand(shape, "float32", rng)
    w, b = rand((shape[1],), "float32", rng), rand((shape[1],), "float32", rng)
    (eo, _, _), (go, _, _) = _bn_both(x, w, b, None, None, True, 0.1)
    assert_close(go, to_np(eo), **TOL["float32"])


@pytest.mark.parametrize("shape", [(4, 3), (5, 1, 9), (2, 33, 5, 3), (64, 3, 9, 11)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_backward(shape, dtype, training):
    rng = np.random.default_rng(3)
    c = shape[1]
    rm, rv = _stats(c, dtype, rng)

    def fn(x, w, b):
        return F.batch_norm(x, t(rm).to(x.device), t(rv).to(x.device), w, b, training, 0.1, 1e-5)

    grads_as_cpu(fn, t(rand(shape, dtype, rng)), t(rand((c,), dtype, rng)), t(rand((c,), dtype, rng)),
                 **TOL[dtype])


def test_batch_norm_backward_without_affine():
    x = t(rand((6, 5, 7), "float64"))
    grads_as_cpu(lambda x: F.batch_norm(x, None, None, None, None, True), x, **TOL["float64"])


def test_batch_norm_non_contiguous_input():
    arr, warr = rand((4, 3, 5, 6), "float32", np.random.default_rng(4)), rand((3,), "float32")
    expected = F.batch_norm(t(arr), None, None, t(warr), None, True)
    for name, x, _ in gpu_layouts(arr):
        got = F.batch_norm(x, None, None, t(warr).to(GPU), None, True)
        assert_close(got, to_np(expected), **TOL["float32"])


def test_batch_norm_empty_eval():
    rm, rv = t(np.zeros(3, np.float32)).to(GPU), t(np.ones(3, np.float32)).to(GPU)
    out = F.batch_norm(t(np.zeros((0, 3, 4), np.float32)).to(GPU), rm, rv, None, None, False)
    assert on_gpu(out) and tuple(out.shape) == (0, 3, 4)


@pytest.mark.parametrize("momentum", [None, 0.3])
def test_batch_norm_module_running_stats(momentum):
    rng = np.random.default_rng(5)
    m_cpu = nn.BatchNorm2d(3, momentum=momentum)
    m_gpu = copy.deepcopy(m_cpu).to(GPU)
    for _ in range(3):
        x = t(rand((4, 3, 5, 7), "float32", rng))
        out_cpu, out_gpu = m_cpu(x), m_gpu(x.to(GPU))
        assert_close(out_gpu, to_np(out_cpu.detach()), **TOL["float32"])
    for name in ("running_mean", "running_var", "num_batches_tracked"):
        got, exp = getattr(m_gpu, name), getattr(m_cpu, name)
        assert on_gpu(got)
        assert_close(got, to_np(exp), **TOL["float32"])
    m_cpu.eval()
    m_gpu.eval()
    x = t(rand((2, 3, 4, 4), "float32", rng))
    assert_close(m_gpu(x.to(GPU)), to_np(m_cpu(x).detach()), **TOL["float32"])


def test_batch_norm_is_deterministic():
    x = t(rand((64, 3, 9, 11), "float32", np.random.default_rng(6))).to(GPU).requires_grad_(True)
    outs = []
    for _ in range(2):
        x.grad = None
        y = F.batch_norm(x, None, None, None, None, True)
        (y * y).sum().backward()
        outs.append((y.detach(), x.grad))
    assert bit_equal(outs[0][0], outs[1][0]) and bit_equal(outs[0][1], outs[1][1])


# ---- layer norm and group norm ------------------------------------------------------------

# (shape, normalized dims): 1, 2 and 3 trailing dims, a long row, many short rows (the
# per-column weight gradient then sums several row parts).
LN_CASES = [((4, 7), 1), ((2, 3, 5), 2), ((2, 3, 4, 5), 3), ((2, 5000), 1), ((4000, 3), 1), ((0, 5), 1)]


@pytest.mark.parametrize("shape,nd", LN_CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("affine", ["both", "weight", "none"])
def test_layer_norm_forward_backward(shape, nd, dtype, affine):
    rng = np.random.default_rng(7)
    norm_shape = shape[len(shape) - nd:]
    args = [t(rand(shape, dtype, rng))]
    if affine != "none":
        args.append(t(rand(norm_shape, dtype, rng)))
    if affine == "both":
        args.append(t(rand(norm_shape, dtype, rng)))

    def fn(x, w=None, b=None):
        return F.layer_norm(x, norm_shape, w, b, 1e-5)

    tol = dict(TOL[dtype])
    if shape == (4000, 3) and dtype == "float32":
        tol["atol"] = 1e-3  # weight gradients are sums over 4000 rows
    grads_as_cpu(fn, *args, **tol)


def test_layer_norm_non_contiguous_and_deterministic():
    arr = rand((6, 9), "float32", np.random.default_rng(8))
    expected = F.layer_norm(t(arr), (9,))
    outs = []
    for name, x, _ in gpu_layouts(arr):
        outs.append(F.layer_norm(x, (9,)))
        assert_close(outs[-1], to_np(expected), **TOL["float32"])
    assert bit_equal(outs[0], F.layer_norm(t(arr).to(GPU), (9,)))


@pytest.mark.parametrize("shape,groups", [((2, 6, 5, 3), 3), ((3, 4, 7), 2), ((2, 5), 5)])
def test_group_norm(shape, groups):
    rng = np.random.default_rng(9)
    c = shape[1]
    grads_as_cpu(lambda x, w, b: F.group_norm(x, groups, w, b), t(rand(shape, "float64", rng)),
                 t(rand((c,), "float64", rng)), t(rand((c,), "float64", rng)), **TOL["float64"])
    same_as_cpu(lambda x: nn.GroupNorm(groups, c, affine=False)(x), t(rand(shape, "float32", rng)),
                **TOL["float32"])


# ---- optimizers ---------------------------------------------------------------------------

OPTIMIZERS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.5, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, betas=(0.6, 0.9), maximize=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, amsgrad=True, weight_decay=0.3)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.1)),
    ("Adagrad", dict(lr=0.1, maximize=True)),
]
# Odd sizes, one over a multi-tensor chunk (4096), one empty.
PARAM_SHAPES = [(5,), (3, 7), (1,), (33, 2), (4097,), (0, 3)]
OPT_TOL = {"float32": dict(rtol=1e-5, atol=1e-6), "float64": dict(rtol=1e-12, atol=1e-12)}


def _run_optimizer(name, kw, arrays, grads, device):
    params = [t(a).to(device).requires_grad_(True) for a in arrays]
    opt = getattr(pytensor.optim, name)(params, **kw)
    for step_grads in grads:
        for p, g in zip(params, step_grads):
            p.grad = t(g).to(device)
        opt.step()
    return params, opt


@pytest.mark.parametrize("name,kw", OPTIMIZERS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_optimizer_matches_cpu(name, kw, dtype):
    rng = np.random.default_rng(10)
    arrays = [rand(s, dtype, rng) for s in PARAM_SHAPES]
    grads = [[rand(s, dtype, rng) for s in PARAM_SHAPES] for _ in range(3)]
    p_cpu, o_cpu = _run_optimizer(name, kw, arrays, grads, "cpu")
    p_gpu, o_gpu = _run_optimizer(name, kw, arrays, grads, GPU)
    for g, e in zip(p_gpu, p_cpu):
        assert on_gpu(g)
        assert_close(g.detach(), to_np(e.detach()), **OPT_TOL[dtype])
    for pg, pc in zip(p_gpu, p_cpu):
        sg, sc = o_gpu.state[pg], o_cpu.state[pc]
        assert sorted(sg) == sorted(sc)
        for key in sc:
            if key == "step":  # a CPU counter, as PyTorch's default
                assert float(sg[key]) == float(sc[key]) == 3.0
            else:
                assert on_gpu(sg[key])
                assert_close(sg[key], to_np(sc[key]), **OPT_TOL[dtype])


def test_optimizer_mixed_dtypes_and_many_params():
    # More parameters than one launch's table holds, float32 and float64 in one group.
    rng = np.random.default_rng(11)
    arrays = [rand((i % 7 + 1, 3), "float32" if i % 3 else "float64", rng) for i in range(45)]
    grads = [[rand(a.shape, str(a.dtype), rng) for a in arrays] for _ in range(3)]
    for name, kw in [("Adam", dict(lr=0.01, amsgrad=True)), ("SGD", dict(lr=0.1, momentum=0.9))]:
        p_cpu, _ = _run_optimizer(name, kw, arrays, grads, "cpu")
        p_gpu, _ = _run_optimizer(name, kw, arrays, grads, GPU)
        for g, e in zip(p_gpu, p_cpu):
            assert_close(g.detach(), to_np(e.detach()), **OPT_TOL[str(to_np(e.detach()).dtype)])


def _adam_args(arrays, device, amsgrad):
    dev = [t(a).to(device) for a in arrays]
    p, g = dev[0], dev[1]
    m, v, vmax = (pytensor.zeros_like(p) for _ in range(3))
    return p, g, m, v, (vmax if amsgrad else None), pytensor.tensor(0.0)


@pytest.mark.parametrize("amsgrad", [False, True])
def test_single_tensor_ops_match_cpu(amsgrad):
    rng = np.random.default_rng(12)
    arrays = [rand((37, 5), "float32", rng), rand((37, 5), "float32", rng)]
    res = []
    for device in ("cpu", GPU):
        p, g, m, v, vmax, step = _adam_args(arrays, device, amsgrad)
        for _ in range(3):
            _C._adam_step_(p, g, m, v, vmax, step, 0.01, 0.9, 0.99, 1e-8, 0.1, False, amsgrad, False)
        buf = pytensor.empty_like(p)
        q = p.clone()
        _C._sgd_step_(q, g, buf, 0.1, 0.9, 0.0, 0.0, True, False, True)
        _C._sgd_step_(q, g, buf, 0.1, 0.9, 0.0, 0.0, True, False, False)
        s = pytensor.zeros_like(p)
        _C._adagrad_step_(q, g, s, pytensor.tensor(0.0), 0.1, 0.0, 0.0, 1e-10, False)
        sq, ga, mb = (pytensor.zeros_like(p) for _ in range(3))
        _C._rmsprop_step_(q, g, sq, ga, mb, pytensor.tensor(0.0), 0.01, 0.99, 1e-8, 0.0, 0.9, False)
        res.append((p, m, v, q, buf, s, sq, ga, mb, step))
    for g, e in zip(res[1], res[0]):
        if e is res[0][-1]:
            assert float(g) == float(e) == 3.0
        else:
            assert on_gpu(g)
            assert_close(g, to_np(e), **OPT_TOL["float32"])


def test_multi_op_non_contiguous_and_repeated_params():
    # A transposed parameter is updated through a contiguous copy; a repeated one twice, in order.
    rng = np.random.default_rng(13)
    a, ga = rand((6, 4), "float32", rng), rand((6, 4), "float32", rng)
    res = []
    for device in ("cpu", GPU):
        p = t(a.T.copy()).to(device).t()  # a's values, transposed layout
        g = t(ga).to(device)
        buf = pytensor.zeros_like(g)
        _C._sgd_step_multi_([p, p], [g, g], [buf, buf], 0.1, 0.5, 0.0, 0.0, False, False, [True, False])
        res.append((p, buf))
    for g, e in zip(res[1], res[0]):
        assert_close(g, to_np(e), **OPT_TOL["float32"])
    # by hand: b1 = g; p1 = p - 0.1 g; b2 = 0.5 g + g; p2 = p1 - 0.1 * 1.5 g
    assert_close(res[0][0], a.astype(np.float64) - 0.25 * ga, rtol=1e-5, atol=1e-6)


def test_multi_op_bad_arguments():
    p = t(rand((3,), "float32")).to(GPU)
    with pytest.raises(RuntimeError, match="grads"):
        _C._sgd_step_multi_([p], [], None, 0.1, 0.0, 0.0, 0.0, False, False, [False])
    with pytest.raises(RuntimeError, match="shape"):
        _C._adagrad_step_multi_([p], [t(rand((4,), "float32")).to(GPU)], [pytensor.zeros_like(p)],
                                [pytensor.tensor(0.0)], 0.1, 0.0, 0.0, 1e-10, False)
    with pytest.raises(RuntimeError, match="amsgrad"):
        _C._adam_step_multi_([p], [p.clone()], [p.clone()], [p.clone()], None, [pytensor.tensor(0.0)],
                             0.1, 0.9, 0.99, 1e-8, 0.0, False, True, False)


# ---- random numbers -----------------------------------------------------------------------

N = 1_000_000


def _seed(s):
    pytensor.manual_seed(s)  # seeds the CPU and the CUDA generators, as torch.manual_seed


def test_same_seed_same_numbers_and_calls_differ():
    _seed(123)
    a, b = pytensor.rand(1000, device=GPU), pytensor.randn(1001, device=GPU)
    _seed(123)
    c, d = pytensor.rand(1000, device=GPU), pytensor.randn(1001, device=GPU)
    assert on_gpu(a) and on_gpu(b)
    assert bit_equal(a, c) and bit_equal(b, d)
    assert not bit_equal(a, pytensor.rand(1000, device=GPU))


def test_cuda_manual_seed_reproduces_device_numbers():
    if GPU == "cpu":
        pytest.skip("pytensor.cuda.manual_seed seeds the device generator only")
    pytensor.cuda.manual_seed_all(7)
    assert pytensor.cuda.initial_seed() == 7
    a = pytensor.rand(333, device=GPU)
    pytensor.manual_seed(99)  # the CPU generator's state does not matter...
    pytensor.cuda.manual_seed(7)
    assert bit_equal(a, pytensor.rand(333, device=GPU))  # ...the device's seed does


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_uniform_statistics_and_range(dtype):
    _seed(1)
    x = pytensor.rand(N, dtype=getattr(pytensor, dtype), device=GPU)
    a = to_np(x)
    assert on_gpu(x) and a.min() >= 0 and a.max() < 1
    assert abs(a.mean() - 0.5) < 3e-3 and abs(a.var() - 1 / 12) < 2e-3
    y = pytensor.empty(N, dtype=getattr(pytensor, dtype), device=GPU).uniform_(-2, 5)
    b = to_np(y)
    assert b.min() >= -2 and b.max() < 5 and abs(b.mean() - 1.5) < 0.02


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_normal_statistics(dtype):
    _seed(2)
    a = to_np(pytensor.randn(N, dtype=getattr(pytensor, dtype), device=GPU))
    assert abs(a.mean()) < 5e-3 and abs(a.std() - 1) < 5e-3
    b = to_np(pytensor.empty(N, dtype=getattr(pytensor, dtype), device=GPU).normal_(2.0, 3.0))
    assert abs(b.mean() - 2) < 0.02 and abs(b.std() - 3) < 0.02
    # tensor mean and std, broadcast
    z = pytensor.normal(t(np.array([[-50.0], [50.0]])).to(GPU), t(np.array([1.0, 2.0, 0.5])).to(GPU))
    assert on_gpu(z) and tuple(z.shape) == (2, 3) and (to_np(z)[0] < 0).all()
    big = to_np(pytensor.normal(t(np.full(200000, 1.0)).to(GPU), t(np.full(200000, 0.5)).to(GPU)))
    assert abs(big.mean() - 1) < 0.01 and abs(big.std() - 0.5) < 0.01
    with pytest.raises(RuntimeError, match="std >= 0"):
        pytensor.normal(t(np.zeros(3)).to(GPU), t(np.array([1.0, -1.0, 1.0])).to(GPU))


def test_bernoulli_and_exponential_statistics():
    _seed(3)
    a = to_np(pytensor.empty(N, device=GPU).bernoulli_(0.3))
    assert set(np.unique(a)) <= {0.0, 1.0} and abs(a.mean() - 0.3) < 3e-3
    p = t(np.repeat(np.array([0.2, 0.9], np.float32), N // 2)).to(GPU)
    b = to_np(pytensor.bernoulli(p))
    assert abs(b[: N // 2].mean() - 0.2) < 4e-3 and abs(b[N // 2:].mean() - 0.9) < 4e-3
    c = to_np(pytensor.empty(N // 2, dtype=pytensor.int32, device=GPU).bernoulli_(p[: N // 2]))
    assert c.dtype == np.int32 and abs(c.mean() - 0.2) < 5e-3
    e = to_np(pytensor.empty(N, device=GPU).exponential_(2.0))
    assert e.min() >= 0 and abs(e.mean() - 0.5) < 5e-3
    with pytest.raises(RuntimeError, match="probabilities"):
        pytensor.bernoulli(t(np.array([0.5, 1.5])).to(GPU))


@pytest.mark.parametrize("p", [0.4, 0.75])
def test_dropout_scaling_and_zero_fraction(p):
    _seed(4)
    x = pytensor.rand(N, device=GPU) + 1
    y = F.dropout(x, p=p, training=True)
    xa, ya = to_np(x), to_np(y)
    kept = ya != 0
    assert on_gpu(y) and abs((~kept).mean() - p) < 3e-3
    np.testing.assert_allclose(ya[kept], xa[kept] / (1 - p), rtol=1e-6)
    assert bit_equal(F.dropout(x, p=p, training=False), x)


def test_randint_and_random_():
    _seed(5)
    r = pytensor.randint(3, 10, (N // 10,), dtype=pytensor.int32, device=GPU)
    a = to_np(r)
    assert on_gpu(r) and a.dtype == np.int32 and set(np.unique(a)) == set(range(3, 10))
    b = to_np(pytensor.empty(1000, dtype=pytensor.uint8, device=GPU).random_(0, 2))
    assert set(np.unique(b)) == {0, 1}


def test_shapes_empty_zero_d_and_non_contiguous_outputs():
    _seed(6)
    assert tuple(pytensor.rand((), device=GPU).shape) == ()
    assert tuple(pytensor.randn(0, 3, device=GPU).shape) == (0, 3)
    assert pytensor.rand(2, 3, dtype=pytensor.float64, device=GPU).dtype == pytensor.float64
    tr = pytensor.zeros(50, 41, device=GPU).t()  # transposed: written through a staging copy
    tr.uniform_(1, 2)
    a = to_np(tr)
    assert a.min() >= 1 and a.max() < 2 and len(np.unique(a)) > 1000
    big = pytensor.zeros(1000, 2, device=GPU)
    big[:, 0].normal_()
    b = to_np(big)
    assert (b[:, 1] == 0).all() and abs(b[:, 0].mean()) < 0.2 and b[:, 0].std() > 0.8

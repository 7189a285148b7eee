"""Layers: outputs against numpy, reprs as PyTorch prints them, train/eval behaviour, gradcheck
of Linear, a hand-written SGD training loop, gradient clipping and the loss modules."""
import math

import numpy as np
import pytest

import pytensor
import pytensor.nn as nn
import pytensor.nn.functional as F
from pytensor.autograd import gradcheck
from pytensor.nn.utils import clip_grad_norm_, clip_grad_value_
from helpers import assert_close

RNG = np.random.default_rng(1)

# Constructor call -> what PyTorch 2.x prints for it.
REPRS = [
    ("ReLU()", "ReLU()"), ("ReLU(inplace=True)", "ReLU(inplace=True)"),
    ("ReLU6()", "ReLU6()"), ("ReLU6(True)", "ReLU6(inplace=True)"),
    ("LeakyReLU()", "LeakyReLU(negative_slope=0.01)"),
    ("LeakyReLU(0.2, True)", "LeakyReLU(negative_slope=0.2, inplace=True)"),
    ("ELU()", "ELU(alpha=1.0)"), ("ELU(0.5, True)", "ELU(alpha=0.5, inplace=True)"),
    ("GELU()", "GELU(approximate='none')"), ("GELU('tanh')", "GELU(approximate='tanh')"),
    ("SiLU()", "SiLU()"), ("Sigmoid()", "Sigmoid()"), ("Tanh()", "Tanh()"),
    ("Softmax()", "Softmax(dim=None)"), ("Softmax(dim=1)", "Softmax(dim=1)"),
    ("LogSoftmax(dim=1)", "LogSoftmax(dim=1)"), ("Softmin(1)", "Softmin(dim=1)"),
    ("Softplus()", "Softplus(beta=1.0, threshold=20.0)"),
    ("Softplus(2, 10)", "Softplus(beta=2, threshold=10)"),
    ("Hardtanh()", "Hardtanh(min_val=-1.0, max_val=1.0)"),
    ("Hardtanh(-2., 2., True)", "Hardtanh(min_val=-2.0, max_val=2.0, inplace=True)"),
    ("Dropout()", "Dropout(p=0.5, inplace=False)"), ("Dropout(0.2, True)", "Dropout(p=0.2, inplace=True)"),
    ("Dropout2d(0.3)", "Dropout2d(p=0.3, inplace=False)"), ("Dropout1d()", "Dropout1d(p=0.5, inplace=False)"),
    ("Flatten()", "Flatten(start_dim=1, end_dim=-1)"), ("Flatten(0)", "Flatten(start_dim=0, end_dim=-1)"),
    ("Unflatten(1, (2, 5))", "Unflatten(dim=1, unflattened_size=(2, 5))"),
    ("Embedding(10, 3)", "Embedding(10, 3)"),
    ("Embedding(10, 3, padding_idx=0)", "Embedding(10, 3, padding_idx=0)"),
    ("Embedding(10, 3, max_norm=1.0)", "Embedding(10, 3, max_norm=1.0)"),
    ("Embedding(5, 2, norm_type=3., scale_grad_by_freq=True, sparse=True)",
     "Embedding(5, 2, norm_type=3.0, scale_grad_by_freq=True, sparse=True)"),
    ("Embedding(5, 2, padding_idx=-1)", "Embedding(5, 2, padding_idx=4)"),
    ("LayerNorm(5)", "LayerNorm((5,), eps=1e-05, elementwise_affine=True, bias=True)"),
    ("LayerNorm([5, 4], eps=1e-3, elementwise_affine=False)",
     "LayerNorm((5, 4), eps=0.001, elementwise_affine=False, bias=False)"),
    ("LayerNorm(5, bias=False)", "LayerNorm((5,), eps=1e-05, elementwise_affine=True, bias=False)"),
    ("GroupNorm(2, 4)", "GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)"),
    ("GroupNorm(2, 4, affine=False)", "GroupNorm(2, 4, eps=1e-05, affine=False, bias=False)"),
    ("BatchNorm1d(4)", "BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"),
    ("BatchNorm2d(4, momentum=None, affine=False, track_running_stats=False)",
     "BatchNorm2d(4, eps=1e-05, momentum=None, affine=False, bias=False, track_running_stats=False)"),
    ("Identity()", "Identity()"),
    ("Bilinear(2, 3, 4)", "Bilinear(in1_features=2, in2_features=3, out_features=4, bias=True)"),
    ("Linear(2, 3, bias=False)", "Linear(in_features=2, out_features=3, bias=False)"),
    ("MSELoss()", "MSELoss()"), ("L1Loss(reduction='sum')", "L1Loss()"),
    ("SmoothL1Loss(beta=0.5)", "SmoothL1Loss()"), ("HuberLoss(delta=2.0)", "HuberLoss()"),
    ("BCELoss()", "BCELoss()"), ("BCEWithLogitsLoss()", "BCEWithLogitsLoss()"),
    ("CrossEntropyLoss(label_smoothing=0.1)", "CrossEntropyLoss()"), ("NLLLoss()", "NLLLoss()"),
    ("KLDivLoss()", "KLDivLoss()"),
]


@pytest.mark.parametrize("call,expected", REPRS, ids=[r[0] for r in REPRS])
def test_layer_repr(call, expected):
    assert repr(eval("nn." + call)) == expected


def test_layer_reprs_parity_with_torch():
    torch = pytest.importorskip("torch")
    for call, _ in REPRS:
        assert repr(eval("nn." + call)) == repr(eval("torch.nn." + call)), call


# ---- Linear ---------------------------------------------------------------------------------

def test_linear_forward_and_init_bounds():
    lin = nn.Linear(50, 20)
    assert tuple(lin.weight.shape) == (20, 50) and tuple(lin.bias.shape) == (20,)
    bound = 1 / math.sqrt(50)
    w, b = lin.weight.detach().numpy(), lin.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.abs(b).max() <= bound
    x = RNG.normal(size=(7, 50)).astype(np.float32)
    assert_close(lin(pytensor.tensor(x)), x.astype(np.float64) @ w.T + b, rtol=1e-5, atol=1e-5)
    x3 = pytensor.randn(2, 3, 50)
    assert tuple(lin(x3).shape) == (2, 3, 20)
    assert nn.Linear(3, 2, bias=False).bias is None
    assert nn.Linear(3, 2, dtype=pytensor.float64).weight.dtype == pytensor.float64


def test_linear_gradcheck():
    lin = nn.Linear(3, 2).double()
    x = pytensor.randn(4, 3, dtype=pytensor.float64, requires_grad=True)
    assert gradcheck(lambda inp, w, b: F.linear(inp, w, b), (x, lin.weight, lin.bias))
    out = lin(x).sum()
    out.backward()
    np.testing.assert_allclose(lin.bias.grad.numpy(), [4.0, 4.0])
    np.testing.assert_allclose(lin.weight.grad.numpy(), np.tile(x.detach().numpy().sum(0), (2, 1)))


def test_bilinear_layer():
    m = nn.Bilinear(2, 3, 4)
    x1, x2 = RNG.normal(size=(5, 2)).astype(np.float32), RNG.normal(size=(5, 3)).astype(np.float32)
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    assert_close(m(pytensor.tensor(x1), pytensor.tensor(x2)),
                 np.einsum("ni,kij,nj->nk", x1, w, x2) + b, rtol=1e-5, atol=1e-5)


# ---- activations, dropout, flatten ----------------------------------------------------------

def test_activation_modules_call_functional():
    x = pytensor.tensor(RNG.normal(size=(3, 4)))
    assert_close(nn.ReLU()(x), np.maximum(x.numpy(), 0))
    assert_close(nn.Softmax(dim=1)(x), F.softmax(x, 1).numpy())
    assert_close(nn.GELU("tanh")(x), F.gelu(x, approximate="tanh").numpy())
    assert_close(nn.ReLU6()(x * 10), np.clip(x.numpy() * 10, 0, 6))
    with pytest.raises(ValueError, match="min_val cannot be greater than max_val"):
        nn.Hardtanh(1.0, -1.0)


def test_dropout_train_vs_eval():
    d = nn.Dropout(0.5)
    x = pytensor.ones(200, 50)
    out = d(x).numpy()
    assert set(np.unique(out)) == {0.0, 2.0}
    d.eval()
    assert d(x) is x
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        nn.Dropout(-0.1)


def test_flatten_unflatten():
    x = pytensor.randn(2, 3, 4, 5)
    assert tuple(nn.Flatten()(x).shape) == (2, 60)
    assert tuple(nn.Flatten(0, 2)(x).shape) == (24, 5)
    assert tuple(nn.Unflatten(1, (3, 20))(nn.Flatten()(x)).shape) == (2, 3, 20)


# ---- Embedding and normalisation layers -----------------------------------------------------

def test_embedding_layer():
    emb = nn.Embedding(10, 3, padding_idx=1)
    w = emb.weight.detach().numpy()
    assert (w[1] == 0).all() and w.std() > 0.5
    idx = pytensor.tensor([[1, 2, 1], [9, 0, 2]])
    out = emb(idx)
    assert_close(out, w[idx.numpy()])
    out.sum().backward()
    counts = np.bincount(idx.numpy().ravel(), minlength=10).astype(float)
    counts[1] = 0
    np.testing.assert_allclose(emb.weight.grad.numpy()[:, 0], counts)
    pre = nn.Embedding.from_pretrained(pytensor.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert not pre.weight.requires_grad and pre(pytensor.tensor([1])).tolist() == [[3.0, 4.0]]
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(5, 2, padding_idx=7)


def test_layer_norm_and_group_norm_layers():
    ln = nn.LayerNorm(4)
    assert [n for n, _ in ln.named_parameters()] == ["weight", "bias"]
    x = RNG.normal(size=(3, 4)).astype(np.float32)
    expected = (x - x.mean(1, keepdims=True)) / np.sqrt(x.var(1, keepdims=True) + 1e-5)
    assert_close(ln(pytensor.tensor(x)), expected, rtol=1e-4, atol=1e-5)
    gn = nn.GroupNorm(2, 4, affine=False)
    assert list(gn.parameters()) == []
    assert tuple(gn(pytensor.randn(2, 4, 3, 3)).shape) == (2, 4, 3, 3)
    with pytest.raises(ValueError, match=r"num_channels \(4\) must be divisible by num_groups \(3\)"):
        nn.GroupNorm(3, 4)


def test_batch_norm_layer_running_stats():
    bn = nn.BatchNorm1d(3)
    assert list(bn.state_dict()) == ["weight", "bias", "running_mean", "running_var",
                                     "num_batches_tracked"]
    x = RNG.normal(2.0, 3.0, size=(64, 3))
    for _ in range(3):
        out = bn(pytensor.tensor(x, dtype=pytensor.float32))
    assert bn.num_batches_tracked.item() == 3
    np.testing.assert_allclose(out.detach().numpy().mean(0), 0, atol=1e-5)
    mean = x.mean(0)
    np.testing.assert_allclose(bn.running_mean.numpy(), mean * (1 - 0.9 ** 3), rtol=1e-5)
    bn.eval()
    out = bn(pytensor.tensor(x, dtype=pytensor.float32)).detach().numpy()
    rm, rv = bn.running_mean.numpy(), bn.running_var.numpy()
    np.testing.assert_allclose(out, (x - rm) / np.sqrt(rv + 1e-5), rtol=1e-4, atol=1e-4)
    assert bn.num_batches_tracked.item() == 3
    with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D input\)"):
        bn(pytensor.ones(2, 3, 4, 5))
    with pytest.raises(ValueError, match=r"expected 4D input \(got 2D input\)"):
        nn.BatchNorm2d(3)(pytensor.ones(2, 3))


def test_batch_norm_cumulative_average_and_no_tracking():
    bn = nn.BatchNorm2d(2, momentum=None)
    xs = [RNG.normal(size=(4, 2, 3, 3)) for _ in range(2)]
    for x in xs:
        bn(pytensor.tensor(x, dtype=pytensor.float32))
    expected = np.mean([x.mean((0, 2, 3)) for x in xs], axis=0)
    np.testing.assert_allclose(bn.running_mean.numpy(), expected, rtol=1e-5, atol=1e-6)
    free = nn.BatchNorm2d(2, track_running_stats=False).eval()
    assert free.running_mean is None
    out = free(pytensor.tensor(xs[0], dtype=pytensor.float32)).detach().numpy()
    np.testing.assert_allclose(out.mean((0, 2, 3)), 0, atol=1e-5)


def test_batch_norm_parity_with_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = nn.BatchNorm2d(3), torch.nn.BatchNorm2d(3)
    for _ in range(2):
        x = RNG.normal(size=(4, 3, 2, 2)).astype(np.float32)
        a = ours(pytensor.tensor(x)).detach().numpy()
        b = theirs(torch.tensor(x)).detach().numpy()
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ours.running_var.numpy(), theirs.running_var.numpy(), rtol=1e-5)


# ---- training -------------------------------------------------------------------------------

def test_training_loop_on_synthetic_regression():
    pytensor.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(128, 3)).astype(np.float32)
    y = (np.sin(x @ np.array([[1.5], [-2.0], [0.5]])) + 0.3 * x[:, :1] ** 2).astype(np.float32)
    xt, yt = pytensor.tensor(x), pytensor.tensor(y)
    assert tuple(yt.shape) == (128, 1)
    model = nn.Sequential(nn.Linear(3, 32), nn.Tanh(), nn.Linear(32, 1))
    lr, losses = 0.2, []
    for _ in range(1500):
        loss = ((model(xt) - yt) ** 2).mean()
        model.zero_grad()
        loss.backward()
        with pytensor.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        losses.append(loss.item())
    assert losses[-1] < 0.01 * losses[0] and losses[-1] < 0.005


# ---- gradient clipping ----------------------------------------------------------------------

def test_clip_grad_norm():
    a, b = nn.Parameter(pytensor.zeros(2)), nn.Parameter(pytensor.zeros(1))
    a.grad, b.grad = pytensor.tensor([3.0, 4.0]), pytensor.tensor([12.0])
    total = clip_grad_norm_([a, b], 1.0)
    assert total.item() == pytest.approx(13.0)
    np.testing.assert_allclose(a.grad.numpy(), [3 / 13, 4 / 13], rtol=1e-5)
    np.testing.assert_allclose(b.grad.numpy(), [12 / 13], rtol=1e-5)
    # Under the threshold nothing changes (scale is capped at 1).
    total = clip_grad_norm_([a, b], 5.0)
    assert total.item() == pytest.approx(1.0, rel=1e-5)
    np.testing.assert_allclose(b.grad.numpy(), [12 / 13], rtol=1e-5)
    a.grad = pytensor.tensor([3.0, -4.0])
    assert clip_grad_norm_(a, 10.0, norm_type="inf").item() == 4.0
    assert clip_grad_norm_(a, 10.0, norm_type=1).item() == 7.0
    assert clip_grad_norm_([], 1.0).item() == 0.0
    a.grad = pytensor.tensor([float("nan"), 1.0])
    with pytest.raises(RuntimeError, match="The total norm of order 2.0 for gradients from `parameters` is non-finite"):
        clip_grad_norm_(a, 1.0, error_if_nonfinite=True)


def test_clip_grad_value():
    p = nn.Parameter(pytensor.zeros(3))
    p.grad = pytensor.tensor([-5.0, 0.5, 3.0])
    clip_grad_value_([p], 1.0)
    assert p.grad.tolist() == [-1.0, 0.5, 1.0]


# ---- loss modules ----------------------------------------------------------------------------

LOSSES = [
    ("MSELoss", "mse_loss", lambda x, t: ((x - t) ** 2).mean()),
    ("L1Loss", "l1_loss", lambda x, t: np.abs(x - t).mean()),
    ("SmoothL1Loss", "smooth_l1_loss",
     lambda x, t: np.where(np.abs(x - t) < 1, 0.5 * (x - t) ** 2, np.abs(x - t) - 0.5).mean()),
    ("HuberLoss", "huber_loss",
     lambda x, t: np.where(np.abs(x - t) < 1, 0.5 * (x - t) ** 2, np.abs(x - t) - 0.5).mean()),
]


@pytest.mark.parametrize("cls,fn,ref", LOSSES, ids=[c[0] for c in LOSSES])
def test_regression_loss_modules(cls, fn, ref):
    x, t = RNG.normal(size=(4, 3)), RNG.normal(size=(4, 3))
    out = getattr(nn, cls)()(pytensor.tensor(x), pytensor.tensor(t))
    assert out.item() == pytest.approx(ref(x, t), rel=1e-6)
    s = getattr(nn, cls)(reduction="sum")(pytensor.tensor(x), pytensor.tensor(t))
    assert s.item() == pytest.approx(ref(x, t) * 12, rel=1e-6)


def test_cross_entropy_and_nll_modules():
    logits = RNG.normal(size=(5, 4))
    target = np.array([0, 3, 1, 1, 2])
    logp = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    expected = -logp[np.arange(5), target].mean()
    ce = nn.CrossEntropyLoss()(pytensor.tensor(logits), pytensor.tensor(target))
    assert ce.item() == pytest.approx(expected, rel=1e-6)
    nll = nn.NLLLoss()(pytensor.tensor(logp), pytensor.tensor(target))
    assert nll.item() == pytest.approx(expected, rel=1e-6)
    ignored = nn.CrossEntropyLoss(ignore_index=3)(pytensor.tensor(logits), pytensor.tensor(target))
    keep = target != 3
    assert ignored.item() == pytest.approx(-logp[np.arange(5), target][keep].mean(), rel=1e-6)
    w = np.array([1.0, 2.0, 0.5, 1.0])
    weighted = nn.CrossEntropyLoss(weight=pytensor.tensor(w))(pytensor.tensor(logits), pytensor.tensor(target))
    picked = -logp[np.arange(5), target] * w[target]
    assert weighted.item() == pytest.approx(picked.sum() / w[target].sum(), rel=1e-6)


def test_bce_modules():
    z, t = RNG.normal(size=(6,)), RNG.uniform(size=(6,))
    p = 1 / (1 + np.exp(-z))
    expected = -(t * np.log(p) + (1 - t) * np.log(1 - p)).mean()
    assert nn.BCELoss()(pytensor.tensor(p), pytensor.tensor(t)).item() == pytest.approx(expected, rel=1e-6)
    assert nn.BCEWithLogitsLoss()(pytensor.tensor(z), pytensor.tensor(t)).item() == \
        pytest.approx(expected, rel=1e-6)
    pw = 2.0
    expected_pw = -(pw * t * np.log(p) + (1 - t) * np.log(1 - p)).mean()
    out = nn.BCEWithLogitsLoss(pos_weight=pytensor.tensor([pw]))(pytensor.tensor(z), pytensor.tensor(t))
    assert out.item() == pytest.approx(expected_pw, rel=1e-6)


def test_kl_div_module():
    logq, p = np.log(RNG.dirichlet(np.ones(4), size=3)), RNG.dirichlet(np.ones(4), size=3)
    expected = (p * (np.log(p) - logq)).sum() / 3
    out = nn.KLDivLoss(reduction="batchmean")(pytensor.tensor(logq), pytensor.tensor(p))
    assert out.item() == pytest.approx(expected, rel=1e-6)


def test_loss_module_buffers_and_legacy_reduction():
    ce = nn.CrossEntropyLoss(weight=pytensor.ones(3))
    assert list(ce.state_dict()) == ["weight"]
    assert list(nn.CrossEntropyLoss().state_dict()) == []
    assert nn.MSELoss(size_average=False).reduction == "sum"
    assert nn.MSELoss(reduce=False).reduction == "none"
    assert nn.BCEWithLogitsLoss(pos_weight=pytensor.ones(1)).pos_weight is not None


# ---- adaptive 1-D pooling, channel dropout, Upsample ----------------------------------------

def _adaptive_1d_ref(x, out_size, reduce):
    """PyTorch's bins: [floor(i*L/out), ceil((i+1)*L/out)) along the last dim."""
    L = x.shape[-1]
    bins = [x[..., (i * L) // out_size: -((-(i + 1) * L) // out_size)] for i in range(out_size)]
    return np.stack([reduce(b, axis=-1) for b in bins], -1)


@pytest.mark.parametrize("shape,out_size", [((2, 3, 7), 3), ((3, 5), 5), ((1, 2, 4), 6), ((2, 2, 9), 1)])
def test_adaptive_pool1d_against_numpy(shape, out_size):
    x = RNG.normal(size=shape)
    t = pytensor.tensor(x)
    assert_close(F.adaptive_avg_pool1d(t, out_size), _adaptive_1d_ref(x, out_size, np.mean))
    assert_close(nn.AdaptiveAvgPool1d((out_size,))(t), _adaptive_1d_ref(x, out_size, np.mean))
    assert_close(F.adaptive_max_pool1d(t, out_size), _adaptive_1d_ref(x, out_size, np.max))
    values, idx = nn.AdaptiveMaxPool1d(out_size, return_indices=True)(t)
    assert idx.dtype == pytensor.int64 and tuple(idx.shape) == tuple(values.shape)
    assert_close(values, np.take_along_axis(x, idx.numpy(), -1))
    assert_close(values, _adaptive_1d_ref(x, out_size, np.max))


def test_adaptive_pool1d_errors_and_gradients():
    with pytest.raises(RuntimeError, match="Expected 2 to 3 dimensions, but got 4-dimensional tensor "
                       r"for argument #1 'self' \(while checking arguments for adaptive_avg_pool1d\)"):
        F.adaptive_avg_pool1d(pytensor.ones(1, 2, 3, 4), 2)
    with pytest.raises(RuntimeError, match="adaptive_max_pool1d"):
        F.adaptive_max_pool1d(pytensor.ones(3), 2)
    with pytest.raises(RuntimeError, match="'output_size' should contain one int"):
        F.adaptive_avg_pool1d(pytensor.ones(2, 3), (2, 2))
    x = pytensor.tensor(RNG.normal(size=(2, 2, 5)), requires_grad=True)
    assert gradcheck(lambda t: F.adaptive_avg_pool1d(t, 3), (x,))
    assert gradcheck(lambda t: F.adaptive_max_pool1d(t, 2), (x,))
    assert repr(nn.AdaptiveAvgPool1d(3)) == "AdaptiveAvgPool1d(output_size=3)"
    assert repr(nn.AdaptiveMaxPool1d(3, True)) == "AdaptiveMaxPool1d(output_size=3)"


def test_adaptive_pool1d_matches_torch():
    torch = pytest.importorskip("torch")
    x = RNG.normal(size=(2, 3, 11)).astype(np.float32)
    for out_size in (1, 4, 11, 13):
        assert_close(F.adaptive_avg_pool1d(pytensor.tensor(x), out_size),
                     torch.nn.functional.adaptive_avg_pool1d(torch.tensor(x), out_size).numpy())
        v, i = F.adaptive_max_pool1d(pytensor.tensor(x), out_size, return_indices=True)
        tv, ti = torch.nn.functional.adaptive_max_pool1d(torch.tensor(x), out_size, return_indices=True)
        assert_close(v, tv.numpy())
        assert i.tolist() == ti.tolist()


def _varying_dims(out):
    """The dims along which a dropout output (of an all-ones input) is not constant."""
    return [d for d in range(out.ndim) if not (out == out.take([0], axis=d)).all()]


def test_channel_dropout_masks_and_scaling():
    pytensor.manual_seed(0)
    out = F.dropout3d(pytensor.ones(4, 6, 2, 3, 2), 0.5).numpy()
    assert set(np.unique(out)) == {0.0, 2.0} and _varying_dims(out) == [0, 1]
    out = nn.Dropout3d(0.25)(pytensor.ones(16, 2, 2, 2)).numpy()  # unbatched (C, D, H, W)
    assert set(np.unique(out)) <= {0.0, np.float32(1 / 0.75)} and _varying_dims(out) == [0]
    out = F.dropout1d(pytensor.ones(16, 5), 0.5).numpy()  # unbatched (C, L)
    assert _varying_dims(out) == [0]
    out = F.dropout1d(pytensor.ones(8, 16, 5), 0.5).numpy()
    assert _varying_dims(out) == [0, 1]
    x = pytensor.ones(3, 16, 2, 2)
    d = nn.Dropout2d(0.5, inplace=True)
    assert d(x) is x and _varying_dims(x.numpy()) == [0, 1]
    d.eval()
    y = pytensor.ones(3, 4, 2, 2)
    assert d(y) is y and F.dropout3d(y, 0.5, training=False) is y
    assert (F.dropout2d(pytensor.ones(2, 3, 2, 2), 1.0).numpy() == 0).all()
    assert repr(nn.Dropout3d()) == "Dropout3d(p=0.5, inplace=False)"


def test_channel_dropout_odd_ranks_warn_like_torch():
    pytensor.manual_seed(1)
    with pytest.warns(UserWarning, match="assuming that channel-wise 1D dropout behavior"):
        out = F.dropout2d(pytensor.ones(8, 16, 5), 0.5).numpy()
    assert _varying_dims(out) == [0, 1]  # taken as (N, C, L)
    with pytest.warns(UserWarning, match="Received a 2-D input to dropout2d, which is deprecated"):
        out = F.dropout2d(pytensor.ones(16, 16), 0.5).numpy()
    assert _varying_dims(out) == [0, 1]  # every element is its own channel
    with pytest.warns(UserWarning, match=r"dropout3d: Received a 2-D input .* \(i.e. 4D or 5D inputs\)"):
        out = F.dropout3d(pytensor.ones(16, 3), 0.5).numpy()
    assert _varying_dims(out) == [0]  # taken as unbatched: one draw per row
    with pytest.warns(UserWarning), pytest.raises(RuntimeError, match="Feature dropout requires at least 2"):
        F.dropout2d(pytensor.ones(3), 0.5)
    with pytest.raises(RuntimeError, match=r"dropout1d: Expected 2D or 3D input, but received a 4D input. Note"):
        F.dropout1d(pytensor.ones(1, 2, 3, 4), 0.5, training=False)
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got -1"):
        F.dropout3d(pytensor.ones(2, 2, 2, 2), -1)


def test_channel_dropout_gradient_is_the_mask():
    x = pytensor.ones(4, 8, 3, requires_grad=True)
    y = F.dropout1d(x, 0.5)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), y.detach().numpy())


def test_upsample_modules():
    x = pytensor.tensor(RNG.normal(size=(1, 2, 3, 4)))
    assert_close(nn.Upsample(scale_factor=2)(x), x.numpy().repeat(2, 2).repeat(2, 3))
    assert_close(nn.UpsamplingNearest2d(size=(6, 8))(x), x.numpy().repeat(2, 2).repeat(2, 3))
    up = nn.Upsample(size=(5, 7), mode="bilinear", align_corners=True)
    assert_close(up(x), F.interpolate(x, size=(5, 7), mode="bilinear", align_corners=True).numpy())
    assert_close(nn.UpsamplingBilinear2d(size=(5, 7))(x), up(x).numpy())
    corners = nn.UpsamplingBilinear2d(scale_factor=3)(x).numpy()  # align_corners=True
    assert corners.shape == (1, 2, 9, 12)
    np.testing.assert_allclose(corners[..., [0, -1], :][..., [0, -1]], x.numpy()[..., [0, -1], :][..., [0, -1]])
    assert repr(nn.Upsample(scale_factor=2)) == "Upsample(scale_factor=2.0, mode='nearest')"
    assert repr(nn.Upsample(size=(3, 4), mode="bilinear")) == "Upsample(size=(3, 4), mode='bilinear')"
    assert repr(nn.Upsample(scale_factor=(2, 3))) == "Upsample(scale_factor=(2.0, 3.0), mode='nearest')"
    assert repr(nn.UpsamplingBilinear2d(scale_factor=2)) == "UpsamplingBilinear2d(scale_factor=2.0, mode='bilinear')"


def test_upsample_matches_torch():
    torch = pytest.importorskip("torch")
    x = RNG.normal(size=(2, 3, 4, 5)).astype(np.float32)
    for kwargs in ({"scale_factor": 2}, {"size": (7, 3)}, {"scale_factor": 1.5, "mode": "bilinear"},
                   {"size": (9, 6), "mode": "bilinear", "align_corners": True}):
        ref = torch.nn.Upsample(**kwargs)(torch.tensor(x)).numpy()
        assert_close(nn.Upsample(**kwargs)(pytensor.tensor(x)), ref, rtol=1e-5, atol=1e-6)
    assert_close(nn.UpsamplingBilinear2d(scale_factor=2)(pytensor.tensor(x)),
                 torch.nn.UpsamplingBilinear2d(scale_factor=2)(torch.tensor(x)).numpy(), rtol=1e-5, atol=1e-6)


def test_parameters_to_vector_and_back():
    from pytensor.nn.utils import parameters_to_vector, vector_to_parameters
    lin = nn.Linear(2, 3)
    with pytensor.no_grad():
        lin.weight.copy_(pytensor.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))
        lin.bias.copy_(pytensor.tensor([7.0, 8.0, 9.0]))
    vec = parameters_to_vector(lin.parameters())
    assert vec.tolist() == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]
    assert vec.requires_grad
    vector_to_parameters(pytensor.arange(9.0) * 10, lin.parameters())
    assert lin.weight.tolist() == [[0.0, 10.0], [20.0, 30.0], [40.0, 50.0]]
    assert lin.bias.tolist() == [60.0, 70.0, 80.0]
    assert isinstance(lin.weight, nn.Parameter) and lin.weight.requires_grad
    with pytest.raises(TypeError, match="expected pytensor.Tensor, but got: list"):
        vector_to_parameters([1.0], lin.parameters())

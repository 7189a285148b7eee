"""pytensor.nn.functional: values against numpy (float64), gradcheck of every composed op, and
the argument errors PyTorch raises."""
import math
import warnings

import numpy as np
import pytest

import pytensor
import pytensor.nn.functional as F
from pytensor.autograd import gradcheck, gradgradcheck
from helpers import assert_close

RNG = np.random.default_rng(0)


def t64(*shape, requires_grad=True, low=-2, high=2):
    return pytensor.tensor(RNG.uniform(low, high, size=shape), dtype=pytensor.float64,
                           requires_grad=requires_grad)


def np_erf(x):
    return np.vectorize(math.erf)(x)


ACTIVATIONS = [
    ("relu", F.relu, lambda x: np.maximum(x, 0)),
    ("relu6", F.relu6, lambda x: np.clip(x, 0, 6)),
    ("leaky_relu", lambda x: F.leaky_relu(x, 0.2), lambda x: np.where(x > 0, x, 0.2 * x)),
    ("elu", lambda x: F.elu(x, 0.5), lambda x: np.where(x > 0, x, 0.5 * np.expm1(x))),
    ("gelu", F.gelu, lambda x: 0.5 * x * (1 + np_erf(x / np.sqrt(2)))),
    ("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"),
     lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))),
    ("silu", F.silu, lambda x: x / (1 + np.exp(-x))),
    ("sigmoid", F.sigmoid, lambda x: 1 / (1 + np.exp(-x))),
    ("tanh", F.tanh, np.tanh),
    ("softplus", lambda x: F.softplus(x, beta=2.0, threshold=3.0),
     lambda x: np.where(2 * x > 3, x, np.log1p(np.exp(2 * x)) / 2)),
    ("hardtanh", lambda x: F.hardtanh(x, -0.5, 0.7), lambda x: np.clip(x, -0.5, 0.7)),
]


@pytest.mark.parametrize("name,fn,ref", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation_values_and_grad(name, fn, ref):
    x = RNG.uniform(-4, 4, size=(3, 5))
    assert_close(fn(pytensor.tensor(x)), ref(x))
    assert_close(fn(pytensor.tensor(x, dtype=pytensor.float32)), ref(x), rtol=1e-5, atol=1e-6)
    # Keep gradcheck away from the kinks of piecewise functions.
    xs = t64(2, 3)
    with pytensor.no_grad():
        xs.copy_(pytensor.where(xs.abs() < 0.1, xs + 0.3, xs))
        if name == "hardtanh":
            xs.copy_(xs * 0.3)
    assert gradcheck(fn, (xs,))


def test_gelu_second_derivative():
    assert gradgradcheck(F.gelu, (t64(4),))
    assert gradgradcheck(lambda x: F.gelu(x, approximate="tanh"), (t64(4),))


def test_inplace_activations_write_input():
    x = pytensor.tensor([-1.0, 2.0])
    assert F.relu(x, inplace=True) is x
    assert x.tolist() == [0.0, 2.0]
    y = pytensor.tensor([-1.0, 2.0])
    assert F.leaky_relu(y, 0.5, inplace=True) is y and y.tolist() == [-0.5, 2.0]
    with pytest.raises(RuntimeError, match="approximate argument must be either none or tanh"):
        F.gelu(x, approximate="fast")


def test_softmax_family():
    x = RNG.normal(size=(2, 3, 4))
    e = np.exp(x - x.max(1, keepdims=True))
    sm = e / e.sum(1, keepdims=True)
    assert_close(F.softmax(pytensor.tensor(x), dim=1), sm)
    assert_close(F.log_softmax(pytensor.tensor(x), dim=1), np.log(sm))
    # dim=None picks dim 0 for 0-, 1- and 3-d inputs, 1 otherwise, as PyTorch does.
    with pytest.warns(UserWarning, match="Implicit dimension choice"):
        assert_close(F.softmax(pytensor.tensor(x)), np.exp(x) / np.exp(x).sum(0, keepdims=True))
    assert_close(F.softmin(pytensor.tensor(x), dim=2), np.exp(-x) / np.exp(-x).sum(2, keepdims=True))
    assert F.softmax(pytensor.tensor(x, dtype=pytensor.float32), 1, dtype=pytensor.float64).dtype == pytensor.float64
    assert gradcheck(lambda a: F.log_softmax(a, -1), (t64(2, 3),))


def test_linear_and_bilinear():
    x, w, b = RNG.normal(size=(4, 3)), RNG.normal(size=(5, 3)), RNG.normal(size=5)
    assert_close(F.linear(pytensor.tensor(x), pytensor.tensor(w), pytensor.tensor(b)), x @ w.T + b)
    assert_close(F.linear(pytensor.tensor(x), pytensor.tensor(w)), x @ w.T)
    assert gradcheck(F.linear, (t64(2, 3), t64(4, 3), t64(4)))
    x1, x2, wb = RNG.normal(size=(2, 3, 2)), RNG.normal(size=(2, 3, 4)), RNG.normal(size=(5, 2, 4))
    expected = np.einsum("...i,kij,...j->...k", x1, wb, x2) + b
    assert_close(F.bilinear(pytensor.tensor(x1), pytensor.tensor(x2), pytensor.tensor(wb),
                            pytensor.tensor(b)), expected)
    assert gradcheck(F.bilinear, (t64(2, 2), t64(2, 3), t64(2, 2, 3), t64(2)))


def test_dropout():
    x = pytensor.ones(1000, 10)
    out = F.dropout(x, 0.3)
    vals = np.unique(out.numpy())
    np.testing.assert_allclose(sorted(vals), [0.0, 1 / 0.7], rtol=1e-6)
    assert abs((out.numpy() == 0).mean() - 0.3) < 0.02
    assert F.dropout(x, 0.3, training=False) is x
    assert F.dropout(x, 0.0) is x
    assert (F.dropout(x, 1.0).numpy() == 0).all()
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got 1.5"):
        F.dropout(x, 1.5)
    # Gradient is the mask (scaled): zero where dropped.
    xg = pytensor.ones(50, 4, requires_grad=True)
    y = F.dropout(xg, 0.5)
    y.sum().backward()
    np.testing.assert_allclose(xg.grad.numpy(), y.detach().numpy())


def test_dropout2d_drops_whole_channels():
    x = pytensor.ones(8, 16, 3, 3)
    out = F.dropout2d(x, 0.5).numpy()
    per_channel = out.reshape(8, 16, 9)
    assert ((per_channel == 0).all(-1) | (per_channel == 2).all(-1)).all()
    with pytest.warns(UserWarning), pytest.raises(RuntimeError, match="Feature dropout requires"):
        F.dropout2d(pytensor.ones(2), 0.5)


def test_embedding_and_padding_gradient():
    w = t64(5, 3)
    idx = pytensor.tensor([[0, 2], [4, 2]])
    out = F.embedding(idx, w)
    assert_close(out, w.detach().numpy()[[[0, 2], [4, 2]]])
    out = F.embedding(idx, w, padding_idx=2)
    assert_close(out, w.detach().numpy()[[[0, 2], [4, 2]]])
    out.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy()[:, 0], [1, 0, 0, 0, 1])
    assert gradcheck(lambda weight: F.embedding(idx, weight), (t64(5, 2),))
    with pytest.raises(RuntimeError, match="Expected tensor for argument #1 'indices'"):
        F.embedding(pytensor.tensor([0.5]), w)


def test_embedding_max_norm_renormalises_used_rows():
    w = pytensor.tensor([[3.0, 4.0], [6.0, 8.0], [0.3, 0.4]])
    F.embedding(pytensor.tensor([1, 2]), w, max_norm=1.0)
    norms = np.linalg.norm(w.numpy(), axis=1)
    np.testing.assert_allclose(norms, [5.0, 1.0, 0.5], rtol=1e-5)


def test_one_hot():
    out = F.one_hot(pytensor.tensor([0, 2, 1]))
    assert out.dtype == pytensor.int64
    assert out.tolist() == [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
    assert tuple(F.one_hot(pytensor.tensor([[1], [0]]), 4).shape) == (2, 1, 4)
    with pytest.raises(RuntimeError, match="one_hot is only applicable to index tensor"):
        F.one_hot(pytensor.tensor([1.0]))
    with pytest.raises(RuntimeError, match="Class values must be smaller than num_classes"):
        F.one_hot(pytensor.tensor([3]), 2)
    with pytest.raises(RuntimeError, match="Class values must be non-negative"):
        F.one_hot(pytensor.tensor([-1]), 2)


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_pad_against_numpy(mode):
    x = RNG.normal(size=(2, 3, 4))
    pads = (2, 1, 1, 2)
    np_mode = {"constant": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode]
    expected = np.pad(x, ((0, 0), (1, 2), (2, 1)), mode=np_mode)
    assert_close(F.pad(pytensor.tensor(x), pads, mode=mode), expected)
    assert gradcheck(lambda a: F.pad(a, (1, 1, 1, 0), mode=mode), (t64(1, 3, 3),))


def test_pad_constant_value_and_crop():
    x = RNG.normal(size=(3, 4))
    assert_close(F.pad(pytensor.tensor(x), (1, 1), value=9.0), np.pad(x, ((0, 0), (1, 1)), constant_values=9))
    assert_close(F.pad(pytensor.tensor(x), (-1, 2, 0, -1)), np.pad(x[:-1, 1:], ((0, 0), (0, 2))))
    with pytest.raises(RuntimeError, match="Padding length must be divisible by 2"):
        F.pad(pytensor.tensor(x), (1,))


def test_layer_norm():
    x = RNG.normal(size=(2, 3, 4))
    w, b = RNG.normal(size=(3, 4)), RNG.normal(size=(3, 4))
    mu = x.mean((1, 2), keepdims=True)
    var = x.var((1, 2), keepdims=True)
    expected = (x - mu) / np.sqrt(var + 1e-5) * w + b
    assert_close(F.layer_norm(pytensor.tensor(x), (3, 4), pytensor.tensor(w), pytensor.tensor(b)),
                 expected, rtol=1e-10, atol=1e-10)
    assert gradcheck(lambda a, ww, bb: F.layer_norm(a, [3], ww, bb), (t64(2, 3), t64(3), t64(3)))
    with pytest.raises(RuntimeError, match=r"Given normalized_shape=\[5\], expected input with shape \[\*, 5\]"):
        F.layer_norm(pytensor.tensor(x), 5)


def test_group_norm():
    x = RNG.normal(size=(2, 4, 3))
    w, b = RNG.normal(size=4), RNG.normal(size=4)
    g = x.reshape(2, 2, 6)
    norm = ((g - g.mean(2, keepdims=True)) / np.sqrt(g.var(2, keepdims=True) + 1e-5)).reshape(2, 4, 3)
    assert_close(F.group_norm(pytensor.tensor(x), 2, pytensor.tensor(w), pytensor.tensor(b)),
                 norm * w[:, None] + b[:, None], rtol=1e-10, atol=1e-10)
    assert gradcheck(lambda a, ww: F.group_norm(a, 2, ww), (t64(2, 4, 2), t64(4)))
    with pytest.raises(RuntimeError, match="divisible by num_groups"):
        F.group_norm(pytensor.tensor(x), 3)


def test_batch_norm_training_and_eval():
    x = RNG.normal(size=(5, 3, 2))
    rm, rv = pytensor.zeros(3, dtype=pytensor.float64), pytensor.ones(3, dtype=pytensor.float64)
    out = F.batch_norm(pytensor.tensor(x), rm, rv, training=True, momentum=0.1)
    mu, var = x.mean((0, 2)), x.var((0, 2))
    assert_close(out, (x - mu[:, None]) / np.sqrt(var[:, None] + 1e-5), rtol=1e-10, atol=1e-10)
    assert_close(rm, 0.1 * mu)
    assert_close(rv, 0.9 + 0.1 * x.var((0, 2), ddof=1))
    out = F.batch_norm(pytensor.tensor(x), rm, rv, training=False)
    assert_close(out, (x - rm.numpy()[:, None]) / np.sqrt(rv.numpy()[:, None] + 1e-5))
    assert gradcheck(lambda a, w, b: F.batch_norm(a, None, None, w, b, training=True),
                     (t64(4, 2, 2), t64(2), t64(2)))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        F.batch_norm(pytensor.ones(1, 3), None, None, training=True)


def test_normalize_and_cosine_similarity():
    a, b = RNG.normal(size=(3, 4)), RNG.normal(size=(3, 4))
    assert_close(F.normalize(pytensor.tensor(a)), a / np.linalg.norm(a, axis=1, keepdims=True))
    cos = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    assert_close(F.cosine_similarity(pytensor.tensor(a), pytensor.tensor(b)), cos)
    assert gradcheck(F.normalize, (t64(2, 3),))
    assert gradcheck(F.cosine_similarity, (t64(2, 3), t64(2, 3)))


def np_interp_linear(x, axis, out_size, align_corners, scale=None):
    in_size = x.shape[axis]
    dst = np.arange(out_size)
    if align_corners:
        src = dst * (in_size - 1) / (out_size - 1) if out_size > 1 else np.zeros(out_size)
    else:
        scale = in_size / out_size if scale is None else scale
        src = np.maximum((dst + 0.5) * scale - 0.5, 0)
    i0 = np.minimum(np.floor(src).astype(int), in_size - 1)
    i1 = np.minimum(i0 + 1, in_size - 1)
    lam = src - i0
    shape = [1] * x.ndim
    shape[axis] = out_size
    return np.take(x, i0, axis) * (1 - lam.reshape(shape)) + np.take(x, i1, axis) * lam.reshape(shape)


@pytest.mark.parametrize("align_corners", [False, True])
def test_interpolate_bilinear(align_corners):
    x = RNG.normal(size=(1, 2, 3, 4))
    expected = np_interp_linear(np_interp_linear(x, 2, 5, align_corners), 3, 7, align_corners)
    out = F.interpolate(pytensor.tensor(x), size=(5, 7), mode="bilinear", align_corners=align_corners)
    assert_close(out, expected)
    assert gradcheck(lambda a: F.interpolate(a, scale_factor=2, mode="bilinear",
                                             align_corners=align_corners), (t64(1, 1, 2, 3),))


def test_interpolate_nearest():
    x = RNG.normal(size=(1, 1, 2, 3))
    out = F.interpolate(pytensor.tensor(x), scale_factor=2)
    assert_close(out, x.repeat(2, axis=2).repeat(2, axis=3))
    out = F.interpolate(pytensor.tensor(x), size=(3, 2))
    assert_close(out, x[:, :, [0, 0, 1]][:, :, :, [0, 1]])
    with pytest.raises(ValueError, match="either size or scale_factor should be defined"):
        F.interpolate(pytensor.tensor(x))
    with pytest.raises(ValueError, match="only one of size or scale_factor should be defined"):
        F.interpolate(pytensor.tensor(x), size=2, scale_factor=2)
    with pytest.raises(ValueError, match="align_corners option can only be set"):
        F.interpolate(pytensor.tensor(x), scale_factor=2, align_corners=True)


def test_interpolate_parity_with_torch():
    torch = pytest.importorskip("torch")
    x = RNG.normal(size=(2, 3, 5, 4)).astype(np.float32)
    for kwargs in [dict(size=(7, 3), mode="bilinear"), dict(scale_factor=1.5, mode="bilinear"),
                   dict(size=(8, 9), mode="bilinear", align_corners=True),
                   dict(size=(7, 3)), dict(scale_factor=2.5)]:
        ours = F.interpolate(pytensor.tensor(x), **kwargs).numpy()
        theirs = torch.nn.functional.interpolate(torch.tensor(x), **kwargs).numpy()
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6, err_msg=str(kwargs))


def test_softmax_implicit_dim_warns_like_pytorch():
    x = pytensor.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    for name in ("softmax", "log_softmax", "softmin"):
        with pytest.warns(UserWarning, match=f"Implicit dimension choice for {name} has been deprecated"):
            out = getattr(F, name)(x)
        assert out.tolist() == getattr(F, name)(x, dim=1).tolist()
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        assert pytensor.nn.Softmax()(x).tolist() == F.softmax(x, 1).tolist()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.softmax(x, dim=0)
        pytensor.nn.LogSoftmax(dim=1)(x)
    # 1-D and 3-D inputs take dim 0, as in PyTorch
    with pytest.warns(UserWarning):
        assert F.softmax(pytensor.zeros(2, 4, 1)).tolist() == [[[0.5]] * 4] * 2


def test_interpolate_nearest_exact_and_mode_errors():
    x = pytensor.arange(12.0).reshape(1, 1, 3, 4)
    assert F.interpolate(x, size=(5, 7), mode="nearest-exact")[0, 0].tolist() == [
        [0, 0, 1, 2, 2, 3, 3], [0, 0, 1, 2, 2, 3, 3], [4, 4, 5, 6, 6, 7, 7],
        [8, 8, 9, 10, 10, 11, 11], [8, 8, 9, 10, 10, 11, 11]]
    assert F.interpolate(x, scale_factor=(0.5, 1.5), mode="nearest-exact").tolist() == [[[[4, 5, 5, 6, 7, 7]]]]
    assert F.interpolate(pytensor.arange(5.0).reshape(1, 1, 5), size=3, mode="nearest-exact").tolist() == [[[0, 2, 4]]]
    with pytest.raises(NotImplementedError, match="Got 3D input, but bilinear mode needs 4D input"):
        F.interpolate(pytensor.ones(1, 2, 3), size=5, mode="bilinear")
    with pytest.raises(NotImplementedError, match=r"supported \(got 4D\) for the modes: .* \(got foo\)"):
        F.interpolate(x, size=3, mode="foo")
    with pytest.raises(NotImplementedError, match=r"Only 3D, 4D and 5D input Tensors supported \(got 2D\)"):
        F.interpolate(pytensor.ones(2, 3), size=5)
    with pytest.raises(NotImplementedError, match="interpolate mode bicubic is not supported"):
        F.interpolate(x, size=3, mode="bicubic")
    with pytest.raises(ValueError, match="align_corners option can only be set"):
        F.interpolate(x, size=3, mode="nearest-exact", align_corners=False)


def test_interpolate_nearest_exact_parity_with_torch():
    torch = pytest.importorskip("torch")
    x = RNG.normal(size=(2, 3, 5, 4)).astype(np.float32)
    for kwargs in [dict(size=(7, 3)), dict(scale_factor=2.5), dict(size=(2, 9)), dict(scale_factor=(0.7, 1.3))]:
        ours = F.interpolate(pytensor.tensor(x), mode="nearest-exact", **kwargs).numpy()
        theirs = torch.nn.functional.interpolate(torch.tensor(x), mode="nearest-exact", **kwargs).numpy()
        np.testing.assert_array_equal(ours, theirs, err_msg=str(kwargs))

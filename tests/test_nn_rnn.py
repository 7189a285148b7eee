"""Recurrent layers: RNN/LSTM/GRU and their cells against PyTorch (outputs and gradients with
torch's weights loaded), gradcheck, shapes, reprs, state_dict keys, dropout, bad inputs, and
the LSTM sentiment classifier example learning."""
import math
import os
import runpy
import warnings

import numpy as np
import pytest

import pytensor
import pytensor.nn as nn
from pytensor.autograd import gradcheck

EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples")
TOL = {"float64": 1e-10, "float32": 1e-5}


def _pt(array, requires_grad=False):
    t = pytensor.tensor(np.ascontiguousarray(array))
    return t.requires_grad_() if requires_grad else t


def _np(t):
    return t.detach().numpy()


def _load_from_torch(ours, theirs, dtype):
    ours.to(getattr(pytensor, dtype))
    ours.load_state_dict({k: _pt(v.detach().numpy()) for k, v in theirs.state_dict().items()})


def _flat(out):
    """The output tensors of a layer call in a fixed order: output, then h_n (and c_n)."""
    if isinstance(out, tuple):
        return [t for item in out for t in _flat(item)]
    return [out]


# ---- parity with PyTorch --------------------------------------------------------------------

SEQ_CASES = [
    # (kind, kwargs, unbatched, with_hx)
    ("LSTM", {}, False, False),
    ("LSTM", {"num_layers": 2}, False, True),
    ("LSTM", {"bidirectional": True, "batch_first": True}, False, True),
    ("LSTM", {"num_layers": 2, "bidirectional": True, "bias": False}, False, False),
    ("LSTM", {"proj_size": 2, "num_layers": 2, "bidirectional": True}, False, True),
    ("LSTM", {"batch_first": True}, True, True),
    ("LSTM", {"num_layers": 2, "bidirectional": True}, True, False),
    ("GRU", {}, False, True),
    ("GRU", {"num_layers": 2, "batch_first": True}, False, False),
    ("GRU", {"bidirectional": True, "bias": False}, False, True),
    ("GRU", {"num_layers": 2, "bidirectional": True}, True, True),
    ("RNN", {}, False, False),
    ("RNN", {"nonlinearity": "relu", "num_layers": 2, "bidirectional": True}, False, True),
    ("RNN", {"bias": False, "batch_first": True}, True, False),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kind,kwargs,unbatched,with_hx", SEQ_CASES)
def test_sequence_layers_match_pytorch(kind, kwargs, unbatched, with_hx, dtype):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    tdtype = getattr(torch, dtype)
    theirs = getattr(torch.nn, kind)(3, 4, **kwargs).to(tdtype)
    ours = getattr(nn, kind)(3, 4, **kwargs)
    _load_from_torch(ours, theirs, dtype)

    T, B = 5, 2
    rng = np.random.default_rng(1)
    x = rng.standard_normal((T, 3) if unbatched else
                            (B, T, 3) if kwargs.get("batch_first") else (T, B, 3)).astype(dtype)
    layers = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    lead = (layers,) if unbatched else (layers, B)
    states = []
    if with_hx:
        states.append(rng.standard_normal(lead + (kwargs.get("proj_size") or 4,)).astype(dtype))
        if kind == "LSTM":
            states.append(rng.standard_normal(lead + (4,)).astype(dtype))

    def run(lib, layer, arrays, make):
        tensors = [make(a) for a in arrays]
        hx = None if not with_hx else tuple(tensors[1:]) if kind == "LSTM" else tensors[1]
        outs = _flat(layer(tensors[0], hx))
        # A fixed random weighting of every output so all gradients are exercised.
        loss = sum((o * make(np.cos(np.arange(o.numel())).reshape(o.shape).astype(dtype),
                             False)).sum() for o in outs)
        loss.backward()
        return outs, tensors

    ours_out, ours_in = run(pytensor, ours, [x] + states, lambda a, g=True: _pt(a, g))
    their_out, their_in = run(torch, theirs, [x] + states,
                              lambda a, g=True: torch.tensor(a, requires_grad=g))
    tol = TOL[dtype]
    assert len(ours_out) == len(their_out)
    for o, t in zip(ours_out, their_out):
        assert tuple(o.shape) == tuple(t.shape)
        np.testing.assert_allclose(_np(o), t.detach().numpy(), rtol=tol, atol=tol)
    for o, t in zip(ours_in, their_in):
        np.testing.assert_allclose(_np(o.grad), t.grad.numpy(), rtol=tol, atol=tol)
    for name, p in theirs.named_parameters():
        np.testing.assert_allclose(_np(getattr(ours, name).grad), p.grad.numpy(), rtol=tol,
                                   atol=tol, err_msg=name)


CELL_CASES = [("LSTMCell", {}), ("GRUCell", {}), ("RNNCell", {}),
              ("RNNCell", {"nonlinearity": "relu", "bias": False}), ("GRUCell", {"bias": False})]


@pytest.mark.parametrize("unbatched", [False, True])
@pytest.mark.parametrize("kind,kwargs", CELL_CASES)
def test_cells_match_pytorch(kind, kwargs, unbatched):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs = getattr(torch.nn, kind)(3, 4, **kwargs).double()
    ours = getattr(nn, kind)(3, 4, **kwargs)
    _load_from_torch(ours, theirs, "float64")
    rng = np.random.default_rng(2)
    lead = () if unbatched else (2,)
    x = rng.standard_normal(lead + (3,))
    states = [rng.standard_normal(lead + (4,)) for _ in range(2 if kind == "LSTMCell" else 1)]
    for with_hx in (False, True):
        results = []
        for make, layer in ((lambda a: _pt(a, True), ours),
                            (lambda a: torch.tensor(a, requires_grad=True), theirs)):
            layer.zero_grad()
            xs = make(x)
            hs = [make(s) for s in states]
            hx = None if not with_hx else tuple(hs) if kind == "LSTMCell" else hs[0]
            outs = _flat(layer(xs, hx))
            sum((o * (k + 1.5)).sum() for k, o in enumerate(outs)).backward()
            grads = [xs.grad] + ([h.grad for h in hs] if with_hx else [])
            grads += [p.grad for _, p in layer.named_parameters()]
            results.append([o.detach().numpy() for o in outs + grads])
        for a, b in zip(*results):
            assert a.shape == b.shape
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)


# ---- torch-independent ----------------------------------------------------------------------

@pytest.mark.parametrize("kind,kwargs", [("LSTM", {"bidirectional": True}),
                                         ("LSTM", {"proj_size": 1, "num_layers": 2}),
                                         ("GRU", {"num_layers": 2}),
                                         ("RNN", {"nonlinearity": "relu", "bidirectional": True})])
def test_gradcheck_sequence_layers(kind, kwargs):
    pytensor.manual_seed(0)
    layer = getattr(nn, kind)(2, 2, **kwargs).double()
    x = pytensor.randn(2, 1, 2, dtype=pytensor.float64, requires_grad=True)
    weights = list(layer.parameters())

    def fn(x, *ws):
        for name, w in zip(layer._flat_weights_names, ws):
            layer._parameters[name] = w
        return _flat(layer(x))

    assert gradcheck(fn, (x, *weights))


@pytest.mark.parametrize("kind", ["LSTMCell", "GRUCell", "RNNCell"])
def test_gradcheck_cells(kind):
    pytensor.manual_seed(0)
    layer = getattr(nn, kind)(2, 3).double()
    x = pytensor.randn(2, 2, dtype=pytensor.float64, requires_grad=True)
    h = pytensor.randn(2, 3, dtype=pytensor.float64, requires_grad=True)
    assert gradcheck(lambda x, h: _flat(layer(x, (h, h * 0.5) if kind == "LSTMCell" else h)),
                     (x, h))


def test_shapes():
    x = pytensor.randn(7, 3, 5)
    out, (h, c) = nn.LSTM(5, 6, num_layers=3, bidirectional=True, proj_size=2)(x)
    assert (tuple(out.shape), tuple(h.shape), tuple(c.shape)) == ((7, 3, 4), (6, 3, 2), (6, 3, 6))
    out, h = nn.GRU(5, 6, batch_first=True)(x)
    assert (tuple(out.shape), tuple(h.shape)) == ((7, 3, 6), (1, 7, 6))
    out, h = nn.RNN(5, 6, 2)(x[0])  # unbatched (T, I)
    assert (tuple(out.shape), tuple(h.shape)) == ((3, 6), (2, 6))
    out, h = nn.RNN(5, 6)(pytensor.randn(4, 0, 5))  # empty batch
    assert (tuple(out.shape), tuple(h.shape)) == ((4, 0, 6), (1, 0, 6))
    h, c = nn.LSTMCell(5, 6)(x[0])
    assert tuple(h.shape) == tuple(c.shape) == (3, 6)
    assert tuple(nn.GRUCell(5, 6)(x[0, 0]).shape) == (6,)
    # The output's last step is h_n of the last layer (forward direction).
    out, h = nn.GRU(5, 6, 2)(x)
    np.testing.assert_allclose(_np(out[-1]), _np(h[-1]), rtol=0, atol=0)


def test_reprs_and_attributes():
    assert repr(nn.LSTM(10, 20, num_layers=2, batch_first=True, dropout=0.5)) == \
        "LSTM(10, 20, num_layers=2, batch_first=True, dropout=0.5)"
    assert repr(nn.LSTM(10, 20, 2, proj_size=5, bias=False, dropout=0.1, bidirectional=True)) \
        == "LSTM(10, 20, proj_size=5, num_layers=2, bias=False, dropout=0.1, bidirectional=True)"
    assert repr(nn.RNN(10, 20, nonlinearity="relu", bias=False, bidirectional=True)) == \
        "RNN(10, 20, bias=False, bidirectional=True)"
    assert repr(nn.GRU(3, 4)) == "GRU(3, 4)"
    assert repr(nn.LSTMCell(3, 4)) == "LSTMCell(3, 4)"
    assert repr(nn.RNNCell(3, 4, bias=False, nonlinearity="relu")) == \
        "RNNCell(3, 4, bias=False, nonlinearity=relu)"
    assert repr(nn.GRUCell(3, 4, bias=False)) == "GRUCell(3, 4, bias=False)"
    rnn = nn.RNN(3, 4, 1, "relu")
    assert rnn.nonlinearity == "relu" and rnn.mode == "RNN_RELU" and nn.GRU(3, 4).mode == "GRU"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert nn.LSTM(3, 4, dropout=True).dropout == 1.0
    lstm = nn.LSTM(3, 4, 2)
    assert lstm.flatten_parameters() is None
    assert len(lstm.all_weights) == 2 and lstm.all_weights[1][1] is lstm.weight_hh_l1


def test_state_dict_keys_and_init():
    keys = list(nn.GRU(3, 4, 2, bidirectional=True).state_dict())
    assert keys == [f"{w}_l{l}{s}" for l in range(2) for s in ("", "_reverse")
                    for w in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
    assert list(nn.LSTM(3, 4, proj_size=2, bias=False).state_dict()) == \
        ["weight_ih_l0", "weight_hh_l0", "weight_hr_l0"]
    assert list(nn.LSTMCell(3, 4).state_dict()) == ["weight_ih", "weight_hh", "bias_ih",
                                                    "bias_hh"]
    assert list(nn.RNNCell(3, 4, bias=False).state_dict()) == ["weight_ih", "weight_hh"]
    lstm = nn.LSTM(3, 16, 2, bidirectional=True, proj_size=5)
    shapes = {k: tuple(v.shape) for k, v in lstm.state_dict().items()}
    assert shapes["weight_ih_l0"] == (64, 3) and shapes["weight_hh_l0"] == (64, 5)
    assert shapes["weight_ih_l1_reverse"] == (64, 10) and shapes["weight_hr_l1"] == (5, 16)
    values = np.concatenate([_np(p).ravel() for p in lstm.parameters()])
    assert np.abs(values).max() <= 1 / math.sqrt(16) and values.std() > 0.1


def test_dropout_only_between_layers_in_training():
    pytensor.manual_seed(0)
    x = pytensor.randn(4, 2, 3)
    lstm = nn.LSTM(3, 5, 2, dropout=0.5)
    lstm.eval()
    a, b = _np(lstm(x)[0]), _np(lstm(x)[0])
    np.testing.assert_array_equal(a, b)
    lstm.train()
    c = _np(lstm(x)[0])
    assert not np.allclose(a, c)
    # With a single layer nothing is dropped (and PyTorch's warning is given).
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        single = nn.GRU(3, 5, dropout=0.5)
    np.testing.assert_array_equal(_np(single(x)[0]), _np(single.eval()(x)[0]))
    # p=1 zeroes the second layer's input: its output no longer depends on the first layer.
    full = nn.RNN(3, 5, 2, dropout=1.0)
    np.testing.assert_allclose(_np(full(x)[0]), _np(full(x * 2.0)[0]))


BAD_INPUTS = [
    (lambda: nn.LSTM(3, 4, 2)(pytensor.randn(5, 2, 7)), RuntimeError,
     "input.size(-1) must be equal to input_size. Expected 3, got 7"),
    (lambda: nn.LSTM(3, 4)(pytensor.randn(5)), ValueError,
     "LSTM: Expected input to be 2D or 3D, got 1D instead"),
    (lambda: nn.GRU(3, 4)(pytensor.randn(5, 2, 3, 1)), ValueError,
     "GRU: Expected input to be 2D or 3D, got 4D instead"),
    (lambda: nn.LSTM(3, 4, 2)(pytensor.randn(5, 2, 3), (pytensor.randn(2, 3, 4),
                                                       pytensor.randn(2, 2, 4))),
     RuntimeError, "Expected hidden[0] size (2, 2, 4), got [2, 3, 4]"),
    (lambda: nn.LSTM(3, 4, 2)(pytensor.randn(5, 2, 3), (pytensor.randn(2, 2, 4),
                                                       pytensor.randn(1, 2, 4))),
     RuntimeError, "Expected hidden[1] size (2, 2, 4), got [1, 2, 4]"),
    (lambda: nn.LSTM(3, 4)(pytensor.randn(5, 3), (pytensor.randn(1, 1, 4),
                                                 pytensor.randn(1, 1, 4))),
     RuntimeError, "For unbatched 2-D input, hx and cx should also be 2-D but got (3-D, 3-D)"),
    (lambda: nn.GRU(3, 4)(pytensor.randn(5, 2, 3), pytensor.randn(1, 3, 4)), RuntimeError,
     "Expected hidden size (1, 2, 4), got [1, 3, 4]"),
    (lambda: nn.RNN(3, 4)(pytensor.randn(5, 2, 3), pytensor.randn(1, 4)), RuntimeError,
     "For batched 3-D input, hx should also be 3-D but got 2-D tensor"),
    (lambda: nn.RNN(3, 4)(pytensor.randn(0, 2, 3)), RuntimeError,
     "Expected sequence length to be larger than 0 in RNN"),
    (lambda: nn.GRU(3, 4)(pytensor.randn(5, 2, 3, dtype=pytensor.float64)), ValueError,
     "RNN input dtype (pytensor.float64) does not match weight dtype (pytensor.float32)"),
    (lambda: nn.RNN(3, 4, nonlinearity="gelu"), ValueError,
     "Unknown nonlinearity 'gelu'. Select from 'tanh' or 'relu'."),
    (lambda: nn.LSTM(3, 4, dropout=1.5), ValueError, "dropout should be a number in range [0, 1]"),
    (lambda: nn.LSTM(3, 4, proj_size=4), ValueError, "proj_size has to be smaller than hidden"),
    (lambda: nn.LSTM(3, 4, proj_size=-1), ValueError, "proj_size should be a positive integer"),
    (lambda: nn.GRU(3, 4, proj_size=2), ValueError, "proj_size argument is only supported for LSTM"),
    (lambda: nn.RNN(3, 4, proj_size=2), ValueError, "proj_size argument is only supported for LSTM"),
    (lambda: nn.LSTM(3, 0), ValueError, "hidden_size must be greater than zero"),
    (lambda: nn.LSTM(3, 4, num_layers=0), ValueError, "num_layers must be greater than zero"),
    (lambda: nn.LSTM(3, 4.0), TypeError, "hidden_size should be of type int, got: float"),
    (lambda: nn.LSTMCell(3, 4)(pytensor.randn(2, 7)), RuntimeError,
     "input has inconsistent input_size: got 7 expected 3"),
    (lambda: nn.LSTMCell(3, 4)(pytensor.randn(2, 3, 1)), ValueError,
     "LSTMCell: Expected input to be 1D or 2D, got 3D instead"),
    (lambda: nn.LSTMCell(3, 4)(pytensor.randn(2, 3), (pytensor.randn(3, 4), pytensor.randn(3, 4))),
     RuntimeError, "Input batch size 2 doesn't match hidden0 batch size 3"),
    (lambda: nn.GRUCell(3, 4)(pytensor.randn(2, 3), pytensor.randn(2, 5)), RuntimeError,
     "hidden0 has inconsistent hidden_size: got 5, expected 4"),
    (lambda: nn.LSTMCell(3, 4)(pytensor.randn(2, 3), (pytensor.randn(2, 4), pytensor.randn(2, 5))),
     RuntimeError, "hidden1 has inconsistent hidden_size: got 5, expected 4"),
    (lambda: nn.RNNCell(3, 4, nonlinearity="x")(pytensor.randn(2, 3)), RuntimeError,
     "Unknown nonlinearity: x"),
]


@pytest.mark.parametrize("call,exc,message", BAD_INPUTS)
def test_bad_inputs(call, exc, message):
    with pytest.raises(exc) as info:
        call()
    assert message in str(info.value)


# ---- the tutorial's LSTM classifier ---------------------------------------------------------

def test_lstm_classifier_example_learns(capsys):
    example = runpy.run_path(os.path.join(EXAMPLES, "lstm_classifier.py"))
    accuracy = example["main"](epochs=3, num_samples=512, seq_len=10, print_every=10)
    assert accuracy > 0.8  # chance is 0.5
    out = capsys.readouterr().out
    assert "SentimentNet(" in out and "(lstm): LSTM(16, 32, num_layers=2, batch_first=True" in out
    assert "Test accuracy:" in out

"""nn.utils.rnn (PackedSequence, pack / pad helpers) and RNN/LSTM/GRU on packed input:
hand-computed values, gradients through pack/pad, gradcheck, bad inputs, and parity with
PyTorch (outputs, final states and gradients with torch's weights loaded)."""
import numpy as np
import pytest

import pytensor
import pytensor.nn as nn
from pytensor.autograd import gradcheck
from pytensor.nn.utils.rnn import (PackedSequence, pack_padded_sequence, pack_sequence,
                                   pad_packed_sequence, pad_sequence, unpack_sequence,
                                   unpad_sequence)


def _pt(array, requires_grad=False):
    t = pytensor.tensor(np.ascontiguousarray(array))
    return t.requires_grad_() if requires_grad else t


def _np(t):
    return t.detach().numpy()


# ---- hand-computed values -------------------------------------------------------------------

def _padded():
    """(T=3, B=3, 1): sequence b holds 10*b + t at step t; lengths 1, 3, 2."""
    x = np.array([[[10.0 * b + t] for b in range(3)] for t in range(3)])
    return _pt(x), [1, 3, 2]


def test_pack_padded_sorted_values():
    x, _ = _padded()
    p = pack_padded_sequence(x[:, [1, 2, 0]], [3, 2, 1])
    assert p.batch_sizes.tolist() == [3, 2, 1]
    assert p.batch_sizes.dtype == pytensor.int64
    assert p.sorted_indices is None and p.unsorted_indices is None
    assert _np(p.data)[:, 0].tolist() == [10, 20, 0, 11, 21, 12]


def test_pack_unsorted_and_pad_back():
    x, lengths = _padded()
    p = pack_padded_sequence(x, lengths, enforce_sorted=False)
    assert p.sorted_indices.tolist() == [1, 2, 0]
    assert p.unsorted_indices.tolist() == [2, 0, 1]
    assert _np(p.data)[:, 0].tolist() == [10, 20, 0, 11, 21, 12]
    padded, out_lengths = pad_packed_sequence(p, padding_value=-1.0, total_length=4)
    assert out_lengths.tolist() == lengths and out_lengths.dtype == pytensor.int64
    assert _np(padded)[..., 0].tolist() == [[0, 10, 20], [-1, 11, 21], [-1, 12, -1],
                                            [-1, -1, -1]]
    bf, _ = pad_packed_sequence(p, batch_first=True)
    assert _np(bf)[..., 0].tolist() == [[0, 0, 0], [10, 11, 12], [20, 21, 0]]


def test_pack_batch_first_and_tensor_lengths():
    x, lengths = _padded()
    p = pack_padded_sequence(x.transpose(0, 1), pytensor.tensor(lengths), batch_first=True,
                             enforce_sorted=False)
    assert _np(p.data)[:, 0].tolist() == [10, 20, 0, 11, 21, 12]


def test_pad_sequence_sides():
    seqs = [_pt(np.array([1.0])), _pt(np.array([2.0, 3.0, 4.0])), _pt(np.array([5.0, 6.0]))]
    assert _np(pad_sequence(seqs)).tolist() == [[1, 2, 5], [0, 3, 6], [0, 4, 0]]
    assert _np(pad_sequence(seqs, batch_first=True, padding_value=9, padding_side="left")
               ).tolist() == [[9, 9, 1], [2, 3, 4], [9, 5, 6]]


def test_pack_sequence_unpack_unpad_roundtrip():
    seqs = [_pt(np.arange(n * 2.0).reshape(n, 2)) for n in (2, 4, 1)]
    with pytest.raises(RuntimeError, match="sorted in decreasing order"):
        pack_sequence(seqs)
    p = pack_sequence(seqs, enforce_sorted=False)
    assert p.batch_sizes.tolist() == [3, 2, 1, 1]
    for ours, want in zip(unpack_sequence(p), seqs):
        np.testing.assert_array_equal(_np(ours), _np(want))
    padded = pad_sequence(seqs, batch_first=True)
    for ours, want in zip(unpad_sequence(padded, pytensor.tensor([2, 4, 1]), batch_first=True),
                          seqs):
        np.testing.assert_array_equal(_np(ours), _np(want))


def test_packed_sequence_tuple_and_helpers():
    p = PackedSequence(_pt(np.ones((3, 2), np.float32)), pytensor.tensor([2, 1]),
                       pytensor.tensor([1, 0]))
    assert p.unsorted_indices.tolist() == [1, 0]  # derived from sorted_indices
    data, batch_sizes, sorted_indices, unsorted_indices = p
    assert batch_sizes.tolist() == [2, 1]
    assert p.double().data.dtype == pytensor.float64
    assert p.to(pytensor.float64).float().data.dtype == pytensor.float32
    assert p.to(pytensor.float32) is p
    assert not p.is_cuda


def test_gradients_flow_through_pack_and_pad():
    x, lengths = _padded()
    x.requires_grad_()
    p = pack_padded_sequence(x, lengths, enforce_sorted=False)
    padded, _ = pad_packed_sequence(p)
    (padded * _pt(np.arange(9.0).reshape(3, 3, 1))).sum().backward()
    # Padding positions get no gradient; the others get their weight back.
    assert _np(x.grad)[..., 0].tolist() == [[0, 1, 2], [0, 4, 5], [0, 7, 0]]


def test_rnn_packed_hand_values():
    """RNN with identity-like weights: h_t = tanh(x_t + h_{t-1}), state frozen at each
    sequence's own last step."""
    rnn = nn.RNN(1, 1, bias=False).double()
    with pytensor.no_grad():
        rnn.weight_ih_l0.fill_(1.0)
        rnn.weight_hh_l0.fill_(1.0)
    x = _pt(np.array([[[1.0], [2.0]], [[9.0], [3.0]]]))  # the 9.0 is padding
    out, h_n = rnn(pack_padded_sequence(x, [1, 2], enforce_sorted=False))
    assert isinstance(out, PackedSequence)
    a = np.tanh(2.0)
    b = np.tanh(3.0 + a)
    np.testing.assert_allclose(_np(out.data)[:, 0], [a, np.tanh(1.0), b])
    np.testing.assert_allclose(_np(h_n)[0, :, 0], [np.tanh(1.0), b])


def test_gradcheck_pack_lstm_pad():
    pytensor.manual_seed(0)
    lstm = nn.LSTM(2, 2, bidirectional=True).double()
    x = pytensor.randn(3, 2, 2, dtype=pytensor.float64, requires_grad=True)
    h0 = pytensor.randn(2, 2, 2, dtype=pytensor.float64, requires_grad=True)

    def f(x, h0):
        out, (h_n, c_n) = lstm(pack_padded_sequence(x, [2, 3], enforce_sorted=False),
                               (h0, h0 * 0.5))
        return pad_packed_sequence(out)[0], h_n, c_n

    assert gradcheck(f, (x, h0))


# ---- bad inputs -----------------------------------------------------------------------------

def test_bad_inputs():
    x = pytensor.zeros(3, 2, 4)
    with pytest.raises(RuntimeError, match="must be sorted in decreasing order when "
                                           "`enforce_sorted` is True"):
        pack_padded_sequence(x, [1, 3])
    with pytest.raises(RuntimeError, match="Length of all samples has to be greater than 0"):
        pack_padded_sequence(x, [3, 0])
    with pytest.raises(RuntimeError, match=r"equal to batch_size, but got 3 \(batch_size=2\)"):
        pack_padded_sequence(x, [3, 1, 1])
    with pytest.raises(RuntimeError, match="1D CPU int64 tensor, but got 2D"):
        pack_padded_sequence(x, pytensor.tensor([[3, 1]]))
    with pytest.raises(RuntimeError, match="1D CPU int64 tensor, but got 0D"):
        pack_padded_sequence(x, 3)
    with pytest.raises(RuntimeError, match="at most the padded sequence length 3"):
        pack_padded_sequence(x, [4, 1])
    p = pack_padded_sequence(x, [3, 1])
    with pytest.raises(ValueError, match="total_length=2 and max sequence length being 3"):
        pad_packed_sequence(p, total_length=2)
    with pytest.raises(RuntimeError, match="received an empty list of sequences"):
        pad_sequence([])
    with pytest.raises(RuntimeError, match="padding_side to be one of left or right, but got "
                                           "mid"):
        pad_sequence([x], padding_side="mid")
    lstm = nn.LSTM(4, 3)
    with pytest.raises(RuntimeError, match=r"Expected hidden\[0\] size \(1, 2, 3\)"):
        lstm(p, (pytensor.zeros(1, 3, 3), pytensor.zeros(1, 3, 3)))
    with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size"):
        nn.GRU(5, 3)(p)


# ---- parity with PyTorch --------------------------------------------------------------------

PACKED_CASES = [
    # (kind, kwargs, enforce_sorted, with_hx)
    ("LSTM", {}, True, False),
    ("LSTM", {"num_layers": 2, "bidirectional": True}, False, True),
    ("LSTM", {"batch_first": True, "proj_size": 2}, False, True),
    ("GRU", {"num_layers": 2}, False, True),
    ("GRU", {"bidirectional": True, "batch_first": True}, True, False),
    ("RNN", {"nonlinearity": "relu", "bidirectional": True}, False, True),
    ("RNN", {"num_layers": 2, "batch_first": True}, True, True),
]


@pytest.mark.parametrize("kind,kwargs,enforce_sorted,with_hx", PACKED_CASES)
def test_packed_layers_match_pytorch(kind, kwargs, enforce_sorted, with_hx):
    torch = pytest.importorskip("torch")
    from torch.nn.utils import rnn as trnn
    torch.manual_seed(0)
    theirs = getattr(torch.nn, kind)(3, 4, **kwargs).double()
    ours = getattr(nn, kind)(3, 4, **kwargs).double()
    ours.load_state_dict({k: _pt(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    batch_first = kwargs.get("batch_first", False)
    lengths = [4, 3, 3, 1] if enforce_sorted else [2, 4, 1, 3]
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 4, 3))
    layers = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    states = []
    if with_hx:
        states.append(rng.standard_normal((layers, 4, kwargs.get("proj_size") or 4)))
        if kind == "LSTM":
            states.append(rng.standard_normal((layers, 4, 4)))

    def run(utils, layer, make):
        tensors = [make(a) for a in [x] + states]
        hx = None if not with_hx else tuple(tensors[1:]) if kind == "LSTM" else tensors[1]
        packed = utils.pack_padded_sequence(tensors[0], lengths, batch_first=batch_first,
                                            enforce_sorted=enforce_sorted)
        out, hidden = layer(packed, hx)
        padded, out_lengths = utils.pad_packed_sequence(out, batch_first=batch_first)
        outs = [out.data, padded] + (list(hidden) if kind == "LSTM" else [hidden])
        loss = sum((o * make(np.cos(np.arange(o.numel())).reshape(tuple(o.shape)), False)).sum()
                   for o in outs)
        loss.backward()
        return outs, tensors, out_lengths

    ours_out, ours_in, ours_len = run(nn.utils.rnn, ours, lambda a, g=True: _pt(a, g))
    their_out, their_in, their_len = run(trnn, theirs,
                                         lambda a, g=True: torch.tensor(a, requires_grad=g))
    assert ours_len.tolist() == their_len.tolist()
    for o, t in zip(ours_out, their_out):
        assert tuple(o.shape) == tuple(t.shape)
        np.testing.assert_allclose(_np(o), t.detach().numpy(), rtol=1e-10, atol=1e-10)
    for o, t in zip(ours_in, their_in):
        np.testing.assert_allclose(_np(o.grad), t.grad.numpy(), rtol=1e-10, atol=1e-10)
    for name, p in theirs.named_parameters():
        np.testing.assert_allclose(_np(getattr(ours, name).grad), p.grad.numpy(), rtol=1e-10,
                                   atol=1e-10, err_msg=name)


def test_helpers_match_pytorch():
    torch = pytest.importorskip("torch")
    from torch.nn.utils import rnn as trnn
    rng = np.random.default_rng(4)
    arrays = [rng.standard_normal((n, 2)) for n in (3, 5, 1, 5)]
    for enforce_sorted, order in ((True, [1, 3, 0, 2]), (False, [0, 1, 2, 3])):
        seqs = [arrays[i] for i in order]
        theirs = trnn.pack_sequence([torch.tensor(a) for a in seqs], enforce_sorted)
        ours = pack_sequence([_pt(a) for a in seqs], enforce_sorted)
        np.testing.assert_array_equal(_np(ours.data), theirs.data.numpy())
        assert ours.batch_sizes.tolist() == theirs.batch_sizes.tolist()
        for field in ("sorted_indices", "unsorted_indices"):
            mine, want = getattr(ours, field), getattr(theirs, field)
            assert (mine is None and want is None) or mine.tolist() == want.tolist()
    for side in ("left", "right"):
        for batch_first in (False, True):
            np.testing.assert_array_equal(
                _np(pad_sequence([_pt(a) for a in arrays], batch_first, 7.0, side)),
                trnn.pad_sequence([torch.tensor(a) for a in arrays], batch_first, 7.0,
                                  side).numpy())

"""Recurrent layers: RNN, LSTM, GRU (multi-layer, bidirectional, LSTM projections; padded or
PackedSequence input) and the single-step RNNCell, LSTMCell, GRUCell, with PyTorch's parameter
names, gate order and shapes.

Each layer and direction projects the whole sequence with one matmul (x @ W_ih^T + b_ih for
all time steps); the time loop then does one matmul with W_hh and the gate math per step. The
step functions below are shared by the sequence layers and the cells."""
import math
import warnings

import pytensor
from pytensor.nn import functional as F
from pytensor.nn import init
from pytensor.nn.modules.module import Module
from pytensor.nn.parameter import Parameter
from pytensor.nn.utils.rnn import PackedSequence

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]


# ---- one time step: gi = x_t @ W_ih^T + b_ih is precomputed --------------------------------

def _rnn_tanh_step(gi, state, w_hh, b_hh, w_hr=None):
    return pytensor.tanh(gi + F.linear(state, w_hh, b_hh))


def _rnn_relu_step(gi, state, w_hh, b_hh, w_hr=None):
    return pytensor.relu(gi + F.linear(state, w_hh, b_hh))


def _lstm_step(gi, state, w_hh, b_hh, w_hr=None):
    h, c = state
    i, f, g, o = (gi + F.linear(h, w_hh, b_hh)).chunk(4, -1)
    c = pytensor.sigmoid(f) * c + pytensor.sigmoid(i) * pytensor.tanh(g)
    h = pytensor.sigmoid(o) * pytensor.tanh(c)
    if w_hr is not None:
        h = F.linear(h, w_hr)
    return h, c


def _gru_step(gi, h, w_hh, b_hh, w_hr=None):
    ir, iz, in_ = gi.chunk(3, -1)
    hr, hz, hn = F.linear(h, w_hh, b_hh).chunk(3, -1)
    r = pytensor.sigmoid(ir + hr)
    z = pytensor.sigmoid(iz + hz)
    n = pytensor.tanh(in_ + r * hn)
    return n + z * (h - n)  # = (1 - z) * n + z * h


_STEPS = {"RNN_TANH": _rnn_tanh_step, "RNN_RELU": _rnn_relu_step, "LSTM": _lstm_step,
          "GRU": _gru_step}
_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _first_rows(state, n):
    return tuple(s[:n] for s in state) if isinstance(state, tuple) else state[:n]


def _advance(step, gi, state, n, w_hh, b_hh, w_hr):
    """One step for the first n rows of the batch (those of a packed batch still running at
    this step); the other rows keep their state: a finished sequence its last one, and in the
    reverse direction a not yet started one its initial one."""
    rows = state[0].shape[0] if isinstance(state, tuple) else state.shape[0]
    if n == rows:
        return step(gi, state, w_hh, b_hh, w_hr)
    new = step(gi, _first_rows(state, n), w_hh, b_hh, w_hr)
    if isinstance(state, tuple):
        return tuple(pytensor.cat([a, b[n:]]) for a, b in zip(new, state))
    return pytensor.cat([new, state[n:]])


def _reset_uniform(module):
    """PyTorch's default for recurrent layers: every parameter ~ U(-1/sqrt(H), 1/sqrt(H))."""
    bound = 1.0 / math.sqrt(module.hidden_size)
    for weight in module.parameters():
        init.uniform_(weight, -bound, bound)


def _shape_text(shape):
    return "(" + ", ".join(str(s) for s in shape) + ")"


# ---- sequence layers ------------------------------------------------------------------------

class RNNBase(Module):
    """The shared body of RNN, LSTM and GRU; `mode` is RNN_TANH, RNN_RELU, LSTM or GRU."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        self._check_options(dropout)
        if mode not in _GATES:
            raise ValueError(f"Unrecognized RNN mode: {mode}")

        gate_size = _GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        num_directions = 2 if bidirectional else 1
        self._all_weights = []
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else real_hidden * num_directions
            for suffix in ("", "_reverse")[:num_directions]:
                shapes = [("weight_ih", (gate_size, layer_input)),
                          ("weight_hh", (gate_size, real_hidden))]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size > 0:
                    shapes.append(("weight_hr", (proj_size, hidden_size)))
                names = []
                for kind, shape in shapes:
                    name = f"{kind}_l{layer}{suffix}"
                    setattr(self, name, Parameter(pytensor.empty(shape, device=device,
                                                                 dtype=dtype)))
                    names.append(name)
                self._all_weights.append(names)
        self._flat_weights_names = [n for names in self._all_weights for n in names]
        self.reset_parameters()

    def _check_options(self, dropout):
        if not 0 <= self.dropout <= 1:
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if self.dropout > 0 and self.num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                          "non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={self.num_layers}")
        for name in ("hidden_size", "num_layers"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"{name} should be of type int, got: {type(value).__name__}")
            if value <= 0:
                raise ValueError(f"{name} must be greater than zero")
        if self.proj_size and self.mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if self.proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if self.proj_size >= self.hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")

    def reset_parameters(self):
        _reset_uniform(self)

    def flatten_parameters(self):
        """No-op: weights are used where they are (there is no cuDNN weight buffer)."""

    @property
    def _flat_weights(self):
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def all_weights(self):
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    # ---- argument checks ----------------------------------------------------------------

    def _check_input(self, input):
        weight = self.weight_ih_l0
        if input.dtype != weight.dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype "
                             f"({weight.dtype}). Convert input: input.to({weight.dtype}), or "
                             f"convert model: model.to({input.dtype})")
        if input.shape[-1] != self.input_size:
            raise RuntimeError("input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.shape[-1]}")
        if input.shape[0] == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")

    def _check_hidden(self, hx, size, what="hidden"):
        if tuple(hx.shape) != size:
            raise RuntimeError(f"Expected {what} size {_shape_text(size)}, got {list(hx.shape)}")

    def _hidden_sizes(self, batch_size):
        layers = self.num_layers * (2 if self.bidirectional else 1)
        if self.mode == "LSTM":
            return [(layers, batch_size, self.proj_size or self.hidden_size),
                    (layers, batch_size, self.hidden_size)]
        return [(layers, batch_size, self.hidden_size)]

    def _prepare_hidden(self, hx, batched, batch_size, input):
        """Returns the initial states as a list of (L*D, B, H) tensors (zeros when hx is None)."""
        sizes = self._hidden_sizes(batch_size)
        if hx is None:
            return [pytensor.zeros(s, dtype=input.dtype, device=input.device) for s in sizes]
        states = list(hx) if self.mode == "LSTM" else [hx]
        want = 3 if batched else 2
        if any(s.dim() != want for s in states):
            kind = "batched 3-D" if batched else "unbatched 2-D"
            if self.mode == "LSTM":
                dims = ", ".join(f"{s.dim()}-D" for s in states)
                raise RuntimeError(f"For {kind} input, hx and cx should also be {want}-D but got "
                                   f"({dims}) tensors")
            raise RuntimeError(f"For {kind} input, hx should also be {want}-D but got "
                               f"{hx.dim()}-D tensor")
        if not batched:
            states = [s.unsqueeze(1) for s in states]
        for k, (state, size) in enumerate(zip(states, sizes)):
            self._check_hidden(state, size, f"hidden[{k}]" if self.mode == "LSTM" else "hidden")
        return states

    # ---- forward ------------------------------------------------------------------------

    def forward(self, input, hx=None):
        packed = isinstance(input, PackedSequence)
        if packed:
            # x is (N, I): the time steps one after the other, step t has batch_sizes[t] rows
            x, batched = input.data, True
            batch_sizes = [int(n) for n in input.batch_sizes.tolist()]
            self._check_input(x)
            states = self._prepare_hidden(hx, True, batch_sizes[0], x)
            if input.sorted_indices is not None:  # hx comes in the caller's batch order
                states = [s.index_select(1, input.sorted_indices) for s in states]
        else:
            if input.dim() not in (2, 3):
                raise ValueError(f"{self._get_name()}: Expected input to be 2D or 3D, got "
                                 f"{input.dim()}D instead")
            batched = input.dim() == 3
            if not batched:
                input = input.unsqueeze(0 if self.batch_first else 1)
            x = input.transpose(0, 1) if self.batch_first else input  # (T, B, I)
            self._check_input(x)
            states = self._prepare_hidden(hx, batched, x.shape[1], x)
            batch_sizes = [x.shape[1]] * x.shape[0]

        step = _STEPS[self.mode]
        is_lstm = self.mode == "LSTM"
        num_directions = 2 if self.bidirectional else 1
        finals = []
        for layer in range(self.num_layers):
            if layer > 0 and self.dropout > 0 and self.training:
                x = F.dropout(x, self.dropout, True)
            outputs = []
            for direction in range(num_directions):
                k = layer * num_directions + direction
                w = [getattr(self, name) for name in self._all_weights[k]]
                w_ih, w_hh = w[0], w[1]
                b_ih, b_hh = (w[2], w[3]) if self.bias else (None, None)
                w_hr = w[-1] if self.proj_size > 0 else None
                state = (states[0][k], states[1][k]) if is_lstm else states[0][k]
                gates = F.linear(x, w_ih, b_ih)
                gates = gates.split(batch_sizes) if packed else gates.unbind(0)
                seq = [None] * len(gates)
                order = range(len(gates) - 1, -1, -1) if direction else range(len(gates))
                for t in order:
                    state = _advance(step, gates[t], state, batch_sizes[t], w_hh, b_hh, w_hr)
                    h = state[0] if is_lstm else state
                    seq[t] = h[:batch_sizes[t]] if packed else h
                outputs.append(pytensor.cat(seq) if packed else pytensor.stack(seq))
                finals.append(state)
            x = outputs[0] if num_directions == 1 else pytensor.cat(outputs, -1)

        finals = [list(s) if is_lstm else [s] for s in finals]
        hidden = [pytensor.stack([s[k] for s in finals]) for k in range(len(finals[0]))]
        if packed:
            if input.unsorted_indices is not None:
                hidden = [h.index_select(1, input.unsorted_indices) for h in hidden]
            output = PackedSequence(x, input.batch_sizes, input.sorted_indices,
                                    input.unsorted_indices)
        else:
            output = x.transpose(0, 1) if self.batch_first else x
        if not batched:
            hidden = [h.squeeze(1) for h in hidden]
        hidden = tuple(hidden) if is_lstm else hidden[0]
        if not packed and not batched:
            output = output.squeeze(0 if self.batch_first else 1)
        return output, hidden

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s


class RNN(RNNBase):
    """Elman RNN: h_t = nonlinearity(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)."""

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, proj_size=0, device=None,
                 dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             "'relu'.")
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size,
                         hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """Long short-term memory; gates i, f, g, o in that order; optional output projection."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device=device, dtype=dtype)


class GRU(RNNBase):
    """Gated recurrent unit; gates r, z, n with n = tanh(W_in x + b_in + r * (W_hn h + b_hn))."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device=device, dtype=dtype)


# ---- single-step cells ----------------------------------------------------------------------

class RNNCellBase(Module):
    """The shared body of the cells: weight_ih, weight_hh, bias_ih, bias_hh of one step."""

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        gate_size = num_chunks * hidden_size
        self.weight_ih = Parameter(pytensor.empty(gate_size, input_size, device=device,
                                                  dtype=dtype))
        self.weight_hh = Parameter(pytensor.empty(gate_size, hidden_size, device=device,
                                                  dtype=dtype))
        if bias:
            self.bias_ih = Parameter(pytensor.empty(gate_size, device=device, dtype=dtype))
            self.bias_hh = Parameter(pytensor.empty(gate_size, device=device, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self):
        _reset_uniform(self)

    def _run(self, step, input, hx, num_states):
        """Checks shapes, adds the batch dim to unbatched input, runs one step and returns the
        new state(s) in the input's batchedness."""
        if input.dim() not in (1, 2):
            raise ValueError(f"{self._get_name()}: Expected input to be 1D or 2D, got "
                             f"{input.dim()}D instead")
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        if hx is None:
            zeros = pytensor.zeros(input.shape[0], self.hidden_size, dtype=input.dtype,
                                   device=input.device)
            states = [zeros] * num_states
        else:
            states = list(hx) if num_states > 1 else [hx]
            if not batched:
                states = [s.unsqueeze(0) for s in states]
        if input.shape[1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[1]} "
                               f"expected {self.input_size}")
        for k, s in enumerate(states):
            if s.shape[0] != input.shape[0]:
                raise RuntimeError(f"Input batch size {input.shape[0]} doesn't match "
                                   f"hidden{k} batch size {s.shape[0]}")
            if s.shape[1] != self.hidden_size:
                raise RuntimeError(f"hidden{k} has inconsistent hidden_size: got {s.shape[1]}, "
                                   f"expected {self.hidden_size}")
        gi = F.linear(input, self.weight_ih, self.bias_ih)
        out = step(gi, tuple(states) if num_states > 1 else states[0], self.weight_hh,
                   self.bias_hh)
        if batched:
            return out
        return tuple(s.squeeze(0) for s in out) if num_states > 1 else out.squeeze(0)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        nonlinearity = getattr(self, "nonlinearity", "tanh")
        if nonlinearity != "tanh":
            s += f", nonlinearity={nonlinearity}"
        return s


class RNNCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):
        super().__init__(input_size, hidden_size, bias, 1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        step = {"tanh": _rnn_tanh_step, "relu": _rnn_relu_step}.get(self.nonlinearity)
        if step is None:
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        return self._run(step, input, hx, 1)


class LSTMCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        return self._run(_lstm_step, input, hx, 2)


class GRUCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        return self._run(_gru_step, input, hx, 1)

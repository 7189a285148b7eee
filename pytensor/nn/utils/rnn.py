"""pytensor.nn.utils.rnn: variable-length batches for the recurrent layers.

A PackedSequence holds the time steps of a batch sorted by decreasing length, step after step:
data is (sum(lengths), *) and batch_sizes[t] says how many sequences are still running at
step t (the first batch_sizes[t] rows of the step). Packing and padding are gathers built
from index_select / split / cat, so gradients flow through them."""
from collections import namedtuple

import pytensor

__all__ = ["PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence",
           "unpad_sequence", "pack_sequence", "unpack_sequence"]


class PackedSequence(namedtuple("PackedSequence",
                                ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    """data (N, *), batch_sizes (T,) int64 on the CPU, and the permutation from the caller's
    batch order to the length-sorted one (None when the batch came sorted)."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = _invert_permutation(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def _with_data(self, data):
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def to(self, *args, **kwargs):
        """Moves or casts data (batch_sizes stays an int64 CPU tensor, as in PyTorch)."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        move = (lambda t: t if t is None else t.to(device=data.device))
        return type(self)(data, self.batch_sizes, move(self.sorted_indices),
                          move(self.unsorted_indices))

    def float(self):
        return self._with_data(self.data.float())

    def double(self):
        return self._with_data(self.data.double())

    @property
    def is_cuda(self):
        return self.data.is_cuda


def _invert_permutation(perm):
    inverse = pytensor.empty_like(perm)
    inverse[perm] = pytensor.arange(perm.numel(), dtype=pytensor.int64, device=perm.device)
    return inverse


def _lengths_list(lengths):
    """lengths as a Python list; a tensor must be 1-D on the CPU (any dtype converts)."""
    if isinstance(lengths, pytensor.Tensor):
        if lengths.dim() != 1 or lengths.is_cuda:
            raise RuntimeError("'lengths' argument should be a 1D CPU int64 tensor, but got "
                               f"{lengths.dim()}D {lengths.device} Long tensor")
        return [int(n) for n in lengths.tolist()]
    try:
        return [int(n) for n in lengths]
    except TypeError:
        raise RuntimeError("'lengths' argument should be a 1D CPU int64 tensor, but got 0D cpu "
                           "Long tensor") from None


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Packs a padded (T, B, *) batch (or (B, T, *) with batch_first) of sequences of the
    given lengths; enforce_sorted=False sorts the batch by decreasing length first."""
    lengths = _lengths_list(lengths)
    if batch_first:
        input = input.transpose(0, 1)
    steps, batch = input.shape[0], input.shape[1]
    if len(lengths) != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{len(lengths)} (batch_size={batch})")
    sorted_indices = None
    if enforce_sorted:
        if any(a < b for a, b in zip(lengths, lengths[1:])):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                "pack_sequence to sidestep this requirement if you do not need ONNX "
                "exportability.")
    else:
        order = sorted(range(batch), key=lambda b: -lengths[b])  # stable, as PyTorch's sort
        lengths = [lengths[b] for b in order]
        sorted_indices = pytensor.tensor(order, dtype=pytensor.int64, device=input.device)
        input = input.index_select(1, sorted_indices)
    if batch and lengths[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an "
                           "element in 'lengths' that is <= 0")
    if batch and lengths[0] > steps:
        raise RuntimeError(f"Expected all lengths to be at most the padded sequence length "
                           f"{steps}, but got {lengths[0]}")
    longest = lengths[0] if batch else 0
    batch_sizes = [sum(1 for n in lengths if n > t) for t in range(longest)]
    data = pytensor.cat([input[t, :bs] for t, bs in enumerate(batch_sizes)])
    return PackedSequence(data, pytensor.tensor(batch_sizes, dtype=pytensor.int64),
                          sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """The inverse of pack_padded_sequence: (padded, lengths) in the caller's batch order,
    padded to total_length steps when given."""
    data = sequence.data
    batch_sizes = [int(n) for n in sequence.batch_sizes.tolist()]
    steps = len(batch_sizes)
    if total_length is not None:
        if total_length < steps:
            raise ValueError("Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {steps}")
        steps = total_length
    batch = batch_sizes[0]
    feature = tuple(data.shape[1:])
    rows = []
    for t, chunk in enumerate(data.split(batch_sizes)):
        missing = batch - batch_sizes[t]
        if missing:
            chunk = pytensor.cat([chunk, data.new_full((missing,) + feature, padding_value)])
        rows.append(chunk)
    if steps > len(batch_sizes):
        rows += [data.new_full((batch,) + feature, padding_value)] * (steps - len(batch_sizes))
    padded = pytensor.stack(rows, 1 if batch_first else 0)
    lengths = [sum(1 for bs in batch_sizes if bs > b) for b in range(batch)]
    lengths = pytensor.tensor(lengths, dtype=pytensor.int64)
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(0 if batch_first else 1, sequence.unsorted_indices)
        lengths = lengths.index_select(0, sequence.unsorted_indices.cpu())
    return padded, lengths


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stacks (L_i, *) tensors into (max L, B, *) (or (B, max L, *)), padding each on the
    given side."""
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got "
                           f"{padding_side}.")
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        missing = longest - s.shape[0]
        if missing:
            fill = s.new_full((missing,) + tuple(s.shape[1:]), padding_value)
            s = pytensor.cat([s, fill] if padding_side == "right" else [fill, s])
        padded.append(s)
    return pytensor.stack(padded, 0 if batch_first else 1)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """Splits a padded batch back into its sequences, each cut to its length."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [seq[:n] for seq, n in zip(padded_sequences.unbind(0), _lengths_list(lengths))]


def pack_sequence(sequences, enforce_sorted=True):
    """Packs a list of (L_i, *) tensors."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """The list of sequences a PackedSequence holds, in the caller's batch order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)

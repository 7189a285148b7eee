"""Tensor printing: ``str()`` / ``repr()`` of a pytensor Tensor.

The output is meant to be character-for-character what PyTorch 2.x prints,
with ``pytensor.`` in place of ``torch.``.  The module only needs a numpy array
holding the values plus a little metadata, so it does not depend on the C++
core; ``Tensor.__repr__`` calls :func:`format_tensor`.

Overview of the rules (all mirrored from PyTorch's observable behaviour):

* One formatter is chosen for the whole tensor (or, when the tensor is
  summarised, for the elements that are actually shown) so that every element
  is right-aligned to the same width.
* Floating tensors print in one of three modes:
    - "integer" mode when every nonzero finite value is a whole number: ``1.``;
    - fixed mode with ``precision`` decimals: ``0.1000``;
    - scientific mode with ``precision`` decimals: ``1.0000e-05``.
  Only nonzero finite values decide the mode and the column width; zeros,
  nan and inf are simply padded to that width (or overflow it).
* Tensors with more than ``threshold`` elements are summarised: along every
  dimension longer than ``2 * edgeitems`` only the first and last
  ``edgeitems`` entries are printed, with ``...`` in between.
"""

import math

import numpy as np

__all__ = ["set_printoptions", "get_printoptions", "format_tensor"]


_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}

_options = dict(_PROFILES["default"], sci_mode=None)

_NUMPY_DTYPES = {
    "float32": np.float32,
    "float64": np.float64,
    "int64": np.int64,
    "int32": np.int32,
    "uint8": np.uint8,
    "bool": np.bool_,
}
_FLOAT_DTYPES = ("float32", "float64")
_MODULE_PREFIX = "pytensor."
_TORCH_PREFIX = "torch."


# ---------------------------------------------------------------------------
# Print options
# ---------------------------------------------------------------------------


def set_printoptions(
    precision=None,
    threshold=None,
    edgeitems=None,
    linewidth=None,
    profile=None,
    sci_mode=None,
):
    """Set options for printing, with the semantics of ``torch.set_printoptions``.

    Args:
        precision: number of digits after the decimal point (default 4).
        threshold: total number of elements above which the tensor is
            summarised instead of printed in full (default 1000).
        edgeitems: number of items shown at the start and end of each
            summarised dimension (default 3).
        linewidth: characters per line used for line wrapping (default 80).
        profile: ``'default'``, ``'short'`` or ``'full'``; applied first, then
            overridden by any other argument given.  Any other name is ignored,
            as in PyTorch.
        sci_mode: ``True``/``False`` forces scientific notation on/off; ``None``
            lets the formatter decide.
    """
    if profile in _PROFILES:
        _options.update(_PROFILES[profile])
    if precision is not None:
        _options["precision"] = precision
    if threshold is not None:
        _options["threshold"] = threshold
    if edgeitems is not None:
        _options["edgeitems"] = edgeitems
    if linewidth is not None:
        _options["linewidth"] = linewidth
    # Unlike the other options, sci_mode is assigned unconditionally: PyTorch
    # resets it to "automatic" on every call that does not pass it.
    _options["sci_mode"] = sci_mode


def get_printoptions():
    """Return the current print options as a new dict."""
    return dict(_options)


# ---------------------------------------------------------------------------
# Element formatting
# ---------------------------------------------------------------------------


def _make_formatter(sample, is_float, opts):
    """Return ``(width, fmt)`` for the elements of ``sample``.

    ``fmt(value)`` turns one Python scalar into its right-aligned string;
    ``width`` is the column width all elements are padded to.
    """
    if not is_float:
        width = max([1] + [len(str(v)) for v in sample.ravel().tolist()])
        return width, lambda v: str(v).rjust(width)

    precision = opts["precision"]
    flat = sample.ravel()
    shown = flat[np.isfinite(flat) & (flat != 0)]
    if shown.size == 0:
        # Nothing but zeros, nan and inf: integer mode with no minimum width.
        # PyTorch stops here before looking at the sci_mode option, so a
        # forced sci_mode has no effect on such tensors.
        int_mode, sci_mode, width = True, False, 1
    else:
        int_mode = bool(np.all(shown == np.ceil(shown)))
        magnitudes = np.abs(shown).astype(np.float64)
        largest, smallest = magnitudes.max(), magnitudes.min()
        with np.errstate(over="ignore"):
            ratio = largest / smallest
        if opts["sci_mode"] is not None:
            sci_mode = opts["sci_mode"]
        else:
            # A spread of more than three orders of magnitude, or values too
            # large or too small for `precision` decimals to show well.
            sci_mode = bool(ratio > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4)
        values = shown.tolist()
        if sci_mode:
            width = max(len(f"{v:.{precision}e}") for v in values)
        elif int_mode:
            width = max(len(f"{v:.0f}") for v in values) + 1  # + 1 for the "."
        else:
            width = max(len(f"{v:.{precision}f}") for v in values)

    def fmt(v):
        if sci_mode:
            text = f"{v:.{precision}e}"
        elif int_mode:
            text = f"{v:.0f}"
            # The trailing "." marks the tensor as floating; nan/inf have none.
            if math.isfinite(v):
                text += "."
        else:
            text = f"{v:.{precision}f}"
        return text.rjust(width)

    return width, fmt


# ---------------------------------------------------------------------------
# Layout
# ---------------------------------------------------------------------------


def _summarized_sample(arr, edgeitems):
    """The elements that a summarised print actually shows (for the formatter)."""
    for axis, size in enumerate(arr.shape):
        if size > 2 * edgeitems:
            keep = list(range(edgeitems)) + list(range(size - edgeitems, size))
            arr = np.take(arr, keep, axis=axis)
    return arr


def _vector_str(arr, indent, summarize, width, fmt, opts):
    edgeitems = opts["edgeitems"]
    # Each element takes its width plus ", ".  The division is floored so a
    # line may end up shorter than linewidth, never longer (unless a single
    # element does not fit).
    per_line = max(1, math.floor((opts["linewidth"] - indent) / (width + 2)))

    if summarize and len(arr) > 2 * edgeitems:
        items = (
            [fmt(v) for v in arr[:edgeitems].tolist()]
            + [" ..."]
            + [fmt(v) for v in arr[len(arr) - edgeitems :].tolist()]
        )
    else:
        items = [fmt(v) for v in arr.tolist()]

    lines = [
        ", ".join(items[start : start + per_line])
        for start in range(0, len(items), per_line)
    ]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(arr, indent, summarize, width, fmt, opts):
    if arr.ndim == 0:
        return fmt(arr.item())
    if arr.ndim == 1:
        return _vector_str(arr, indent, summarize, width, fmt, opts)

    edgeitems = opts["edgeitems"]
    size = arr.shape[0]
    if summarize and size > 2 * edgeitems:
        rows = list(range(edgeitems)) + [None] + list(range(size - edgeitems, size))
    else:
        rows = list(range(size))
    parts = [
        "..." if i is None else _nested_str(arr[i], indent + 1, summarize, width, fmt, opts)
        for i in rows
    ]
    # Sub-blocks of an n-d tensor are separated by n - 2 blank lines.
    separator = "," + "\n" * (arr.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(parts) + "]"


def _body_str(arr, is_float, indent, opts):
    """The bracketed values of a non-empty tensor (or the bare scalar if 0-d)."""
    summarize = arr.size > opts["threshold"]
    if summarize and arr.ndim > 0 and opts["edgeitems"] == 0:
        # No edge items: PyTorch shows nothing but the ellipsis (and adds a
        # size= suffix, handled by the caller).
        return "[...]"
    sample = _summarized_sample(arr, opts["edgeitems"]) if summarize else arr
    width, fmt = _make_formatter(sample, is_float, opts)
    return _nested_str(arr, indent, summarize, width, fmt, opts)


def _append_suffixes(text, suffixes, indent, linewidth):
    """Append ``, key=value`` suffixes and the closing parenthesis.

    A suffix moves to its own line (indented like the values) when it would
    push the current line past ``linewidth``.
    """
    # PyTorch measures the current line as two characters longer than it is
    # (and stops doing so once a suffix has been wrapped); the same count is
    # used here so that suffixes wrap at exactly the same place.
    line_len = len(text.rsplit("\n", 1)[-1]) + 2
    pieces = [text]
    for suffix in suffixes:
        # Measure the suffix as PyTorch spells it ("dtype=torch.int32") so the
        # wrapping decision is identical to PyTorch's output with the module
        # name substituted.
        suffix_len = len(suffix.replace(_MODULE_PREFIX, _TORCH_PREFIX))
        if line_len + suffix_len + 2 > linewidth:
            pieces.append(",\n" + " " * indent + suffix)
            line_len = indent + suffix_len
        else:
            pieces.append(", " + suffix)
            line_len += suffix_len + 2
    pieces.append(")")
    return "".join(pieces)


# ---------------------------------------------------------------------------
# Public entry point
# ---------------------------------------------------------------------------


def format_tensor(
    values,
    dtype,
    *,
    requires_grad=False,
    grad_fn=None,
    device="cpu",
    default_dtype="float32",
    prefix="tensor(",
):
    """Return the repr of a tensor, e.g. ``'tensor([1., 2.], dtype=pytensor.float64)'``.

    Args:
        values: array-like holding the tensor's values (any shape).  It is
            converted to ``dtype`` first, so float32 tensors print their
            float32-rounded values exactly as PyTorch does.
        dtype: one of ``'float32'``, ``'float64'``, ``'int64'``, ``'int32'``,
            ``'uint8'``, ``'bool'``.
        requires_grad: print ``requires_grad=True`` (unless ``grad_fn`` is set).
        grad_fn: name of the autograd node, printed as ``grad_fn=<Name>``.
        device: ``'cpu'`` prints nothing, anything else ``device='...'``.
        default_dtype: the current default floating dtype; tensors of that dtype
            (and int64 / bool tensors) do not print their dtype.
        prefix: text before the values, normally ``'tensor('``.  Continuation
            lines are indented by the length of its last line.
    """
    if dtype not in _NUMPY_DTYPES:
        raise ValueError(f"unsupported dtype {dtype!r}")
    opts = _options
    arr = np.asarray(values, dtype=_NUMPY_DTYPES[dtype])
    indent = len(prefix.rsplit("\n", 1)[-1])

    suffixes = []
    if device != "cpu":
        suffixes.append(f"device='{device}'")
    if arr.size == 0:
        body = "[]"
        # Numpy-style: the shape is spelled out unless it is simply (0,).
        if arr.ndim != 1:
            suffixes.append(f"size={tuple(arr.shape)}")
        # No elements to infer the dtype from, so even int64/bool are named.
        if dtype != default_dtype:
            suffixes.append(f"dtype={_MODULE_PREFIX}{dtype}")
    else:
        body = _body_str(arr, dtype in _FLOAT_DTYPES, indent, opts)
        if opts["edgeitems"] == 0:
            suffixes.append(f"size={tuple(arr.shape)}")
        if dtype not in (default_dtype, "int64", "bool"):
            suffixes.append(f"dtype={_MODULE_PREFIX}{dtype}")

    if grad_fn is not None:
        suffixes.append(f"grad_fn=<{grad_fn}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")

    return _append_suffixes(prefix + body, suffixes, indent, opts["linewidth"])

"""pytensor.nn.functional: activations, linear maps, dropout, embedding, padding, normalisation
and resampling, composed from pytensor's differentiable ops (so autograd covers them)."""
import math
import warnings

import numpy as np

import pytensor
from pytensor import _C
from pytensor.autograd import no_grad

__all__ = [
    "relu", "relu_", "relu6", "leaky_relu", "elu", "gelu", "silu", "sigmoid", "tanh", "softplus",
    "hardtanh", "softmax", "log_softmax", "softmin", "linear", "bilinear", "dropout",
    "dropout1d", "dropout2d", "embedding", "one_hot", "pad", "layer_norm", "group_norm",
    "batch_norm", "normalize", "cosine_similarity", "interpolate",
]


# ---- activations ----------------------------------------------------------------------------

def _maybe_inplace(input, out, inplace):
    """PyTorch's inplace=True writes the result into input (and returns input)."""
    return input.copy_(out) if inplace else out


def relu(input, inplace=False):
    return _C.relu_(input) if inplace else _C.relu(input)


def relu_(input):
    return _C.relu_(input)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return input.clamp_(min_val, max_val) if inplace else input.clamp(min_val, max_val)


def relu6(input, inplace=False):
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    return _maybe_inplace(input, _C.where(input > 0, input, input * negative_slope), inplace)


def elu(input, alpha=1.0, inplace=False):
    return _maybe_inplace(input, _C.where(input > 0, input, _C.expm1(input) * alpha), inplace)


def gelu(input, approximate="none"):
    return _C._nn.gelu(input, approximate)


def silu(input, inplace=False):
    return _C._nn.silu_(input) if inplace else _C._nn.silu(input)


def sigmoid(input):
    return _C.sigmoid(input)


def tanh(input):
    return _C.tanh(input)


def softplus(input, beta=1.0, threshold=20.0):
    # Above the threshold softplus is the identity; the clamp keeps exp() finite there so that
    # the unused branch contributes 0 (not nan) to the gradient.
    scaled = input * beta
    soft = _C.log1p(_C.exp(scaled.clamp(max=threshold))) / beta
    return _C.where(scaled > threshold, input, soft)


def _softmax_dim(name, ndim, stacklevel):
    """PyTorch's implicit choice when dim is None, with PyTorch's deprecation warning."""
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to "
                  "include dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("softmax", input.dim(), _stacklevel)
    return _C.softmax(input, dim, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("log_softmax", input.dim(), _stacklevel)
    return _C.log_softmax(input, dim, dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("softmin", input.dim(), _stacklevel)
    return _C.softmax(-input, dim, dtype)


# ---- linear maps ----------------------------------------------------------------------------

linear = _C._nn.linear  # input @ weight.T + bias as one op (AddmmBackward0), no Python frame


def bilinear(input1, input2, weight, bias=None):
    """out[..., k] = input1 @ weight[k] @ input2 + bias[k], weight of shape (out, in1, in2)."""
    if input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError("bilinear(): input batch dimensions do not match: got "
                           f"{list(input1.shape[:-1])} and {list(input2.shape[:-1])}")
    lead = tuple(input1.shape[:-1])
    x1 = input1.reshape(-1, 1, 1, input1.shape[-1])
    x2 = input2.reshape(-1, 1, input2.shape[-1])
    # (N, 1, 1, in1) @ (out, in1, in2) -> (N, out, 1, in2), then contract with input2.
    out = (_C.matmul(x1, weight).squeeze(2) * x2).sum(-1)
    if bias is not None:
        out = out + bias
    return out.reshape(*lead, weight.shape[0])


# ---- dropout --------------------------------------------------------------------------------

def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _dropout(input, p, training, inplace, mask_shape):
    _check_p(p)
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return _maybe_inplace(input, input * 0.0, inplace)
    # Kept elements are scaled by 1/(1-p) so the expected value is unchanged.
    mask = _C.empty(mask_shape, dtype=input.dtype, device=input.device).bernoulli_(1.0 - p)
    return _maybe_inplace(input, input * (mask / (1.0 - p)), inplace)


def dropout(input, p=0.5, training=True, inplace=False):
    return _dropout(input, p, training, inplace, tuple(input.shape))


def _feature_dropout(input, p, training, inplace, batched):
    # Whole channels are dropped: one draw per (N, C) (per leading dim when unbatched),
    # broadcast over the remaining dims, as PyTorch's feature_dropout.
    if not training or p == 0.0:
        return input
    lead = 2 if batched else 1
    if input.dim() + 2 - lead < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    shape = tuple(input.shape[:lead]) + (1,) * (input.dim() - lead)
    return _dropout(input, p, training, inplace, shape)


def _warn_feature_dims(name, input, spatial):
    """PyTorch accepts (with this warning) dropout2d/3d inputs of other ranks."""
    if input.dim() not in (spatial + 1, spatial + 2):
        warnings.warn(
            f"{name}: Received a {input.dim()}-D input to {name}, which is deprecated and will "
            "result in an error in a future release. To retain the behavior and silence this "
            f"warning, please use dropout instead. Note that {name} exists to provide channel-wise "
            f"dropout on inputs with {spatial} spatial dimensions, a channel dimension, and an "
            f"optional batch dimension (i.e. {spatial + 1}D or {spatial + 2}D inputs).", stacklevel=3)


def dropout1d(input, p=0.5, training=True, inplace=False):
    _check_p(p)
    if input.dim() not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.dim()}D input. Note that "
            "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, "
            "a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).")
    return _feature_dropout(input, p, training, inplace, input.dim() == 3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Every input is taken as (N, C, ...): a 3-D input drops (N, C) rows of length L, with
    PyTorch's warning that this will change."""
    _check_p(p)
    _warn_feature_dims("dropout2d", input, 2)
    if input.dim() == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
            "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel "
            "dim. This behavior will change in a future release to interpret the input as one "
            "without a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise "
            "dropout behavior, please switch to using dropout1d instead.", stacklevel=2)
    return _feature_dropout(input, p, training, inplace, True)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Inputs other than 5-D are taken as unbatched (C, ...)."""
    _check_p(p)
    _warn_feature_dims("dropout3d", input, 3)
    return _feature_dropout(input, p, training, inplace, input.dim() == 5)


# ---- embedding and one_hot ------------------------------------------------------------------

def _renorm_rows_(weight, indices, max_norm, norm_type):
    """Rescales in place the rows that indices refer to whose norm exceeds max_norm."""
    with no_grad():
        used = _C.zeros(weight.shape[0], dtype=_C.bool, device=weight.device)
        used[indices.reshape(-1)] = True
        norms = weight.norm(norm_type, 1, True)
        scale = _C.where(used.unsqueeze(1) & (norms > max_norm), max_norm / (norms + 1e-7), 1.0)
        weight.mul_(scale.to(weight.dtype))


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """weight's rows picked by the integer tensor input: shape input.shape + (dim,). The row at
    padding_idx gets no gradient."""
    if input.is_floating_point() or input.dtype == _C.bool:
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following "
                           f"scalar types: Long, Int; but got {input.type()} instead "
                           "(while checking arguments for embedding)")
    num = weight.shape[0]
    if padding_idx is not None and padding_idx < 0:
        padding_idx += num
    if max_norm is not None:
        _renorm_rows_(weight, input, max_norm, norm_type)
    rows = weight.index_select(0, input.reshape(-1)).reshape(*input.shape, weight.shape[1])
    if padding_idx is None:
        return rows
    # Same values, but the padding rows come from a detached copy: their gradient is zero.
    pad = (input == padding_idx).unsqueeze(-1)
    return _C.where(pad, rows.detach(), rows)


def one_hot(tensor, num_classes=-1):
    if tensor.dtype != _C.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if tensor.numel() == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(tensor.max()) + 1
    if tensor.numel() and int(tensor.min()) < 0:
        raise RuntimeError("Class values must be non-negative.")
    if tensor.numel() and int(tensor.max()) >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    classes = _C.arange(num_classes, device=tensor.device)
    return (tensor.unsqueeze(-1) == classes).long()


# ---- padding --------------------------------------------------------------------------------

def _pad_index(size, before, after, mode):
    """Source indices along one dim for reflect / replicate / circular padding."""
    idx = np.arange(-before, size + after)
    if mode == "replicate":
        idx = np.clip(idx, 0, size - 1)
    elif mode == "circular":
        idx = idx % size
    else:  # reflect: mirror without repeating the edge
        period = 2 * (size - 1)
        idx = np.abs(idx) % period if period else np.zeros_like(idx)
        idx = np.where(idx >= size, period - idx, idx)
    return idx


def pad(input, pad, mode="constant", value=None):
    """pad = (last_before, last_after, prev_before, prev_after, ...); negative sizes crop."""
    if len(pad) % 2 != 0:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.dim():
        raise RuntimeError("Padding length should be less than or equal to two times the input "
                           "dimension but got padding length "
                           f"{len(pad)} and input of dimension {input.dim()}")
    pairs = [(input.dim() - 1 - i, pad[2 * i], pad[2 * i + 1]) for i in range(len(pad) // 2)]
    if mode == "constant":
        out_shape = list(input.shape)
        src = [slice(None)] * input.dim()
        dst = [slice(None)] * input.dim()
        for d, before, after in pairs:
            size = input.shape[d]
            out_shape[d] = size + before + after
            if out_shape[d] < 0:
                raise RuntimeError(f"The input size {size}, plus negative padding {before} and "
                                   f"{after} resulted in a negative output size, which is "
                                   f"invalid. Check dimension {d} of your input.")
            src[d] = slice(max(-before, 0), size - max(-after, 0))
            dst[d] = slice(max(before, 0), out_shape[d] - max(after, 0))
        out = _C.full(out_shape, 0.0 if value is None else value, dtype=input.dtype,
                      device=input.device)
        out[tuple(dst)] = input[tuple(src)]
        return out
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    out = input
    for d, before, after in pairs:
        size = input.shape[d]
        if mode == "reflect" and (before >= size or after >= size):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding "
                               f"input dimension, but got: padding ({before}, {after}) at "
                               f"dimension {d} of input {list(input.shape)}")
        index = pytensor.tensor(_pad_index(size, before, after, mode), device=input.device)
        out = out.index_select(d, index)
    return out


# ---- normalisation --------------------------------------------------------------------------

layer_norm = _C._nn.layer_norm  # one fused op with one fused backward (NativeLayerNormBackward0)


def _channel_view(t, ndim):
    """A per-channel (C,) tensor shaped to broadcast against (N, C, *) inputs."""
    return t.reshape((-1,) + (1,) * (ndim - 2))


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{input.dim()}")
    n, c = input.shape[0], input.shape[1]
    if c % num_groups != 0:
        raise RuntimeError("Expected number of channels in input to be divisible by num_groups, "
                           f"but got input of shape {list(input.shape)} and num_groups={num_groups}")
    grouped = input.reshape(n, num_groups, -1)  # each group's values normalised as one row
    out = layer_norm(grouped, grouped.shape[2:], None, None, eps).reshape(tuple(input.shape))
    if weight is not None:
        out = out * _channel_view(weight, input.dim())
    if bias is not None:
        out = out + _channel_view(bias, input.dim())
    return out


# Batch statistics when training (folded into the running ones), running statistics otherwise;
# one fused op with one fused backward (NativeBatchNormBackward0).
batch_norm = _C._nn.batch_norm


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    norm = input.norm(p, dim, True).clamp(min=eps)
    return input / norm


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    x1, x2 = _C.broadcast_tensors(x1, x2)
    n1 = x1.norm(2, dim, True).clamp(min=eps)
    n2 = x2.norm(2, dim, True).clamp(min=eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


# ---- resampling -----------------------------------------------------------------------------

def _linear_weights(in_size, out_size, scale, align_corners):
    """Source indices i0, i1 and weight of i1 for linear interpolation along one dim."""
    dst = np.arange(out_size, dtype=np.float64)
    if align_corners:
        src = dst * ((in_size - 1) / (out_size - 1)) if out_size > 1 else np.zeros(out_size)
    else:
        src = np.maximum((dst + 0.5) * scale - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), in_size - 1)
    i1 = np.minimum(i0 + 1, in_size - 1)
    return i0, i1, src - i0


_INTERPOLATE_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "lanczos", "area",
                      "nearest-exact")


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resizes the spatial dims of an (N, C, *spatial) input: 'nearest' and 'nearest-exact'
    pick source indices, 'linear' / 'bilinear' / 'trilinear' blend the two neighbours along
    each dim in turn."""
    if mode in ("nearest", "area", "nearest-exact") and align_corners is not None:
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is None and scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    spatial = input.dim() - 2
    linear_modes = {"linear": 1, "bilinear": 2, "trilinear": 3}
    if mode in linear_modes and spatial in (1, 2, 3) and linear_modes[mode] != spatial:
        raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs "
                                  f"{linear_modes[mode] + 2}D input")
    if spatial not in (1, 2, 3) or mode not in _INTERPOLATE_MODES:
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) for the "
            "modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
            f"nearest-exact (got {mode})")
    if mode not in linear_modes and mode not in ("nearest", "nearest-exact"):
        raise NotImplementedError(f"Input Error: interpolate mode {mode} is not supported")
    in_sizes = list(input.shape[2:])
    if size is not None:
        out_sizes = [size] * spatial if isinstance(size, int) else list(size)
        scales = [i / o for i, o in zip(in_sizes, out_sizes)]
    else:
        factors = ([scale_factor] * spatial if isinstance(scale_factor, (int, float))
                   else list(scale_factor))
        out_sizes = [int(math.floor(i * f)) for i, f in zip(in_sizes, factors)]
        scales = ([i / o for i, o in zip(in_sizes, out_sizes)] if recompute_scale_factor
                  else [1.0 / f for f in factors])
    out = input
    for k in range(spatial):
        d = 2 + k
        in_size, out_size = in_sizes[k], out_sizes[k]
        if mode in ("nearest", "nearest-exact"):
            # nearest takes floor(dst * scale) (PyTorch's legacy rule), nearest-exact the source
            # pixel whose centre is nearest: floor((dst + 0.5) * scale)
            dst = np.arange(out_size) + (0.5 if mode == "nearest-exact" else 0.0)
            src = np.minimum(np.floor(dst * scales[k]).astype(np.int64), in_size - 1)
            out = out.index_select(d, pytensor.tensor(src, device=input.device))
            continue
        i0, i1, w1 = _linear_weights(in_size, out_size, scales[k], bool(align_corners))
        shape = [1] * input.dim()
        shape[d] = out_size
        w = pytensor.tensor(w1, dtype=input.dtype, device=input.device).reshape(shape)
        a = out.index_select(d, pytensor.tensor(i0, device=input.device))
        b = out.index_select(d, pytensor.tensor(i1, device=input.device))
        out = a + (b - a) * w
    return out


# ---- ops from other families, exported here under their functional names -------------------

from pytensor.nn._loss import *  # noqa: E402,F401,F403  (the fused C++ losses)
from pytensor.nn._loss import __all__ as _loss_names  # noqa: E402
from pytensor._C import (conv1d, conv2d, conv_transpose1d, conv_transpose2d, max_pool1d,  # noqa: E402,F401
                         max_pool2d, avg_pool1d, avg_pool2d, adaptive_avg_pool2d, adaptive_max_pool2d)

__all__ += _loss_names + ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "max_pool1d",
                          "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool2d",
                          "adaptive_max_pool2d"]


def _adaptive_pool1d(pool2d, name, input, output_size, *extra):
    # PyTorch's own route: the 2-D op on an (N, C, 1, L) view, squeezed back.
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.dim()}-dimensional tensor "
                           f"for argument #1 'self' (while checking arguments for {name})")
    if not isinstance(output_size, int):
        if len(output_size) != 1:
            raise RuntimeError(f"{name}() argument 'output_size' should contain one int "
                               f"(got {len(output_size)})")
        output_size = output_size[0]
    out = pool2d(input.unsqueeze(-2), (1, output_size), *extra)
    return tuple(t.squeeze(-2) for t in out) if isinstance(out, tuple) else out.squeeze(-2)


def adaptive_avg_pool1d(input, output_size):
    return _adaptive_pool1d(adaptive_avg_pool2d, "adaptive_avg_pool1d", input, output_size)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """With return_indices, also the index along L of each maximum."""
    return _adaptive_pool1d(adaptive_max_pool2d, "adaptive_max_pool1d", input, output_size,
                            return_indices)


__all__ += ["dropout3d", "adaptive_avg_pool1d", "adaptive_max_pool1d"]

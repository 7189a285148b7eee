"""The loss functions of torch.nn.functional. cross_entropy, nll_loss, mse_loss, smooth_l1_loss,
huber_loss, binary_cross_entropy and binary_cross_entropy_with_logits are single C++ ops
(pytensor._C._nn); l1_loss and kl_div are composites, as in PyTorch, whose grad_fn names they
share. Here: PyTorch's argument handling (legacy size_average/reduce, size warnings, weights)."""
import warnings

import pytensor
from pytensor import _C

_nn = _C._nn

__all__ = [
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "huber_loss",
    "kl_div", "l1_loss", "mse_loss", "nll_loss", "smooth_l1_loss",
]


def _legacy_reduction(size_average, reduce, reduction):
    """reduction from the deprecated size_average / reduce flags, when either is given."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = ("mean" if size_average else "sum") if reduce else "none"
    warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.",
                  stacklevel=3)
    return ret


def _check_reduction(reduction, allowed=("none", "mean", "sum")):
    if reduction not in allowed:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _warn_size(input, target):
    if target.size() != input.size():
        warnings.warn(
            f"Using a target size ({target.size()}) that is different to the input size ({input.size()}). "
            "This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.", stacklevel=3)


def _weighted(loss, weight, input, reduction, mean_by_weight):
    """PyTorch's per-element weighting of mse/l1/huber: mean divides by sum(weight) for mse and
    l1, by the element count for huber."""
    if weight.size() != input.size():
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.sum() / weight.sum() if mean_by_weight else loss.mean()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if isinstance(target, _C.Tensor) and target.is_floating_point():
        _check_probability_target(input, target, ignore_index)
    return _nn.cross_entropy(input, target, weight, ignore_index, reduction, label_smoothing)


def _check_probability_target(input, target, ignore_index):
    """Float targets are class probabilities; PyTorch's own messages for a wrong shape talk
    about class indices (which the user did not mean), so name both forms here."""
    if ignore_index != -100:
        raise RuntimeError("ignore_index is not supported for floating point target")
    if input.dim() >= 1 and target.shape != input.shape:
        index_shape = tuple(input.shape[:1]) + tuple(input.shape[2:])
        raise RuntimeError(
            f"cross_entropy: floating point targets are class probabilities and must have the "
            f"input's shape {tuple(input.shape)}, but got shape {tuple(target.shape)} (class-index "
            f"targets are int64 of shape {index_shape})")


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    reduction = _legacy_reduction(size_average, reduce, reduction)
    return _nn.nll_loss(input, target, weight, ignore_index, reduction)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    _warn_size(input, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if weight is None:
        return _nn.mse_loss(input, target, reduction)
    return _weighted(_nn.mse_loss(input, target, "none"), weight, input, reduction, True)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    _warn_size(input, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    loss = (input - target).abs()
    if weight is not None:
        return _weighted(loss, weight, input, reduction, True)
    _check_reduction(reduction)
    return loss if reduction == "none" else loss.sum() if reduction == "sum" else loss.mean()


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    _warn_size(input, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    return _nn.smooth_l1_loss(input, target, reduction, beta)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    _warn_size(input, target)
    if weight is None:
        return _nn.huber_loss(input, target, reduction, delta)
    return _weighted(_nn.huber_loss(input, target, "none", delta), weight, input, reduction, False)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if target.size() != input.size():
        raise ValueError(
            f"Using a target size ({target.size()}) that is different to the input size ({input.size()}) "
            "is deprecated. Please ensure they have the same size.")
    return _nn.binary_cross_entropy(input, target, weight, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if target.size() != input.size():
        raise ValueError(f"Target size ({target.size()}) must be the same as input size ({input.size()})")
    return _nn.binary_cross_entropy_with_logits(input, target, weight, pos_weight, reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction, ("none", "mean", "sum", "batchmean"))
    if reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support size."
            "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
            "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
            stacklevel=2)
    if log_target:
        loss = target.exp() * (target - input)
    else:  # xlogy(target, target) - target * input: 0 where target is 0
        loss = pytensor.where(target == 0, 0.0, target * target.log()) - target * input
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    total = loss.sum()
    return total / input.size(0) if reduction == "batchmean" and input.dim() != 0 else total

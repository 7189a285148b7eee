"""Image transforms as functions. Images are pytensor tensors (..., C, H, W) or, standing in for
PIL images, numpy arrays H x W (x C) of uint8; PIL images given here are turned into such arrays,
and arrays follow PIL's semantics where they differ from tensors' (nearest resizing)."""
import enum
import numbers

import numpy as np

import pytensor
from pytensor import _C


class InterpolationMode(enum.Enum):
    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"


_INT_MAX = {_C.uint8: 255, _C.int32: 2**31 - 1, _C.int64: 2**63 - 1, _C.bool: 1}


def _is_tensor(img):
    return isinstance(img, _C.Tensor)


def _is_pil(img):
    return hasattr(img, "getbands")


def _image(img):
    """img as a tensor or an array (a PIL image becomes its H x W (x C) array)."""
    if _is_tensor(img) or isinstance(img, np.ndarray):
        return img
    if _is_pil(img):
        return np.array(img)
    raise TypeError(f"img should be Tensor, ndarray or PIL Image. Got {type(img)}")


def get_dimensions(img):
    """[channels, height, width]."""
    img = _image(img)
    if _is_tensor(img):
        if img.dim() < 2:
            raise TypeError(f"Tensor is not a torch image: expected at least 2 dims, got {img.dim()}")
        return [1 if img.dim() == 2 else img.shape[-3], img.shape[-2], img.shape[-1]]
    return [1 if img.ndim == 2 else img.shape[2], img.shape[0], img.shape[1]]


def to_tensor(pic):
    """H x W (x C) array -> C x H x W tensor; uint8 is scaled to the default float dtype in [0, 1]."""
    if not isinstance(pic, np.ndarray):
        if not _is_pil(pic):
            raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
        # A 1-bit image counts as uint8 0/255, so it becomes 0.0/1.0 like the other modes.
        pic = np.array(pic).astype(np.uint8) * 255 if pic.mode == "1" else np.array(pic)
    if pic.ndim not in (2, 3):
        raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
    if pic.ndim == 2:
        pic = pic[:, :, None]
    img = pytensor.from_numpy(np.ascontiguousarray(pic.transpose(2, 0, 1)))
    if img.dtype == _C.uint8:
        return img.to(pytensor.get_default_dtype()).div(255)
    return img


def pil_to_tensor(pic):
    """H x W (x C) array -> C x H x W tensor of the same dtype (no scaling)."""
    if not isinstance(pic, np.ndarray):
        if not _is_pil(pic):
            raise TypeError(f"pic should be PIL Image. Got {type(pic)}")
        pic = np.array(pic)
    if pic.ndim == 2:
        pic = pic[:, :, None]
    return pytensor.from_numpy(np.ascontiguousarray(pic.transpose(2, 0, 1)))


def convert_image_dtype(image, dtype=_C.float32):
    """Changes dtype and rescales: floats live in [0, 1], integers in [0, max of their dtype]."""
    if not _is_tensor(image):
        raise TypeError("Input img should be Tensor Image")
    if image.dtype == dtype:
        return image
    if image.is_floating_point():
        if dtype.is_floating_point:
            return image.to(dtype)
        if (image.dtype == _C.float32 and dtype in (_C.int32, _C.int64)) or (
                image.dtype == _C.float64 and dtype == _C.int64):
            raise RuntimeError(f"The cast from {image.dtype} to {dtype} cannot be performed safely.")
        # Just below max + 1, so 1.0 maps to max and the bins are equally wide.
        return image.mul(_INT_MAX[dtype] + 1.0 - 1e-3).to(dtype)
    in_max = _INT_MAX[image.dtype]
    if dtype.is_floating_point:
        return image.to(dtype).div(in_max)
    out_max = _INT_MAX[dtype]
    if in_max > out_max:
        return image.floor_divide((in_max + 1) // (out_max + 1)).to(dtype)
    return image.to(dtype).mul((out_max + 1) // (in_max + 1))


def normalize(tensor, mean, std, inplace=False):
    """(tensor - mean) / std per channel of a (..., C, H, W) float tensor."""
    if not _is_tensor(tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    if not tensor.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.dim() < 3:
        raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). Got "
                         f"tensor.size() = {tensor.size()}")
    if not inplace:
        tensor = tensor.clone()
    mean = pytensor.as_tensor(mean, dtype=tensor.dtype)
    std = pytensor.as_tensor(std, dtype=tensor.dtype)
    if (std == 0).any().item():
        raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, leading to "
                         "division by zero.")
    if mean.dim() == 1:
        mean = mean.view(-1, 1, 1)
    if std.dim() == 1:
        std = std.view(-1, 1, 1)
    return tensor.sub_(mean).div_(std)


def hflip(img):
    img = _image(img)
    return img.flip(-1) if _is_tensor(img) else np.ascontiguousarray(img[:, ::-1])


def vflip(img):
    img = _image(img)
    return img.flip(-2) if _is_tensor(img) else np.ascontiguousarray(img[::-1])


_PAD_MODES = ("constant", "edge", "reflect", "symmetric")


def _take(img, rows, cols):
    """The image made of the given source rows and columns (int64 index arrays)."""
    if _is_tensor(img):
        return img.index_select(-2, pytensor.from_numpy(rows)).index_select(-1, pytensor.from_numpy(cols))
    return img[rows][:, cols]


def pad(img, padding, fill=0, padding_mode="constant"):
    """padding is an int, (left/right, top/bottom) or (left, top, right, bottom); padding_mode is
    constant (fill), edge, reflect (without the edge pixel) or symmetric (with it)."""
    img = _image(img)
    if padding_mode not in _PAD_MODES:
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    if isinstance(padding, numbers.Number):
        padding = [int(padding)]
    padding = list(padding)
    if len(padding) not in (1, 2, 4):
        raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element tuple")
    left, top, right, bottom = (padding * 4)[:4] if len(padding) == 1 else (
        padding * 2 if len(padding) == 2 else padding)
    _, h, w = get_dimensions(img)
    if padding_mode != "constant":
        # numpy's modes of the same names, applied to the index ranges, say where each output
        # row and column comes from.
        rows = np.pad(np.arange(h), (top, bottom), mode=padding_mode)
        cols = np.pad(np.arange(w), (left, right), mode=padding_mode)
        return _take(img, rows, cols)
    if _is_tensor(img):
        out = img.new_full((*img.shape[:-2], h + top + bottom, w + left + right), fill)
        out[..., top: top + h, left: left + w] = img
        return out
    widths = [(top, bottom), (left, right)] + [(0, 0)] * (img.ndim - 2)
    return np.pad(img, widths, constant_values=fill)


def crop(img, top, left, height, width):
    """The height x width window at (top, left); parts outside the image are zero-padded."""
    img = _image(img)
    _, h, w = get_dimensions(img)
    if top < 0 or left < 0 or top + height > h or left + width > w:
        pads = [max(-left, 0), max(-top, 0), max(left + width - w, 0), max(top + height - h, 0)]
        img = pad(img, pads)
        top, left = top + pads[1], left + pads[0]
    if _is_tensor(img):
        return img[..., top: top + height, left: left + width]
    return img[top: top + height, left: left + width]


def _setup_size(size, error_msg="Please provide only two dimensions (h, w) for size."):
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if isinstance(size, (tuple, list)) and len(size) == 1:
        return size[0], size[0]
    if len(size) != 2:
        raise ValueError(error_msg)
    return tuple(size)


def center_crop(img, output_size):
    img = _image(img)
    th, tw = _setup_size(output_size)
    _, h, w = get_dimensions(img)
    return crop(img, int(round((h - th) / 2.0)), int(round((w - tw) / 2.0)), th, tw)


def _resized_size(h, w, size, max_size):
    """torchvision's rule: an int (or 1-sequence) sets the shorter edge, keeping the aspect ratio."""
    if isinstance(size, int) or len(size) == 1:
        want = size if isinstance(size, int) else size[0]
        short, long = (w, h) if w <= h else (h, w)
        new_short, new_long = want, int(want * long / short)
        if max_size is not None:
            if max_size <= want:
                raise ValueError(f"max_size = {max_size} must be strictly greater than the requested "
                                 f"size for the smaller edge size = {size}")
            if new_long > max_size:
                new_short, new_long = int(max_size * new_short / new_long), max_size
        return (new_long, new_short) if w <= h else (new_short, new_long)
    if max_size is not None:
        raise ValueError("max_size should only be passed if size specifies the length of the smaller "
                         "edge, i.e. size should be an int or a sequence of length 1 in torchscript mode.")
    return tuple(size)


def _linear_weights(n_in, n_out, antialias):
    """(n_out, n_in) matrix of triangle-filter weights with half-pixel centres. Downscaling with
    antialias widens the filter by the scale (as PIL does); otherwise this is plain bilinear
    interpolation with align_corners=False."""
    scale = n_in / n_out
    support = max(scale, 1.0) if antialias else 1.0
    out = np.zeros((n_out, n_in))
    for i in range(n_out):
        center = (i + 0.5) * scale
        lo, hi = max(int(center - support + 0.5), 0), min(int(center + support + 0.5), n_in)
        j = np.arange(lo, hi)
        wts = np.maximum(0.0, 1.0 - np.abs((j + 0.5 - center) / support))
        out[i, lo:hi] = wts / wts.sum()
    return out


def _nearest_index(n_in, n_out, exact):
    scale = n_in / n_out
    src = (np.arange(n_out) + (0.5 if exact else 0.0)) * scale
    return np.minimum(np.floor(src).astype(np.int64), n_in - 1)


def _pil_nearest_index(n_in, n_out):
    """PIL's NEAREST: the source of pixel i is (i + 0.5) * scale, which PIL steps by repeated
    addition; a running sum repeats its rounding, so ties fall exactly as in PIL."""
    scale = n_in / n_out
    return np.cumsum(np.r_[scale * 0.5, np.full(n_out - 1, scale)]).astype(np.int64)


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    """Resizes the last two (tensor) or first two (array) dims: nearest or bilinear. Arrays resize
    as torchvision resizes PIL images: always antialiased, nearest by pixel centres."""
    img = _image(img)
    _, h, w = get_dimensions(img)
    oh, ow = _resized_size(h, w, size, max_size)
    if (oh, ow) == (h, w):
        return img
    interpolation = InterpolationMode(interpolation)
    tensor = _is_tensor(img)
    if interpolation in (InterpolationMode.NEAREST, InterpolationMode.NEAREST_EXACT):
        if not tensor:
            return _take(img, _pil_nearest_index(h, oh), _pil_nearest_index(w, ow))
        exact = interpolation == InterpolationMode.NEAREST_EXACT
        return _take(img, _nearest_index(h, oh, exact), _nearest_index(w, ow, exact))
    if interpolation != InterpolationMode.BILINEAR:
        raise NotImplementedError(f"resize: interpolation {interpolation} is not supported yet")
    # Separable: out = Wh @ img @ Ww^T over the two spatial dims.
    antialias = antialias or not tensor
    wh, ww = _linear_weights(h, oh, antialias), _linear_weights(w, ow, antialias)
    if not tensor:
        out = np.einsum("oh,hw...,pw->op...", wh, img.astype(np.float64), ww)
        return np.clip(np.rint(out), 0, 255).astype(img.dtype) if img.dtype == np.uint8 else out.astype(img.dtype)
    work = img.dtype if img.is_floating_point() else _C.float32
    out = pytensor.from_numpy(wh.astype(np.float64)).to(work) @ img.to(work) @ pytensor.from_numpy(ww.T.copy()).to(work)
    if img.is_floating_point():
        return out
    return out.round().clamp(0, _INT_MAX[img.dtype]).to(img.dtype)

"""pytensor: a small, fast tensor engine with PyTorch's API."""
from pytensor import _C
from pytensor._C import Tensor, dtype, device

# Every public function the extension defines is part of the pytensor namespace.
globals().update({k: v for k, v in vars(_C).items() if not k.startswith("_") and k != "Tensor"})

from pytensor._size import Size  # noqa: E402
from pytensor._creation import tensor, as_tensor, _legacy  # noqa: E402
from pytensor import _tensor_methods, cuda  # noqa: E402,F401
from pytensor._tensor_str import set_printoptions, get_printoptions  # noqa: E402
from pytensor._functions import (is_tensor, numel, is_floating_point, clone, isclose, allclose,  # noqa: E402
                                 equal, addcmul, addcdiv, lerp, trace, meshgrid, unique, finfo, iinfo)
from pytensor import autograd  # noqa: E402
from pytensor.autograd import no_grad, enable_grad, set_grad_enabled, inference_mode  # noqa: E402
from pytensor import backends, nn, optim, utils, vision  # noqa: E402,F401
from pytensor.backends.cuda import set_float32_matmul_precision, get_float32_matmul_precision  # noqa: E402
from pytensor.serialization import save, load  # noqa: E402

# dtype aliases, as torch.float / torch.long ...
bool, uint8, int32, int64, float32, float64 = _C.bool, _C.uint8, _C.int32, _C.int64, _C.float32, _C.float64
int, long, float, double = int32, int64, float32, float64

FloatTensor = _legacy(float32)
DoubleTensor = _legacy(float64)
LongTensor = _legacy(int64)
IntTensor = _legacy(int32)
BoolTensor = _legacy(bool)
ByteTensor = _legacy(uint8)

_C._set_size_class(Size)
_C._set_as_tensor(as_tensor)


def _dtype_from_name(name):
    return getattr(_C, name)

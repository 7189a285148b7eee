"""pytensor: a small, fast tensor engine with PyTorch's API."""
from pytensor import _C
from pytensor._C import Tensor, dtype, device
from pytensor._size import Size
from pytensor._creation import tensor, as_tensor, _legacy
from pytensor import _tensor_methods, cuda  # noqa: F401
from pytensor._tensor_str import set_printoptions, get_printoptions

bool = _C.bool
uint8 = _C.uint8
int32 = int = _C.int32
int64 = long = _C.int64
float32 = float = _C.float32
float64 = double = _C.float64

# Every public function the extension defines is part of the pytensor namespace.
globals().update({k: v for k, v in vars(_C).items() if not k.startswith("_") and k not in ("Tensor",)})
bool, int, float, long, double = _C.bool, _C.int32, _C.float32, _C.int64, _C.float64

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

from pytensor import autograd  # noqa: E402
from pytensor.autograd import no_grad, enable_grad, set_grad_enabled, inference_mode  # noqa: E402

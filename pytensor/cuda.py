"""pytensor.cuda: device queries. The kernels arrive with the CUDA backend; a build without
CUDA or a machine without a GPU answers False/0 here and raises on use."""
from pytensor import _C


def is_available():
    return _C._cuda_is_available()


def device_count():
    return _C._cuda_device_count()


def get_device_name(device=0):
    return _C._cuda_get_device_name(device if isinstance(device, int) else (device.index or 0))


def synchronize(device=None):
    _C._cuda_synchronize()


def current_device():
    if not is_available():
        raise RuntimeError("current_device: no CUDA GPUs are available")
    return 0

"""pytensor.cuda: device queries, the current device, the random seed and the caching
allocator's statistics. A build without CUDA or a machine without a GPU answers False/0 to
the queries and statistics, and raises RuntimeError on anything that needs a device."""
from pytensor import _C


class OutOfMemoryError(RuntimeError):
    """The CUDA caching allocator found no memory, even after emptying its cache."""


def _index(device):
    if device is None:
        return current_device() if is_available() else 0
    if isinstance(device, int):
        return device
    if isinstance(device, str):
        device = _C.device(device)
    return device.index or 0


def is_available():
    return _C._cuda_is_available()


def device_count():
    return _C._cuda_device_count()


def get_device_name(device=None):
    return _C._cuda_get_device_name(_index(device))


def synchronize(device=None):
    _C._cuda_synchronize()


def current_device():
    return _C._cuda_current_device()


def set_device(device):
    _C._cuda_set_device(_index(device))


def manual_seed(seed):
    """Seeds the generator of on-device random numbers (and restarts its sequence)."""
    _C._cuda_manual_seed(int(seed) & 0xFFFF_FFFF_FFFF_FFFF)


manual_seed_all = manual_seed


def initial_seed():
    return _C._cuda_initial_seed()


def empty_cache():
    _C._cuda_empty_cache()


def memory_allocated(device=None):
    return _C._cuda_memory_allocated(_index(device))


def max_memory_allocated(device=None):
    return _C._cuda_max_memory_allocated(_index(device))


def memory_reserved(device=None):
    return _C._cuda_memory_reserved(_index(device))


def reset_peak_memory_stats(device=None):
    _C._cuda_reset_peak_memory_stats(_index(device))

"""pytensor.backends: switches that choose how the backends compute (PyTorch's names)."""
from pytensor.backends import cuda, cudnn

__all__ = ["cuda", "cudnn"]

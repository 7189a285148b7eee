"""pytensor.backends.cudnn: PyTorch's cuDNN switches, kept so that training scripts which set
them run unchanged. pytensor's convolutions are its own kernels, not cuDNN's: they always
compute in exact float32 and are deterministic, whatever `allow_tf32`, `deterministic` or
`benchmark` say."""

enabled = True
allow_tf32 = True
deterministic = False
benchmark = False


def is_available():
    """False: pytensor does not use cuDNN (its convolutions are its own CUDA kernels)."""
    return False


def version():
    return None


__all__ = ["enabled", "allow_tf32", "deterministic", "benchmark", "is_available", "version"]

"""pytensor.backends.cuda: `matmul.allow_tf32` lets float32 matmuls on CUDA use the TF32
tensor-core GEMM (10-bit mantissa products, float32 sums); off by default, as in PyTorch."""
import warnings

from pytensor import _C


class _MatmulSettings:
    @property
    def allow_tf32(self):
        return _C._allow_tf32()

    @allow_tf32.setter
    def allow_tf32(self, value):
        _C._set_allow_tf32(bool(value))

    def __setattr__(self, name, value):
        if name != "allow_tf32":
            raise AttributeError(f"Unknown attribute {name}")
        super().__setattr__(name, value)


matmul = _MatmulSettings()


def is_built():
    """Whether pytensor was compiled with CUDA."""
    return _C._cuda_built()




_PRECISIONS = ("highest", "high", "medium")


def set_float32_matmul_precision(precision):
    """'highest': exact float32 matmuls; 'high' and 'medium': TF32 tensor cores on CUDA
    (pytensor has no bfloat16 path, so 'medium' computes as 'high')."""
    if precision not in _PRECISIONS:  # PyTorch warns and changes nothing
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current "
                      "set_float32_matmul_precision call has no effect.")
        return
    _C._set_allow_tf32(precision != "highest")


def get_float32_matmul_precision():
    return "high" if _C._allow_tf32() else "highest"


__all__ = ["matmul", "is_built", "set_float32_matmul_precision", "get_float32_matmul_precision"]

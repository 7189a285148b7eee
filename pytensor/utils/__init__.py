"""pytensor.utils: data loading utilities (pytensor.utils.data), as torch.utils."""
from pytensor.utils import data  # noqa: F401

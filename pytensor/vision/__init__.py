"""pytensor.vision: datasets and transforms with torchvision's API (use it as `torchvision`)."""
from pytensor.vision import datasets, transforms  # noqa: F401

"""Image transforms with torchvision.transforms' API."""
from pytensor.vision.transforms import functional  # noqa: F401
from pytensor.vision.transforms.transforms import *  # noqa: F401,F403
from pytensor.vision.transforms.transforms import __all__  # noqa: F401

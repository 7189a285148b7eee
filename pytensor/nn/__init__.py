"""pytensor.nn: Modules, Parameters, layers, losses, init and functional, as torch.nn."""
from pytensor.nn.parameter import Parameter
from pytensor.nn.modules import *  # noqa: F401,F403
from pytensor.nn.modules import __all__ as _module_names
from pytensor.nn import functional, init, utils  # noqa: F401

__all__ = ["Parameter", "functional", "init", "utils"] + _module_names

"""pytensor.optim: optimizers and learning-rate schedulers with PyTorch's API."""
from pytensor.optim import lr_scheduler
from pytensor.optim.adagrad import Adagrad
from pytensor.optim.adam import Adam
from pytensor.optim.adamw import AdamW
from pytensor.optim.optimizer import Optimizer
from pytensor.optim.rmsprop import RMSprop
from pytensor.optim.sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "lr_scheduler"]

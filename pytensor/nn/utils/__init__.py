"""pytensor.nn.utils: gradient clipping, parameters as one vector."""
from pytensor.nn.utils.clip_grad import clip_grad_norm_, clip_grad_value_
from pytensor.nn.utils.convert_parameters import parameters_to_vector, vector_to_parameters
from pytensor.nn.utils import rnn  # PackedSequence and the pack / pad helpers

__all__ = ["clip_grad_norm_", "clip_grad_value_", "parameters_to_vector", "vector_to_parameters"]

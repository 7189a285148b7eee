"""All layer classes of pytensor.nn."""
from pytensor.nn.modules.module import Module
from pytensor.nn.modules.container import (Sequential, ModuleList, ModuleDict, ParameterList,
                                           ParameterDict)
from pytensor.nn.modules.linear import Identity, Linear, Bilinear
from pytensor.nn.modules.activation import (ReLU, ReLU6, LeakyReLU, ELU, GELU, SiLU, Sigmoid,
                                            Tanh, Softmax, LogSoftmax, Softmin, Softplus,
                                            Hardtanh)
from pytensor.nn.modules.dropout import Dropout, Dropout1d, Dropout2d
from pytensor.nn.modules.flatten import Flatten, Unflatten
from pytensor.nn.modules.sparse import Embedding
from pytensor.nn.modules.normalization import LayerNorm, GroupNorm, BatchNorm1d, BatchNorm2d
from pytensor.nn.modules.conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
from pytensor.nn.modules.pooling import (MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d,
                                         AdaptiveAvgPool2d, AdaptiveMaxPool2d)
from pytensor.nn.modules.pooling import AdaptiveAvgPool1d, AdaptiveMaxPool1d
from pytensor.nn.modules.dropout import Dropout3d
from pytensor.nn.modules.upsampling import Upsample, UpsamplingNearest2d, UpsamplingBilinear2d
from pytensor.nn.modules.loss import (MSELoss, L1Loss, SmoothL1Loss, HuberLoss, BCELoss,
                                      BCEWithLogitsLoss, CrossEntropyLoss, NLLLoss, KLDivLoss)
from pytensor.nn.modules.rnn import (RNNBase, RNN, LSTM, GRU, RNNCellBase, RNNCell, LSTMCell,
                                     GRUCell)

__all__ = [
    "Module", "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict",
    "Identity", "Linear", "Bilinear", "ReLU", "ReLU6", "LeakyReLU", "ELU", "GELU", "SiLU",
    "Sigmoid", "Tanh", "Softmax", "LogSoftmax", "Softmin", "Softplus", "Hardtanh", "Dropout",
    "Dropout1d", "Dropout2d", "Flatten", "Unflatten", "Embedding", "LayerNorm", "GroupNorm",
    "BatchNorm1d", "BatchNorm2d", "MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "BCELoss",
    "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss", "KLDivLoss", "Conv1d", "Conv2d",
    "ConvTranspose1d", "ConvTranspose2d", "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d",
    "AdaptiveAvgPool2d", "AdaptiveMaxPool2d",
    "RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell",
    "AdaptiveAvgPool1d", "AdaptiveMaxPool1d", "Dropout3d", "Upsample", "UpsamplingNearest2d",
    "UpsamplingBilinear2d",
]

"""autograd_mini.nn: modules, parameters, losses and initialisation, as torch.nn has them.

Read in this order: parameter.py (a weight), module.py (how a model finds its
weights), layers.py (Linear and friends: each forward beside its parameters),
container.py, loss.py; functional.py holds the arithmetic they call and init.py
the initial values."""
from . import functional, init, utils
from .activation import (CELU, ELU, GELU, GLU, SELU, Hardsigmoid, Hardswish, Hardtanh, LeakyReLU,
                         LogSigmoid, Mish, PReLU, ReLU6, SiLU, Softmin, Softplus, Softsign,
                         Tanhshrink)
from .conv import Conv1d, Conv2d
from .container import ModuleDict, ModuleList, Sequential
from .layers import Dropout, Flatten, Identity, Linear, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, KLDivLoss, L1Loss,
                   MSELoss, NLLLoss, SmoothL1Loss)
from .module import Module
from .normalization import BatchNorm1d, LayerNorm
from .parameter import Parameter
from .pooling import AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d
from .parameter_container import ParameterDict, ParameterList
from .sparse import Embedding

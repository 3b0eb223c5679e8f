"""Layers and models: Module, Parameter, containers, Linear, activations, losses, Perceptron."""
from . import functional, init, utils
from .activation import (
    ELU,
    LeakyReLU,
    LogSoftmax,
    ReLU,
    Sigmoid,
    Sign,
    Softmax,
    Softplus,
    Softsign,
    Tanh,
)
from .batchnorm import BatchNorm1d, BatchNorm2d
from .containers import ModuleDict, ModuleList, Sequential
from .conv import Conv1d, Conv2d
from .embedding import Embedding
from .linear import Dropout, Flatten, Identity, Linear
from .loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    QuadraticLoss,
)
from .module import Module, Parameter
from .noise import GaussianNoise
from .perceptron import Perceptron
from .pooling import AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d
from .rnn import GRU, LSTM, RNN, RNNBase
from .rnn_cells import ElmanRNN, GRUCell, LSTMCell, RNNCell
from .sync_batchnorm import SyncBatchNorm

__all__ = [
    "functional", "init", "utils", "ELU", "LeakyReLU", "LogSoftmax", "ReLU", "Sigmoid", "Sign",
    "Softmax",
    "Softplus", "Softsign", "Tanh", "ModuleDict", "ModuleList", "Sequential", "Dropout", "Flatten",
    "Identity", "Linear", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "L1Loss", "MSELoss",
    "NLLLoss", "QuadraticLoss", "Module", "Parameter", "Perceptron", "GaussianNoise",
    "BatchNorm1d", "BatchNorm2d", "Conv1d", "Conv2d", "AdaptiveAvgPool2d", "AvgPool1d",
    "AvgPool2d", "MaxPool1d", "MaxPool2d",
    "Embedding", "GRU", "LSTM", "RNN", "RNNBase", "ElmanRNN", "GRUCell", "LSTMCell", "RNNCell",
    "SyncBatchNorm", "parallel",
]

# nn.parallel.DistributedDataParallel, as in PyTorch (MPI itself loads only when one is made)
from . import parallel  # noqa: E402

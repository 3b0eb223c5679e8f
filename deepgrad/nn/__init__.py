"""Layers and models: Module, Parameter, containers, Linear, activations, losses, Perceptron."""
from . import functional, init
from .activation import ELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Sign, Softmax, Softplus, \
    Softsign, Tanh
from .containers import ModuleDict, ModuleList, Sequential
from .linear import Dropout, Flatten, Identity, Linear
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss, \
    QuadraticLoss
from .module import Module, Parameter
from .perceptron import Perceptron

__all__ = [
    "functional", "init", "ELU", "LeakyReLU", "LogSoftmax", "ReLU", "Sigmoid", "Sign", "Softmax",
    "Softplus", "Softsign", "Tanh", "ModuleDict", "ModuleList", "Sequential", "Dropout", "Flatten",
    "Identity", "Linear", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "L1Loss", "MSELoss",
    "NLLLoss", "QuadraticLoss", "Module", "Parameter", "Perceptron",
]

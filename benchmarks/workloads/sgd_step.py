"""sgd_step: SGD(lr=0.01, momentum=0.9).step() alone, on the mlp's parameter shapes."""
from ._optim_common import deepgrad_optimizer_step, torch_optimizer_step


def deepgrad_step(seed):
    return deepgrad_optimizer_step(seed, "SGD", lr=0.01, momentum=0.9)


def torch_step(seed):
    return torch_optimizer_step(seed, "SGD", lr=0.01, momentum=0.9)

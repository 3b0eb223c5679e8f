"""adam_step: Adam(lr=1e-3).step() alone, on the mlp's parameter shapes."""
from ._optim_common import deepgrad_optimizer_step, torch_optimizer_step


def deepgrad_step(seed):
    return deepgrad_optimizer_step(seed, "Adam", lr=1e-3)


def torch_step(seed):
    return torch_optimizer_step(seed, "Adam", lr=1e-3)

"""conv224: the forward pass of one conv 7x7/2 3->64 over 64x3x224x224 (see ``_conv224``)."""
from ._conv224 import step


def deepgrad_step(seed):
    import deepgrad

    return step(deepgrad, seed, train=False)


def torch_step(seed):
    import torch

    return step(torch, seed, train=False)

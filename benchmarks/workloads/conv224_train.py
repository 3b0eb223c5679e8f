"""conv224_train: forward + backward of one conv 7x7/2 3->64 over 64x3x224x224, with the
weight, bias and input gradients (see ``_conv224``)."""
from ._conv224 import step


def deepgrad_step(seed):
    import deepgrad

    return step(deepgrad, seed, train=True)


def torch_step(seed):
    import torch

    return step(torch, seed, train=True)

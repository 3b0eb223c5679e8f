"""lstm: nn.LSTM input 32, hidden 128, 50 steps, batch 32; last hidden -> Linear 10; Adam 1e-3."""
from ._recurrent import deepgrad_step as _deepgrad_step
from ._recurrent import torch_step as _torch_step


def deepgrad_step(seed):
    return _deepgrad_step(seed, "LSTM")


def torch_step(seed):
    return _torch_step(seed, "LSTM")

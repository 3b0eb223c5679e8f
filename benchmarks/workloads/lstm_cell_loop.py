"""lstm_cell_loop: deepgrad's fused nn.LSTM against PyTorch's LSTMCell called step by step.

The torch side is the Python loop over ``torch.nn.LSTMCell`` (what hand-written recurrent code
does); the deepgrad side is the same model as the ``lstm`` workload. Its ratio is the issue's
"at or below 0.6x PyTorch's LSTMCell loop" figure.
"""
from ._recurrent import deepgrad_step as _deepgrad_step
from ._recurrent import torch_cell_loop_step


def deepgrad_step(seed):
    return _deepgrad_step(seed, "LSTM")


def torch_step(seed):
    return torch_cell_loop_step(seed, "LSTM")

"""Gradient norm through time: how much of dLoss/dS_t survives backpropagation to step t.

The chapter's argument for gated cells: with ``S_t = tanh(U X_t + W S_{t-1})`` the gradient
reaching ``S_t`` from a loss at step ``T`` is a product of ``T - t`` Jacobians
``diag(1 - S^2) W``, which shrinks (or grows) geometrically; the LSTM's cell path multiplies by
the forget gate instead, which can stay near 1. These helpers measure ``||dL/dS_t||`` by running
a cell step by step and keeping each state's gradient (``retain_grad``), for the lab to plot.
"""
from __future__ import annotations

import numpy

from ..autograd.tensor import Tensor
from ..random import manual_seed
from .module import Module
from .rnn_cells import GRUCell, LSTMCell, RNNCell


def grad_norm_through_time(cell: Module, x: Tensor, loss_fn=None) -> numpy.ndarray:
    """``||dL/dh_t||`` (Frobenius norm over the batch) for t = 0..T-1.

    Args:
        cell: an ``RNNCell``, ``GRUCell`` or ``LSTMCell`` (its hidden state h_t is S_t).
        x: (T, B, input_size) inputs; the state starts at zero.
        loss_fn: maps the last hidden state (B, H) to a scalar Tensor; default ``h_T.sum()``.
    Returns:
        (T,) float64 array; entry t is the norm of the gradient reaching the state after step t.
    """
    lstm = isinstance(cell, LSTMCell)
    state = None
    hs = []
    for t in range(x.shape[0]):
        state = cell(x[t], state)
        h = state[0] if lstm else state
        h.retain_grad()
        hs.append(h)
    loss = loss_fn(hs[-1]) if loss_fn is not None else hs[-1].sum()
    loss.backward()
    return numpy.array([float(numpy.linalg.norm(h.grad._data)) if h.grad is not None else 0.0
                        for h in hs])


def gradient_norms_rnn_vs_lstm(seq_len: int = 50, input_size: int = 4, hidden_size: int = 32,
                               batch: int = 16, keep_bias: float = 3.0,
                               seed: int = 0) -> dict:
    """The lab's data: ``||dL/dS_t||`` against t for a tanh RNN, an LSTM and a GRU.

    Default PyTorch init for all three, except that the gated cells get ``keep_bias`` added to
    the bias of the gate that keeps the state (LSTM forget gate; GRU update gate z, PyTorch form)
    — set it to 0 to see that at a forget gate of sigmoid(0) = 0.5 the LSTM's memory decays too.
    The loss is ``sum(h_T)`` for the same random inputs N(0, 1).

    Returns:
        ``{"t": [0..T-1], "rnn": [...], "lstm": [...], "gru": [...]}`` (lists of floats), each
        norm divided by the norm at the last step so the curves start at 1.
    """
    manual_seed(seed)
    x = Tensor(numpy.random.default_rng(seed).standard_normal((seq_len, batch, input_size)))
    x = x.astype(numpy.float32)
    out = {"t": list(range(seq_len))}
    for name, cls in (("rnn", RNNCell), ("lstm", LSTMCell), ("gru", GRUCell)):
        cell = cls(input_size, hidden_size)
        if name != "rnn":  # rows H:2H are LSTM's f (i, f, g, o) and GRU's z (r, z, n)
            cell.bias_ih._data[hidden_size:2 * hidden_size] += keep_bias
        norms = grad_norm_through_time(cell, x)
        out[name] = (norms / norms[-1]).tolist()
    return out

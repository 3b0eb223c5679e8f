"""Shared setup of the recurrent workloads (BENCHMARKS.md): input 32, hidden 128, 50 steps,
batch 32, the last hidden state -> Linear 10, cross-entropy, Adam 1e-3."""
import numpy as np

SEQ, BATCH, INPUT, HIDDEN, CLASSES = 50, 32, 32, 128, 10


def _data(seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((SEQ, BATCH, INPUT), dtype=np.float32)
    y = rng.integers(0, CLASSES, BATCH)
    return x, y


def _layer_step(framework, seed, mode):
    """A training step of ``framework.nn.<mode>`` (RNN, LSTM or GRU); ``framework`` is the
    ``deepgrad`` or the ``torch`` module: the two share every name used here."""
    nn = framework.nn
    framework.manual_seed(seed)
    rnn = getattr(nn, mode)(INPUT, HIDDEN)
    head = nn.Linear(HIDDEN, CLASSES)
    opt = framework.optim.Adam(list(rnn.parameters()) + list(head.parameters()), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    xa, ya = _data(seed)
    x, y = framework.from_numpy(xa), framework.from_numpy(ya)

    def step():
        opt.zero_grad()
        _, h_n = rnn(x)
        h_n = h_n[0] if mode == "LSTM" else h_n
        loss = loss_fn(head(h_n[-1]), y)
        loss.backward()
        opt.step()

    return step


def deepgrad_step(seed, mode):
    """A training step of deepgrad's fused ``nn.<mode>``."""
    import deepgrad

    return _layer_step(deepgrad, seed, mode)


def torch_step(seed, mode):
    """The same step with ``torch.nn.<mode>``."""
    import torch

    return _layer_step(torch, seed, mode)


def torch_cell_loop_step(seed, mode):
    """The same step with ``torch.nn.<mode>Cell`` called once per time step from Python."""
    import torch
    from torch import nn

    torch.manual_seed(seed)
    cell = getattr(nn, mode + "Cell")(INPUT, HIDDEN)
    head = nn.Linear(HIDDEN, CLASSES)
    opt = torch.optim.Adam(list(cell.parameters()) + list(head.parameters()), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    xa, ya = _data(seed)
    x, y = torch.from_numpy(xa), torch.from_numpy(ya)

    def step():
        opt.zero_grad()
        h = torch.zeros(BATCH, HIDDEN)
        state = (h, torch.zeros(BATCH, HIDDEN)) if mode == "LSTM" else h
        for t in range(SEQ):
            state = cell(x[t], state)
        h = state[0] if mode == "LSTM" else state
        loss = loss_fn(head(h), y)
        loss.backward()
        opt.step()

    return step

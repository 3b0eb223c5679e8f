"""Small building blocks that several experiments share: MLPs, a plain training loop, accuracy.

The loop is the chapter's loop written out (forward, loss, backward, step), on purpose: the
experiments measure what happens inside it (updates, wall time, gradient norms) at each step.
"""
from __future__ import annotations

import time
from typing import Callable

import numpy

from .. import functional as F
from .. import nn
from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ..random import generator
from . import progress

ACTIVATIONS = {"tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid}


def mlp(sizes: list[int], activation: str = "tanh") -> nn.Sequential:
    """``Linear`` layers of ``sizes`` (in, hidden..., out) with ``activation`` between them."""
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(ACTIVATIONS[activation]())
    return nn.Sequential(*layers)


def predict_labels(model, X: numpy.ndarray) -> numpy.ndarray:
    """Class labels (N,) from a classifier's logits (N, C), in eval mode and without a graph.
    One logit column means a binary model: label 1 where the logit is positive."""
    was_training = model.training
    model.eval()
    with no_grad():
        out = model(Tensor(numpy.asarray(X, numpy.float32)))._data
    model.train(was_training)
    if out.ndim == 2 and out.shape[1] == 1:
        return (out[:, 0] > 0).astype(numpy.int64)
    return out.argmax(axis=1)


def accuracy(model, X: numpy.ndarray, y: numpy.ndarray) -> float:
    """Share of ``X``'s rows whose predicted label equals ``y``."""
    return float((predict_labels(model, X) == numpy.asarray(y)).mean())


def classification_loss(out: Tensor, y: numpy.ndarray) -> Tensor:
    """Cross-entropy from logits: binary with one logit column, softmax otherwise."""
    if out.shape[-1] == 1:
        target = Tensor(y.reshape(-1, 1).astype(out.dtype))
        return F.binary_cross_entropy_with_logits(out, target)
    return F.cross_entropy(out, Tensor(y.astype(numpy.int64)))


def fit(model, X: numpy.ndarray, y: numpy.ndarray, optimizer, epochs: int,
        batch_size: int | None = None, loss_fn: Callable = classification_loss,
        on_step: Callable[[int, float], None] | None = None,
        on_epoch: Callable[[int], None] | None = None) -> dict[str, list[float]]:
    """Train ``model`` on arrays with ``optimizer``; the rows are reshuffled every epoch from
    the library generator when ``batch_size`` is set (None: the whole set, i.e. BGD).

    Args:
        on_step: called as ``on_step(update_index, loss)`` after each update.
        on_epoch: called as ``on_epoch(epoch)`` after each epoch (for validation curves).

    Returns:
        ``{"loss": per-update losses, "epoch_loss": mean loss per epoch, "time": seconds since
        the start at each update}``.
    """
    n = len(X)
    Xt = numpy.asarray(X, numpy.float32)
    bs = n if batch_size is None else batch_size
    hist: dict[str, list[float]] = {"loss": [], "epoch_loss": [], "time": []}
    t0 = time.perf_counter()
    model.train()
    for epoch in range(epochs):
        order = numpy.arange(n) if batch_size is None else generator().permutation(n)
        total = 0.0
        for s in range(0, n, bs):
            idx = order[s:s + bs]
            loss = loss_fn(model(Tensor(Xt[idx])), y[idx])
            reg = model.regularization_loss()
            if not isinstance(reg, float):
                loss = loss + reg
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            value = float(loss.item())
            total += value * len(idx)
            hist["loss"].append(value)
            hist["time"].append(time.perf_counter() - t0)
            if on_step is not None:
                on_step(len(hist["loss"]), value)
        hist["epoch_loss"].append(total / n)
        if on_epoch is not None:
            on_epoch(epoch)
        progress.tick()
    return hist


class SequenceClassifier(nn.Module):
    """A recurrent layer read at its last time step, then a linear classifier.

    Shapes: x (N, T, input_size) -> logits (N, n_classes).
    """

    def __init__(self, cell: str, input_size: int, hidden_size: int, n_classes: int) -> None:
        super().__init__()
        layers = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
        self.rnn = layers[cell](input_size, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, n_classes)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])

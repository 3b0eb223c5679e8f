"""Experiment ``losses``: quadratic cost vs cross-entropy from a bad start, for a sigmoid neuron
and for a softmax classifier."""
from __future__ import annotations

import numpy

from .. import functional as F
from ..autograd.tensor import Tensor
from ..data.datasets import blobs
from ..nn import Linear
from ..optim import SGD
from . import progress
from .plots import PALETTE, figure
from .record import Result, start

LOSSES = ("quadratic", "cross-entropy")


def _first(values, predicate) -> int | None:
    """The 1-based index of the first value that satisfies ``predicate`` (None if none does)."""
    for i, v in enumerate(values):
        if predicate(v):
            return i + 1
    return None


def _count(k: int | None, limit: int) -> str:
    return str(k) if k is not None else f"more than {limit}"


def _neuron(loss: str, epochs: int, lr: float):
    """The chapter's single sigmoid neuron: input 1, target 0, start w = b = 2 (output 0.98)."""
    w = Tensor(numpy.array([2.0], numpy.float32), requires_grad=True)
    b = Tensor(numpy.array([2.0], numpy.float32), requires_grad=True)
    opt = SGD([w, b], lr=lr)
    outputs, costs, grads = [], [], []
    for _ in range(epochs):
        z = w * 1.0 + b
        a = F.sigmoid(z)
        if loss == "quadratic":
            cost = F.quadratic_loss(a, Tensor(numpy.zeros(1, numpy.float32)))
        else:
            cost = F.binary_cross_entropy_with_logits(z, Tensor(numpy.zeros(1, numpy.float32)))
        opt.zero_grad()
        cost.backward()
        outputs.append(float(a.item()))
        costs.append(float(cost.item()))
        grads.append(abs(float(w.grad.item())))
        opt.step()
        progress.tick()
    return outputs, costs, grads


def _softmax_classifier(loss: str, X, y, epochs: int, lr: float):
    """A linear softmax classifier started wrong: class k's weights point at the centre of
    class k+1, so nearly every point is put in a wrong class."""
    centres = numpy.stack([X[y == k].mean(axis=0) for k in range(3)])
    model = Linear(2, 3)
    model.weight._data[...] = numpy.roll(centres, -1, axis=0)
    model.bias._data[...] = 0.0
    opt = SGD(model.parameters(), lr=lr)
    onehot = numpy.eye(3, dtype=numpy.float32)[y]
    accs, costs = [], []
    for _ in range(epochs):
        out = model(Tensor(X))
        if loss == "quadratic":
            diff = F.softmax(out, dim=1) - Tensor(onehot)
            cost = (diff * diff).sum() * (0.5 / len(X))
        else:
            cost = F.cross_entropy(out, Tensor(y))
        accs.append(float((out._data.argmax(axis=1) == y).mean()))
        costs.append(float(cost.item()))
        opt.zero_grad()
        cost.backward()
        opt.step()
        progress.tick()
    return accs, costs


def run(quick: bool = False, seed: int = 0) -> Result:
    """Gradient descent from a bad start under each cost; ``quick`` runs fewer epochs."""
    res = start("losses", quick, seed, ["model", "cost", "quantity", "value"])
    ep_neuron, ep_soft = (300, 100) if quick else (400, 200)
    progress.total(2 * (ep_neuron + ep_soft))
    fig, (ax_a, ax_s) = figure(2, width=4.2)
    for i, loss in enumerate(LOSSES):
        outs, costs, grads = _neuron(loss, ep_neuron, lr=0.15)
        k = _first(outs, lambda a: a < 0.5)
        res.record(f"neuron_{loss}_output", outs[::5])
        res.record(f"neuron_{loss}_initial_dw", grads[0])
        res.record(f"neuron_{loss}_epochs_to_output_below_0.5", k)
        res.table.add("sigmoid neuron", loss, "|dC/dw| at the start", grads[0])
        res.table.add("sigmoid neuron", loss, "epochs until output < 0.5",
                      _count(k, ep_neuron))
        ax_a.plot(outs, color=PALETTE[i], label=loss)

    X, y = blobs(300, centers=3, cluster_std=1.0, seed=seed)
    X = ((X - X.mean(axis=0)) / X.std(axis=0)).astype(numpy.float32)
    for i, loss in enumerate(LOSSES):
        accs, costs = _softmax_classifier(loss, X, y, ep_soft, lr=0.5)
        k = _first(accs, lambda a: a >= 0.9)
        res.record(f"softmax_{loss}_accuracy", accs)
        res.record(f"softmax_{loss}_epochs_to_90pct", k)
        res.table.add("softmax classifier", loss, "accuracy at the start", accs[0])
        res.table.add("softmax classifier", loss, "epochs until accuracy >= 0.9",
                      _count(k, ep_soft))
        res.table.add("softmax classifier", loss, "final accuracy", accs[-1])
        ax_s.plot(accs, color=PALETTE[i], label=loss)
    ax_a.set_title("sigmoid neuron (x = 1, target 0, w = b = 2)", fontsize=9)
    ax_a.set_ylabel("output a")
    ax_s.set_title("softmax classifier on 3 blobs, started wrong", fontsize=9)
    ax_s.set_ylabel("training accuracy")
    for ax in (ax_a, ax_s):
        ax.set_xlabel("epoch (gradient descent)")
        ax.legend(fontsize=8)
    res.add_figure(fig, "Learning from a bad start",
                   "With the quadratic cost the gradient carries the factor sigma'(z), tiny when "
                   "the neuron is saturated, so learning crawls at first; cross-entropy cancels "
                   "that factor and the gradient is proportional to the error itself.")
    n = res.numbers
    slow = n["neuron_quadratic_epochs_to_output_below_0.5"] or ep_neuron + 1
    fast = n["neuron_cross-entropy_epochs_to_output_below_0.5"] or ep_neuron + 1
    soft_slow = n["softmax_quadratic_epochs_to_90pct"] or ep_soft + 1
    soft_fast = n["softmax_cross-entropy_epochs_to_90pct"] or ep_soft + 1
    res.check("the saturated neuron's initial gradient is > 10x larger with cross-entropy",
              n["neuron_cross-entropy_initial_dw"] > 10 * n["neuron_quadratic_initial_dw"])
    res.check("cross-entropy brings the neuron's output below 0.5 at least 5x sooner",
              5 * fast <= slow)
    res.check("the softmax classifier reaches 90% sooner with cross-entropy", soft_fast < soft_slow)
    return res.finish(
        f"epochs to fix the neuron: {_count(fast if fast <= ep_neuron else None, ep_neuron)} "
        f"(cross-entropy) vs {_count(slow if slow <= ep_neuron else None, ep_neuron)} "
        f"(quadratic); softmax to 90%: "
        f"{_count(soft_fast if soft_fast <= ep_soft else None, ep_soft)} vs "
        f"{_count(soft_slow if soft_slow <= ep_soft else None, ep_soft)}")

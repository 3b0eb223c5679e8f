"""Experiment ``perceptron``: the perceptron's line on AND and OR, its failure on XOR, and an
MLP with one hidden layer that solves XOR."""
from __future__ import annotations

import numpy

from .. import nn
from ..optim import SGD
from . import progress
from .common import accuracy, fit, mlp, predict_labels
from .plots import PALETTE, decision_regions, figure
from .record import Result, start

_INPUTS = numpy.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=numpy.float32)
GATES = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "XOR": [0, 1, 1, 0]}


def _draw_line(ax, w: numpy.ndarray, b: float) -> None:
    """The perceptron's boundary w1 x1 + w2 x2 + w0 = 0, when it is a line."""
    xs = numpy.array([-0.5, 1.5])
    if abs(w[1]) > 1e-12:
        ax.plot(xs, -(w[0] * xs + b) / w[1], color="k", lw=1.2)
    elif abs(w[0]) > 1e-12:
        ax.axvline(-b / w[0], color="k", lw=1.2)


def run(quick: bool = False, seed: int = 0) -> Result:
    """Train ``nn.Perceptron`` with the perceptron rule on AND, OR and XOR, then a 2-4-1 tanh
    MLP with SGD + momentum on XOR. ``quick`` trains for fewer epochs."""
    res = start("perceptron", quick, seed,
                ["task", "model", "train accuracy", "epochs", "mistakes in last epoch"])
    epochs_p, epochs_mlp = (20, 300) if quick else (100, 600)
    progress.total(len(GATES) + epochs_mlp)
    fig, axes = figure(4, width=3.2, height=3.2)
    errors_by_gate = {}
    for ax, (gate, labels) in zip(axes, GATES.items()):
        t = numpy.where(numpy.array(labels) == 1, 1, -1)
        p = nn.Perceptron(2)
        errors = p.fit(_INPUTS, t, epochs=epochs_p, lr=0.5)
        acc = p.accuracy(_INPUTS, t)
        errors_by_gate[gate] = errors
        res.table.add(gate, "perceptron", acc, len(errors), errors[-1])
        res.record(f"perceptron_{gate}_accuracy", acc)
        res.record(f"perceptron_{gate}_errors_per_epoch", errors)
        decision_regions(ax, lambda pts, p=p: (p.predict(pts) > 0).astype(int), _INPUTS,
                         numpy.array(labels), f"perceptron on {gate}: accuracy {acc:.2f}")
        _draw_line(ax, p.weight._data[0], float(p.bias._data[0]))
        ax.set_xlim(-0.5, 1.5)
        ax.set_ylim(-0.5, 1.5)
        progress.tick()

    y = numpy.array(GATES["XOR"])
    model = mlp([2, 4, 1], "tanh")
    hist = fit(model, _INPUTS, y, SGD(model.parameters(), lr=0.1, momentum=0.9), epochs_mlp)
    mlp_acc = accuracy(model, _INPUTS, y)
    res.table.add("XOR", "MLP 2-4-1 (tanh)", mlp_acc, epochs_mlp, "-")
    res.record("mlp_XOR_accuracy", mlp_acc)
    res.record("mlp_XOR_final_loss", hist["epoch_loss"][-1])
    res.record("mlp_XOR_loss_curve", hist["epoch_loss"][::10])
    decision_regions(axes[3], lambda pts: predict_labels(model, pts), _INPUTS, y,
                     f"MLP 2-4-1 on XOR: accuracy {mlp_acc:.2f}")
    res.add_figure(fig, "Decision regions",
                   "The perceptron's line separates AND and OR; no line separates XOR, so the "
                   "perceptron keeps cycling and gets at most 3 of 4 points. One hidden layer "
                   "bends the boundary and classifies all four.")

    fig, (ax_e, ax_l) = figure(2, width=4.0)
    for i, (gate, errs) in enumerate(errors_by_gate.items()):
        ax_e.plot(numpy.arange(1, len(errs) + 1), errs, "o-", ms=3, color=PALETTE[i], label=gate)
    ax_e.set_xlabel("epoch")
    ax_e.set_ylabel("mistakes per epoch")
    ax_e.set_title("perceptron rule", fontsize=9)
    ax_e.legend(fontsize=8)
    ax_l.plot(hist["epoch_loss"], color=PALETTE[0])
    ax_l.set_yscale("log")
    ax_l.set_xlabel("epoch")
    ax_l.set_ylabel("binary cross-entropy")
    ax_l.set_title("MLP on XOR (SGD, lr 0.1, momentum 0.9)", fontsize=9)
    res.add_figure(fig, "Training", "Left: the perceptron rule stops making mistakes on AND and "
                   "OR within a few epochs and never on XOR. Right: the MLP's loss on XOR.")

    n = res.numbers
    res.check("the perceptron separates AND and OR (accuracy 1.0)",
              n["perceptron_AND_accuracy"] == 1.0 and n["perceptron_OR_accuracy"] == 1.0)
    res.check("the perceptron fails on XOR (accuracy <= 0.75)",
              n["perceptron_XOR_accuracy"] <= 0.75)
    res.check("an MLP with one hidden layer solves XOR (accuracy 1.0)", mlp_acc == 1.0)
    return res.finish(f"XOR: perceptron {n['perceptron_XOR_accuracy']:.2f}, MLP {mlp_acc:.2f}; "
                      f"AND/OR: perceptron {n['perceptron_AND_accuracy']:.2f}/"
                      f"{n['perceptron_OR_accuracy']:.2f}")

"""Experiment ``hidden-layers``: decision boundaries on spirals for 0, 3 and 20 hidden layers."""
from __future__ import annotations

from .. import nn
from ..data.datasets import spirals
from ..optim import Adam
from . import progress
from .common import accuracy, fit, mlp, predict_labels
from .plots import decision_regions, figure
from .record import Result, start

DEPTHS = (0, 3, 20)
WIDTH = 16


def _model(depth: int) -> nn.Sequential:
    """``depth`` hidden ReLU layers of WIDTH units; He init so that 20 layers still train."""
    model = mlp([2] + [WIDTH] * depth + [2], "relu")
    for layer in model:
        if isinstance(layer, nn.Linear):
            nn.init.kaiming_uniform_(layer.weight, nonlinearity="relu")
    return model


def run(quick: bool = False, seed: int = 0) -> Result:
    """Train one MLP per depth with Adam on 400 spiral points; test on 400 fresh ones.
    ``quick`` trains for fewer epochs."""
    res = start("hidden-layers", quick, seed,
                ["hidden layers", "parameters", "train accuracy", "test accuracy",
                 "final training loss"])
    epochs = 40 if quick else 150
    progress.total(len(DEPTHS) * epochs)
    X, y = spirals(400, noise=0.2, seed=seed)
    X_test, y_test = spirals(400, noise=0.2, seed=seed + 10_000)
    fig, axes = figure(len(DEPTHS), width=3.6, height=3.6)
    for ax, depth in zip(axes, DEPTHS):
        model = _model(depth)
        hist = fit(model, X, y, Adam(model.parameters(), lr=0.005), epochs, batch_size=32)
        train_acc, test_acc = accuracy(model, X, y), accuracy(model, X_test, y_test)
        n_params = model.num_parameters()
        res.table.add(depth, n_params, train_acc, test_acc, hist["epoch_loss"][-1])
        res.record(f"depth_{depth}", {"parameters": n_params, "train_accuracy": train_acc,
                                      "test_accuracy": test_acc,
                                      "loss_curve": hist["epoch_loss"]})
        decision_regions(ax, lambda pts, m=model: predict_labels(m, pts), X, y,
                         f"{depth} hidden layers, {n_params:,} parameters\n"
                         f"train {train_acc:.2f}, test {test_acc:.2f}")
    res.add_figure(fig, "Decision boundaries on two spirals",
                   f"ReLU layers of {WIDTH} units, Adam (lr 0.005), {epochs} epochs of "
                   "minibatches of 32. Without a hidden layer the boundary is a line; hidden "
                   "layers compose it into curves that follow the spirals.")
    n = res.numbers
    res.check("with no hidden layer (a linear boundary) the spirals stay unsolved "
              "(train accuracy <= 0.75)", n["depth_0"]["train_accuracy"] <= 0.75)
    res.check("3 hidden layers fit the spirals (train accuracy >= 0.95)",
              n["depth_3"]["train_accuracy"] >= 0.95)
    res.check("20 hidden layers fit them too (train accuracy >= 0.95)",
              n["depth_20"]["train_accuracy"] >= 0.95)
    res.check("the parameter count grows with depth",
              n["depth_0"]["parameters"] < n["depth_3"]["parameters"]
              < n["depth_20"]["parameters"])
    return res.finish("train accuracy " + ", ".join(
        f"{d} layers {n[f'depth_{d}']['train_accuracy']:.2f}" for d in DEPTHS))

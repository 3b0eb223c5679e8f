"""Experiment ``optimizers``: the paths of nine optimizers on a contour map and at a saddle point,
and their loss curves training a real model."""
from __future__ import annotations

import numpy

from ..data.datasets import spirals
from ..optim import OPTIMIZERS, surfaces, trace
from . import progress
from .common import accuracy, fit, mlp
from .plots import PALETTE, figure
from .record import Result, start

# label -> (optimizer name, kwargs) per picture. Learning rates are chosen per method so that
# each shows its typical behaviour in the same number of steps (their defaults differ by 1000x).
_BEALE = {"GD": ("sgd", dict(lr=1e-3)),
          "momentum": ("sgd", dict(lr=1e-3, momentum=0.9)),
          "Nesterov": ("sgd", dict(lr=1e-3, momentum=0.9, nesterov=True)),
          "AdaGrad": ("adagrad", dict(lr=0.5)),
          "AdaDelta": ("adadelta", dict(lr=1.0)),
          "RMSProp": ("rmsprop", dict(lr=0.01)),
          "Adam": ("adam", dict(lr=0.05)),
          "AdaMax": ("adamax", dict(lr=0.05)),
          "Nadam": ("nadam", dict(lr=0.05))}
_SADDLE = {"GD": ("sgd", dict(lr=0.01)),
           "momentum": ("sgd", dict(lr=0.01, momentum=0.9)),
           "Nesterov": ("sgd", dict(lr=0.01, momentum=0.9, nesterov=True)),
           "AdaGrad": ("adagrad", dict(lr=0.1)),
           "AdaDelta": ("adadelta", dict(lr=1.0)),
           "RMSProp": ("rmsprop", dict(lr=0.01)),
           "Adam": ("adam", dict(lr=0.02)),
           "AdaMax": ("adamax", dict(lr=0.02)),
           "Nadam": ("nadam", dict(lr=0.02))}
_MODEL = {"GD": ("sgd", dict(lr=0.1)),
          "momentum": ("sgd", dict(lr=0.05, momentum=0.9)),
          "Nesterov": ("sgd", dict(lr=0.05, momentum=0.9, nesterov=True)),
          "AdaGrad": ("adagrad", dict(lr=0.05)),
          "AdaDelta": ("adadelta", dict(lr=1.0)),
          "RMSProp": ("rmsprop", dict(lr=0.003)),
          "Adam": ("adam", dict(lr=0.01)),
          "AdaMax": ("adamax", dict(lr=0.02)),
          "Nadam": ("nadam", dict(lr=0.01))}


# The part of each surface where the paths run (the library's default views are wider).
_VIEWS = {"beale": ((-0.5, 4.0), (-1.5, 2.0)), "saddle": ((-1.5, 1.5), (-1.5, 1.5))}


def _contour_paths(res: Result, key: str, configs: dict, steps: int, title: str) -> dict:
    """Trace every optimizer on surface ``key``, draw the paths on its contour map."""
    surf = surfaces.SURFACES[key]
    xlim, ylim = _VIEWS[key]
    half = max(abs(v) for v in surf.xlim + surf.ylim)
    paths = {}
    for label, (name, kwargs) in configs.items():
        paths[label] = trace(name, surf.fn, surf.start, steps, bound=half, **kwargs)
        progress.tick()
    xs = numpy.linspace(*xlim, 300)
    ys = numpy.linspace(*ylim, 300)
    xx, yy = numpy.meshgrid(xs, ys)
    zz = surf.fn(xx, yy)
    fig, (ax,) = figure(1, width=6.5, height=5.0)
    if key == "beale":  # spans 0..1e5: log-spaced levels show the valley
        ax.contour(xx, yy, zz, levels=numpy.logspace(-1.5, 3.5, 20), cmap="viridis",
                   linewidths=0.6, alpha=0.5)
    else:
        ax.contour(xx, yy, zz, levels=20, cmap="viridis", linewidths=0.6, alpha=0.5)
    for i, (label, p) in enumerate(paths.items()):
        ax.plot(p[:, 0], p[:, 1], "-", color=PALETTE[i], lw=1.3, label=label)
    for m in surf.minima:
        ax.plot(*m, "k*", ms=12)
    ax.plot(*surf.start, "ko", ms=5)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.legend(fontsize=7, loc="lower left", ncol=3)
    res.add_figure(fig, title, f"{steps} steps from {surf.start} (black dot); star: minimum.")
    finals = {}
    for label, p in paths.items():
        x, y = p[-1]
        out = numpy.flatnonzero(numpy.abs(p[:, 1]) > 1.0)  # first step past |y| = 1
        finals[label] = {"x": x, "y": y, "f": float(surf.fn(x, y)), "steps": len(p) - 1,
                         "steps_to_abs_y_above_1": int(out[0]) if out.size else None}
    res.record(key, finals)
    return finals


def _model_curves(res: Result, epochs: int) -> dict:
    X, y = spirals(400, noise=0.2, seed=res.seed)
    init = mlp([2, 32, 32, 2], "relu").state_dict()  # every optimizer starts from these weights
    fig, (ax,) = figure(1, width=6.5, height=3.8)
    finals = {}
    for i, (label, (name, kwargs)) in enumerate(_MODEL.items()):
        model = mlp([2, 32, 32, 2], "relu")
        model.load_state_dict(init)
        opt = OPTIMIZERS[name](model.parameters(), **kwargs)
        hist = fit(model, X, y, opt, epochs, batch_size=32)
        finals[label] = {"loss": hist["epoch_loss"][-1], "accuracy": accuracy(model, X, y),
                         "loss_curve": hist["epoch_loss"]}
        ax.plot(numpy.arange(1, epochs + 1), hist["epoch_loss"], color=PALETTE[i], label=label)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss (cross-entropy)")
    ax.legend(fontsize=7, ncol=3)
    res.add_figure(fig, "Loss curves on a real model",
                   "An MLP 2-32-32-2 (ReLU) on 400 two-arm spiral points, minibatches of 32, "
                   "the same initial weights for every optimizer.")
    res.record("mlp_spirals", finals)
    return finals


def run(quick: bool = False, seed: int = 0) -> Result:
    """Optimizer paths on Beale's function and the saddle x^2 - y^2, then an MLP on spirals.
    ``quick`` takes fewer steps and epochs."""
    res = start("optimizers", quick, seed,
                ["optimizer", "Beale: f at end", "saddle: steps to |y| > 1",
                 "MLP settings", "MLP: final loss", "MLP: accuracy"])
    steps, epochs = (150, 12) if quick else (400, 40)
    progress.total(len(_BEALE) + len(_SADDLE) + len(_MODEL) * epochs)
    beale = _contour_paths(res, "beale", _BEALE, steps, "Optimizers on Beale's function")
    saddle = _contour_paths(res, "saddle", _SADDLE, steps,
                            "Optimizers at the saddle point of x^2 - y^2")
    model = _model_curves(res, epochs)
    for label, (name, kwargs) in _MODEL.items():
        esc = saddle[label]["steps_to_abs_y_above_1"]
        settings = ", ".join(f"{k} {v}" for k, v in kwargs.items())
        res.table.add(label, beale[label]["f"], esc if esc is not None else f"> {steps}",
                      f"{name}: {settings}", model[label]["loss"], model[label]["accuracy"])
    esc_steps = {k: v["steps_to_abs_y_above_1"] or steps + 1 for k, v in saddle.items()}
    escaped = [k for k, v in esc_steps.items() if v <= steps]
    res.check("on Beale's function momentum and Adam end 10x lower than plain GD",
              all(beale[k]["f"] * 10 < beale["GD"]["f"] for k in ("momentum", "Adam")))
    res.check("plain GD lingers at the saddle: AdaGrad, RMSProp and Adam leave it (|y| > 1) "
              "in under a third of GD's steps",
              all(3 * esc_steps[k] < esc_steps["GD"] for k in ("AdaGrad", "RMSProp", "Adam")))
    res.check("Adam trains the MLP to a lower loss than plain SGD in the same epochs",
              model["Adam"]["loss"] < model["GD"]["loss"])
    best = min(model, key=lambda k: model[k]["loss"])
    return res.finish(f"Beale f: GD {beale['GD']['f']:.3g}, Adam {beale['Adam']['f']:.3g}; "
                      f"{len(escaped)}/9 leave the saddle in {steps} steps; best on the MLP: "
                      f"{best}")


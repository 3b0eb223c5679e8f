"""Experiment ``regularization``: L1 vs L2 penalties (weight histograms, share of near-zero
weights against alpha), then five remedies for over-fitting against one over-fitting baseline."""
from __future__ import annotations

import numpy

from .. import regularizers
from ..optim import SGD
from . import progress
from .common import fit, mlp, predict_labels
from .plots import PALETTE, decision_regions, figure
from .record import Result, start
from .regularization_remedies import REMEDIES, run_remedies

N_FEATURES, N_INFORMATIVE = 40, 4
NEAR_ZERO = 1e-2


def _sparse_task(seed: int):
    """600 samples of 40 features where only the first 4 decide the class."""
    rng = numpy.random.default_rng(seed)
    X = rng.standard_normal((600, N_FEATURES)).astype(numpy.float32)
    y = ((X[:, 0] + X[:, 1] - X[:, 2] + 0.5 * X[:, 3]) > 0).astype(numpy.int64)
    return X, y


def _penalties(res: Result, alphas: tuple, epochs: int) -> None:
    X, y = _sparse_task(res.seed)
    init = mlp([N_FEATURES, 16, 2], "tanh").state_dict()
    shares = {"L1": [], "L2": []}
    weights = {}
    for kind in ("L1", "L2"):
        for alpha in alphas:
            reg = regularizers.L1(alpha) if kind == "L1" else regularizers.L2(alpha)
            model = mlp([N_FEATURES, 16, 2], "tanh")
            model.load_state_dict(init)
            model[0].add_regularizer("weight", reg)  # penalise the first layer's weights
            fit(model, X, y, SGD(model.parameters(), lr=0.05, momentum=0.9), epochs,
                batch_size=64)
            w = model[0].weight._data.ravel()
            share = float((numpy.abs(w) < NEAR_ZERO).mean())
            acc = float((predict_labels(model, X) == y).mean())
            shares[kind].append(share)
            weights[(kind, alpha)] = w
            res.table.add(f"{kind}, alpha {alpha:g}", "share of |w| < 0.01 (first layer)",
                          share)
            res.table.add(f"{kind}, alpha {alpha:g}", "training accuracy", acc)
    res.record("near_zero_share", {"alphas": list(alphas), **shares})
    fig, (ax_h1, ax_h2, ax_s) = figure(3, width=3.6)
    a = alphas[-1]
    bins = numpy.linspace(-1, 1, 61)
    for ax, kind, c in ((ax_h1, "L1", PALETTE[0]), (ax_h2, "L2", PALETTE[1])):
        ax.hist(weights[(kind, a)], bins=bins, color=c)
        ax.set_title(f"{kind}, alpha {a:g}: first-layer weights", fontsize=9)
        ax.set_yscale("log")
    for kind, c in (("L1", PALETTE[0]), ("L2", PALETTE[1])):
        ax_s.plot(alphas, shares[kind], "o-", color=c, label=kind)
    ax_s.set_xscale("log")
    ax_s.set_xlabel("alpha")
    ax_s.set_ylabel(f"share of |w| < {NEAR_ZERO:g}")
    ax_s.legend(fontsize=8)
    res.add_figure(fig, "L1 vs L2 penalties",
                   f"An MLP {N_FEATURES}-16-2 on a task where only {N_INFORMATIVE} of "
                   f"{N_FEATURES} inputs matter. L1's pull has constant size, so it drives the "
                   "useless weights to (nearly) zero: sparse weights. L2's pull shrinks with "
                   "the weight, so it makes all weights small but rarely zero.")


def _remedies(res: Result, epochs: int) -> dict:
    curves, X, y, models = run_remedies(res.seed, epochs)
    res.record("remedies", curves)
    fig, axes = figure(3, 2, width=4.0, height=2.8)
    for ax, label in zip(axes, REMEDIES):
        c = curves[label]
        ax.plot(c["train_nll"], color=PALETTE[0], label="train")
        ax.plot(c["val_nll"], color=PALETTE[1], label="validation")
        if c["best_epoch"] is not None:
            ax.axvline(c["best_epoch"], color="k", ls="--", lw=0.8, label="restored epoch")
        ax.set_title(label, fontsize=9)
        ax.set_ylim(0, max(1.5, min(4.0, max(c["val_nll"]) * 1.05)))
        ax.set_xlim(0, epochs)
        ax.legend(fontsize=7)
    axes[-2].set_xlabel("epoch")
    axes[-1].set_xlabel("epoch")
    res.add_figure(fig, "Train vs validation loss, baseline and remedies",
                   f"{len(X)} noisy two-moons points, an MLP 2-128-128-2, Adam, full batches, "
                   "the same initial weights. Curves are plain cross-entropy (no smoothing) on "
                   "the training set and on 1,000 fresh validation points.")
    fig, axes = figure(3, 2, width=3.2, height=3.0)
    for ax, label in zip(axes, REMEDIES):
        decision_regions(ax, lambda pts, m=models[label]: predict_labels(m, pts), X, y,
                         f"{label}\nval accuracy {curves[label]['final_val_acc']:.2f}")
    res.add_figure(fig, "Decision boundaries", "The baseline bends around single noisy points; "
                   "the remedies give smoother boundaries.")
    for label in REMEDIES:
        c = curves[label]
        res.table.add(label, "validation NLL at the end / accuracy",
                      f"{c['final_val_nll']:.3f} / {c['final_val_acc']:.3f}")
    return curves


def run(quick: bool = False, seed: int = 0) -> Result:
    """L1/L2 sweep, then the over-fitting remedies. ``quick`` trains fewer epochs and alphas."""
    res = start("regularization", quick, seed, ["run", "quantity", "value"])
    alphas = (1e-3, 1e-2) if quick else (1e-4, 1e-3, 3e-3, 1e-2)
    pen_epochs, rem_epochs = (15, 150) if quick else (40, 400)
    progress.total(2 * len(alphas) * pen_epochs + len(REMEDIES) * rem_epochs)
    _penalties(res, alphas, pen_epochs)
    curves = _remedies(res, rem_epochs)
    sh = res.numbers["near_zero_share"]
    res.check("L1 yields more near-zero weights than L2 at every alpha",
              all(a > b for a, b in zip(sh["L1"], sh["L2"])))
    res.check("L1's share of near-zero weights grows with alpha", sh["L1"][-1] > sh["L1"][0])
    base = curves[REMEDIES[0]]
    res.check("the baseline over-fits: validation loss ends 1.5x above its minimum while the "
              "training loss falls", base["val_nll"][-1] > 1.5 * min(base["val_nll"])
              and base["train_nll"][-1] < 0.5 * base["train_nll"][0])
    for label in REMEDIES[1:]:
        res.check(f"{label} ends with a lower validation loss than the baseline",
                  curves[label]["final_val_nll"] < base["final_val_nll"])
    es = curves[REMEDIES[2]]
    res.check("early stopping stops before the epoch limit and restores its best epoch",
              es["epochs_run"] < rem_epochs
              and es["best_epoch"] == int(numpy.argmin(es["val_nll"])))
    return res.finish(f"near-zero weights at alpha {alphas[-1]:g}: L1 {sh['L1'][-1]:.2f}, L2 "
                      f"{sh['L2'][-1]:.2f}; validation NLL baseline {base['final_val_nll']:.2f}"
                      f", best remedy "
                      f"{min(curves[k]['final_val_nll'] for k in REMEDIES[1:]):.2f}")


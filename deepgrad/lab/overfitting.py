"""Experiment ``overfitting``: train vs test error against model size and against training-set
size, and the remedies side by side."""
from __future__ import annotations

from .. import nn
from ..data.datasets import moons
from ..optim import Adam
from . import progress
from .common import fit, mlp, predict_labels
from .plots import PALETTE, figure
from .record import Result, start
from .regularization_remedies import REMEDIES, is_cached, run_remedies

NOISE = 0.3


def _error(model, X, y) -> float:
    return float((predict_labels(model, X) != y).mean())


def _train(sizes: list[int], X, y, steps: int) -> nn.Sequential:
    model = mlp(sizes, "relu")
    fit(model, X, y, Adam(model.parameters(), lr=0.01), steps)  # full batch: 1 step per epoch
    return model


def _model_size(res: Result, widths: tuple, steps: int, X_test, y_test) -> dict:
    X, y = moons(60, noise=NOISE, seed=res.seed)
    out = {"width": [], "parameters": [], "train_error": [], "test_error": []}
    for w in widths:
        model = _train([2, w, w, 2], X, y, steps)
        out["width"].append(w)
        out["parameters"].append(model.num_parameters())
        out["train_error"].append(_error(model, X, y))
        out["test_error"].append(_error(model, X_test, y_test))
        res.table.add(f"model size: 2-{w}-{w}-2 on 60 points", out["parameters"][-1],
                      out["train_error"][-1], out["test_error"][-1])
    res.record("model_size", out)
    return out


def _data_size(res: Result, sizes: tuple, steps: int, X_test, y_test) -> dict:
    out = {"n_train": [], "train_error": [], "test_error": []}
    for n in sizes:
        X, y = moons(n, noise=NOISE, seed=res.seed + n)
        model = _train([2, 128, 128, 2], X, y, steps)
        out["n_train"].append(n)
        out["train_error"].append(_error(model, X, y))
        out["test_error"].append(_error(model, X_test, y_test))
        res.table.add(f"data size: 2-128-128-2 on {n} points", model.num_parameters(),
                      out["train_error"][-1], out["test_error"][-1])
    res.record("data_size", out)
    return out


def run(quick: bool = False, seed: int = 0) -> Result:
    """Sweep model width and training-set size (full-batch Adam, lr 0.01), then compare the
    remedies of ``regularization`` (shared run). ``quick`` uses fewer sizes and steps."""
    res = start("overfitting", quick, seed,
                ["run", "parameters", "train error", "test error"])
    widths = (2, 8, 256) if quick else (2, 4, 8, 16, 64, 256)
    sizes = (20, 500) if quick else (20, 50, 100, 200, 500, 1000)
    steps, rem_epochs = (250, 150) if quick else (600, 400)
    progress.total(len(widths) * steps + len(sizes) * steps
                   + (0 if is_cached(seed, rem_epochs) else len(REMEDIES) * rem_epochs))
    X_test, y_test = moons(2000, noise=NOISE, seed=seed + 20_000)
    ms = _model_size(res, widths, steps, X_test, y_test)
    ds = _data_size(res, sizes, steps, X_test, y_test)
    curves = run_remedies(seed, rem_epochs)[0]
    fig, (ax_m, ax_d, ax_r) = figure(3, width=3.8, height=3.3)
    for ax, x, d, xlabel in ((ax_m, ms["parameters"], ms, "parameters (log scale)"),
                             (ax_d, ds["n_train"], ds, "training points (log scale)")):
        ax.plot(x, d["train_error"], "o-", color=PALETTE[0], label="train error")
        ax.plot(x, d["test_error"], "o-", color=PALETTE[1], label="test error")
        ax.set_xscale("log")
        ax.set_xlabel(xlabel)
        ax.legend(fontsize=8)
    ax_m.set_title("error vs model size (60 points)", fontsize=9)
    ax_d.set_title("error vs training-set size (2-128-128-2)", fontsize=9)
    errs = [1 - curves[k]["final_val_acc"] for k in REMEDIES]
    nlls = [curves[k]["final_val_nll"] for k in REMEDIES]
    ax_r.barh(range(len(REMEDIES)), nlls, color=[PALETTE[1]] + [PALETTE[2]] * (len(nlls) - 1))
    for i, e in enumerate(errs):
        ax_r.text(nlls[i], i, f" error {e:.3f}", va="center", fontsize=7)
    ax_r.set_yticks(range(len(REMEDIES)), [k.split(" (")[0] for k in REMEDIES], fontsize=8)
    ax_r.invert_yaxis()
    ax_r.set_xlim(0, max(nlls) * 1.45)
    ax_r.set_xlabel("validation loss (cross-entropy)")
    ax_r.set_title("remedies on 40 points (see regularization)", fontsize=9)
    res.add_figure(fig, "Over-fitting: model size, data size, remedies",
                   f"Noisy two moons (noise {NOISE}); test error on 2,000 fresh points. The "
                   "biggest models fit the 60 training points perfectly, yet their test error "
                   "stays far above it; more data closes the gap. Right: every remedy lowers the "
                   "baseline's validation loss (its over-confident mistakes); their error rates "
                   "differ less, and not all are lower.")
    res.record("remedies_validation_error", dict(zip(REMEDIES, errs)))
    res.record("remedies_validation_loss", dict(zip(REMEDIES, nlls)))
    for k, e in zip(REMEDIES, errs):
        res.table.add(f"remedy: {k}", "-", "-", e)
    gap_m = [te - tr for tr, te in zip(ms["train_error"], ms["test_error"])]
    gap_d = [te - tr for tr, te in zip(ds["train_error"], ds["test_error"])]
    res.check("a bigger model fits its training set better (train error falls with size)",
              ms["train_error"][-1] < ms["train_error"][0])
    res.check("the largest model fits the 60 training points perfectly yet errs on the test "
              "set (gap > 0.05)", ms["train_error"][-1] == 0 and gap_m[-1] > 0.05)
    res.check("more training data shrinks the train/test gap and the test error",
              gap_d[-1] < gap_d[0] and ds["test_error"][-1] < ds["test_error"][0])
    res.check("every remedy lowers the baseline's validation loss", max(nlls[1:]) < nlls[0])
    res.check("the best remedy also has a lower validation error than the baseline",
              min(errs[1:]) < errs[0])
    return res.finish(f"test error {ms['test_error'][0]:.2f} -> {ms['test_error'][-1]:.2f} "
                      f"over model size, {ds['test_error'][0]:.2f} -> "
                      f"{ds['test_error'][-1]:.2f} over data size")

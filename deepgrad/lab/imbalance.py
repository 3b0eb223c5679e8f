"""Experiment ``imbalance``: no remedy vs random under-sampling vs random over-sampling vs SMOTE
on a two-class set where the minority is 1 sample in 20."""
from __future__ import annotations

import numpy

from ..data.datasets import moons
from ..data.sampling import SMOTE, RandomOverSampler, RandomUnderSampler
from ..metrics import geometric_mean_score, precision_score, recall_score
from ..optim import Adam
from . import progress
from .common import fit, mlp, predict_labels
from .plots import decision_regions, figure
from .record import Result, start

REMEDIES = {"none": None, "random under-sampling": RandomUnderSampler,
            "random over-sampling": RandomOverSampler, "SMOTE": SMOTE}
MINORITY_SHARE = 0.05


def _imbalanced_moons(n_majority: int, seed: int):
    """Two noisy moons, keeping every point of class 0 and only 1 in 20 of class 1."""
    X, y = moons(2 * n_majority, noise=0.3, seed=seed)
    rng = numpy.random.default_rng(seed)
    minority = rng.permutation(numpy.flatnonzero(y == 1))
    keep = numpy.concatenate([numpy.flatnonzero(y == 0),
                              minority[:int(n_majority * MINORITY_SHARE / (1 - MINORITY_SHARE))]])
    keep = rng.permutation(keep)
    return X[keep], y[keep]


def run(quick: bool = False, seed: int = 0) -> Result:
    """Train the same MLP on the original and on each resampled training set (same number of
    full-batch Adam steps); score on an untouched, equally imbalanced test set."""
    res = start("imbalance", quick, seed,
                ["remedy", "training set (class 0 / 1)", "minority recall",
                 "minority precision", "G-mean", "accuracy"])
    steps = 150 if quick else 400
    progress.total(len(REMEDIES) * steps)
    X, y = _imbalanced_moons(1000, seed)
    X_test, y_test = _imbalanced_moons(1000, seed + 10_000)
    init = mlp([2, 16, 16, 2], "relu").state_dict()
    fig, axes = figure(len(REMEDIES), width=3.4, height=3.4)
    for ax, (label, sampler) in zip(axes, REMEDIES.items()):
        Xr, yr = (X, y) if sampler is None else sampler(random_state=seed).fit_resample(X, y)
        model = mlp([2, 16, 16, 2], "relu")
        model.load_state_dict(init)
        fit(model, Xr, yr, Adam(model.parameters(), lr=0.01), steps)  # full batch: 1 step/epoch
        pred = predict_labels(model, X_test)
        scores = {"minority_recall": recall_score(y_test, pred, pos_label=1),
                  "minority_precision": precision_score(y_test, pred, pos_label=1,
                                                        zero_division=0.0),
                  "g_mean": geometric_mean_score(y_test, pred),
                  "accuracy": float((pred == y_test).mean()),
                  "train_counts": [int((yr == 0).sum()), int((yr == 1).sum())]}
        res.record(label, scores)
        res.table.add(label, f"{scores['train_counts'][0]} / {scores['train_counts'][1]}",
                      scores["minority_recall"], scores["minority_precision"], scores["g_mean"],
                      scores["accuracy"])
        decision_regions(ax, lambda pts, m=model: predict_labels(m, pts), Xr, yr,
                         f"{label}\nminority recall {scores['minority_recall']:.2f}, "
                         f"G-mean {scores['g_mean']:.2f}")
    res.add_figure(fig, "Decision boundaries after each remedy",
                   f"Two noisy moons with the second kept at {MINORITY_SHARE:.0%}; each panel "
                   "shows the training set the model saw (SMOTE's synthetic points lie on "
                   "segments between minority neighbours). Without a remedy the boundary hugs "
                   "the minority and most of it is called majority.")
    n = res.numbers
    base = n["none"]["minority_recall"]
    res.check("SMOTE raises minority recall over no remedy",
              n["SMOTE"]["minority_recall"] > base)
    res.check("random under- and over-sampling raise minority recall too",
              n["random under-sampling"]["minority_recall"] > base
              and n["random over-sampling"]["minority_recall"] > base)
    res.check("SMOTE raises the G-mean (sqrt of the two classes' recalls)",
              n["SMOTE"]["g_mean"] > n["none"]["g_mean"])
    res.check("the resampled training sets are balanced",
              all(a == b for a, b in (n[k]["train_counts"] for k in list(REMEDIES)[1:])))
    return res.finish(f"minority recall: none {base:.2f}, SMOTE "
                      f"{n['SMOTE']['minority_recall']:.2f}; G-mean {n['none']['g_mean']:.2f} "
                      f"-> {n['SMOTE']['g_mean']:.2f}")

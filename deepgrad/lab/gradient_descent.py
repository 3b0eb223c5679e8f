"""Experiment ``gradient-descent``: batch vs stochastic vs mini-batch gradient descent, and gradient
descent on a paraboloid of two variables."""
from __future__ import annotations

import math
import time

import numpy

from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ..data.datasets import moons
from ..optim import SGD, surfaces, trace
from ..random import generator
from . import progress
from .common import classification_loss, mlp
from .plots import PALETTE, figure
from .record import Result, start

# mode -> (batch size: None is the whole set, learning rate)
MODES = {"BGD (whole set)": (None, 0.5), "SGD (online, 1 sample)": (1, 0.05),
         "MBGD (batches of 32)": (32, 0.2)}
N_SAMPLES = 512
LRS = (0.1, 0.4, 0.52)  # below, near and above 2 / lambda_max = 0.5 on the paraboloid


def _train(X, y, init: dict, batch: int | None, lr: float, epochs: int, n_evals: int):
    """Train a fresh copy of the MLP; evaluate the full training loss about ``n_evals`` times
    (the clock stops while evaluating, so wall time counts training only)."""
    model = mlp([2, 16, 2], "tanh")
    model.load_state_dict(init)
    opt = SGD(model.parameters(), lr=lr)
    n = len(X)
    bs = n if batch is None else batch
    per_epoch = math.ceil(n / bs)
    every = max(1, (per_epoch * epochs) // n_evals)
    Xt = Tensor(X)

    def full_loss() -> float:
        with no_grad():
            return float(classification_loss(model(Xt), y).item())

    updates, seconds, losses = [0], [0.0], [full_loss()]
    clock, k = 0.0, 0
    for _ in range(epochs):
        order = numpy.arange(n) if batch is None else generator().permutation(n)
        t0 = time.perf_counter()
        for s in range(0, n, bs):
            idx = order[s:s + bs]
            loss = classification_loss(model(Tensor(X[idx])), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            k += 1
            if k % every == 0:
                clock += time.perf_counter() - t0
                updates.append(k)
                seconds.append(clock)
                losses.append(full_loss())
                t0 = time.perf_counter()
        clock += time.perf_counter() - t0
        progress.tick()
    return {"updates": updates, "seconds": seconds, "loss": losses,
            "updates_per_epoch": per_epoch, "train_seconds": clock}


def _paraboloid(res: Result, steps: int) -> None:
    surf = surfaces.SURFACES["elongated_quadratic"]
    fig, (ax,) = figure(1, width=6.5, height=3.4)
    xx, yy = numpy.meshgrid(numpy.linspace(-5, 5, 200), numpy.linspace(-2, 2, 200))
    ax.contour(xx, yy, surf.fn(xx, yy), levels=15, cmap="viridis", linewidths=0.6, alpha=0.6)
    f0 = float(surf.fn(*surf.start))
    for i, lr in enumerate(LRS):
        path = trace("sgd", surf.fn, surf.start, steps, bound=50.0, lr=lr)
        f_end = float(surf.fn(*path[-1]))
        res.record(f"paraboloid_lr_{lr}", {"f_start": f0, "f_end": f_end, "path": path[::5]})
        res.table.add(f"paraboloid, lr {lr}", "f: start -> end", f"{f0:.3g} -> {f_end:.3g}")
        ax.plot(path[:, 0], path[:, 1], "o-", ms=2, lw=0.9, color=PALETTE[i], label=f"lr {lr}")
        progress.tick()
    ax.plot(0, 0, "k*", ms=10)
    ax.set_xlim(-5, 5)
    ax.set_ylim(-2, 2)
    ax.legend(fontsize=8)
    res.add_figure(fig, "Gradient descent on the paraboloid f = 0.1 x^2 + 2 y^2",
                   f"{steps} steps from {surf.start}. The curvatures are 0.2 along x and 4 "
                   "along y, so GD converges only for lr < 2/4 = 0.5: a small step crawls, a "
                   "step near the limit zig-zags across the narrow valley, a larger one "
                   "diverges.")


def run(quick: bool = False, seed: int = 0) -> Result:
    """BGD/SGD/MBGD on an MLP for two moons, then GD paths on a paraboloid. ``quick`` trains
    for fewer epochs."""
    res = start("gradient-descent", quick, seed, ["run", "quantity", "value"])
    epochs, steps = (3, 40) if quick else (15, 60)
    progress.total(len(MODES) * epochs + len(LRS))
    X, y = moons(N_SAMPLES, noise=0.15, seed=seed)
    init = mlp([2, 16, 2], "tanh").state_dict()
    runs = {}
    for label, (batch, lr) in MODES.items():
        runs[label] = r = _train(X, y, init, batch, lr, epochs, n_evals=60)
        res.record(label, {k: r[k] for k in ("updates", "loss", "updates_per_epoch")})
        res.timings[label] = {"train_seconds": r["train_seconds"], "seconds": r["seconds"]}
        res.table.add(label, "updates per epoch", r["updates_per_epoch"])
        res.table.add(label, f"training loss after {epochs} epochs (lr {lr})", r["loss"][-1])
    fig, (ax_u, ax_t) = figure(2, width=4.2)
    for i, (label, r) in enumerate(runs.items()):
        ax_u.plot(r["updates"], r["loss"], "o-" if len(r["loss"]) < 20 else "-", ms=3,
                  color=PALETTE[i], label=label)
        ax_t.plot(r["seconds"], r["loss"], "o-" if len(r["loss"]) < 20 else "-", ms=3,
                  color=PALETTE[i], label=label)
    ax_u.set_xscale("symlog", linthresh=1)
    ax_u.set_xlabel("updates (log scale)")
    ax_t.set_xscale("symlog", linthresh=1e-3)
    ax_t.set_xlabel("training wall time (s, log scale)")
    for ax in (ax_u, ax_t):
        ax.set_ylabel("loss on the whole training set")
        ax.legend(fontsize=7)
    res.add_figure(fig, "Batch, stochastic and mini-batch gradient descent",
                   f"An MLP 2-16-2 on {N_SAMPLES} two-moons points, {epochs} epochs each, same "
                   "initial weights. BGD makes one exact update per epoch; SGD one noisy update "
                   "per sample; MBGD sits between, and vectorises well.")
    _paraboloid(res, steps)

    bgd, sgd, mbgd = runs.values()
    res.check("updates per epoch: BGD 1, SGD N, MBGD ceil(N / 32)",
              (bgd["updates_per_epoch"], sgd["updates_per_epoch"], mbgd["updates_per_epoch"])
              == (1, N_SAMPLES, math.ceil(N_SAMPLES / 32)))
    res.check("after the same epochs SGD and MBGD reach a lower loss than BGD",
              max(sgd["loss"][-1], mbgd["loss"][-1]) < bgd["loss"][-1])
    res.check("BGD's loss falls at every update; SGD's goes up at times (noisy)",
              all(b < a for a, b in zip(bgd["loss"], bgd["loss"][1:]))
              and any(b > a for a, b in zip(sgd["loss"], sgd["loss"][1:])))
    res.check("an SGD epoch costs more wall time than a BGD epoch (N small updates)",
              sgd["train_seconds"] > 5 * bgd["train_seconds"])
    p = res.numbers
    res.check("on the paraboloid lr 0.4 < 0.5 converges and lr 0.52 > 0.5 diverges",
              p["paraboloid_lr_0.4"]["f_end"] < 0.01 * p["paraboloid_lr_0.4"]["f_start"]
              and p["paraboloid_lr_0.52"]["f_end"] > p["paraboloid_lr_0.52"]["f_start"])
    return res.finish(f"loss after {epochs} epochs: BGD {bgd['loss'][-1]:.3f}, SGD "
                      f"{sgd['loss'][-1]:.3f}, MBGD {mbgd['loss'][-1]:.3f}")

"""Experiment ``gradients``: vanishing gradients in a deep sigmoid net vs tanh and ReLU nets, and
exploding gradients from a large initialization, tamed by gradient-norm clipping."""
from __future__ import annotations

import math

import numpy

from .. import functional as F
from .. import nn
from ..autograd.tensor import Tensor
from ..nn.utils import clip_grad_norm_
from ..optim import SGD
from . import progress
from .plots import PALETTE, figure
from .record import Result, start

# Activation -> (function, the init that suits it best: the fairest test of depth)
_NETS = {"sigmoid": (F.sigmoid, "xavier"), "tanh": (F.tanh, "xavier"), "relu": (F.relu, "kaiming")}


def _layers(depth: int, width: int, n_in: int, n_out: int, init: str, gain: float = 1.0):
    """``depth`` hidden Linear layers plus an output layer, biases zero."""
    sizes = [n_in] + [width] * depth + [n_out]
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        lin = nn.Linear(a, b)
        if init == "xavier":
            nn.init.xavier_uniform_(lin.weight)
        elif init == "kaiming":
            nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
        else:  # "large": N(0, gain^2 * 2 / fan_in), i.e. He init times gain
            nn.init.normal_(lin.weight, 0.0, gain * math.sqrt(2.0 / a))
        nn.init.zeros_(lin.bias)
        layers.append(lin)
    return layers


def _forward(layers, act, x: Tensor, keep: bool = False):
    """Run the stack; with ``keep`` return the pre-activations z_l with their grads retained."""
    zs = []
    h = x
    for i, lin in enumerate(layers):
        z = lin(h)
        if i == len(layers) - 1:
            return z, zs
        if keep:
            z.retain_grad()
            zs.append(z)
        h = act(z)
    return h, zs


def _vanishing(res: Result, X: numpy.ndarray, y: numpy.ndarray, depth: int) -> None:
    fig, (ax,) = figure(1, width=5.5)
    for i, (name, (act, init)) in enumerate(_NETS.items()):
        layers = _layers(depth, 32, X.shape[1], 3, init)
        out, zs = _forward(layers, act, Tensor(X), keep=True)
        F.cross_entropy(out, Tensor(y)).backward()
        norms = numpy.array([numpy.linalg.norm(z.grad._data) for z in zs], numpy.float64)
        res.record(f"{name}_grad_norms", norms)
        res.table.add(f"{depth} x {name} ({init} init)", "||dL/dz|| layer 1", norms[0])
        res.table.add(f"{depth} x {name} ({init} init)", f"||dL/dz|| layer {depth}", norms[-1])
        res.table.add(f"{depth} x {name} ({init} init)", "ratio first / last", norms[0] / norms[-1])
        ax.semilogy(numpy.arange(1, depth + 1), norms, "o-", ms=3, color=PALETTE[i], label=name)
        progress.tick()
    ax.set_xlabel("hidden layer (1 = next to the input)")
    ax.set_ylabel("||dLoss / dz_l|| (log scale)")
    ax.legend(fontsize=8)
    res.add_figure(fig, f"Gradient norm per layer, {depth} hidden layers of 32 units",
                   "One backward pass at initialization. Each sigmoid layer multiplies the "
                   "backward signal by sigma' <= 1/4 times the weights, so it shrinks "
                   "geometrically toward the input; tanh (Xavier init) and ReLU (He init) keep "
                   "it at the same order of magnitude through every layer.")


def _exploding(res: Result, X: numpy.ndarray, y: numpy.ndarray, steps: int) -> None:
    depth, gain, max_norm = 12, 2.0, 1.0
    runs = {}
    init = [lin.state_dict() for lin in _layers(depth, 32, X.shape[1], 3, "large", gain)]
    for clip in (False, True):
        layers = _layers(depth, 32, X.shape[1], 3, "large", gain)
        for lin, state in zip(layers, init):  # both runs start from the same weights
            lin.load_state_dict(state)
        params = [p for lin in layers for p in lin.parameters()]
        opt = SGD(params, lr=0.01)
        losses, norms = [], []
        for _ in range(steps):
            out, _ = _forward(layers, F.relu, Tensor(X))
            loss = F.cross_entropy(out, Tensor(y))
            value = float(loss.item())
            losses.append(value)
            # Stop a run once it has plainly blown up, before float32 can overflow.
            if not math.isfinite(value) or value > 1e3 * max(losses[0], 1.0):
                break
            opt.zero_grad()
            loss.backward()
            if clip:
                total = float(clip_grad_norm_(params, max_norm))
            else:
                total = math.sqrt(sum(float((p.grad._data.astype(numpy.float64) ** 2).sum())
                                      for p in params))
            norms.append(total)
            opt.step()
            progress.tick()
        runs[clip] = (losses, norms)
        tag = "clipped (max_norm 1)" if clip else "no clipping"
        res.record(f"explode_{'clipped' if clip else 'plain'}_loss", losses)
        res.record(f"explode_{'clipped' if clip else 'plain'}_grad_norm", norms)
        res.table.add(f"{depth} x relu, He init x {gain:g}, {tag}", "initial gradient norm",
                      norms[0])
        res.table.add(f"{depth} x relu, He init x {gain:g}, {tag}", "loss: first -> last",
                      f"{losses[0]:.3g} -> {losses[-1]:.3g} ({len(losses)} steps)")
    fig, (ax_n, ax_l) = figure(2, width=4.2)
    for i, (clip, (losses, norms)) in enumerate(runs.items()):
        label = "clip_grad_norm_(1.0)" if clip else "no clipping"
        style = "-" if clip else "o-"  # the unclipped run lasts only a step or two
        ax_n.semilogy(norms, style, color=PALETTE[i], label=label)
        ax_l.semilogy(losses, style, color=PALETTE[i], label=label)
    ax_n.axhline(max_norm, color="0.5", ls="--", lw=0.8)
    ax_n.set_title("gradient norm before clipping", fontsize=9)
    ax_l.set_title("training loss (SGD, lr 0.01)", fontsize=9)
    for ax in (ax_n, ax_l):
        ax.set_xlabel("update")
        ax.legend(fontsize=8)
    res.add_figure(fig, "Exploding gradients and clipping",
                   f"{depth} ReLU layers initialized {gain:g}x larger than He init amplify the "
                   "backward signal about that much per layer. Plain SGD takes steps as large as "
                   "the gradient and the loss blows up; rescaling the gradient to norm 1 keeps "
                   "the steps bounded and the loss falls.")


def run(quick: bool = False, seed: int = 0) -> Result:
    """Per-layer gradient norms at initialization for deep sigmoid/tanh/ReLU nets, then training
    an over-scaled deep ReLU net with and without ``clip_grad_norm_``."""
    res = start("gradients", quick, seed, ["network", "quantity", "value"])
    depth, steps = (20, 40) if quick else (20, 150)
    progress.total(len(_NETS) + 2 * steps)
    rng = numpy.random.default_rng(seed)
    X = rng.standard_normal((256, 32)).astype(numpy.float32)
    y = rng.integers(0, 3, 256)
    _vanishing(res, X, y, depth)
    _exploding(res, X, y, steps)
    n = res.numbers
    sig = n["sigmoid_grad_norms"]
    ratio = sig[0] / sig[-1]
    res.check("the deep sigmoid net's first-layer gradient is orders of magnitude (> 1e3x) "
              "below its last layer's", ratio < 1e-3)
    res.check("tanh (Xavier) and ReLU (He) keep first/last within 10x",
              all(0.1 < n[f"{a}_grad_norms"][0] / n[f"{a}_grad_norms"][-1] < 10
                  for a in ("tanh", "relu")))
    plain, clipped = n["explode_plain_loss"], n["explode_clipped_loss"]
    res.check("a large initialization gives exploding gradients (initial norm > 100)",
              n["explode_plain_grad_norm"][0] > 100)
    res.check("without clipping the loss blows up (ends above its start)", plain[-1] > plain[0])
    res.check("with clipping the loss falls (ends below half its start)",
              clipped[-1] < 0.5 * clipped[0])
    return res.finish(f"sigmoid first/last layer gradient {ratio:.1e}; exploding net: loss "
                      f"{plain[0]:.3g} -> {plain[-1]:.3g} unclipped, {clipped[0]:.3g} -> "
                      f"{clipped[-1]:.3g} clipped")

"""Experiment ``gan``: a GAN on the 8-Gaussian ring (samples through training, modes covered,
quality), the minimax vs non-saturating generator gradient, and digit samples."""
from __future__ import annotations

import numpy

from .. import nn
from ..data.datasets import digits
from ..data.mixtures import ring_mixture
from ..optim import Adam
from ..random import get_rng_state, manual_seed, set_rng_state
from ..training.gan import GANTrainer
from ..training.gan_losses import minimax_generator_loss, non_saturating_generator_loss
from ..training.gan_metrics import evaluate_mixture
from . import progress
from .plots import PALETTE, figure
from .record import Result, start

SIGMA, BATCH = 0.05, 256


def _mlp(n_in: int, n_out: int, hidden: int, act, out_act=None) -> nn.Sequential:
    layers = [nn.Linear(n_in, hidden), act(), nn.Linear(hidden, hidden), act(),
              nn.Linear(hidden, n_out)]
    return nn.Sequential(*layers, *([out_act()] if out_act else []))


def _pair(n_data: int, latent: int, hidden: int, out_act=None):
    G = _mlp(latent, n_data, hidden, nn.ReLU, out_act)
    D = _mlp(n_data, 1, hidden, lambda: nn.LeakyReLU(0.2))
    return G, D


def _trainer(G, D, latent: int, lr: float, g_loss: str = "non_saturating") -> GANTrainer:
    return GANTrainer(G, D, Adam(G.parameters(), lr=lr, betas=(0.5, 0.999)),
                      Adam(D.parameters(), lr=lr, betas=(0.5, 0.999)), latent_dim=latent,
                      g_loss=g_loss)


def _ring(res: Result, steps: int) -> dict:
    manual_seed(res.seed)
    ring = ring_mixture(radius=1.0, sigma=SIGMA)
    trainer = _trainer(*_pair(2, 2, 128), latent=2, lr=1e-3)
    snaps = sorted({0, steps // 8, steps // 3, steps})
    shots, history = {}, []
    for step in range(steps + 1):
        if step in snaps:  # measuring must not change the training run: keep the RNG state
            state = get_rng_state()
            cov = evaluate_mixture(lambda n: trainer.sample(n)._data, ring)
            shots[step] = trainer.sample(1000)._data
            set_rng_state(state)
            history.append({"step": step, "modes": cov.modes_covered,
                            "high_quality": cov.high_quality_fraction})
        if step < steps:
            trainer.train_step(ring.sample(BATCH))
            progress.tick()
    fig, axes = figure(len(snaps), width=2.9, height=2.9)
    real = ring.sample(1000, seed=res.seed)
    for ax, h in zip(axes, history):
        ax.scatter(real[:, 0], real[:, 1], s=2, color="0.75")
        pts = shots[h["step"]]
        ax.scatter(pts[:, 0], pts[:, 1], s=2, color=PALETTE[0])
        ax.set_xlim(-1.6, 1.6)
        ax.set_ylim(-1.6, 1.6)
        ax.set_aspect("equal")
        ax.set_title(f"step {h['step']}: {h['modes']}/8 modes, {h['high_quality']:.0%} HQ",
                     fontsize=8)
    res.add_figure(fig, "GAN on the ring of 8 Gaussians",
                   f"Grey: data (8 modes on the unit circle, sigma {SIGMA}); blue: G(z). G and D "
                   f"are 2-128-128 MLPs, Adam (lr 1e-3, betas 0.5/0.999), batches of {BATCH}, "
                   "non-saturating generator loss. A sample is high quality (HQ) within 3 sigma "
                   "of a mode; a mode is covered by >= 1 HQ sample (VEEGAN/PacGAN metric, "
                   "2,500 samples).")
    res.record("ring", history)
    for h in history:
        res.table.add("ring", f"step {h['step']}: modes / high-quality share",
                      f"{h['modes']}/8 / {h['high_quality']:.3f}")
    return history[-1]


def _saturation(res: Result, d_steps: int) -> dict:
    """Train D alone until it rejects G's first fakes, then compare G's gradient norms."""
    manual_seed(res.seed)
    ring = ring_mixture(radius=1.0, sigma=SIGMA)
    G, D = _pair(2, 2, 128)
    trainer = _trainer(G, D, latent=2, lr=1e-3)
    for _ in range(d_steps):
        trainer.d_step(ring.sample(BATCH))
    z = trainer.noise(512)
    norms = {}
    for name, loss_fn in (("minimax", minimax_generator_loss),
                          ("non-saturating", non_saturating_generator_loss)):
        G.zero_grad()
        logits = D(G(z))
        loss_fn(logits).backward()
        norms[name] = float(numpy.sqrt(sum((p.grad._data.astype(numpy.float64) ** 2).sum()
                                           for p in G.parameters())))
    d_fake = float((1 / (1 + numpy.exp(-logits._data.astype(numpy.float64)))).mean())
    fig, (ax,) = figure(1, width=4.8, height=3.4)
    d = numpy.linspace(0.001, 0.999, 300)
    ax.plot(d, d, color=PALETTE[0], label="minimax: |d log(1 - D) / d logit| = D")
    ax.plot(d, 1 - d, color=PALETTE[1], label="non-saturating: |d (-log D) / d logit| = 1 - D")
    ax.axvline(d_fake, color="k", ls="--", lw=0.8, label=f"D(G(z)) after {d_steps} D steps")
    ax.set_xlabel("D(G(z))")
    ax.set_ylabel("gradient reaching G (per unit of logit)")
    ax.legend(fontsize=7)
    res.add_figure(fig, "Why the generator uses -log D(G(z))",
                   f"Early on D rejects the fakes (D(G(z)) = {d_fake:.3f} here), where the "
                   "minimax loss log(1 - D(G(z))) is flat and G gets almost no gradient; "
                   "-log D(G(z)) has the same fixed point but a steep slope there. Measured "
                   f"||grad G||: minimax {norms['minimax']:.2e}, non-saturating "
                   f"{norms['non-saturating']:.2e}.")
    res.record("saturation", {"D_of_G_z": d_fake, "grad_norm": norms})
    res.table.add("saturation", "D(G(z)) after training D alone", d_fake)
    for k, v in norms.items():
        res.table.add("saturation", f"||grad G|| with the {k} loss", v)
    return {"d_fake": d_fake, **norms}


def _digits(res: Result, steps: int) -> dict:
    manual_seed(res.seed)
    X = digits(flatten=True)[0] * 2 - 1  # pixels in [-1, 1] to match G's tanh output
    G, D = _pair(64, 16, 128, nn.Tanh)
    trainer = _trainer(G, D, latent=16, lr=5e-4)
    probe = trainer.noise(64)  # the same z before and after training

    def nearest(samples: numpy.ndarray) -> float:
        d = ((samples[:, None, :] - X[None, :, :]) ** 2).sum(axis=2)
        return float(numpy.sqrt(d.min(axis=1)).mean())

    G.eval()
    before = nearest(G(probe)._data)
    G.train()
    rng = numpy.random.default_rng(res.seed)
    for _ in range(steps):
        trainer.train_step(X[rng.integers(0, len(X), 64)])
        progress.tick()
    G.eval()
    fake = G(probe)._data
    after = nearest(fake)
    fig, axes = figure(8, 2, width=1.0, height=1.0)
    for ax, img in zip(axes, fake[:16]):
        ax.imshow(img.reshape(8, 8), cmap="gray_r", vmin=-1, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
    res.add_figure(fig, "Generated 8x8 digits",
                   f"G: 16-128-128-64 (tanh) after {steps} steps on scikit-learn's digits. Mean "
                   f"distance to the nearest real digit: {before:.2f} before, {after:.2f} after.")
    res.record("digits_nearest_distance", {"before": before, "after": after})
    res.table.add("digits", "mean distance to the nearest real digit: before -> after",
                  f"{before:.2f} -> {after:.2f}")
    return {"before": before, "after": after}


def run(quick: bool = False, seed: int = 0) -> Result:
    """Ring GAN, saturation picture, digits GAN. ``quick`` trains fewer steps."""
    res = start("gan", quick, seed, ["part", "quantity", "value"])
    ring_steps, digit_steps = (1000, 600) if quick else (2500, 2000)
    progress.total(ring_steps + digit_steps)
    final = _ring(res, ring_steps)
    sat = _saturation(res, 100)
    dig = _digits(res, digit_steps)
    res.check("the GAN covers at least 6 of the 8 modes", final["modes"] >= 6)
    if not quick:
        res.check("at least 70% of its samples are high quality", final["high_quality"] >= 0.7)
    res.check("when D rejects the fakes, the minimax loss gives G > 10x less gradient than "
              "the non-saturating loss", sat["minimax"] * 10 < sat["non-saturating"])
    res.check("generated digits move toward real ones (distance to the nearest real digit "
              "falls by a fifth or more)", dig["after"] < 0.8 * dig["before"])
    return res.finish(f"ring: {final['modes']}/8 modes, {final['high_quality']:.0%} high "
                      f"quality; G gradient minimax/non-saturating "
                      f"{sat['minimax'] / sat['non-saturating']:.1e}")

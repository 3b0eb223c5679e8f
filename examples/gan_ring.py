"""A GAN on the 8-Gaussian ring: modes covered and high-quality samples, scatter before/after.

The data is PacGAN's ring (8 modes on the unit circle, sigma 0.01). G and D are MLPs with two
hidden layers of 128 units (ReLU in G, LeakyReLU(0.2) in D), z ~ N(0, I) in 2-D, Adam betas
(0.5, 0.999) with D's learning rate twice G's (two time-scale updates: D 2e-3, G 1e-3), batch
256, non-saturating loss. Training then continues at a tenth of both rates for a few epochs
(a ``LearningRateScheduler`` callback, which drives both optimizers), which tightens the
generated clusters. The metric (VEEGAN/PacGAN): a sample is high quality
when within 3 sigma of its nearest mode; a mode is covered when it is the nearest mode of at
least one high-quality sample; 2,500 samples.

Writes ``gan_ring.png``: real data (grey), samples before training (blue, left) and after (red,
right).

Run: ``python examples/gan_ring.py [--epochs 10] [--anneal-epochs 5] [--out gan_ring.png]``.
"""
from __future__ import annotations

import argparse

import numpy as np

import deepgrad as dg
from deepgrad import nn
from deepgrad.data.mixtures import ring_mixture
from deepgrad.training import GANTrainer, LearningRateScheduler
from deepgrad.training.gan_metrics import evaluate_mixture
from deepgrad.utils.png import scatter_image, write_png


def build(seed: int, hidden: int = 128, lr: float = 1e-3) -> GANTrainer:
    """The ring GAN of this example (the setup of tests/test_gan_ring.py)."""
    dg.manual_seed(seed)
    G = nn.Sequential(nn.Linear(2, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                      nn.Linear(hidden, 2))
    D = nn.Sequential(nn.Linear(2, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, hidden),
                      nn.LeakyReLU(0.2), nn.Linear(hidden, 1))
    return GANTrainer(G, D, dg.optim.Adam(G.parameters(), lr=lr, betas=(0.5, 0.999)),
                      dg.optim.Adam(D.parameters(), lr=2 * lr, betas=(0.5, 0.999)), latent_dim=2)


def anneal(at_epoch: int, factor: float = 0.1) -> LearningRateScheduler:
    """Multiply both optimizers' rates by ``factor`` once, at the start of ``at_epoch``."""
    return LearningRateScheduler(lambda epoch, lr: lr * factor if epoch == at_epoch else lr)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--epochs", type=int, default=10, help="epochs at the full rates")
    ap.add_argument("--anneal-epochs", type=int, default=5, help="further epochs at a tenth")
    ap.add_argument("--samples", type=int, default=51_200, help="real samples per epoch")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="gan_ring.png")
    args = ap.parse_args()

    ring = ring_mixture()
    trainer = build(args.seed)
    real = ring.sample(args.samples)
    before = trainer.sample(2500).numpy()
    print("before:", evaluate_mixture(lambda n: before[:n], ring))
    trainer.callbacks.append(anneal(args.epochs))
    history = trainer.fit(real, epochs=args.epochs + args.anneal_epochs, batch_size=256)
    after = trainer.sample(2500).numpy()
    print("after: ", evaluate_mixture(lambda n: after[:n], ring))
    print("last epoch:", ", ".join(f"{k}={v[-1]:.3f}" for k, v in history.history.items()))

    extent = 1.6
    grey = (190, 190, 190)
    left = scatter_image([(real[:2500], grey), (before, (40, 90, 220))], extent, radius=1)
    right = scatter_image([(real[:2500], grey), (after, (220, 40, 40))], extent, radius=1)
    gap = np.full((left.shape[0], 8, 3), 0, np.uint8)
    write_png(args.out, np.concatenate([left, gap, right], axis=1))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

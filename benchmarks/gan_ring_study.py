"""The 8-Gaussian ring study: a PyTorch GAN loop, the same loop by hand on deepgrad, GANTrainer.

Setup (issue 13): 8 modes on a circle of radius 2, sigma 0.05; G and D are 2-128-128 ReLU MLPs
(G: 2 -> 128 -> 128 -> 2, D: 2 -> 128 -> 128 -> 1 logit); Adam lr 1e-3, betas (0.5, 0.999) for
both; batch 256; 20 epochs over 20,000 real points (drawn once per seed, reshuffled every
epoch); non-saturating generator loss; z ~ N(0, I_2). Metric (VEEGAN/PacGAN): on 2,500
samples, the share within 3 sigma of their nearest mode, and the modes that are the nearest mode
of at least one such sample.

Variants: ``torch`` and ``hand`` (the same loop on deepgrad) take the PyTorch DCGAN tutorial's
step: one z batch per step, ``fake = G(z)``; D update on ``D(x)`` and ``D(fake.detach())``; G
update on ``D(fake)`` through the updated D. ``trainer`` is ``GANTrainer.fit`` (fakes for D
under ``no_grad``, a fresh z for G); ``hand_fresh`` is the hand loop with that step (equal to
``trainer`` bit for bit); ``trainer_reuse`` is GANTrainer with ``train_step`` overridden to the
DCGAN step (equal to ``hand`` bit for bit). Every run of a seed uses the same real points and
the same evaluation z.

Run: ``python -m benchmarks.gan_ring_study [--seeds 0-4] [--variants torch,hand,trainer]``.
Seeds run one after another, one BLAS thread (the GEMMs are at most 256x128x128).
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

RADIUS, SIGMA, N_REAL, BATCH, EPOCHS, HIDDEN, LR, BETAS = 2.0, 0.05, 20_000, 256, 20, 128, \
    1e-3, (0.5, 0.999)
N_EVAL = 2500


def _ring():
    from deepgrad.data.mixtures import ring_mixture

    return ring_mixture(radius=RADIUS, sigma=SIGMA)


def _data(seed: int):
    """The seed's real points and evaluation latents (private generators: same for every loop)."""
    real = _ring().sample(N_REAL, seed=seed)
    z_eval = np.random.default_rng(10_000 + seed).standard_normal((N_EVAL, 2)).astype(np.float32)
    return real, z_eval


def _score(samples):
    from deepgrad.training.gan_metrics import mode_coverage

    ring = _ring()
    return mode_coverage(samples, ring.centers, ring.sigma)


def run_torch(seed: int, real, z_eval):
    import torch
    from torch import nn

    torch.manual_seed(seed)

    def mlp(n_out):
        return nn.Sequential(nn.Linear(2, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, HIDDEN),
                             nn.ReLU(), nn.Linear(HIDDEN, n_out))

    G, D = mlp(2), mlp(1)
    g_opt = torch.optim.Adam(G.parameters(), lr=LR, betas=BETAS)
    d_opt = torch.optim.Adam(D.parameters(), lr=LR, betas=BETAS)
    bce = nn.BCEWithLogitsLoss()
    x_all = torch.from_numpy(real)
    for _ in range(EPOCHS):
        order = torch.randperm(N_REAL)
        for start in range(0, N_REAL, BATCH):
            x = x_all[order[start:start + BATCH]]
            n = x.shape[0]
            ones, zeros = torch.ones(n, 1), torch.zeros(n, 1)
            fake = G(torch.randn(n, 2))
            d_opt.zero_grad()
            d_loss = bce(D(x), ones) + bce(D(fake.detach()), zeros)
            d_loss.backward()
            d_opt.step()
            g_opt.zero_grad()
            g_loss = bce(D(fake), ones)
            g_loss.backward()
            g_opt.step()
    with torch.no_grad():
        return G(torch.from_numpy(z_eval)).numpy()


def _dg_nets(seed: int):
    import deepgrad as dg
    from deepgrad import nn

    dg.manual_seed(seed)

    def mlp(n_out):
        return nn.Sequential(nn.Linear(2, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, HIDDEN),
                             nn.ReLU(), nn.Linear(HIDDEN, n_out))

    G, D = mlp(2), mlp(1)
    return G, D, dg.optim.Adam(G.parameters(), lr=LR, betas=BETAS), \
        dg.optim.Adam(D.parameters(), lr=LR, betas=BETAS)


def _dg_sample(G, z_eval):
    import deepgrad as dg

    with dg.no_grad():
        return G(dg.from_numpy(z_eval)).numpy()


def run_hand(seed: int, real, z_eval, fresh_g_noise: bool = False):
    """The torch loop on deepgrad; ``fresh_g_noise``: D's fakes made under ``no_grad`` and G's
    update on a second, fresh z batch (the step of GANTrainer before issue 13)."""
    import deepgrad as dg
    from deepgrad import nn

    G, D, g_opt, d_opt = _dg_nets(seed)
    bce = nn.BCEWithLogitsLoss()
    rng = dg.random.generator()
    for _ in range(EPOCHS):
        order = rng.permutation(N_REAL)
        for start in range(0, N_REAL, BATCH):
            x = dg.from_numpy(real[order[start:start + BATCH]])
            n = x.shape[0]
            ones, zeros = dg.ones(n, 1), dg.zeros(n, 1)
            if fresh_g_noise:
                with dg.no_grad():
                    fake = G(dg.from_numpy(rng.standard_normal((n, 2), dtype=np.float32)))
            else:
                fake = G(dg.from_numpy(rng.standard_normal((n, 2), dtype=np.float32)))
            d_opt.zero_grad()
            d_loss = bce(D(x), ones) + bce(D(fake.detach()), zeros)
            d_loss.backward()
            d_opt.step()
            if fresh_g_noise:
                fake = G(dg.from_numpy(rng.standard_normal((n, 2), dtype=np.float32)))
            g_opt.zero_grad()
            g_loss = bce(D(fake), ones)
            g_loss.backward()
            g_opt.step()
    return _dg_sample(G, z_eval)


def run_trainer(seed: int, real, z_eval, cls=None):
    from deepgrad.training import GANTrainer

    G, D, g_opt, d_opt = _dg_nets(seed)
    (cls or GANTrainer)(G, D, g_opt, d_opt, latent_dim=2).fit(real, epochs=EPOCHS,
                                                              batch_size=BATCH)
    return _dg_sample(G, z_eval)


def run_trainer_reuse(seed: int, real, z_eval):
    """GANTrainer with ``train_step`` overridden to the torch loop's step (Keras' pattern)."""
    from deepgrad.training import GANTrainer

    class ReuseFakes(GANTrainer):
        def train_step(self, batch):
            real = batch[0]
            fake = self.generator(self.noise(real.shape[0]))  # one z batch, graph kept
            logs = self.d_step(real, fake)  # detached there
            logs.update(self.g_step(fake=fake))  # the same fakes through the updated D
            self.global_step += 1
            return logs

    return run_trainer(seed, real, z_eval, ReuseFakes)


def run_hand_fresh(seed: int, real, z_eval):
    return run_hand(seed, real, z_eval, fresh_g_noise=True)


VARIANTS = {"torch": run_torch, "hand": run_hand, "trainer": run_trainer,
            "hand_fresh": run_hand_fresh, "trainer_reuse": run_trainer_reuse}


def _seeds(text: str) -> list:
    if "-" in text:
        lo, hi = text.split("-")
        return list(range(int(lo), int(hi) + 1))
    return [int(s) for s in text.split(",")]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", default="0-4")
    ap.add_argument("--variants", default=",".join(VARIANTS))
    args = ap.parse_args()
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(1)
    except ImportError:
        os.environ.setdefault("OMP_NUM_THREADS", "1")
    try:
        import torch
        torch.set_num_threads(1)
    except ImportError:
        pass
    names = args.variants.split(",")
    results = {name: [] for name in names}
    for seed in _seeds(args.seeds):
        real, z_eval = _data(seed)
        for name in names:
            t0 = time.perf_counter()
            cov = _score(VARIANTS[name](seed, real, z_eval))
            results[name].append(cov)
            print(f"seed {seed} {name:>8}: {cov.modes_covered}/8 modes, "
                  f"{100 * cov.high_quality_fraction:5.1f}% high quality "
                  f"({time.perf_counter() - t0:.1f} s)", flush=True)
    for name, covs in results.items():
        hq = [100 * c.high_quality_fraction for c in covs]
        print(f"{name:>8}: modes {[c.modes_covered for c in covs]}, high quality "
              f"{[round(h, 1) for h in hq]} %, median {statistics.median(hq):.1f} %")


if __name__ == "__main__":
    main()

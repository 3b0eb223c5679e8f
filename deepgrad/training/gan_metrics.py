"""GAN evaluation: modes covered and high-quality fraction on 2-D mixtures; saturation data."""
from __future__ import annotations

from dataclasses import dataclass

import numpy

from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ..random import generator
from .gan_losses import generator_loss, mean_probability


@dataclass
class ModeCoverage:
    """Result of ``mode_coverage``.

    Attributes:
        modes_covered: number of modes that are the nearest mode of >= 1 high-quality sample.
        high_quality_fraction: fraction of samples within ``threshold * sigma`` of their nearest
            mode, in [0, 1].
        counts: (K,) number of high-quality samples per mode.
        num_modes: K.
    """

    modes_covered: int
    high_quality_fraction: float
    counts: numpy.ndarray
    num_modes: int

    def __str__(self) -> str:
        return (f"{self.modes_covered}/{self.num_modes} modes, "
                f"{100 * self.high_quality_fraction:.1f}% high quality")


def mode_coverage(samples, centers, sigma: float, threshold: float = 3.0) -> ModeCoverage:
    """The standard mixture metric of VEEGAN and PacGAN.

    A sample is *high quality* if its distance to its nearest mode is at most
    ``threshold * sigma``; a mode is *covered* if it is the nearest mode of at least one
    high-quality sample. The papers use 2,500 samples and ``threshold = 3``.

    Args:
        samples: (N, D) points (array or Tensor).
        centers: (K, D) mode means.
        sigma: the modes' standard deviation.
        threshold: the radius in units of sigma.

    Returns:
        A ``ModeCoverage``.
    """
    x = numpy.asarray(samples.numpy() if isinstance(samples, Tensor) else samples, numpy.float64)
    c = numpy.asarray(centers, numpy.float64)
    if x.ndim != 2 or c.ndim != 2 or x.shape[1] != c.shape[1]:
        raise ValueError(f"mode_coverage: samples (N, D) and centers (K, D) must share D, got "
                         f"shapes {x.shape} and {c.shape}")
    if not sigma > 0:
        raise ValueError(f"mode_coverage: sigma must be positive, got {sigma}")
    k = c.shape[0]
    if x.shape[0] == 0:
        return ModeCoverage(0, 0.0, numpy.zeros(k, numpy.int64), k)
    # Squared distances via |x|^2 - 2 x.c + |c|^2: one (N, K) GEMM instead of an (N, K, D) cube.
    d2 = (x * x).sum(1)[:, None] - 2 * x @ c.T + (c * c).sum(1)[None, :]
    nearest = d2.argmin(1)
    dist = numpy.sqrt(numpy.maximum(d2[numpy.arange(x.shape[0]), nearest], 0))
    good = dist <= threshold * sigma
    counts = numpy.bincount(nearest[good], minlength=k)
    return ModeCoverage(int((counts > 0).sum()), float(good.mean()), counts, k)


def evaluate_mixture(sampler, mixture, n: int = 2500, threshold: float = 3.0) -> ModeCoverage:
    """``mode_coverage`` of ``n`` samples from ``sampler`` against ``mixture``'s modes.

    Args:
        sampler: a GANTrainer (its ``sample``) or any callable ``n -> (n, 2)`` samples.
        mixture: a ``GaussianMixture2D`` (``centers`` and ``sigma``).
        n: number of samples (2,500 in the papers).
        threshold: the high-quality radius in units of sigma.
    """
    draw = sampler.sample if hasattr(sampler, "sample") else sampler
    with no_grad():
        samples = draw(n)
    return mode_coverage(samples, mixture.centers, mixture.sigma, threshold)


# ---- the saturation picture -------------------------------------------------------------------
def logit_gradient_curve(d_values) -> dict:
    """|d loss / d logit| of each generator loss as a function of D(G(z)) = sigmoid(l).

    minimax ``log(1 - D)``: ``D``, which vanishes as D rejects the fakes (D(G(z)) -> 0);
    non-saturating ``-log D``: ``1 - D``, which tends to 1 there.

    Args:
        d_values: D(G(z)) values in (0, 1).

    Returns:
        ``{"D(G(z))", "minimax", "non_saturating"}`` arrays of ``d_values``' shape.
    """
    d = numpy.asarray(d_values, numpy.float64)
    return {"D(G(z))": d, "minimax": d.copy(), "non_saturating": 1 - d}


def _generator_grad_norm(trainer, z: Tensor, kind: str) -> float:
    """||grad_theta_G L_kind|| over all of G's parameters at this z; G's ``.grad`` restored."""
    g_params = list(trainer.generator.parameters())
    saved = [p.grad for p in g_params]
    frozen = [p for p in trainer.discriminator.parameters() if p.requires_grad]
    for p in frozen:
        p.requires_grad = False
    try:
        for p in g_params:
            p.grad = None
        generator_loss(trainer.discriminator(trainer.generator(z)), kind).backward()
        total = sum(float((p.grad._data.astype(numpy.float64) ** 2).sum())
                    for p in g_params if p.grad is not None)
    finally:
        for p in frozen:
            p.requires_grad = True
        for p, g in zip(g_params, saved):
            p.grad = g
    return total ** 0.5


def generator_gradient_norms(trainer, real, d_updates: int = 200, record_every: int = 10,
                             batch_size: int = 64, n_eval: int = 256) -> dict:
    """The saturation picture: G's gradient norm under each loss as D learns against a fixed G.

    At the start of training G is poor and D soon rejects its samples. This trains only D
    (``trainer.d_step``, G frozen at its current weights) for ``d_updates`` steps and records,
    every ``record_every`` steps and on one fixed batch of ``n_eval`` latent vectors, the norm of
    the generator's gradient under the minimax and the non-saturating loss (Goodfellow et al.
    2014, Sec. 3; Arjovsky & Bottou 2017, Fig. 2). The minimax norm falls with D(G(z)); the
    non-saturating one does not. D's weights (and its optimizer state) are changed; G's are not.

    Args:
        trainer: a ``GANTrainer`` (its G, D, prior and D optimizer are used).
        real: (N, ...) real samples (array or Tensor), drawn ``batch_size`` at a time with
            the library's generator, or a callable ``n -> (n, ...)`` batch.
        d_updates: D updates in total.
        record_every: record after every this many D updates (and before the first).
        batch_size: real and fake batch size of each D update.
        n_eval: number of latent vectors for the gradient measurement.

    Returns:
        Lists of equal length: ``"d_updates"`` (x axis), ``"D(G(z))"`` (mean on the eval batch),
        ``"d_loss"`` (of the last update, nan before any), ``"minimax"`` and
        ``"non_saturating"`` (gradient L2 norms).
    """
    if isinstance(real, (Tensor, numpy.ndarray)):
        data = real._data if isinstance(real, Tensor) else real

        def draw(n):
            return data[generator().integers(0, data.shape[0], n)]
    else:
        draw = real
    z = trainer.noise(n_eval)
    out = {"d_updates": [], "D(G(z))": [], "d_loss": [], "minimax": [], "non_saturating": []}
    d_loss = float("nan")
    for step in range(d_updates + 1):
        if step % record_every == 0 or step == d_updates:
            with no_grad():
                logits = trainer.discriminator(trainer.generator(z))._data
            out["d_updates"].append(step)
            out["D(G(z))"].append(mean_probability(logits))
            out["d_loss"].append(d_loss)
            for kind in ("minimax", "non_saturating"):
                out[kind].append(_generator_grad_norm(trainer, z, kind))
        if step < d_updates:
            d_loss = trainer.d_step(draw(batch_size))["d_loss"]
    return out

"""GAN evaluation on 2-D mixtures (modes covered, high-quality fraction) and the saturation data."""
from __future__ import annotations

from dataclasses import dataclass

import numpy

from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor


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

"""2-D Gaussian mixtures of the GAN literature: 8 modes on a ring and 25 on a grid."""
from __future__ import annotations

import math

import numpy

from ..random import generator


class GaussianMixture2D:
    """Equal-weight mixture of isotropic 2-D Gaussians with one shared standard deviation.

    Args:
        centers: (K, 2) mode means.
        sigma: standard deviation of every mode (per coordinate).
        name: a label used in reports (``'ring'``, ``'grid'``).

    Attributes:
        centers: (K, 2) float64 array.
        sigma: float.
    """

    def __init__(self, centers, sigma: float, name: str = "mixture") -> None:
        centers = numpy.asarray(centers, dtype=numpy.float64)
        if centers.ndim != 2 or centers.shape[1] != 2 or centers.shape[0] == 0:
            raise ValueError(f"GaussianMixture2D: centers must have shape (K, 2) with K >= 1, "
                             f"got {centers.shape}")
        if not sigma > 0:
            raise ValueError(f"GaussianMixture2D: sigma must be positive, got {sigma}")
        self.centers, self.sigma, self.name = centers, float(sigma), name

    @property
    def num_modes(self) -> int:
        return self.centers.shape[0]

    def sample(self, n: int, seed: int | None = None, dtype=numpy.float32,
               return_modes: bool = False):
        """Draw ``n`` points: a mode uniformly at random, then ``center + sigma * N(0, I)``.

        Args:
            n: number of samples.
            seed: seeds a private generator; ``None`` draws from the library's global one
                (so ``dg.manual_seed`` makes the draw repeat).
            dtype: dtype of the returned points.
            return_modes: also return the (n,) index of the mode each point came from.

        Returns:
            (n, 2) array of points (and the (n,) int64 mode indices when asked).
        """
        if n < 0:
            raise ValueError(f"GaussianMixture2D.sample: n must be >= 0, got {n}")
        rng = generator() if seed is None else numpy.random.default_rng(seed)
        modes = rng.integers(0, self.num_modes, n)
        x = self.centers[modes] + self.sigma * rng.standard_normal((n, 2))
        x = x.astype(dtype, copy=False)
        return (x, modes) if return_modes else x

    def __repr__(self) -> str:
        return f"GaussianMixture2D(name={self.name!r}, modes={self.num_modes}, sigma={self.sigma})"


def ring_mixture(num_modes: int = 8, radius: float = 1.0, sigma: float = 0.01) -> GaussianMixture2D:
    """``num_modes`` Gaussians with means evenly spaced on a circle.

    Mode k has mean ``radius * (cos(2 pi k / K), sin(2 pi k / K))``. The defaults are PacGAN's
    2-D ring (8 means on the unit circle, sigma 0.01); VEEGAN and Unrolled GAN use radius 2 and
    sigma 0.02, the same ratio of sigma to radius.
    """
    if num_modes < 1:
        raise ValueError(f"ring_mixture: num_modes must be >= 1, got {num_modes}")
    angles = 2 * math.pi * numpy.arange(num_modes) / num_modes
    centers = radius * numpy.stack([numpy.cos(angles), numpy.sin(angles)], axis=1)
    return GaussianMixture2D(centers, sigma, name="ring")


def grid_mixture(side: int = 5, spacing: float = 2.0, sigma: float = 0.05) -> GaussianMixture2D:
    """``side x side`` Gaussians on a square grid centred at the origin.

    The defaults are the 25-mode grid of VEEGAN/PacGAN: means at {-4, -2, 0, 2, 4}^2, sigma 0.05.
    """
    if side < 1:
        raise ValueError(f"grid_mixture: side must be >= 1, got {side}")
    ticks = spacing * (numpy.arange(side) - (side - 1) / 2)
    gx, gy = numpy.meshgrid(ticks, ticks, indexing="ij")
    centers = numpy.stack([gx.ravel(), gy.ravel()], axis=1)
    return GaussianMixture2D(centers, sigma, name="grid")


MIXTURES = {"ring": ring_mixture, "grid": grid_mixture}

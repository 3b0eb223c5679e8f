"""Procedural 2-D classification and regression sets: truth tables, spirals, moons, circles...

Every builder returns NumPy arrays ``(X, y)``: ``X`` float32 ``(N, F)``, ``y`` int64 ``(N,)``
class labels (float32 ``(N, 1)`` targets for ``regression``). Wrap them with
``TensorDataset(X, y)`` for a DataLoader. ``seed``: an int gives a private generator (same
seed, same data), None draws from the library generator (so ``deepgrad.manual_seed`` fixes it).
"""
from __future__ import annotations

import numpy

from ._common import check_non_negative, check_positive, rng_for, split_counts

_TRUTH_INPUTS = numpy.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=numpy.float32)


def _truth_table(name: str, outputs: list[int], n_repeats: int, noise: float, seed):
    n_repeats = check_positive("n_repeats", name, n_repeats)
    noise = check_non_negative("noise", name, noise)
    X = numpy.tile(_TRUTH_INPUTS, (n_repeats, 1))
    y = numpy.tile(numpy.array(outputs, dtype=numpy.int64), n_repeats)
    if noise:
        X = X + rng_for(seed).normal(0.0, noise, X.shape).astype(numpy.float32)
    return X, y


def xor(n_repeats: int = 1, noise: float = 0.0, seed=None) -> tuple[numpy.ndarray, numpy.ndarray]:
    """The XOR truth table, rows (0,0),(0,1),(1,0),(1,1) -> 0,1,1,0 (not linearly separable).

    Args:
        n_repeats: copies of the 4 rows (X: (4 * n_repeats, 2)).
        noise: std of Gaussian jitter added to the inputs (0: the exact table).
        seed: see the module docstring.
    """
    return _truth_table("xor", [0, 1, 1, 0], n_repeats, noise, seed)


def and_(n_repeats: int = 1, noise: float = 0.0, seed=None) -> tuple[numpy.ndarray, numpy.ndarray]:
    """The AND truth table (labels 0,0,0,1); arguments as ``xor``."""
    return _truth_table("and_", [0, 0, 0, 1], n_repeats, noise, seed)


def or_(n_repeats: int = 1, noise: float = 0.0, seed=None) -> tuple[numpy.ndarray, numpy.ndarray]:
    """The OR truth table (labels 0,1,1,1); arguments as ``xor``."""
    return _truth_table("or_", [0, 1, 1, 1], n_repeats, noise, seed)


def _finish(X, y, shuffle: bool, rng) -> tuple[numpy.ndarray, numpy.ndarray]:
    if shuffle:
        perm = rng.permutation(y.shape[0])
        X, y = X[perm], y[perm]
    return X.astype(numpy.float32), y.astype(numpy.int64)


def spirals(n_samples: int = 300, n_classes: int = 2, noise: float = 0.2, turns: float = 1.0,
            shuffle: bool = True, seed=None) -> tuple[numpy.ndarray, numpy.ndarray]:
    """Interleaved spiral arms, one per class.

    Arm k: radius r in [0.05, 1], angle ``theta = 2 pi k / C + 2 pi turns r + noise * eps``,
    point ``r (cos theta, sin theta)``, eps ~ N(0, 1). X: (N, 2) in about [-1, 1]^2.
    """
    fn = "spirals"
    n_samples = check_positive("n_samples", fn, n_samples)
    n_classes = check_positive("n_classes", fn, n_classes)
    noise = check_non_negative("noise", fn, noise)
    rng = rng_for(seed)
    xs, ys = [], []
    for k, m in enumerate(split_counts(n_samples, n_classes)):
        r = numpy.linspace(0.05, 1.0, m)
        theta = 2 * numpy.pi * (k / n_classes + turns * r) + noise * rng.standard_normal(m)
        xs.append(numpy.stack([r * numpy.cos(theta), r * numpy.sin(theta)], axis=1))
        ys.append(numpy.full(m, k))
    return _finish(numpy.concatenate(xs), numpy.concatenate(ys), shuffle, rng)


def moons(n_samples: int = 100, noise: float = 0.0, shuffle: bool = True,
          seed=None) -> tuple[numpy.ndarray, numpy.ndarray]:
    """Two interleaving half circles (scikit-learn's ``make_moons`` geometry).

    Class 0: ``(cos t, sin t)``; class 1: ``(1 - cos t, 0.5 - sin t)``, t in [0, pi]; plus
    Gaussian noise of std ``noise``. X: (N, 2).
    """
    n_samples = check_positive("n_samples", "moons", n_samples, 2)
    noise = check_non_negative("noise", "moons", noise)
    rng = rng_for(seed)
    n_out, n_in = split_counts(n_samples, 2)
    t_out, t_in = numpy.linspace(0, numpy.pi, n_out), numpy.linspace(0, numpy.pi, n_in)
    X = numpy.concatenate([numpy.stack([numpy.cos(t_out), numpy.sin(t_out)], 1),
                           numpy.stack([1 - numpy.cos(t_in), 0.5 - numpy.sin(t_in)], 1)])
    y = numpy.repeat([0, 1], [n_out, n_in])
    if noise:
        X = X + rng.normal(0.0, noise, X.shape)
    return _finish(X, y, shuffle, rng)


def circles(n_samples: int = 100, noise: float = 0.0, factor: float = 0.8, shuffle: bool = True,
            seed=None) -> tuple[numpy.ndarray, numpy.ndarray]:
    """A circle of radius ``factor`` (class 1) inside the unit circle (class 0). X: (N, 2)."""
    n_samples = check_positive("n_samples", "circles", n_samples, 2)
    noise = check_non_negative("noise", "circles", noise)
    if not 0.0 < factor < 1.0:
        raise ValueError(f"circles: factor must be in (0, 1), got {factor}")
    rng = rng_for(seed)
    n_out, n_in = split_counts(n_samples, 2)
    t_out = numpy.linspace(0, 2 * numpy.pi, n_out, endpoint=False)
    t_in = numpy.linspace(0, 2 * numpy.pi, n_in, endpoint=False)
    X = numpy.concatenate([numpy.stack([numpy.cos(t_out), numpy.sin(t_out)], 1),
                           factor * numpy.stack([numpy.cos(t_in), numpy.sin(t_in)], 1)])
    y = numpy.repeat([0, 1], [n_out, n_in])
    if noise:
        X = X + rng.normal(0.0, noise, X.shape)
    return _finish(X, y, shuffle, rng)


def blobs(n_samples: int = 100, centers=3, n_features: int = 2, cluster_std: float = 1.0,
          center_box: tuple[float, float] = (-10.0, 10.0), shuffle: bool = True,
          seed=None) -> tuple[numpy.ndarray, numpy.ndarray]:
    """Isotropic Gaussian clusters, one per class.

    Args:
        centers: number of clusters (centers drawn uniformly in ``center_box``) or a (K, F)
            array of centers.
        cluster_std: std of every cluster.
    """
    fn = "blobs"
    n_samples = check_positive("n_samples", fn, n_samples)
    cluster_std = check_non_negative("cluster_std", fn, cluster_std)
    rng = rng_for(seed)
    if numpy.ndim(centers) == 0:
        k = check_positive("centers", fn, centers)
        n_features = check_positive("n_features", fn, n_features)
        C = rng.uniform(center_box[0], center_box[1], (k, n_features))
    else:
        C = numpy.asarray(centers, dtype=numpy.float64)
        if C.ndim != 2:
            raise ValueError(f"blobs: centers must be an int or a (K, F) array, got shape "
                             f"{C.shape}")
    counts = split_counts(n_samples, C.shape[0])
    y = numpy.repeat(numpy.arange(C.shape[0]), counts)
    X = C[y] + rng.normal(0.0, cluster_std, (n_samples, C.shape[1]))
    return _finish(X, y, shuffle, rng)


def regression(n_samples: int = 200, n_features: int = 1, noise: float = 0.1,
               nonlinear: bool = False, seed=None) -> tuple[numpy.ndarray, numpy.ndarray]:
    """A regression set: ``x ~ U(-1, 1)^F``, ``z = x . w + b`` with ``w ~ N(0, 1)``,
    ``b ~ U(-1, 1)``; target ``z`` (or ``sin(pi z)`` with ``nonlinear``) plus ``N(0, noise^2)``.

    Returns:
        X: (N, F) float32 and y: (N, 1) float32.
    """
    fn = "regression"
    n_samples = check_positive("n_samples", fn, n_samples)
    n_features = check_positive("n_features", fn, n_features)
    noise = check_non_negative("noise", fn, noise)
    rng = rng_for(seed)
    w, b = rng.standard_normal(n_features), rng.uniform(-1.0, 1.0)
    X = rng.uniform(-1.0, 1.0, (n_samples, n_features))
    z = X @ w + b
    y = numpy.sin(numpy.pi * z) if nonlinear else z
    y = y + noise * rng.standard_normal(n_samples)
    return X.astype(numpy.float32), y.reshape(-1, 1).astype(numpy.float32)

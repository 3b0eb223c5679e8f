"""Procedural sequence tasks for recurrent nets: long-range memory, adding problem, noisy sines.

All return NumPy arrays ``(X, y)`` with ``X`` float32 ``(N, T, F)`` (batch first: pass
``batch_first=True`` to the recurrent layers). ``seed`` as in ``synthetic``: an int gives a
private generator, None draws from the library generator.
"""
from __future__ import annotations

import numpy

from ._common import check_non_negative, check_positive, rng_for


def first_token_memory(seq_len: int, n_samples: int = 1000, n_classes: int = 2,
                       noise: float = 1.0, seed=None) -> tuple[numpy.ndarray, numpy.ndarray]:
    """The label is told at the first step only; every later step is noise.

    The chapter's "hint at the beginning of a story": to classify, a model must carry step 0
    across ``seq_len - 1`` uninformative steps, which a plain RNN's vanishing gradient makes
    hard as ``seq_len`` grows and gated cells (LSTM/GRU) handle.

    Returns:
        X: (N, seq_len, n_classes): ``X[:, 0]`` is the one-hot label, ``X[:, 1:]`` is
        ``N(0, noise^2)``. y: (N,) int64 labels, balanced up to one sample.
    """
    fn = "first_token_memory"
    seq_len = check_positive("seq_len", fn, seq_len)
    n_samples = check_positive("n_samples", fn, n_samples)
    n_classes = check_positive("n_classes", fn, n_classes, 2)
    noise = check_non_negative("noise", fn, noise)
    rng = rng_for(seed)
    y = rng.permutation(numpy.arange(n_samples) % n_classes).astype(numpy.int64)
    X = numpy.empty((n_samples, seq_len, n_classes), dtype=numpy.float32)
    X[:, 0] = numpy.eye(n_classes, dtype=numpy.float32)[y]
    X[:, 1:] = noise * rng.standard_normal((n_samples, seq_len - 1, n_classes))
    return X, y


def adding_problem(n_samples: int = 1000, seq_len: int = 50,
                   seed=None) -> tuple[numpy.ndarray, numpy.ndarray]:
    """Hochreiter & Schmidhuber's adding problem: sum the two marked numbers of a sequence.

    Channel 0 holds values ``U(0, 1)``; channel 1 is 1 at one step of the first half and one of
    the second half, else 0. The target is the sum of the two marked values (mean 1; always
    predicting 1 gives MSE about 1/6, the baseline to beat).

    Returns:
        X: (N, seq_len, 2) float32, y: (N, 1) float32.
    """
    n_samples = check_positive("n_samples", "adding_problem", n_samples)
    seq_len = check_positive("seq_len", "adding_problem", seq_len, 2)
    rng = rng_for(seed)
    values = rng.uniform(0.0, 1.0, (n_samples, seq_len))
    half = seq_len // 2
    first = rng.integers(0, half, n_samples)
    second = rng.integers(half, seq_len, n_samples)
    markers = numpy.zeros((n_samples, seq_len))
    rows = numpy.arange(n_samples)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    y = values[rows, first] + values[rows, second]
    X = numpy.stack([values, markers], axis=2)
    return X.astype(numpy.float32), y.reshape(-1, 1).astype(numpy.float32)


def noisy_sine(n_samples: int = 500, seq_len: int = 50, noise: float = 0.1,
               omega_range: tuple[float, float] = (0.1, 0.5),
               seed=None) -> tuple[numpy.ndarray, numpy.ndarray]:
    """Noisy sine windows; the target is the next clean value (one-step forecasting).

    Each sample draws an angular step ``omega ~ U(omega_range)`` (radians per step), a phase
    ``phi ~ U(0, 2 pi)`` and an amplitude ``a ~ U(0.5, 1.5)``; ``s_t = a sin(omega t + phi)``.

    Returns:
        X: (N, seq_len, 1) float32, ``s_t + N(0, noise^2)`` for t < seq_len;
        y: (N, 1) float32, the clean ``s_{seq_len}``.
    """
    fn = "noisy_sine"
    n_samples = check_positive("n_samples", fn, n_samples)
    seq_len = check_positive("seq_len", fn, seq_len)
    noise = check_non_negative("noise", fn, noise)
    lo, hi = omega_range
    if not 0.0 < lo <= hi:
        raise ValueError(f"{fn}: omega_range must satisfy 0 < low <= high, got {omega_range}")
    rng = rng_for(seed)
    omega = rng.uniform(lo, hi, (n_samples, 1))
    phi = rng.uniform(0.0, 2 * numpy.pi, (n_samples, 1))
    amp = rng.uniform(0.5, 1.5, (n_samples, 1))
    clean = amp * numpy.sin(omega * numpy.arange(seq_len + 1) + phi)
    X = clean[:, :seq_len] + noise * rng.standard_normal((n_samples, seq_len))
    return X[:, :, None].astype(numpy.float32), clean[:, seq_len:].astype(numpy.float32)

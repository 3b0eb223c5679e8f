"""Helpers shared by the dataset builders: seeding and argument checks."""
from __future__ import annotations

import numpy

from ...random import generator as _library_generator


def rng_for(seed: int | numpy.random.Generator | None) -> numpy.random.Generator:
    """A Generator: its own for an int seed, the given one, or the library generator for None."""
    if seed is None:
        return _library_generator()
    if isinstance(seed, numpy.random.Generator):
        return seed
    return numpy.random.default_rng(int(seed))


def check_positive(name: str, fn: str, value, minimum: int = 1) -> int:
    """Return ``value`` as an int, raising ValueError naming it if it is below ``minimum``."""
    if isinstance(value, bool) or int(value) != value or value < minimum:
        raise ValueError(f"{fn}: {name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def check_non_negative(name: str, fn: str, value) -> float:
    """Return ``value`` as a float, raising ValueError naming it if it is negative or NaN."""
    value = float(value)
    if not value >= 0.0:
        raise ValueError(f"{fn}: {name} must be >= 0, got {value}")
    return value


def split_counts(n_samples: int, n_classes: int) -> numpy.ndarray:
    """Samples per class, as equal as possible (the first classes get the remainder)."""
    counts = numpy.full(n_classes, n_samples // n_classes)
    counts[: n_samples % n_classes] += 1
    return counts

"""imbalanced-learn's ``sampling_strategy`` semantics: how many samples each class gets.

For over-samplers the result maps a class to the number of samples to ADD; for under-samplers
to the number of samples to KEEP. Classes are ordered as ``numpy.unique`` sorts them, and ties
for majority/minority go to the first class in that order (as in imbalanced-learn).
"""
from __future__ import annotations

from collections import OrderedDict

import numpy

OVER, UNDER = "over-sampling", "under-sampling"


def class_counts(y: numpy.ndarray) -> "OrderedDict":
    """``{class: count}`` in sorted class order."""
    classes, counts = numpy.unique(y, return_counts=True)
    return OrderedDict((c.item() if hasattr(c, "item") else c, int(n))
                       for c, n in zip(classes, counts))


def _extremes(stats):
    majority = max(stats, key=stats.get)
    minority = min(stats, key=stats.get)
    return majority, minority, stats[majority], stats[minority]


def _named(name: str, stats, kind: str) -> dict:
    """The five named strategies plus 'auto'."""
    majority, minority, n_max, n_min = _extremes(stats)
    if name == "auto":
        name = "not majority" if kind == OVER else "not minority"
    if name == "majority" and kind == OVER:
        raise ValueError("'sampling_strategy'='majority' cannot be used with over-sampler.")
    if name == "minority" and kind == UNDER:
        raise ValueError("'sampling_strategy'='minority' cannot be used with under-sampler.")
    targeted = {
        "all": list(stats),
        "majority": [majority],
        "minority": [minority],
        "not majority": [c for c in stats if c != majority],
        "not minority": [c for c in stats if c != minority],
    }[name]
    if kind == OVER:
        return {c: n_max - stats[c] for c in targeted}
    return {c: n_min for c in targeted}


def _from_dict(strategy: dict, stats, kind: str) -> dict:
    unknown = set(strategy) - set(stats)
    if unknown:
        raise ValueError(f"The {unknown} target class is/are not present in the data.")
    out = {}
    for c, n in strategy.items():
        if n < 0:
            raise ValueError(f"The number of samples in a class cannot be negative."
                             f"'sampling_strategy' contains some negative value: {strategy}")
        if kind == OVER and n < stats[c]:
            raise ValueError(f"With over-sampling methods, the number of samples in a class "
                             f"should be greater or equal to the original number of samples. "
                             f"Originally, there is {stats[c]} samples and {n} samples are "
                             f"asked.")
        if kind == UNDER and n > stats[c]:
            raise ValueError(f"With under-sampling methods, the number of samples in a class "
                             f"should be less or equal to the original number of samples. "
                             f"Originally, there is {stats[c]} samples and {n} samples are "
                             f"asked.")
        out[c] = int(n) - stats[c] if kind == OVER else int(n)
    return out


def _from_float(ratio: float, stats, kind: str) -> dict:
    if len(stats) != 2:
        raise ValueError('"sampling_strategy" can be a float only when the type of target is '
                         "binary. For multi-class, use a dict.")
    majority, minority, n_max, n_min = _extremes(stats)
    if kind == OVER:
        out = {c: int(n_max * ratio - n) for c, n in stats.items() if c != majority}
        if any(n <= 0 for n in out.values()):
            raise ValueError("The specified ratio required to remove samples from the minority "
                             "class while trying to generate new samples. Please increase the "
                             "ratio.")
        return out
    out = {c: int(n_min / ratio) for c in stats if c != minority}
    if any(n > stats[c] for c, n in out.items()):
        raise ValueError("The specified ratio required to generate new sample in the majority "
                         "class while trying to remove samples. Please increase the ratio.")
    return out


NAMED = ("auto", "all", "majority", "minority", "not majority", "not minority")


def resolve_strategy(strategy, y: numpy.ndarray, kind: str) -> "OrderedDict":
    """Turn ``sampling_strategy`` into ``{class: n}`` (n to add for OVER, to keep for UNDER).

    Args:
        strategy: one of NAMED, a float in (0, 1] (binary only: the wanted ratio
            N_minority / N_majority after resampling), a dict ``{class: wanted count}``, or a
            callable ``y -> dict``.
        y: (N,) labels.
        kind: OVER or UNDER.
    """
    stats = class_counts(y)
    if len(stats) <= 1:
        raise ValueError(f"The target 'y' needs to have more than 1 class. Got {len(stats)} "
                         f"class instead")
    if callable(strategy):
        strategy = strategy(y)
    if isinstance(strategy, str):
        if strategy not in NAMED:
            raise ValueError(f"sampling_strategy must be one of {NAMED}, a float, a dict or a "
                             f"callable; got {strategy!r}")
        out = _named(strategy, stats, kind)
    elif isinstance(strategy, dict):
        out = _from_dict(strategy, stats, kind)
    elif isinstance(strategy, (float, numpy.floating)) and not isinstance(strategy, bool):
        if not 0.0 < strategy <= 1.0:
            raise ValueError(f"sampling_strategy as a float must be in (0, 1], got {strategy}")
        out = _from_float(float(strategy), stats, kind)
    else:
        raise ValueError(f"sampling_strategy must be a str, float, dict or callable, got "
                         f"{type(strategy).__name__}")
    return OrderedDict(sorted(out.items()))

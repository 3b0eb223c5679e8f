"""The library's one random generator: ``manual_seed`` makes runs repeat exactly."""
from __future__ import annotations

import random as _pyrandom

import numpy


class _RNG:
    """Holds the global NumPy Generator so that reseeding replaces it everywhere at once."""

    __slots__ = ("gen", "seed")

    def __init__(self) -> None:
        self.seed = None
        self.gen = numpy.random.default_rng()


_RNG_STATE = _RNG()


def manual_seed(seed: int) -> numpy.random.Generator:
    """Seed every random source the library uses: its generator, Python's ``random`` and NumPy's
    legacy global state (so user code that calls ``np.random`` repeats too)."""
    seed = int(seed)
    _RNG_STATE.seed = seed
    _RNG_STATE.gen = numpy.random.default_rng(seed)
    _pyrandom.seed(seed)
    numpy.random.seed(seed % 2**32)
    return _RNG_STATE.gen


def generator() -> numpy.random.Generator:
    """The global generator used by init, dropout, data shuffling and transforms."""
    return _RNG_STATE.gen


def get_rng_state() -> dict:
    """A JSON-able snapshot of the global generator (saved in training checkpoints)."""
    return _RNG_STATE.gen.bit_generator.state


def set_rng_state(state: dict) -> None:
    """Restore a snapshot taken by ``get_rng_state``."""
    gen = numpy.random.default_rng()
    gen.bit_generator.state = state
    _RNG_STATE.gen = gen

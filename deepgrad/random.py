"""The library's random generators (the CPU's and one per device): ``manual_seed`` repeats runs."""
from __future__ import annotations

import random as _pyrandom

import numpy

from .backend import CPU, device_generator, entry_of, seed_all_devices


class _RNG:
    """Holds the global NumPy Generator so that reseeding replaces it everywhere at once."""

    __slots__ = ("gen", "seed")

    def __init__(self) -> None:
        self.seed = None
        self.gen = numpy.random.default_rng()


_RNG_STATE = _RNG()


def manual_seed(seed: int) -> numpy.random.Generator:
    """Seed every random source the library uses: its generator, every device's generator (as
    ``torch.manual_seed``), Python's ``random`` and NumPy's legacy global state (so user code
    that calls ``np.random`` repeats too)."""
    seed = int(seed)
    _RNG_STATE.seed = seed
    seed_all_devices(seed)
    _RNG_STATE.gen = numpy.random.default_rng(seed)
    _pyrandom.seed(seed)
    numpy.random.seed(seed % 2**32)
    return _RNG_STATE.gen


def generator(device=None):
    """The generator of ``device``: the CPU's global NumPy ``Generator`` (init, dropout, data
    shuffling and transforms) by default, a ``DeviceGenerator`` with the same method names for
    another device."""
    if device is None or device is CPU or device == "cpu":
        return _RNG_STATE.gen
    return device_generator(device)


def generator_like(array):
    """The generator of the device that holds ``array`` (draws land next to it)."""
    entry = entry_of(array)
    if entry is None:
        return _RNG_STATE.gen
    return device_generator(f"{entry.name}:{entry.index_of(array)}")


def get_rng_state() -> dict:
    """A JSON-able snapshot of the global generator (saved in training checkpoints)."""
    return _RNG_STATE.gen.bit_generator.state


def set_rng_state(state: dict) -> None:
    """Restore a snapshot taken by ``get_rng_state``."""
    gen = numpy.random.default_rng()
    gen.bit_generator.state = state
    _RNG_STATE.gen = gen


class Generator(numpy.random.Generator):
    """``torch.Generator``: a random generator a program seeds and passes around.

    It is a NumPy ``Generator`` (PCG64) with PyTorch's methods, so it goes wherever deepgrad
    takes a generator: ``DataLoader(generator=)``, samplers, ``random_split``, ``randn``/``rand``/
    ``randint``/``randperm(generator=)``. The same seed gives the same draws as
    ``numpy.random.default_rng(seed)``, not the same numbers as PyTorch's Mersenne Twister.

    Args:
        device: ``"cpu"`` (draws on another device come from that device's own generator).
    """

    def __init__(self, device="cpu") -> None:
        super().__init__(numpy.random.PCG64())
        self.device = device
        self._initial = None
        self.seed()

    def manual_seed(self, seed: int) -> "Generator":
        """Reseed; returns the generator (``g = dg.Generator().manual_seed(0)``)."""
        seed = int(seed)
        self.bit_generator.state = numpy.random.PCG64(seed).state
        self._initial = seed
        return self

    def seed(self) -> int:
        """Reseed from fresh entropy and return the new seed."""
        seed = int(numpy.random.SeedSequence().entropy % 2**63)
        self.manual_seed(seed)
        return seed

    def initial_seed(self) -> int:
        """The seed last set by ``manual_seed`` or ``seed``."""
        return self._initial

    def get_state(self) -> dict:
        """A snapshot of the generator (``set_state`` restores it)."""
        return self.bit_generator.state

    def set_state(self, state: dict) -> "Generator":
        self.bit_generator.state = state
        return self


def numpy_generator(gen):
    """The NumPy generator behind ``generator=`` arguments: ``gen`` itself (a ``Generator`` is
    one), or the library's when None."""
    return _RNG_STATE.gen if gen is None else gen

"""Random generators of the registered devices, with NumPy ``Generator`` method names.

Library code draws from ``generator.random / standard_normal / uniform / normal / integers /
permutation`` whatever the device; on the CPU that is NumPy's ``Generator`` itself, on a device
it is ``DeviceGenerator`` over the module's ``random.RandomState`` (cuRAND for CuPy), drawing
straight into device memory. ``manual_seed`` reseeds them all.
"""
from __future__ import annotations

from .devices import _REGISTRY, DeviceType, resolve

# The seed of the last global ``manual_seed`` (None: fresh entropy), for types seeded later.
_DEFAULT_SEED: list = [None]


class DeviceGenerator:
    """NumPy ``Generator``-named draws from a device module's ``RandomState``.

    Every draw runs inside the device's allocation context, so samples land on ``index``.
    """

    def __init__(self, entry: DeviceType, index: int, seed: int | None) -> None:
        self.entry, self.index, self.seed = entry, index, seed
        with entry.context(index):
            self.state = entry.module.random.RandomState(seed)

    def _call(self, name: str, *args, **kwargs):
        with self.entry.context(self.index):
            return getattr(self.state, name)(*args, **kwargs)

    def random(self, size=None, dtype=None):
        """Uniform samples in [0, 1) (float64 unless ``dtype``)."""
        return self._call("random_sample", size, *(() if dtype is None else (dtype,)))

    def standard_normal(self, size=None, dtype=None):
        return self._call("standard_normal", size, *(() if dtype is None else (dtype,)))

    def uniform(self, low=0.0, high=1.0, size=None):
        return self._call("uniform", low, high, size)

    def normal(self, loc=0.0, scale=1.0, size=None):
        return self._call("normal", loc, scale, size)

    def integers(self, low, high=None, size=None, dtype=None):
        """Integers in [low, high) (int64 unless ``dtype``)."""
        return self._call("randint", low, high, size, *(() if dtype is None else (dtype,)))

    def permutation(self, n):
        return self._call("permutation", n)


def device_generator(dev) -> DeviceGenerator:
    """The generator of a (non-CPU) device, created on first use from the last seed."""
    dev, entry = resolve(dev)
    gen = entry.generators.get(dev.index)
    if gen is None:
        seed = entry.seeds.get(dev.index, entry.seeds.get(None, _DEFAULT_SEED[0]))
        gen = entry.generators[dev.index] = DeviceGenerator(entry, dev.index, seed)
    return gen


def seed_device(entry: DeviceType, seed: int, index: int | None = None) -> None:
    """Reseed device ``index`` of ``entry`` (every index when None); generators restart lazily."""
    if index is None:
        entry.seeds.clear()
        entry.seeds[None] = seed
        entry.generators.clear()
    else:
        entry.seeds[index] = seed
        entry.generators.pop(index, None)


def seed_all_devices(seed: int) -> None:
    """Reseed every device of every registered type, and types registered later."""
    _DEFAULT_SEED[0] = seed
    for entry in _REGISTRY.values():
        seed_device(entry, seed)

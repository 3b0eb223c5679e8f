"""``dg.cuda``: is a CUDA device there, how many, seeding them, and the current one.

The ``"cuda"`` device type is CuPy (``pip install 'deepgrad[cuda]'``), loaded on first use; a
test or a user may register another array module under that name
(``deepgrad.backend.register_device``), and these functions then answer for it.
"""
from __future__ import annotations

from contextlib import contextmanager

from .backend import device_type, resolve, seed_device


def _entry():
    try:
        return device_type("cuda")
    except RuntimeError:
        return None


def is_available() -> bool:
    """True when a CUDA device can hold tensors (CuPy importable and a GPU present)."""
    entry = _entry()
    return entry is not None and entry.count() > 0


def device_count() -> int:
    """The number of CUDA devices (0 without CuPy or without a GPU)."""
    entry = _entry()
    return 0 if entry is None else entry.count()


def current_device() -> int:
    """The ordinal of the current CUDA device (where ``"cuda"`` without an index points)."""
    return device_type("cuda").current_index()


def set_device(index) -> None:
    """Make device ``index`` (an int or ``"cuda:i"``) the current CUDA device."""
    dev, entry = resolve(index if not isinstance(index, int) else f"cuda:{index}")
    entry.module.cuda.Device(dev.index).use()


@contextmanager
def device(index):
    """Within the block, ``"cuda"`` means device ``index`` and ops launch there.

    CuPy runs kernels on the current device; ops on tensors of ``cuda:1`` need this context
    (or ``set_device(1)``), as CuPy requires.
    """
    dev, entry = resolve(index if not isinstance(index, int) else f"cuda:{index}")
    with entry.context(dev.index):
        yield


def synchronize() -> None:
    """Wait until every kernel queued on the current CUDA device has finished (for timing)."""
    runtime = device_type("cuda").module.cuda.runtime
    sync = getattr(runtime, "deviceSynchronize", None)
    if sync is not None:
        sync()


def manual_seed(seed: int) -> None:
    """Seed the current CUDA device's generator (silently ignored without CUDA, as PyTorch)."""
    entry = _entry()
    if entry is not None:
        seed_device(entry, int(seed), entry.current_index())


def manual_seed_all(seed: int) -> None:
    """Seed the generators of every CUDA device (silently ignored without CUDA)."""
    entry = _entry()
    if entry is not None:
        seed_device(entry, int(seed))

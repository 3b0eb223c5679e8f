"""``torch.accelerator``'s questions answered truthfully: which accelerator, if any, is present.

deepgrad's only accelerator type is CUDA through CuPy. Without CuPy or without a visible GPU
every answer says so: ``is_available()`` is False, ``current_accelerator()`` None and
``device_count()`` 0, so a program's ``"cuda" if available else "cpu"`` choice picks the CPU.
"""
from __future__ import annotations

from . import cuda as _cuda

_INDEX = [0]


def device_count() -> int:
    """The number of usable accelerator devices (0 on a CPU-only machine)."""
    return _cuda.device_count()


def is_available() -> bool:
    """True when an accelerator device is present and usable."""
    return device_count() > 0


def current_accelerator(check_available: bool = False):
    """The accelerator device type (``deepgrad.device("cuda")`` where that class exists, else the
    string ``"cuda"``), or None when there is none.

    Args:
        check_available: accepted for PyTorch's signature; the answer is None whenever no
            device is usable, whatever its value.
    """
    if not is_available():
        return None
    import deepgrad

    device_cls = getattr(deepgrad, "device", None)
    return device_cls("cuda") if callable(device_cls) else "cuda"


def current_device_index() -> int:
    """The index of the current accelerator device (raises without one)."""
    _require("current_device_index")
    return _INDEX[0]


current_device_idx = current_device_index


def set_device_index(device: int) -> None:
    """Make ``device`` the current accelerator device."""
    count = _require("set_device_index")
    index = int(getattr(device, "index", device) or 0)
    if not 0 <= index < count:
        raise ValueError(f"set_device_index: device index {index} is out of range for "
                         f"{count} device(s)")
    _cuda.set_device(index)
    _INDEX[0] = index


set_device_idx = set_device_index


def synchronize(device=None) -> None:
    """Wait for the accelerator's queued work (nothing to wait for on a CPU-only machine)."""
    if is_available():
        with _cuda.device(_INDEX[0] if device is None else int(
                getattr(device, "index", device) or 0)):
            _cuda.synchronize()


def _require(what: str) -> int:
    count = device_count()
    if count == 0:
        raise RuntimeError(f"accelerator.{what}: no accelerator is available on this machine "
                           f"(deepgrad runs on the CPU; CUDA needs CuPy and a GPU)")
    return count


__all__ = ["device_count", "is_available", "current_accelerator", "current_device_index",
           "current_device_idx", "set_device_index", "set_device_idx", "synchronize"]

"""Moving tensors between devices: ``Tensor.to(device, dtype)`` as a differentiable op."""
from __future__ import annotations

import numpy

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..backend import as_device, device, device_of
from ..backend import to_device as move


class ToDevice(Function):
    """``y = x`` copied onto another device; the gradient is copied back to ``x``'s device."""

    def __init__(self, target: device) -> None:
        self.target = target

    def forward(self, x):
        self.source = device_of(x)
        return move(x, self.target)

    def backward(self, gy):
        return move(gy, self.source)


def _is_dtype(a) -> bool:
    if isinstance(a, (str, device, int)) and not isinstance(a, bool):
        if isinstance(a, str):
            try:
                device(a)
                return False
            except RuntimeError:
                pass  # not a device string: maybe a dtype name such as "float64"
        else:
            return False
    try:
        numpy.dtype(a)
    except TypeError:
        return False
    return True


def parse_to_args(t: Tensor, args, kwargs) -> tuple:
    """``(device or None, dtype or None, copy)`` from ``Tensor.to``'s PyTorch signatures.

    Accepts ``to(dtype)``, ``to(device, dtype=None)``, ``to(other)`` and the keywords
    ``device``, ``dtype``, ``copy``, ``non_blocking`` (ignored: copies are synchronous).
    """
    unknown = set(kwargs) - {"device", "dtype", "copy", "non_blocking", "memory_format"}
    if unknown:
        raise TypeError(f"to(): unexpected keyword argument(s) {sorted(unknown)}")
    dev, dtype = kwargs.get("device"), kwargs.get("dtype")
    rest = list(args)
    if rest and isinstance(rest[0], Tensor):
        other = rest.pop(0)
        dev, dtype = other.device, other.dtype
    flags = [a for a in rest if isinstance(a, bool)]  # to(device, dtype, non_blocking, copy)
    for a in rest:
        if isinstance(a, bool) or a is None:
            continue
        if _is_dtype(a):
            dtype = a
        else:
            dev = a
    copy = kwargs.get("copy", flags[1] if len(flags) > 1 else False)
    return (None if dev is None else as_device(dev)), dtype, bool(copy)


def _moves(x: Tensor, dev: device | None) -> bool:
    """Whether ``x`` must be copied to reach ``dev`` (no index: any device of that type)."""
    if dev is None:
        return False
    here = x.device
    return dev.type != here.type or (dev.index is not None and dev.index != here.index)


def to_device(x: Tensor, dev: device | None, dtype=None, copy: bool = False) -> Tensor:
    """``x`` on ``dev`` (kept when None) with ``dtype`` (kept when None); ``x`` when unchanged."""
    y = x
    if _moves(x, dev):
        y = ToDevice(dev).apply(x)
        copy = False
    if dtype is not None and numpy.dtype(dtype) != y.dtype:
        y = y.astype(dtype)
        copy = False
    if copy:
        from .arithmetic import clone

        y = clone(y)
    return y

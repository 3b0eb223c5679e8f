"""Tensor factories: tensor, zeros, ones, full, randn, rand, arange, eye, *_like, from_numpy.

Every factory takes PyTorch's ``device=`` (None: the default device, the CPU unless
``set_default_device`` says otherwise; ``*_like``: the input's device) and makes its array
directly there, random draws included (from that device's generator, or from ``generator=``,
a ``dg.Generator``, on the CPU).
"""
from __future__ import annotations

import numpy

from .autograd import tensor as _tensor
from .autograd.tensor import Tensor, _as_array
from .backend import CPU, default_device, empty_on, to_device
from .dtypes import bfloat16, canonical
from .random import generator


def _dtype(dtype):
    """The NumPy dtype for ``dtype`` (None: the current default float dtype)."""
    return numpy.dtype(_tensor.DEFAULT_DTYPE) if dtype is None else canonical(dtype)


def _shape(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        return tuple(size[0])
    return tuple(size)


def _new(data, requires_grad: bool) -> Tensor:
    t = Tensor._make(data, False, None, 0)
    return t.requires_grad_(True) if requires_grad else t


def _make(device, fn_name: str, *args, **kwargs):
    """``numpy.<fn_name>(...)`` on the CPU, else the device module's (device None: default)."""
    if device is None:
        device = default_device()
    if device is None or device is CPU:
        return getattr(numpy, fn_name)(*args, **kwargs)
    return empty_on(device, fn_name, *args, **kwargs)


def _placed(arr, device):
    if device is None:
        device = default_device()
    return arr if device is None else to_device(arr, device)


def _rng(device, gen=None):
    """The generator to draw from: ``gen`` when given (its draws land on ``device``), else the
    device's own."""
    if gen is not None:
        return gen
    return generator(default_device() if device is None else device)


def _drawn(data, device, gen):
    """Draws from a user's ``generator=`` are made on the host, then placed on ``device``."""
    return _placed(data, device) if gen is not None else data


def tensor(data, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """A new tensor from Python data or an array (copied); floats default to float32."""
    src = data._data if isinstance(data, Tensor) else data
    arr = _as_array(src, None if dtype is None else canonical(dtype))
    if dtype is bfloat16:
        arr = bfloat16.round(arr)
    moved = _placed(arr, device)
    if moved is src:
        moved = moved.copy()
    return _new(moved, requires_grad)


def from_numpy(array: numpy.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` (its dtype kept)."""
    return Tensor._make(array, False, None, 0)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Like ``tensor`` but without copying when ``data`` already is such an array there."""
    arr = _as_array(data, None if dtype is None else canonical(dtype))
    return Tensor._make(_placed(arr, device), False, None, 0)


def zeros(*size, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    return _new(_make(device, "zeros", _shape(size), _dtype(dtype)), requires_grad)


def ones(*size, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    return _new(_make(device, "ones", _shape(size), _dtype(dtype)), requires_grad)


def full(size, fill_value, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value``; bool and int fills give bool and int64
    unless ``dtype`` says otherwise."""
    if isinstance(size, int):
        size = (size,)
    if dtype is None and isinstance(fill_value, (bool, int)) and not isinstance(fill_value, float):
        dtype = numpy.bool_ if isinstance(fill_value, bool) else numpy.int64
    return _new(_make(device, "full", tuple(size), fill_value, _dtype(dtype)), requires_grad)


def empty(*size, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    return _new(_make(device, "empty", _shape(size), _dtype(dtype)), requires_grad)


def randn(*size, generator=None, dtype=None, requires_grad: bool = False,  # noqa: A002
          device=None) -> Tensor:
    """Standard normal samples from the device's seeded generator (or ``generator``)."""
    data = _rng(device, generator).standard_normal(_shape(size), dtype=_dtype(dtype))
    return _new(_drawn(data, device, generator), requires_grad)


def rand(*size, generator=None, dtype=None, requires_grad: bool = False,  # noqa: A002
         device=None) -> Tensor:
    """Uniform samples in [0, 1) from the device's seeded generator (or ``generator``)."""
    data = _rng(device, generator).random(_shape(size), dtype=_dtype(dtype))
    return _new(_drawn(data, device, generator), requires_grad)


def randint(low: int, high=None, size=None, generator=None, dtype=None,  # noqa: A002
            requires_grad: bool = False, device=None) -> Tensor:
    """Integers uniform in [low, high); ``randint(high, size)`` starts at 0 (PyTorch's form)."""
    if size is None:
        low, high, size = 0, low, high
    d = numpy.int64 if dtype is None else canonical(dtype)
    data = _rng(device, generator).integers(low, high, tuple(size)).astype(d)
    return Tensor._make(_drawn(data, device, generator), False, None, 0)


def randperm(n: int, generator=None, dtype=None, requires_grad: bool = False,  # noqa: A002
             device=None) -> Tensor:
    """A random permutation of 0..n-1 (int64 unless ``dtype``)."""
    perm = _rng(device, generator).permutation(n)
    perm = perm if dtype is None else perm.astype(canonical(dtype))
    return _new(_drawn(perm, device, generator), requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad: bool = False,
           device=None) -> Tensor:
    """Evenly spaced values in [start, end); integers stay int64, floats the default dtype."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        is_int = all(isinstance(v, int) for v in (start, end, step))
        dtype = numpy.int64 if is_int else _tensor.DEFAULT_DTYPE
    return _new(_make(device, "arange", start, end, step).astype(canonical(dtype)),
                requires_grad)


def linspace(start, end, steps: int, dtype=None, requires_grad: bool = False,
             device=None) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    start, end = (v.item() if isinstance(v, Tensor) else v for v in (start, end))
    return _new(_make(device, "linspace", start, end, steps).astype(_dtype(dtype)),
                requires_grad)


def eye(n: int, m: int | None = None, dtype=None, requires_grad: bool = False,
        device=None) -> Tensor:
    return _new(_make(device, "eye", n, m, dtype=_dtype(dtype)), requires_grad)


def _like(factory, t: Tensor, dtype, requires_grad: bool, device, *args) -> Tensor:
    """``factory(t.shape, *args)`` with ``t``'s dtype and device unless others are given."""
    return factory(t.shape, *args, dtype=dtype or t.dtype, requires_grad=requires_grad,
                   device=device or t.device)


def zeros_like(t: Tensor, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    return _like(zeros, t, dtype, requires_grad, device)


def ones_like(t: Tensor, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    return _like(ones, t, dtype, requires_grad, device)


def full_like(t: Tensor, fill_value, dtype=None, requires_grad: bool = False,
              device=None) -> Tensor:
    return _like(full, t, dtype, requires_grad, device, fill_value)


def randn_like(t: Tensor, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    return _like(randn, t, dtype, requires_grad, device)


def rand_like(t: Tensor, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    return _like(rand, t, dtype, requires_grad, device)

"""Tensor factories: tensor, zeros, ones, full, randn, rand, arange, eye, *_like, from_numpy."""
from __future__ import annotations

import numpy

from .autograd import tensor as _tensor
from .autograd.tensor import Tensor, _as_array
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


def tensor(data, dtype=None, requires_grad: bool = False) -> Tensor:
    """A new tensor from Python data or an array (copied); floats default to float32."""
    src = data.data if isinstance(data, Tensor) else data
    arr = _as_array(src, None if dtype is None else canonical(dtype))
    if arr is src:
        arr = arr.copy()
    if dtype is bfloat16:
        arr = bfloat16.round(arr)
    return _new(arr, requires_grad)


def from_numpy(array: numpy.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` (its dtype kept)."""
    return Tensor._make(array, False, None, 0)


def as_tensor(data, dtype=None) -> Tensor:
    """Like ``tensor`` but without copying when ``data`` is already an array of that dtype."""
    return Tensor._make(_as_array(data, None if dtype is None else canonical(dtype)), False,
                        None, 0)


def zeros(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    return _new(numpy.zeros(_shape(size), _dtype(dtype)), requires_grad)


def ones(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    return _new(numpy.ones(_shape(size), _dtype(dtype)), requires_grad)


def full(size, fill_value, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value``; bool and int fills give bool and int64
    unless ``dtype`` says otherwise."""
    if isinstance(size, int):
        size = (size,)
    if dtype is None and isinstance(fill_value, (bool, int)) and not isinstance(fill_value, float):
        dtype = numpy.bool_ if isinstance(fill_value, bool) else numpy.int64
    return _new(numpy.full(tuple(size), fill_value, _dtype(dtype)), requires_grad)


def empty(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    return _new(numpy.empty(_shape(size), _dtype(dtype)), requires_grad)


def randn(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples from the library's seeded generator."""
    return _new(generator().standard_normal(_shape(size), dtype=_dtype(dtype)), requires_grad)


def rand(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1) from the library's seeded generator."""
    return _new(generator().random(_shape(size), dtype=_dtype(dtype)), requires_grad)


def randint(low: int, high=None, size=None, dtype=None, requires_grad: bool = False) -> Tensor:
    """Integers uniform in [low, high); ``randint(high, size)`` starts at 0 (PyTorch's form)."""
    if size is None:
        low, high, size = 0, low, high
    d = numpy.int64 if dtype is None else canonical(dtype)
    return Tensor._make(generator().integers(low, high, tuple(size)).astype(d), False, None, 0)


def randperm(n: int, dtype=None, requires_grad: bool = False) -> Tensor:
    """A random permutation of 0..n-1 (int64 unless ``dtype``)."""
    perm = generator().permutation(n)
    return _new(perm if dtype is None else perm.astype(canonical(dtype)), requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad: bool = False) -> Tensor:
    """Evenly spaced values in [start, end); integers stay int64, floats float32."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        is_int = all(isinstance(v, int) for v in (start, end, step))
        dtype = numpy.int64 if is_int else _tensor.DEFAULT_DTYPE
    return _new(numpy.arange(start, end, step).astype(dtype), requires_grad)


def linspace(start, end, steps: int, dtype=None, requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    start, end = (v.item() if isinstance(v, Tensor) else v for v in (start, end))
    return _new(numpy.linspace(start, end, steps).astype(_dtype(dtype)), requires_grad)


def eye(n: int, m: int | None = None, dtype=None, requires_grad: bool = False) -> Tensor:
    return _new(numpy.eye(n, m, dtype=_dtype(dtype)), requires_grad)


def zeros_like(t: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return _new(numpy.zeros(t.shape, dtype or t.dtype), requires_grad)


def ones_like(t: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return _new(numpy.ones(t.shape, dtype or t.dtype), requires_grad)


def full_like(t: Tensor, fill_value, dtype=None, requires_grad: bool = False) -> Tensor:
    return _new(numpy.full(t.shape, fill_value, dtype or t.dtype), requires_grad)


def randn_like(t: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return randn(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad)


def rand_like(t: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return rand(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad)

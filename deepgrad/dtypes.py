"""dtype objects with PyTorch's names, the default float dtype, and PyTorch's type promotion.

The dtype objects are NumPy's scalar types (``dg.float32 is numpy.float32``), so that
``x.dtype == dg.float32`` holds for a tensor's NumPy dtype and arrays take them directly.
"""
from __future__ import annotations

import numpy

from .autograd import tensor as _tensor

float32 = numpy.float32
float64 = numpy.float64
float16 = numpy.float16
int8 = numpy.int8
int16 = numpy.int16
int32 = numpy.int32
int64 = numpy.int64
uint8 = numpy.uint8
bool_ = numpy.bool_
complex64 = numpy.complex64
complex128 = numpy.complex128
half = float16
double = float64
long = int64
short = int16
cfloat = complex64
cdouble = complex128


class _BFloat16:
    """``bfloat16`` as a storage type: NumPy has no bfloat16, so values are rounded to bfloat16's
    8-bit mantissa (round to nearest even) and kept in float32 arrays.

    ``tensor.to(dg.bfloat16)`` / ``tensor(..., dtype=dg.bfloat16)`` give float32 arrays holding
    exactly representable bfloat16 values; arithmetic then runs in float32.
    """

    name = "bfloat16"
    itemsize = 2
    is_floating_point = True

    def __repr__(self) -> str:
        return "deepgrad.bfloat16"

    @staticmethod
    def round(array):
        """Round a float array to the nearest bfloat16 value (kept as float32)."""
        a = numpy.asarray(array, numpy.float32)
        bits = a.view(numpy.uint32).astype(numpy.uint64)
        bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
        out = bits.astype(numpy.uint32).view(numpy.float32)
        return numpy.where(numpy.isfinite(a), out, a)


bfloat16 = _BFloat16()

_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def get_default_dtype():
    """The dtype of Python floats and of float factories (``float32`` unless changed)."""
    return _tensor.DEFAULT_DTYPE


def set_default_dtype(dtype) -> None:
    """Set the default floating dtype (``float32`` or ``float64``, as PyTorch allows)."""
    d = numpy.dtype(dtype)
    if d.kind != "f" or d.itemsize < 2:
        raise TypeError(f"set_default_dtype: only floating-point types are supported as the "
                        f"default type, got {d}")
    _tensor.DEFAULT_DTYPE = d.type


def default_float() -> numpy.dtype:
    return numpy.dtype(_tensor.DEFAULT_DTYPE)


def category(dtype) -> int:
    """bool 0 < integer 1 < floating 2 < complex 3 (PyTorch's promotion categories)."""
    return _CATEGORY[numpy.dtype(dtype).kind]


def promote_types(a, b) -> numpy.dtype:
    """PyTorch's ``promote_types``: a higher category wins outright (``int64, float32 ->
    float32``, where NumPy says float64); within one category the wider type."""
    a, b = numpy.dtype(a), numpy.dtype(b)
    ca, cb = category(a), category(b)
    if ca != cb:
        return a if ca > cb else b
    return numpy.promote_types(a, b)


def _scalar_dtype(value) -> numpy.dtype:
    if isinstance(value, (bool, numpy.bool_)):
        return numpy.dtype(bool)
    if isinstance(value, (int, numpy.integer)):
        return numpy.dtype(numpy.int64)
    if isinstance(value, complex):
        return numpy.dtype(numpy.complex64 if default_float() == numpy.float32 else
                           numpy.complex128)
    return default_float()


def result_type(*operands) -> numpy.dtype:
    """PyTorch's ``result_type``: dimensioned tensors, then 0-d tensors, then Python scalars;
    a later group changes the result only if it is of a higher category.

    Examples: ``int64 tensor + 2.5 -> float32``, ``int32 tensor + 5 -> int32``,
    ``float32 tensor + float64 0-d tensor -> float32``, ``uint8 tensor + True -> uint8``.
    """
    groups = ([], [], [])
    for o in operands:
        if isinstance(o, _tensor.Tensor):
            groups[0 if o._data.ndim else 1].append(o._data.dtype)
        elif isinstance(o, numpy.ndarray):
            groups[0 if o.ndim else 1].append(o.dtype)
        else:
            groups[2].append(_scalar_dtype(o))
    result = None
    for group in groups:
        if not group:
            continue
        d = group[0]
        for other in group[1:]:
            d = promote_types(d, other)
        if result is None or category(d) > category(result):
            result = d
    return result


def is_floating_point(x) -> bool:
    """True for tensors of a floating dtype."""
    return x._data.dtype.kind == "f"


def canonical(dtype):
    """A NumPy dtype for ``dtype`` (``bfloat16`` maps to its float32 storage)."""
    if dtype is bfloat16:
        return numpy.dtype(numpy.float32)
    if dtype is float:  # Python's float is a double, as PyTorch reads it
        return numpy.dtype(numpy.float64)
    if dtype is int:
        return numpy.dtype(numpy.int64)
    if dtype is bool:
        return numpy.dtype(bool)
    return numpy.dtype(dtype)

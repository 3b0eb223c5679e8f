"""Conversions: dtype methods (double, float, half, bfloat16, long, int, short, char, byte,
bool), ``type()``, ``type_as``, ``is_floating_point``, ``element_size``, ``__format__``."""
from __future__ import annotations

import numpy

from ..autograd.tensor import Tensor
from ..dtypes import bfloat16, canonical
from .registry import operator, register

_TYPE_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
               "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor",
               "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor"}
_BY_NAME = {v: k for k, v in _TYPE_NAMES.items()}


def cast(x: Tensor, dtype) -> Tensor:
    """``x`` in ``dtype``: differentiable between floating types, a copy otherwise; bfloat16
    rounds the values to bfloat16 and keeps float32 storage."""
    from .arithmetic import to_dtype

    if dtype is bfloat16:
        y = to_dtype(x, numpy.float32)
        return y + Tensor._make((bfloat16.round(y._data) - y._data), False, None, 0)
    d = canonical(dtype)
    if x.dtype == d:
        return x
    return to_dtype(x, d)


def _caster(name, dtype):
    def method(self, memory_format=None) -> Tensor:
        return cast(self, dtype)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"``self.to({getattr(dtype, '__name__', dtype)})``."
    return register("conversion", function=False, differentiable=dtype in (
        numpy.float64, numpy.float32, numpy.float16, bfloat16))(method)


double = _caster("double", numpy.float64)
float_ = _caster("float", numpy.float32)
half = _caster("half", numpy.float16)
bfloat16_ = _caster("bfloat16", bfloat16)
long = _caster("long", numpy.int64)
int_ = _caster("int", numpy.int32)
short = _caster("short", numpy.int16)
char = _caster("char", numpy.int8)
byte = _caster("byte", numpy.uint8)
bool_ = _caster("bool", numpy.bool_)


@register("conversion", function=False)
def type(self, dtype=None):  # noqa: A001 - PyTorch's method name
    """Without ``dtype`` the type name ('torch.FloatTensor' spelling); with one (a dtype or
    such a name) the tensor cast to it."""
    if dtype is None:
        return "torch." + _TYPE_NAMES.get(self.dtype.name, self.dtype.name)
    if isinstance(dtype, str):
        name = dtype.rsplit(".", 1)[-1]
        if name not in _BY_NAME:
            raise ValueError(f"type(): invalid type {dtype!r}")
        dtype = _BY_NAME[name]
    return cast(self, dtype)


@register("conversion", function=False)
def type_as(self, other) -> Tensor:
    """This tensor in ``other``'s dtype."""
    return cast(self, other.dtype)


@register("conversion", differentiable=False)
def is_floating_point(input) -> bool:  # noqa: A002
    """True for floating dtypes."""
    return input.dtype.kind == "f"


@register("conversion", function=False, differentiable=False)
def element_size(self) -> int:
    """Bytes per element."""
    return self.dtype.itemsize


@register("conversion", differentiable=False)
def numel(input) -> int:  # noqa: A002
    """Number of elements."""
    return int(input._data.size)


def _format(self, spec: str) -> str:
    """``f'{t:.3f}'`` formats a one-element tensor's value; other tensors use ``str``."""
    if self._data.ndim == 0 or (spec and self._data.size == 1):
        return format(self.item(), spec)
    return format(str(self), spec)


operator("__format__", _format)


@register("conversion", function=False, differentiable=False)
def item(self):
    """The value of a one-element tensor as a Python number."""
    if self._data.size != 1:
        from ._util import OpError

        raise OpError(f"item(): a Tensor with {self._data.size} elements cannot be converted to "
                      f"Scalar (shape {tuple(self.shape)})")
    return self._data.item()


@register("conversion", function=False, differentiable=False)
def tolist(self):
    """The values as (nested) Python lists; a 0-d tensor gives a number."""
    return self._data.tolist()

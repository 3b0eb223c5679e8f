"""PyTorch's legacy typed constructors: ``dg.FloatTensor(2, 3)``, ``dg.LongTensor([1, 2])``...

``XTensor(*sizes)`` makes a tensor of that shape (zeros: PyTorch leaves it uninitialized, and
zeros are a safe choice of "any values"); ``XTensor(data)`` makes one from a list or array.
"""
from __future__ import annotations

import numpy

from .autograd.tensor import Tensor
from .creation import tensor, zeros


def _typed(name: str, dtype):
    def make(*args) -> Tensor:
        if len(args) == 1 and not isinstance(args[0], (int, numpy.integer)):
            return tensor(args[0], dtype=dtype)
        if not all(isinstance(a, (int, numpy.integer)) for a in args):
            raise TypeError(f"{name}(): expected sizes (ints) or one sequence of data, got "
                            f"{[type(a).__name__ for a in args]}")
        return zeros(*args, dtype=dtype)

    make.__name__ = make.__qualname__ = name
    make.__doc__ = f"A {numpy.dtype(dtype).name} tensor of the given sizes (zeros) or data."
    return make


FloatTensor = _typed("FloatTensor", numpy.float32)
DoubleTensor = _typed("DoubleTensor", numpy.float64)
HalfTensor = _typed("HalfTensor", numpy.float16)
LongTensor = _typed("LongTensor", numpy.int64)
IntTensor = _typed("IntTensor", numpy.int32)
ShortTensor = _typed("ShortTensor", numpy.int16)
CharTensor = _typed("CharTensor", numpy.int8)
ByteTensor = _typed("ByteTensor", numpy.uint8)
BoolTensor = _typed("BoolTensor", numpy.bool_)

__all__ = ["FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor",
           "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor"]

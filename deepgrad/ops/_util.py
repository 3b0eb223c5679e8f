"""Small helpers shared by the op families: argument coercion and error messages."""
from __future__ import annotations

import numpy

from ..autograd.tensor import Tensor, _as_array


class OpError(RuntimeError, ValueError):
    """A shape or argument error of an op: a RuntimeError as PyTorch raises, and a ValueError as
    deepgrad raised before, so ``except RuntimeError`` (PyTorch code) and ``except ValueError``
    both catch it."""


def as_tensor(x, like: Tensor | None = None) -> Tensor:
    """Return ``x`` as a Tensor; a Python scalar or array takes ``like``'s floating dtype."""
    if isinstance(x, Tensor):
        return x
    if like is not None and isinstance(x, (int, float, bool)) and not isinstance(x, numpy.ndarray):
        if like.dtype.kind in "fc":
            if isinstance(like._data, numpy.ndarray):  # NumPy adds a 0-d array faster
                return Tensor._make(numpy.asarray(x, like.dtype), False, None, 0)
            # On a device: a NumPy scalar, which every array module takes as a Python number
            # (CuPy refuses a NumPy 0-d array).
            return Tensor._make(like.dtype.type(x), False, None, 0)
        arr = _as_array(x)
        return Tensor._make(arr if isinstance(like._data, numpy.ndarray) else arr[()], False,
                            None, 0)
    return Tensor._make(_as_array(x), False, None, 0)


def pair(a, b):
    """Coerce a binary op's operands to one dtype by PyTorch's promotion rules.

    The common cases stay cheap: two tensors of one dtype pass through, and a Python number
    next to a floating tensor takes that tensor's dtype (it never upcasts float32).
    """
    if isinstance(a, Tensor):
        if isinstance(b, Tensor):
            da, db = a._data.dtype, b._data.dtype
            if da is db or da == db:  # builtin dtypes are singletons: ``is`` is the fast test
                return a, b
        elif a._data.dtype.kind in "fc" and isinstance(b, (int, float)):
            return a, as_tensor(b, a)
    elif isinstance(b, Tensor) and b._data.dtype.kind in "fc" and isinstance(a, (int, float)):
        return as_tensor(a, b), b
    return promote(a, b)


def promote(*operands):
    """All operands as Tensors of their PyTorch result type (``dtypes.result_type``)."""
    from ..dtypes import result_type

    dtype = result_type(*operands)
    return tuple(cast(o, dtype) for o in operands)


def cast(x, dtype) -> Tensor:
    """``x`` (Tensor, array or Python scalar) as a Tensor of ``dtype``; differentiable."""
    if isinstance(x, Tensor):
        if x._data.dtype == dtype:
            return x
        from .arithmetic import to_dtype

        return to_dtype(x, dtype)
    return Tensor._make(_as_array(x, dtype), False, None, 0)


def float_input(x) -> Tensor:
    """``x`` as a Tensor, integer and bool tensors cast to the default float dtype (PyTorch:
    ``exp(int tensor)`` and ``int / int`` give float32)."""
    x = as_tensor(x)
    if x._data.dtype.kind in "fc":
        return x
    from ..dtypes import default_float

    return Tensor._make(x._data.astype(default_float()), False, None, 0)


def normalize_dim(dim: int, ndim: int, op: str) -> int:
    """Map a possibly negative ``dim`` into ``[0, ndim)`` or raise an error naming ``op``."""
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"{op}: dim {dim} is out of range for a tensor with {ndim} dims")
    return dim % n


def check_broadcast(op: str, a, b) -> None:
    """Raise a ValueError naming ``op`` and both shapes when they do not broadcast."""
    try:
        numpy.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise OpError(f"{op}: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be "
                         f"broadcast together") from None

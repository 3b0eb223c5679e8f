"""Small helpers shared by the op families: argument coercion and error messages."""
from __future__ import annotations

import numpy

from ..autograd.tensor import Tensor, _as_array


def as_tensor(x, like: Tensor | None = None) -> Tensor:
    """Return ``x`` as a Tensor; a Python scalar or array takes ``like``'s floating dtype."""
    if isinstance(x, Tensor):
        return x
    if like is not None and isinstance(x, (int, float, bool)) and not isinstance(x, numpy.ndarray):
        if like.dtype.kind in "fc":
            if isinstance(like.data, numpy.ndarray):  # NumPy adds a 0-d array faster
                return Tensor._make(numpy.asarray(x, like.dtype), False, None, 0)
            # On a device: a NumPy scalar, which every array module takes as a Python number
            # (CuPy refuses a NumPy 0-d array).
            return Tensor._make(like.dtype.type(x), False, None, 0)
        arr = _as_array(x)
        return Tensor._make(arr if isinstance(like.data, numpy.ndarray) else arr[()], False,
                            None, 0)
    return Tensor._make(_as_array(x), False, None, 0)


def pair(a, b):
    """Coerce a binary op's operands: at least one is a Tensor and gives its dtype to scalars."""
    if isinstance(a, Tensor):
        return a, (b if isinstance(b, Tensor) else as_tensor(b, a))
    return as_tensor(a, b), b


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
        raise ValueError(f"{op}: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be "
                         f"broadcast together") from None

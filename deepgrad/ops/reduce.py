"""Reductions: sum, mean, var, max, min (with indices along a dim), argmax, argmin."""
from __future__ import annotations

from collections import namedtuple

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..backend import get_array_module
from ._util import normalize_dim


class DtypeError(RuntimeError, TypeError):
    """A dtype error: a RuntimeError as PyTorch raises, a TypeError as deepgrad raised before."""


ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])


def _axes(dim, ndim: int, op: str):
    """Normalize ``dim`` (None, int or sequence) to a sorted tuple of axes, or None for all."""
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    return tuple(sorted(normalize_dim(d, ndim, op) for d in dims))


def _expand_back(g, shape, axes, keepdim):
    """Reinsert reduced axes into ``g`` so that it broadcasts against ``shape``."""
    if axes is None:
        return g.reshape((1,) * len(shape)) if not keepdim else g
    if not keepdim:
        g = get_array_module(g).expand_dims(g, axes)
    return g


class Sum(Function):
    def __init__(self, axes, keepdim):
        self.axes, self.keepdim = axes, keepdim

    def forward(self, x):
        self.shape = x.shape
        return get_array_module(x).asarray(x.sum(axis=self.axes, keepdims=self.keepdim))

    def backward(self, gy):
        g = _expand_back(gy, self.shape, self.axes, self.keepdim)
        return get_array_module(g).broadcast_to(g, self.shape)


class Mean(Function):
    def __init__(self, axes, keepdim):
        self.axes, self.keepdim = axes, keepdim

    def forward(self, x):
        self.shape = x.shape
        return get_array_module(x).asarray(x.mean(axis=self.axes, keepdims=self.keepdim))

    def backward(self, gy):
        n = _count(self.shape, self.axes)
        g = _expand_back(gy, self.shape, self.axes, self.keepdim) / gy.dtype.type(n)
        return get_array_module(g).broadcast_to(g, self.shape)


def _count(shape, axes) -> int:
    n = 1
    for i, s in enumerate(shape):
        if axes is None or i in axes:
            n *= s
    return n


class Var(Function):
    """Variance ``sum (x - mean)^2 / (N - correction)``; d/dx = 2 (x - mean) / (N - correction)."""

    def __init__(self, axes, keepdim, correction):
        self.axes, self.keepdim, self.correction = axes, keepdim, correction

    def forward(self, x):
        self.shape = x.shape
        self.centered = x - x.mean(axis=self.axes, keepdims=True)
        # Not max(): this module's max() is the tensor reduction.
        n = _count(x.shape, self.axes) - self.correction
        self.denom = n if n > 0 else 0
        sq = (self.centered * self.centered).sum(axis=self.axes, keepdims=self.keepdim)
        out = sq / x.dtype.type(self.denom) if self.denom else sq * x.dtype.type(float("nan"))
        return get_array_module(x).asarray(out)

    def backward(self, gy):
        g = _expand_back(gy, self.shape, self.axes, self.keepdim)
        return g * self.centered * (gy.dtype.type(2) / gy.dtype.type(self.denom))


class MaxAll(Function):
    """Max (or min) over all elements; ties share the gradient evenly, as PyTorch's."""

    def __init__(self, largest):
        self.largest = largest

    def forward(self, x):
        self.x = x
        self.y = x.max() if self.largest else x.min()
        return get_array_module(x).asarray(self.y)

    def backward(self, gy):
        mask = self.x == self.y
        return mask * (gy / gy.dtype.type(mask.sum()))


class MaxDim(Function):
    """Max (or min) along one dim, returning values and the index of each."""

    n_out = 2

    def __init__(self, dim, keepdim, largest):
        self.dim, self.keepdim, self.largest = dim, keepdim, largest

    def forward(self, x):
        xp = get_array_module(x)
        idx = (x.argmax if self.largest else x.argmin)(axis=self.dim, keepdims=True)
        values = xp.take_along_axis(x, idx, axis=self.dim)
        self.shape, self.idx = x.shape, idx
        if not self.keepdim:
            values, idx = values.squeeze(self.dim), idx.squeeze(self.dim)
        return values, idx

    def differentiable_output(self, index: int) -> bool:
        return index == 0

    def backward(self, gy, _gidx):
        xp = get_array_module(gy)
        if not self.keepdim:
            gy = xp.expand_dims(gy, self.dim)
        gx = xp.zeros(self.shape, gy.dtype)
        xp.put_along_axis(gx, self.idx, gy, axis=self.dim)
        return gx


def _cast_for(x: Tensor, dtype) -> Tensor:
    """Apply a reduction's ``dtype=`` (PyTorch casts the input first); integer and bool sums
    are int64 by default."""
    if dtype is not None:
        return x.to(dtype)
    if x._data.dtype.kind in "biu" and x._data.dtype != "int64":
        return Tensor._make(x._data.astype("int64"), False, None, 0)
    return x


def sum(x: Tensor, dim=None, keepdim: bool = False, *, dtype=None, axis=None,  # noqa: A001
        out=None) -> Tensor:
    """Sum over ``dim`` (an int, a tuple, or None for all); ``axis`` is an alias of ``dim``."""
    if dtype is not None or x._data.dtype.kind not in "fc":
        x = _cast_for(x, dtype)
    y = Sum(_axes(axis if dim is None else dim, x.ndim, "sum"), keepdim).apply(x)
    return y if out is None else _write(out, y)


def _write(out, y):
    from .compare import _out

    return _out(y, out)


def mean(x: Tensor, dim=None, keepdim: bool = False, *, dtype=None, axis=None,
         out=None) -> Tensor:
    """Arithmetic mean over ``dim``; integer inputs need ``dtype=`` (as in PyTorch)."""
    if dtype is not None:
        x = x.to(dtype)
    if x.dtype.kind not in "fc":
        raise DtypeError(f"mean(): could not infer output dtype. Input dtype must be "
                               f"either a floating point or complex dtype. Got: {x.dtype}")
    y = Mean(_axes(axis if dim is None else dim, x.ndim, "mean"), keepdim).apply(x)
    return y if out is None else _write(out, y)


def _correction(unbiased, correction) -> float:
    if correction is not None:
        return correction
    return 1 if unbiased is None or unbiased else 0


def var(x: Tensor, dim=None, unbiased=None, keepdim: bool = False, *,
        correction=None, axis=None) -> Tensor:
    """Variance ``sum (x - mean)^2 / (N - correction)`` over ``dim`` (``correction=1``,
    Bessel's, by default; ``unbiased=False`` is ``correction=0``)."""
    if isinstance(dim, bool):  # PyTorch's var(input, unbiased) overload
        dim, unbiased = None, dim
    if x.dtype.kind not in "fc":
        raise DtypeError(f"var(): expected a floating point input, got {x.dtype}")
    return Var(_axes(axis if dim is None else dim, x.ndim, "var"), keepdim,
               _correction(unbiased, correction)).apply(x)


def std(x: Tensor, dim=None, unbiased=None, keepdim: bool = False, *,
        correction=None, axis=None) -> Tensor:
    """Standard deviation: ``sqrt(var)``."""
    return var(x, dim, unbiased, keepdim, correction=correction, axis=axis) ** 0.5


def _extreme(x: Tensor, dim, keepdim: bool, largest: bool, op: str):
    if dim is None:
        if x._data.size == 0:
            raise RuntimeError(f"{op}: cannot reduce an empty tensor")
        return MaxAll(largest).apply(x)
    d = normalize_dim(dim, x.ndim, op)
    values, indices = MaxDim(d, keepdim, largest).apply(x)
    return ValuesIndices(values, indices)


def max(x: Tensor, dim: int | None = None, keepdim: bool = False):  # noqa: A001
    """Largest value, or ``(values, indices)`` along ``dim``; a Tensor as second arg = maximum."""
    if isinstance(dim, Tensor):
        from .arithmetic import maximum

        return maximum(x, dim)
    return _extreme(x, dim, keepdim, True, "max")


def min(x: Tensor, dim: int | None = None, keepdim: bool = False):  # noqa: A001
    """Smallest value, or ``(values, indices)`` along ``dim``."""
    if isinstance(dim, Tensor):
        from .arithmetic import minimum

        return minimum(x, dim)
    return _extreme(x, dim, keepdim, False, "min")


def amax(x: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    return max(x) if dim is None else max(x, dim, keepdim).values


def argmax(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the largest value (flattened when ``dim`` is None); not differentiable."""
    if dim is None:
        return Tensor._make(get_array_module(x._data).asarray(x._data.argmax()), False, None, 0)
    d = normalize_dim(dim, x.ndim, "argmax")
    return Tensor._make(x._data.argmax(axis=d, keepdims=keepdim), False, None, 0)


def argmin(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the smallest value; not differentiable."""
    if dim is None:
        return Tensor._make(get_array_module(x._data).asarray(x._data.argmin()), False, None, 0)
    d = normalize_dim(dim, x.ndim, "argmin")
    return Tensor._make(x._data.argmin(axis=d, keepdims=keepdim), False, None, 0)

"""Triangles and diagonals (tril, triu, diag, diagonal, diag_embed, trace), grids (meshgrid,
cartesian_prod), and the positions of nonzero elements (nonzero, argwhere)."""
from __future__ import annotations

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..backend import get_array_module
from ._util import as_tensor, normalize_dim
from .registry import register
from .shape import expand, reshape, stack


def _const(data) -> Tensor:
    return Tensor._make(data, False, None, 0)


def _triangle(op, input, diagonal, lower):
    from .arithmetic import where

    x = as_tensor(input)
    if x.ndim < 2:
        raise RuntimeError(f"{op}(): input tensor must have at least 2 dimensions, got shape "
                           f"{tuple(x.shape)}")
    xp = get_array_module(x._data)
    n, m = x.shape[-2:]
    keep = (xp.tri(n, m, diagonal, bool) if lower else ~xp.tri(n, m, diagonal - 1, bool))
    return where(_const(keep), x, 0)


@register("shape")
def tril(input, diagonal: int = 0) -> Tensor:  # noqa: A002
    """Lower triangle of the last two dims (elements with ``j - i <= diagonal``); rest 0."""
    return _triangle("tril", input, diagonal, True)


@register("shape")
def triu(input, diagonal: int = 0) -> Tensor:  # noqa: A002
    """Upper triangle of the last two dims (elements with ``j - i >= diagonal``); rest 0."""
    return _triangle("triu", input, diagonal, False)


class Diagonal(Function):
    """The diagonal ``offset`` of the plane (dim1, dim2), as a new last dim."""

    def __init__(self, offset, dim1, dim2):
        self.offset, self.dim1, self.dim2 = offset, dim1, dim2

    def forward(self, x):
        self.shape = x.shape
        return get_array_module(x).diagonal(x, self.offset, self.dim1, self.dim2).copy()

    def backward(self, gy):
        xp = get_array_module(gy)
        gx = xp.zeros(self.shape, gy.dtype)
        view = xp.diagonal(gx, self.offset, self.dim1, self.dim2)
        view.flags.writeable = True  # NumPy's diagonal is a read-only view of gx's memory
        view[...] = gy
        return gx


@register("shape")
def diagonal(input, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:  # noqa: A002
    """The diagonal of the plane ``(dim1, dim2)`` as the last dim (``offset`` > 0 above)."""
    x = as_tensor(input)
    d1, d2 = normalize_dim(dim1, x.ndim, "diagonal"), normalize_dim(dim2, x.ndim, "diagonal")
    if d1 == d2:
        raise RuntimeError(f"diagonal(): dim1 and dim2 cannot be identical, got {dim1}, {dim2}")
    return Diagonal(offset, d1, d2).apply(x)


class DiagEmbed(Function):
    """Put the last dim on the diagonal ``offset`` of a new plane (dim1, dim2)."""

    def __init__(self, offset, dim1, dim2):
        self.offset, self.dim1, self.dim2 = offset, dim1, dim2

    def forward(self, x):
        xp = get_array_module(x)
        n = x.shape[-1] + abs(self.offset)
        out_nd = x.ndim + 1
        rest = list(x.shape[:-1])
        shape = []
        for d in range(out_nd):
            shape.append(n if d in (self.dim1, self.dim2) else rest.pop(0))
        out = xp.zeros(shape, x.dtype)
        view = xp.diagonal(out, self.offset, self.dim1, self.dim2)
        view.flags.writeable = True
        view[...] = x
        return out

    def backward(self, gy):
        return get_array_module(gy).diagonal(gy, self.offset, self.dim1, self.dim2)


@register("shape")
def diag_embed(input, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:  # noqa: A002
    """Matrices whose diagonal ``offset`` (in dims dim1, dim2) holds the last dim of input."""
    x = as_tensor(input)
    d1, d2 = (normalize_dim(d, x.ndim + 1, "diag_embed") for d in (dim1, dim2))
    if d1 == d2:
        raise RuntimeError("diag_embed(): diagonal dimensions cannot be identical")
    return DiagEmbed(offset, d1, d2).apply(x)


@register("shape")
def diag(input, diagonal: int = 0) -> Tensor:  # noqa: A002
    """1-D input: the square matrix with it on diagonal ``diagonal``; 2-D: that diagonal."""
    x = as_tensor(input)
    if x.ndim == 1:
        return DiagEmbed(diagonal, 0, 1).apply(x)
    if x.ndim == 2:
        return Diagonal(diagonal, 0, 1).apply(x)
    raise RuntimeError(f"diag(): expects a 1-D or 2-D tensor, got shape {tuple(x.shape)}")


@register("shape")
def trace(input) -> Tensor:  # noqa: A002
    """Sum of the main diagonal of a 2-D tensor."""
    x = as_tensor(input)
    if x.ndim != 2:
        raise RuntimeError(f"trace(): expected a matrix, got shape {tuple(x.shape)}")
    return diagonal(x).sum()


@register("shape", method=False)
def meshgrid(*tensors, indexing: str = "ij"):
    """Coordinate grids from 1-D tensors; ``indexing='ij'`` (matrix) or ``'xy'`` (Cartesian:
    the first two dims swapped)."""
    ts = [as_tensor(t) for t in (tensors[0] if len(tensors) == 1 and
                                 isinstance(tensors[0], (list, tuple)) else tensors)]
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"meshgrid(): indexing must be 'ij' or 'xy', got {indexing!r}")
    sizes = [t.numel() for t in ts]
    if indexing == "xy" and len(ts) >= 2:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    out = []
    for i, t in enumerate(ts):
        pos = i
        if indexing == "xy" and len(ts) >= 2 and i < 2:
            pos = 1 - i
        shape = [1] * len(ts)
        shape[pos] = -1
        out.append(expand(reshape(t, tuple(shape)), tuple(sizes)))
    return tuple(out)


@register("shape", method=False)
def cartesian_prod(*tensors) -> Tensor:
    """All combinations of the elements of 1-D tensors, as rows (like itertools.product)."""
    if len(tensors) == 1:
        return as_tensor(tensors[0])
    grids = meshgrid(*tensors, indexing="ij")
    return stack([reshape(g, (-1,)) for g in grids], 1)


@register("indexing", differentiable=False)
def nonzero(input, *, as_tuple: bool = False):  # noqa: A002
    """Indices of nonzero elements: an (n, ndim) int64 tensor, or one 1-D tensor per dim."""
    x = as_tensor(input)
    xp = get_array_module(x._data)
    idx = xp.nonzero(xp.atleast_1d(x._data))
    if as_tuple:
        return tuple(_const(i.astype("int64")) for i in idx)
    return _const(xp.stack(idx, 1).astype("int64").reshape(-1, x.ndim))


@register("indexing", differentiable=False)
def argwhere(input) -> Tensor:  # noqa: A002
    """``nonzero(input)``: an (n, ndim) int64 tensor of the nonzero positions."""
    return nonzero(input)

"""More statistics: nanquantile, histogram, unique_consecutive, cumulative_trapezoid."""
from __future__ import annotations

from collections import namedtuple

from ..autograd.tensor import Tensor
from ..backend import get_array_module
from ._util import as_tensor, float_input, normalize_dim
from .registry import register

Histogram = namedtuple("histogram", ["hist", "bin_edges"])


def _const(data) -> Tensor:
    return Tensor._make(data, False, None, 0)


@register("sorting")
def nanquantile(input, q, dim: int | None = None, keepdim: bool = False, *,  # noqa: A002
                interpolation: str = "linear") -> Tensor:
    """``quantile`` over the non-NaN values (NaN where a slice is all NaN)."""
    from .extras import quantile
    from .shape import stack

    x = float_input(input)
    xp = get_array_module(x._data)
    nan = xp.isnan(x._data)
    if not nan.any():
        return quantile(x, q, dim, keepdim, interpolation=interpolation)
    q_shape = xp.shape(q._data if isinstance(q, Tensor) else q)  # () for a scalar q
    if dim is None:
        out = quantile(x[_const(~nan)], q, None, False, interpolation=interpolation)
        return out.reshape(q_shape + (1,) * x.ndim) if keepdim else out
    d = normalize_dim(dim, x.ndim, "nanquantile")
    xm = x.movedim(d, -1) if x.ndim else x
    flat = xm.reshape(-1, xm.shape[-1])
    rows = []
    for i in range(flat.shape[0]):
        keep = ~xp.isnan(flat._data[i])
        if keep.any():
            rows.append(quantile(flat[i][_const(keep)], q, None, False,
                                 interpolation=interpolation))
        else:
            rows.append(_const(xp.full(q_shape, xp.nan, x.dtype)))
    out = stack(rows, -1)  # (q..., rows)
    out = out.reshape(out.shape[:-1] + xm.shape[:-1])
    if keepdim:
        out = out.unsqueeze(out.ndim - (x.ndim - 1) + d)
    return out


@register("sorting", differentiable=False)
def histogram(input, bins=100, *, range=None, weight=None, density: bool = False):  # noqa: A002
    """``(hist, bin_edges)``: counts (or weighted sums, or a density) in ``bins`` equal bins
    over ``range`` (the data's range by default) or at the given edges."""
    x = as_tensor(input)
    xp = get_array_module(x._data)
    edges = bins._data if isinstance(bins, Tensor) else bins
    w = None if weight is None else as_tensor(weight)._data
    hist, out_edges = xp.histogram(x._data, bins=edges, range=range, weights=w, density=density)
    return Histogram(_const(hist.astype(x.dtype)), _const(out_edges.astype(x.dtype)))


@register("sorting", differentiable=False)
def unique_consecutive(input, return_inverse: bool = False,  # noqa: A002
                       return_counts: bool = False, dim: int | None = None):
    """Collapse runs of equal consecutive values (of the flattened tensor when dim is None)."""
    x = as_tensor(input)
    xp = get_array_module(x._data)
    if dim is None:
        flat = x._data.reshape(-1)
        change = xp.concatenate([xp.ones(min(flat.size, 1), bool), flat[1:] != flat[:-1]])
        values = flat[change]
        inverse_shape = x.shape
    else:
        d = normalize_dim(dim, x.ndim, "unique_consecutive")
        moved = xp.moveaxis(x._data, d, 0)
        rows = moved.reshape(moved.shape[0], -1)
        diff = (rows[1:] != rows[:-1]).any(1)
        change = xp.concatenate([xp.ones(min(rows.shape[0], 1), bool), diff])
        values = xp.moveaxis(moved[change], 0, d)
        inverse_shape = (x.shape[d],)
    out = [_const(values)]
    if return_inverse:
        out.append(_const((xp.cumsum(change) - 1).reshape(inverse_shape).astype("int64")))
    if return_counts:
        starts = xp.flatnonzero(change)
        out.append(_const(xp.diff(xp.append(starts, change.size)).astype("int64")))
    return out[0] if len(out) == 1 else tuple(out)


@register("reduction", method=False)
def cumulative_trapezoid(y, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """Running trapezoidal integral along ``dim`` (one element shorter than ``y``)."""
    from .scan import cumsum
    from .stacking import diff

    y = float_input(y)
    d = normalize_dim(dim, y.ndim, "cumulative_trapezoid")
    head = (slice(None),) * d
    mid = (y[head + (slice(1, None),)] + y[head + (slice(None, -1),)]) * 0.5
    if x is not None:
        xs = as_tensor(x)
        mid = mid * diff(xs, dim=-1 if xs.ndim == 1 else d)
    elif dx is not None:
        mid = mid * dx
    return cumsum(mid, d)
